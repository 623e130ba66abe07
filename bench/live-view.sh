#!/usr/bin/env bash
# Whole-process benchmark (issue 4): 1, 4 and 16 concurrent live viewers at 1280x720, 15 fps over TLS (the
# published Release daemon's defaults): delivered frame rate, capture-to-client latency, CPU and memory.
# Usage: bench/live-view.sh [SECONDS]
source "$(dirname "$0")/common.sh"
seconds=${1:-15}
port=18747
start_fresh_daemon "$port"
echo "machine: $(machine_line)"
echo "1280x720 test pattern at 15 fps, MJPEG over TLS 1.3; viewers on 127.0.0.2 (client at nice 19); $seconds s per row"
bench_tool live-view "https://127.0.0.1:$port" "$work/data/identity/device-cert.pem" "$pid" "$default_password" "$seconds" 1 4 16
