#!/usr/bin/env bash
# Bytes per recorded minute, H.264 (format 3, fragmented MP4 sealed per fragment) against MJPEG (format 2) in the
# same run (issue 14: target at most 1/8). The published Release daemon records the 1280x720 test pattern at 15 fps
# continuously for SECONDS in each format, on a fresh data directory each; the sealed segment files are summed.
# Usage: bench/video-bytes.sh [SECONDS]
source "$(dirname "$0")/common.sh"
seconds=${1:-60}
port=18749
ensure_packages curl jq
publish_daemon
echo "machine: $(machine_line)"
echo "1280x720 test pattern at 15 fps, continuous recording for $seconds s per format"

# record FORMAT: prints the bytes of sealed segments written in $seconds.
record() {
  local work; work=$(mktemp -d)
  Iris__Media__RecordingFormat=$1 "$daemon_dir/Iris.Camera" --listen "127.0.0.1:$port" --data-dir "$work/data" > "$work/daemon.log" 2>&1 &
  local pid=$!
  wait_https "$port"
  local jar="$work/cookies" base="https://127.0.0.1:$port" password="bench video password 1"
  local nonce; nonce=$(curl -sk -c "$jar" -X POST "$base/api/auth/nonce" | jq -r .nonce)
  curl -sk -b "$jar" -c "$jar" -H 'Content-Type: application/json' -X POST "$base/api/auth/login" \
    -d "{\"username\":\"admin\",\"password\":\"$(cat "$work/data/default-password")\",\"nonce\":\"$nonce\"}" >/dev/null
  api() { curl -sk -b "$jar" -c "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $(awk '$6=="__Host-iris-csrf"{print $7}' "$jar")" -X "$1" "$base$2" -d "$3" >/dev/null; }
  api POST /api/auth/password "{\"currentPassword\":\"$(cat "$work/data/default-password")\",\"newPassword\":\"$password\"}"
  api PUT /api/recordings/settings '{"mode":"continuous"}'
  sleep "$seconds"
  api PUT /api/recordings/settings '{"mode":"off"}'
  local bytes; bytes=$(find "$work/data/recordings" -maxdepth 1 -name '*.seg*' -printf '%s\n' | awk '{s+=$1} END {print s+0}')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$work"
  echo "$bytes"
}

mjpeg=$(record mjpeg)
h264=$(record h264)
per_minute() { awk -v b="$1" -v s="$seconds" 'BEGIN {printf "%.1f MiB", b * 60 / s / 1048576}'; }
echo "| format | bytes in $seconds s | per recorded minute |"
echo "|---|---|---|"
echo "| MJPEG (format 2) | $mjpeg | $(per_minute "$mjpeg") |"
echo "| H.264 (format 3) | $h264 | $(per_minute "$h264") |"
awk -v m="$mjpeg" -v h="$h264" 'BEGIN {printf "H.264 / MJPEG = 1/%.1f (target: at most 1/8)\n", m / h}'
