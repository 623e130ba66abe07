#!/usr/bin/env bash
# Issue 18: publishes the camera daemon with Native AOT for linux-x64 (the ILCompiler package the SDK picks, clang
# and lld from Debian) and runs the tests that start the daemon as a process against that binary, through the
# test setup's IRIS_DAEMON_BINARY switch (tests/Iris.Camera.Tests/Support/ChildProcess.cs).
# scripts/test.sh runs it by default (IRIS_TEST_AOT=0 skips it). The AOT compile takes several minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

# clang, lld: Native AOT links the compiled daemon with the platform toolchain.
# zlib1g-dev: the runtime's compression support links against zlib.
packages=(clang lld zlib1g-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

out="artifacts/aot/linux-x64"   # Iris.Camera/ and Iris.Boot/ below it
results="${1:-artifacts/test-results}"
# The lock files pin no runtime-specific packages (the ILCompiler and runtime packs of a RID), so this restore is
# not in locked mode, and it rewrites the lock files of the projects it publishes; they are copied aside and put
# back afterwards, so the run leaves the working tree as it found it (uncommitted edits included).
locks=(src/Iris.Camera/packages.lock.json src/Iris.Firmware/packages.lock.json src/Iris.Boot/packages.lock.json)
saved=$(mktemp -d)
restore_locks() { for lock in "${locks[@]}"; do cp "$saved/${lock//\//_}" "$lock"; done; rm -rf "$saved"; }
for lock in "${locks[@]}"; do cp "$lock" "$saved/${lock//\//_}"; done
trap restore_locks EXIT
# Trim and AOT warnings are errors, as in every build, except IL3053: the one summary warning for Pkcs11Interop's
# delegate marshalling, a dependency the vault uses only with a token (docs/benchmarks.md).
# Its own artifacts path keeps the AOT restore and build out of the obj/ and bin/ the tests are built from.
for project in Iris.Camera Iris.Boot; do
  dotnet publish "src/$project" -c Release -r linux-x64 -p:PublishAot=true -p:RestoreLockedMode=false \
    -p:WarningsNotAsErrors=IL3053 --artifacts-path artifacts/aot/build -o "$out/$project" --nologo
done

# Every test that starts the daemon as a process (CameraProcess, or ChildProcess.Start("Iris.Camera")): whole
# classes, or the one test of a class that does. Iris.Boot's tests (Updates/UpdateEndToEndTests,
# Updates/TrialInterruptionTests) start the daemon from a slot provisioned with the JIT build, not through this switch.
tests=(Accounts.DefaultPasswordFileTests Accounts.PasswordRulesTests Factory.ProvisioningTests Hosting.CrashSafetyTests
  Hosting.FileModeTests Hosting.LaunchPathTests Hosting.StartupFailureTests Link.LinkOutageTests Media.RecordingCrashTests
  Ui.OwnerAppFlowTests.FactoryReset_ShowsProgress_AndReconnectsToSignIn_ByItself
  Web.ErrorBoundaryTests Web.ServiceManifestTests Web.TlsPolicyTests)
filter=$(printf 'FullyQualifiedName~Iris.Camera.Tests.%s|' "${tests[@]}")
IRIS_DAEMON_BINARY="$PWD/$out/Iris.Camera/Iris.Camera" dotnet test tests/Iris.Camera.Tests --no-restore --configuration Release \
  --filter "${filter%|}" --logger "trx;LogFilePrefix=iris-aot" --logger "console;verbosity=minimal" \
  --blame-hang-timeout 8m --blame-hang-dump-type none --results-directory "$results"
