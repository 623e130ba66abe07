# Shared by the bench scripts: publish the daemon once (Release), start it, wait for its first HTTPS answer.
set -euo pipefail
bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$bench_root/.." && pwd)
out="$repo_root/artifacts/bench"
# IRIS_BENCH_DAEMON_DIR: measure the daemon already in that directory (e.g. the Native AOT build) instead of
# publishing the Release one (bench/footprint.sh runs the other scripts once per build this way).
daemon_dir="${IRIS_BENCH_DAEMON_DIR:-$out/daemon}"

ensure_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

publish_daemon() {
  [ -z "${IRIS_BENCH_DAEMON_DIR:-}" ] || return 0
  dotnet publish "$repo_root/src/Iris.Camera" -c Release -o "$daemon_dir" --nologo -v quiet >/dev/null
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# measure_start BIN_DIR DATA_DIR PORT: starts the daemon, prints "ms_to_first_https_200 idle_rss_kib" (RSS read 5 s
# after it first answered), and stops it.
measure_start() {
  local start; start=$(now_ms)
  "$1/Iris.Camera" --listen "127.0.0.1:$3" --data-dir "$2" >/dev/null 2>&1 &
  local pid=$!
  wait_https "$3"
  local ready; ready=$(( $(now_ms) - start ))
  sleep 5
  local rss; rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$ready $rss"
}

# wait_https PORT: polls until GET /api/device answers 200; prints nothing.
wait_https() {
  until curl -sk -o /dev/null -w '%{http_code}' --max-time 1 "https://127.0.0.1:$1/api/device" 2>/dev/null | grep -q 200; do
    sleep 0.005
  done
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

machine_line() {
  echo "$(date -u +%Y-%m-%d), $(nproc) cores $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), .NET $(dotnet --version), $(openssl version | cut -d' ' -f1-2)"
}

# start_fresh_daemon PORT: publishes and builds what the whole-process benches need, starts the daemon on a fresh
# data directory (removed on exit), waits for HTTPS, and sets: work, pid, default_password.
start_fresh_daemon() {
  local port=$1
  ensure_packages curl
  publish_daemon
  dotnet build "$repo_root/bench/Iris.Bench" -c Release --nologo -v quiet >/dev/null
  work=$(mktemp -d)
  "$daemon_dir/Iris.Camera" --listen "127.0.0.1:$port" --data-dir "$work/data" > "$work/daemon.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
  wait_https "$port"
  # Its output is not a terminal, so the daemon leaves the default password in a 0600 file.
  default_password=$(cat "$work/data/default-password")
}

bench_tool() { nice -n 19 dotnet "$repo_root/bench/Iris.Bench/bin/Release/net10.0/Iris.Bench.dll" "$@"; }

# The Native AOT daemon (issue 18), published by scripts/publish-aot.sh as .ci/run and the device get it.
aot_dir="$repo_root/artifacts/aot/linux-x64/Iris.Camera"
# Always publishes (quick when up to date), so a source change is never measured stale; IRIS_BENCH_AOT_REUSE=1 takes
# the binary that is there as it is.
publish_aot_daemon() {
  [ "${IRIS_BENCH_AOT_REUSE:-0}" = 1 ] && [ -x "$aot_dir/Iris.Camera" ] && return 0
  bash "$repo_root/scripts/publish-aot.sh" linux-x64 >/dev/null || { echo "AOT publish failed (run scripts/publish-aot.sh to see why)" >&2; return 1; }
}
