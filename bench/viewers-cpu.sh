#!/usr/bin/env bash
# Usage: bench/viewers-cpu.sh [SECONDS] [WIDTHxHEIGHT] [FPS]
# Whole-process benchmark (issue 14): the daemon's CPU (user + system ticks of its own process from /proc/PID/stat,
# not the ffmpeg encoder child) with 0, 1, 2 and 4 browser viewers of the fMP4 live view (Chromium, the owner
# app's Live page), then with 0, 1, 2 and 4 RTSPS clients (ffmpeg -c copy); the cost per added viewer or client
# is the difference to the row with none, divided by the count. Viewers and clients run at nice 19.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/video-common.sh"
seconds=${1:-20}
size=${2:-1280x720}
fps=${3:-15}
start_video_daemon 18752 18753 "$size" "$fps"
echo "machine: $(machine_line)"
echo "$size test pattern at $fps fps, H.264; $seconds s per row, measured once every viewer plays"

# row KIND COUNT CPU BASELINE FRAMES
row() {
  local per="-"
  [ "$2" -gt 0 ] && per=$(awk -v a="$3" -v b="$4" -v n="$2" 'BEGIN{printf "%.1f", (a - b) / n}')
  echo "| $1 | $2 | $3 | $per | $5 |"
}

echo "| kind | count | daemon CPU (% of one core) | per added one | frames each received in the window (expected $((seconds * fps))) |"
echo "|---|---|---|---|---|"
before=$(cpu_ticks); sleep "$seconds"; idle=$(cpu_percent $(( $(cpu_ticks) - before )) "$seconds")
row "none" 0 "$idle" "$idle" "-"

for viewers in 1 2 4; do
  browser_viewers "$viewers" "$seconds" frames > "$work/viewers-$viewers.txt" &
  node_pid=$!
  until grep -q '^playing' "$work/viewers-$viewers.txt" 2>/dev/null; do
    kill -0 "$node_pid" 2>/dev/null || { cat "$work/viewers-$viewers.txt"; echo "the browser viewers stopped"; exit 1; }
    sleep 0.1
  done
  before=$(cpu_ticks); sleep "$seconds"; cpu=$(cpu_percent $(( $(cpu_ticks) - before )) "$seconds")
  wait "$node_pid"
  row "browser (fMP4)" "$viewers" "$cpu" "$idle" "$(grep -oP '^viewer \d+: \K\d+' "$work/viewers-$viewers.txt" | paste -sd/ -)"
done

for clients in 1 2 4; do
  pids=()
  for i in $(seq 1 "$clients"); do rtsps_client "rtsps-$clients-$i" "$((seconds + 6))"; pids+=($!); done
  sleep 8 # connect, DESCRIBE, SETUP, PLAY, first keyframe, and the burst while the client catches up
  start_frames=(); for i in $(seq 1 "$clients"); do start_frames+=("$(frames_so_far "rtsps-$clients-$i")"); done
  before=$(cpu_ticks); sleep "$seconds"; cpu=$(cpu_percent $(( $(cpu_ticks) - before )) "$seconds")
  frames=$(for i in $(seq 1 "$clients"); do echo $(( $(frames_so_far "rtsps-$clients-$i") - start_frames[i - 1] )); done | paste -sd/ -)
  # Only the clients: a bare wait would wait for the daemon too.
  wait "${pids[@]}" || true
  row "RTSPS" "$clients" "$cpu" "$idle" "$frames"
done
echo "RTSPS frame counts are ffmpeg's progress reports (every ~0.5 s), so each is within a few frames of the window."
