#!/usr/bin/env bash
# Issue 18: publishes the camera daemon (Iris.Camera) and Iris.Boot with Native AOT into artifacts/aot/<rid>/,
# for this machine's linux-x64 or, cross-compiled from x64 Debian 12, for linux-arm64. Installs with apt-get what
# the link needs. The AOT compile takes several minutes on 2 cores (more for arm64: docs/benchmarks.md).
#   scripts/publish-aot.sh [linux-x64|linux-arm64]
set -euo pipefail
cd "$(dirname "$0")/.."

rid="${1:-linux-x64}"
# clang, lld: Native AOT links the compiled daemon with the platform toolchain.
# zlib1g-dev: the runtime's compression support links against zlib.
packages=(clang lld zlib1g-dev)
extra=()
case "$rid" in
  linux-x64) ;;
  linux-arm64)
    # The ILCompiler package for an x64 host also emits arm64 code; the link is the cross part. clang gets
    # --target=aarch64-linux-gnu from the ILCompiler targets (they see host and target differ) and lld links
    # any architecture (the default bfd would need aarch64-linux-gnu-ld).
    # gcc-aarch64-linux-gnu: the arm64 C runtime start files, libgcc and glibc (libc6-dev-arm64-cross) that
    #   clang finds as a cross GCC installation, so no sysroot folder is needed.
    # llvm: llvm-objcopy, which strips the symbols of an arm64 binary into its .dbg file.
    # zlib1g-dev:arm64 (Debian multiarch): the arm64 zlib the link needs.
    packages+=(gcc-aarch64-linux-gnu llvm zlib1g-dev:arm64)
    extra=(-p:LinkerFlavor=lld)
    ;;
  *) echo "usage: $0 [linux-x64|linux-arm64]" >&2; exit 2 ;;
esac
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ "$rid" = linux-arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

out="artifacts/aot/$rid"   # Iris.Camera/ and Iris.Boot/ below it
# The lock files pin no runtime-specific packages (the ILCompiler and runtime packs of a RID), so this restore is
# not in locked mode, and it rewrites the lock files of the projects it publishes; they are copied aside and put
# back afterwards, so the run leaves the working tree as it found it (uncommitted edits included).
locks=(src/Iris.Camera/packages.lock.json src/Iris.Firmware/packages.lock.json src/Iris.Boot/packages.lock.json)
saved=$(mktemp -d)
restore_locks() { for lock in "${locks[@]}"; do cp "$saved/${lock//\//_}" "$lock"; done; rm -rf "$saved"; }
for lock in "${locks[@]}"; do cp "$lock" "$saved/${lock//\//_}"; done
trap restore_locks EXIT
# Trim and AOT warnings are errors, as in every build, except IL3053: the one summary warning for Pkcs11Interop's
# Type-based marshalling, which ILC cannot see through; src/Iris.Camera/Vault/Pkcs11Interop.rd.xml supplies the data
# it needs and Vault.Pkcs11DaemonProcessTests proves it in the AOT pass (docs/benchmarks.md, issue 18).
# Its own artifacts path keeps the AOT restore and build out of the obj/ and bin/ the tests are built from.
# The device folder holds what the board runs, nothing more: the debug symbols (the .dbg is 2.5x the binary) go to
# symbols/<project>/ beside it for the vendor's crash analysis, and static web assets are not precompressed (the
# daemon serves wwwroot with UseStaticFiles, which never sends the .br/.gz copies). Each A/B slot is a copy of it.
for project in Iris.Camera Iris.Boot; do
  rm -rf "$out/$project" "$out/symbols/$project"
  dotnet publish "src/$project" -c Release -r "$rid" -p:PublishAot=true -p:RestoreLockedMode=false \
    -p:WarningsNotAsErrors=IL3053 -p:CompressionEnabled=false ${extra[@]+"${extra[@]}"} \
    --artifacts-path artifacts/aot/build -o "$out/$project" --nologo
  mkdir -p "$out/symbols/$project"
  find "$out/$project" -maxdepth 1 \( -name '*.dbg' -o -name '*.pdb' \) -exec mv -t "$out/symbols/$project" {} +
done
