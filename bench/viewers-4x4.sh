#!/usr/bin/env bash
# Usage: bench/viewers-4x4.sh [SECONDS] [WIDTHxHEIGHT] [FPS]
# Whole-process benchmark (issue 14): 4 RTSPS clients (ffmpeg -c copy) and 4 browser viewers of the fMP4 live view
# (Chromium, the owner app's Live page) at once, 720p15 by default, on this machine. Over one window: frames the
# source should have made (seconds x fps), frames it made (the burned-in frame counter, read from a snapshot at each
# end of the window with bench/caption.mjs), the difference (dropped at the source), and frames each client and
# viewer received (ffmpeg's progress; the browser's getVideoPlaybackQuality, with the frames it dropped itself).
# Clients and viewers run at nice 19; the daemon's CPU over the window is shown too.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/video-common.sh"
seconds=${1:-30}
size=${2:-1280x720}
fps=${3:-15}
start_video_daemon 18754 18755 "$size" "$fps"
echo "machine: $(machine_line)"
echo "$size test pattern at $fps fps, H.264; 4 RTSPS clients + 4 browser viewers; $seconds s window once all play"

# snapshot_frame: "wall_ms sequence" of the frame the source made last (a snapshot is the next frame it makes).
snapshot_frame() {
  local at
  at=$(now_ms)
  curl -sk -b "$jar" -o "$work/snapshot.jpg" "$base/api/media/snapshot"
  echo "$at $(ffmpeg -nostdin -loglevel error -i "$work/snapshot.jpg" -f rawvideo -pix_fmt gray - | node "$bench_root/caption.mjs" "$width" "$height" | cut -d' ' -f3)"
}

clients=()
for i in 1 2 3 4; do
  rtsps_client "rtsps-$i" "$((seconds + 600))"
  clients+=($!)
done
browser_viewers 4 "$seconds" frames > "$work/viewers.txt" &
node_pid=$!
until grep -q '^playing' "$work/viewers.txt" 2>/dev/null; do
  kill -0 "$node_pid" 2>/dev/null || { cat "$work/viewers.txt"; echo "the browser viewers stopped"; exit 1; }
  sleep 0.1
done
read -r first_at first_sequence < <(snapshot_frame)
start_frames=(); for i in 1 2 3 4; do start_frames+=("$(frames_so_far "rtsps-$i")"); done
before=$(cpu_ticks)
sleep "$seconds"
cpu=$(cpu_percent $(( $(cpu_ticks) - before )) "$seconds")
rtsps=$(for i in 1 2 3 4; do echo $(( $(frames_so_far "rtsps-$i") - start_frames[i - 1] )); done | paste -sd/ -)
read -r last_at last_sequence < <(snapshot_frame)
wait "$node_pid"
kill "${clients[@]}" 2>/dev/null || true
wait "${clients[@]}" 2>/dev/null || true

window=$(awk -v a="$first_at" -v b="$last_at" 'BEGIN{printf "%.1f", (b - a) / 1000}')
expected=$(awk -v w="$window" -v f="$fps" 'BEGIN{printf "%.0f", w * f}')
if [[ "$first_sequence" =~ ^[0-9]+$ && "$last_sequence" =~ ^[0-9]+$ ]]; then
  made=$((last_sequence - first_sequence))
  dropped=$((expected - made))
else
  made="(frame counter not read)"; dropped="-"
fi
echo "| | frames |"
echo "|---|---|"
echo "| source should make in ${window} s (between the two snapshots) | $expected |"
echo "| source made (burned-in counter) | $made |"
echo "| dropped at the source | $dropped |"
echo "| each RTSPS client received in the ${seconds} s window | $rtsps |"
echo "| each browser viewer decoded in its ${seconds} s window (dropped by the browser) | $(grep -oP '^viewer \d+: \K\d+ frames decoded, \d+' "$work/viewers.txt" | sed -E 's/ frames decoded, / (/; s/$/)/' | paste -sd/ -) |"
echo "daemon CPU over the window: $cpu % of one core (the ffmpeg encoder child not included)"
