#!/usr/bin/env bash
# Issue 18: proves the linux-arm64 Native AOT daemon runs, on this x64 machine, under qemu user-mode emulation:
# publishes it (scripts/publish-aot.sh linux-arm64) unless artifacts/aot/linux-arm64 holds it already (or
# IRIS_ARM64_REUSE=0 forces a publish), checks `file` calls it an ARM aarch64 executable, starts it with a fresh
# data directory and the built-in defaults, and waits for its first HTTPS 200 from GET /api/device.
# Exits non-zero on any failure. Not part of .ci/run by default (minutes of emulated start-up; see
# docs/benchmarks.md); scripts/test.sh runs it with IRIS_TEST_ARM64=1.
set -euo pipefail
cd "$(dirname "$0")/.."

daemon="artifacts/aot/linux-arm64/Iris.Camera/Iris.Camera"
if [ "${IRIS_ARM64_REUSE:-1}" != 1 ] || [ ! -x "$daemon" ]; then
  bash scripts/publish-aot.sh linux-arm64
fi

# qemu-user: runs the arm64 binary on x64 (no binfmt registration needed: it is started through qemu-aarch64).
# libc6, libssl3, libicu72, libstdc++6 for arm64 (Debian multiarch): what the daemon loads at run time (glibc and
#   its loader /lib/ld-linux-aarch64.so.1, OpenSSL for TLS, ICU for NFKC), found by the arm64 loader.
# file, curl: the checks below.
packages=(qemu-user libc6:arm64 libssl3:arm64 libicu72:arm64 libstdc++6:arm64 file curl)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  dpkg --print-foreign-architectures | grep -qx arm64 || $sudo dpkg --add-architecture arm64
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

kind=$(file -b "$daemon")
echo "file: $kind"
case "$kind" in
  *ELF\ 64-bit*ARM\ aarch64*) ;;
  *) echo "smoke-arm64: $daemon is not an ARM aarch64 executable" >&2; exit 1 ;;
esac

data=$(mktemp -d)
log="$data.log"
pid=""
finish() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$data" "$log"
}
trap finish EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
here="$PWD/artifacts/aot/linux-arm64/Iris.Camera"
# The environment deploy/iris-camera.sh sets, set here: with it the daemon does not re-execute itself to set it,
# and an execve of an arm64 binary would need a binfmt registration this check does without.
start=$(date +%s%N)
OPENSSL_CONF="$here/openssl/iris-openssl.cnf" DOTNET_EnableDiagnostics=0 ASPNETCORE_ENVIRONMENT=Production \
  qemu-aarch64 "$here/Iris.Camera" --listen "127.0.0.1:$port" --data-dir "$data" >"$log" 2>&1 &
pid=$!

timeout_s="${IRIS_ARM64_TIMEOUT_S:-600}"
status=""
while :; do
  status=$(curl -k -s -o /dev/null -w '%{http_code}' --max-time 30 "https://127.0.0.1:$port/api/device" || true)
  [ "$status" = 200 ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "smoke-arm64: the daemon exited before answering; its output:" >&2; cat "$log" >&2; exit 1
  fi
  if [ $(( ($(date +%s%N) - start) / 1000000000 )) -gt "$timeout_s" ]; then
    echo "smoke-arm64: no 200 from /api/device within ${timeout_s}s (last: $status); output:" >&2; cat "$log" >&2; exit 1
  fi
  sleep 1
done
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
body=$(curl -k -s --max-time 30 "https://127.0.0.1:$port/api/device")
cpu=$(awk '{ print ($14 + $15) / 100 }' "/proc/$pid/stat")
rss=$(awk '/VmRSS/ { print $2 / 1024 }' "/proc/$pid/status")
echo "linux-arm64 AOT daemon under qemu: first HTTPS 200 from GET /api/device after ${elapsed_ms} ms" \
  "(daemon CPU ${cpu}s; qemu process RSS ${rss} MiB; load: $(cut -d' ' -f1-3 /proc/loadavg))"
echo "GET /api/device: $body"
