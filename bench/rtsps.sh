#!/usr/bin/env bash
# Whole-process benchmark (issue 14, RTSPS): daemon CPU per additional RTSPS client and frames each client receives
# (dropped frames at 1, 2 and 4 clients). Clients are ffmpeg (-c copy, no decoding) at nice 19. Glass-to-glass
# latency is bench/latency.sh's: the tesseract reading that was here never read the clock, because it cropped the
# top of the picture while the caption is at the bottom (its `-f image2 -` pipe was fine: a JPEG, which tesseract
# reads), and tesseract misreads the 5x7 font even on the right strip. Browser viewers are in bench/viewers-cpu.sh.
# Needs the daemon's H.264 encoder (issue 14 point 1): without it PUT /api/rtsp answers 409 and the script stops.
# Usage: bench/rtsps.sh [SECONDS] [WIDTHxHEIGHT] [FPS]
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/video-common.sh"
seconds=${1:-20}
size=${2:-1280x720}
fps=${3:-15}
start_video_daemon 18748 18749 "$size" "$fps"
echo "machine: $(machine_line)"

echo "$size test pattern at $fps fps, H.264 over RTSPS (TLS 1.3, interleaved TCP); $seconds s per row"
echo "| clients | daemon CPU (% of one core) | per added client | frames per client (expected $((seconds * fps))) |"
echo "|---|---|---|---|"
previous=""
for clients in 0 1 2 4; do
  pids=()
  for i in $(seq 1 "$clients"); do
    nice -n 19 ffmpeg -nostdin -hide_banner -loglevel error -rtsp_transport tcp -i "$url" -t "$((seconds + 3))" \
      -c copy -f null - -progress "$work/progress-$clients-$i.txt" &
    pids+=($!)
  done
  sleep 3 # connect, DESCRIBE, first keyframe
  before=$(cpu_ticks)
  sleep "$seconds"
  after=$(cpu_ticks)
  for p in "${pids[@]}"; do wait "$p" || true; done
  cpu=$(awk -v t=$((after - before)) -v hz="$hz" -v s="$seconds" 'BEGIN{printf "%.1f", 100 * t / hz / s}')
  frames="-"
  if [ "$clients" -gt 0 ]; then
    frames=$(for i in $(seq 1 "$clients"); do grep '^frame=' "$work/progress-$clients-$i.txt" | tail -n1 | cut -d= -f2; done | paste -sd/ -)
  fi
  per="-"
  if [ -n "$previous" ] && [ "$clients" -gt 0 ]; then
    per=$(awk -v a="$cpu" -v b="$previous" -v n="$clients" 'BEGIN{printf "%.1f", (a - b) / n}')
  fi
  [ "$clients" -eq 0 ] && previous=$cpu
  echo "| $clients | $cpu | $per | $frames |"
done
