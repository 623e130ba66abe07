#!/usr/bin/env bash
# Issue 18: publishes the camera daemon with Native AOT for linux-x64 (scripts/publish-aot.sh: the ILCompiler
# package the SDK picks, clang and lld from Debian) and runs the tests that start the daemon as a process against
# that binary, through the test setup's IRIS_DAEMON_BINARY switch (tests/Iris.Camera.Tests/Support/ChildProcess.cs).
# scripts/test.sh runs it by default (IRIS_TEST_AOT=0 skips it). The AOT compile takes several minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

out="artifacts/aot/linux-x64"   # Iris.Camera/ and Iris.Boot/ below it
results="${1:-artifacts/test-results}"
bash scripts/publish-aot.sh linux-x64

# Every test that starts the daemon as a process (CameraProcess, or ChildProcess.Start("Iris.Camera")): whole
# classes, or the one test of a class that does. Iris.Boot's process tests (Updates/UpdateEndToEndTests,
# Updates/TrialInterruptionTests) run the AOT Iris.Boot (IRIS_BOOT_BINARY), with slots holding the AOT daemon's directory
# and its native entry (Support/UpdateTestRepository.cs, CameraApplication.SlotApplication): the device as deployed.
tests=(Accounts.DefaultPasswordFileTests Accounts.PasswordRulesTests Factory.ProvisioningTests Hosting.CrashSafetyTests
  Hosting.FileModeTests Hosting.LaunchPathTests Hosting.StartupFailureTests Link.LinkOutageTests Media.RecordingCrashTests
  Updates.UpdateEndToEndTests Updates.TrialInterruptionTests
  Ui.OwnerAppFlowTests.FactoryReset_ShowsProgress_AndReconnectsToSignIn_ByItself
  Web.ErrorBoundaryTests Web.ServiceManifestTests Web.TlsPolicyTests
  Vault.Pkcs11DaemonProcessTests)
# Vault.Pkcs11DaemonProcessTests: a SoftHSM2 token holds the vault's key. Pkcs11Interop works under AOT only through
# the marshalling data src/Iris.Camera/Vault/Pkcs11Interop.rd.xml makes ILC generate; this class proves it does.
filter=$(printf 'FullyQualifiedName~Iris.Camera.Tests.%s|' "${tests[@]}")
IRIS_DAEMON_BINARY="$PWD/$out/Iris.Camera/Iris.Camera" IRIS_BOOT_BINARY="$PWD/$out/Iris.Boot/Iris.Boot" dotnet test tests/Iris.Camera.Tests --no-restore --configuration Release \
  --filter "${filter%|}" --logger "trx;LogFilePrefix=iris-aot" --logger "console;verbosity=minimal" \
  --blame-hang-timeout 8m --blame-hang-dump-type none --results-directory "$results"
