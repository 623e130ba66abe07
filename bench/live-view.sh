#!/usr/bin/env bash
# Whole-process benchmark (issue 4): 1, 4 and 16 concurrent live viewers at 1280x720, 15 fps over TLS (the
# published Release daemon's defaults): delivered frame rate, capture-to-client latency, CPU and memory.
# Usage: bench/live-view.sh [SECONDS]
source "$(dirname "$0")/common.sh"
seconds=${1:-15}
ensure_packages curl
publish_daemon
dotnet build "$repo_root/bench/Iris.Bench" -c Release --nologo -v quiet >/dev/null
work=$(mktemp -d)
port=18747
"$daemon_dir/Iris.Camera" --listen "127.0.0.1:$port" --data-dir "$work/data" > "$work/daemon.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
wait_https "$port"
default_password=$(sed -n "s/^Default password for user 'admin': \(.*\)$/\1/p" "$work/daemon.log")
echo "machine: $(machine_line)"
echo "1280x720 test pattern at 15 fps, MJPEG over TLS 1.3; viewers on 127.0.0.2 (client at nice 19); $seconds s per row"
nice -n 19 dotnet "$repo_root/bench/Iris.Bench/bin/Release/net10.0/Iris.Bench.dll" live-view "https://127.0.0.1:$port" \
  "$work/data/identity/device-cert.pem" "$pid" "$default_password" "$seconds" 1 4 16
