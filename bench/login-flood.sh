#!/usr/bin/env bash
# Whole-process benchmark (issue 3): legitimate administrator sign-in latency (p50/p99) and daemon CPU, quiet and
# during a flood of wrong-password logins from many loopback addresses (127.1.x.y). The published Release daemon
# runs with its default PBKDF2 cost. Usage: bench/login-flood.sh [RATE] [SECONDS] [SOURCES]
source "$(dirname "$0")/common.sh"
rate=${1:-600}
seconds=${2:-20}
sources=${3:-200}
ensure_packages curl
publish_daemon
dotnet build "$repo_root/bench/Iris.Bench" -c Release --nologo -v quiet >/dev/null

work=$(mktemp -d)
port=18746
"$daemon_dir/Iris.Camera" --listen "127.0.0.1:$port" --data-dir "$work/data" > "$work/daemon.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
wait_https "$port"
default_password=$(sed -n "s/^Default password for user 'admin': \(.*\)$/\1/p" "$work/daemon.log")

echo "machine: $(machine_line)"
echo "flood: $rate wrong-password logins/s (each after its own nonce request) from $sources source addresses; legitimate: one sign-in every 100 ms from 127.0.0.1; $seconds s per phase"
nice -n 19 dotnet "$repo_root/bench/Iris.Bench/bin/Release/net10.0/Iris.Bench.dll" login-flood "https://127.0.0.1:$port" \
  "$work/data/identity/device-cert.pem" "$pid" "$default_password" "$rate" "$seconds" "$sources"
