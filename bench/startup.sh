#!/usr/bin/env bash
# Whole-process benchmark: time from process start to the first successful HTTPS response, and idle resident
# memory, for the published Release daemon. First start (fresh data directory: creates the identity) and
# restart (existing data directory) are measured separately. Usage: bench/startup.sh [RUNS]
source "$(dirname "$0")/common.sh"
runs=${1:-10}
ensure_packages curl openssl
publish_daemon
port=18743
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() { measure_start "$daemon_dir" "$1" "$port"; }

: > "$work/first"; : > "$work/restart"
for i in $(seq "$runs"); do
  measure "$work/data-$i" >> "$work/first"
  measure "$work/data-$i" >> "$work/restart"
done

echo "machine: $(machine_line)"
echo "| start | runs | median ms to first HTTPS 200 | median idle RSS (MiB, 5 s after ready) |"
echo "|---|---|---|---|"
for kind in first restart; do
  ms=$(cut -d' ' -f1 "$work/$kind" | median)
  rss=$(cut -d' ' -f2 "$work/$kind" | median)
  printf '| %s | %s | %s | %.1f |\n' "$kind" "$runs" "$ms" "$(echo "$rss / 1024" | bc -l)"
done
