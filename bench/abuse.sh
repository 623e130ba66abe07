#!/usr/bin/env bash
# Whole-process abuse scenarios (issue 11) against the published Release daemon: 1. nonce drain, 2. connection
# exhaustion from one address, 3. login spray from 50 addresses, 4. a viewer hogging live streams. Each attack
# runs for SECONDS after a 2 s ramp-up while the owner signs in again and again (nonce + login, a new connection
# each time) from known addresses (127.0.0.10-33, signed in from during setup and used in turn, since every
# source may ask for a nonce only every 6 s after a burst of 10) and from a never-seen address per attempt
# (127.2.x.y); during the hog the administrator also opens the live view from 127.0.0.1. The same is measured on
# the quiet daemon first.
# Attackers use 127.1.x.y (the viewer 127.0.0.3) and run at nice 19; the measuring owner runs as a separate
# process at normal priority. Loopback only; every loop stops by itself. Usage: bench/abuse.sh [SECONDS]
source "$(dirname "$0")/common.sh"
seconds=${1:-15}
port=18748
url="https://127.0.0.1:$port"
start_fresh_daemon "$port"
cert="$work/data/identity/device-cert.pem"
dir="$work/abuse"
mkdir -m 700 "$dir"
tool_dll="$repo_root/bench/Iris.Bench/bin/Release/net10.0/Iris.Bench.dll"
measure() { dotnet "$tool_dll" abuse measure "$1" "$url" "$cert" "$pid" "$dir" "$seconds" "$2" "$3"; }

echo "machine: $(machine_line)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $seconds s per phase"
bench_tool abuse setup "$url" "$cert" "$default_password" "$dir"
measure quiet 0 sign-ins
measure quiet-live 0 live

offset=0
for kind in nonce-drain connections spray live-hog; do
  offset=$((offset + 2000))
  rm -f "$dir/ready" "$dir/stop"
  bench_tool abuse attack "$kind" "$url" "$cert" "$dir" "$seconds" &
  attacker=$!
  for _ in $(seq 600); do
    [ -e "$dir/ready" ] || ! kill -0 "$attacker" 2>/dev/null && break
    sleep 0.1
  done
  [ -e "$dir/ready" ] || { echo "attack $kind did not start" >&2; exit 1; }
  mode=sign-ins; [ "$kind" = live-hog ] && mode=both
  measure "$kind" "$offset" "$mode"
  touch "$dir/stop"
  wait "$attacker"
  sleep 2 # what the attack left in flight settles before the next one
done

bench_tool abuse report "$dir"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); daemon log: $(grep -c 'refused' "$work/daemon.log" || true) lines mentioning refusals (connection refusals are logged at most once a second)"
