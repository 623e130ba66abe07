#!/usr/bin/env bash
# Whole-process benchmark (issue 3): legitimate administrator sign-in latency (p50/p99) and daemon CPU, quiet and
# during a flood of wrong-password logins from many loopback addresses (127.1.x.y). The published Release daemon
# runs with its default PBKDF2 cost. Usage: bench/login-flood.sh [RATE] [SECONDS] [SOURCES]
source "$(dirname "$0")/common.sh"
rate=${1:-600}
seconds=${2:-20}
sources=${3:-200}
port=18746
start_fresh_daemon "$port"
echo "machine: $(machine_line)"
echo "flood: $rate wrong-password logins/s (each after its own nonce request) from $sources source addresses; the owner: one sign-in every 200 ms, in turn from 24 addresses it signed in from before (127.0.0.10-33); $seconds s per phase (generator at nice 19)"
bench_tool login-flood "https://127.0.0.1:$port" "$work/data/identity/device-cert.pem" "$pid" "$default_password" "$rate" "$seconds" "$sources"
