#!/usr/bin/env bash
# Usage: bench/latency.sh [SECONDS] [WIDTHxHEIGHT] [FPS]
# Whole-process benchmark (issue 14): glass-to-glass latency of the live picture, burned-in clock vs arrival, for
# RTSPS (an ffmpeg client decoding to grey frames; arrival = when the decoded frame reached the reader) and for the
# fMP4 browser view (Chromium playing the owner app's Live page; arrival = the frame's expected display time from
# requestVideoFrameCallback). The clock is read from each frame with bench/caption.mjs (the known 5x7 font; tesseract
# misread it). One sample per change of the burned-in second: median and p90. The first 5 s of each stream are
# left out (the encoder starts on demand and the first frames arrive late, then in a burst).
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/video-common.sh"
seconds=${1:-30}
size=${2:-1280x720}
fps=${3:-15}
warmup=5
start_video_daemon 18750 18751 "$size" "$fps"
echo "machine: $(machine_line)"
echo "$size test pattern at $fps fps; $seconds s per path after a ${warmup} s warm-up; one sample per burned-in second"
half=$(awk -v f="$fps" 'BEGIN{printf "%.1f", 500 / f}')

# RTSPS: ffmpeg decodes only the caption strip (the bottom tenth) to grey and pipes it to the reader, which stamps
# each frame as it arrives and finds the caption at the strip's bottom, as in the whole picture. The reader stops
# SECONDS + warm-up after the first frame (wall clock, not -t: the first seconds arrive late, then in a burst while
# the encoder catches up, which is the warm-up left out); timeout only guards a client that never gets a frame.
strip=$(( (height + 9) / 10 ))
timeout -s INT "$((seconds + warmup + 60))" nice -n 19 ffmpeg -nostdin -hide_banner -loglevel error -rtsp_transport tcp -i "$url" -an \
  -vf "crop=iw:$strip:0:ih-$strip" -f rawvideo -pix_fmt gray - 2>/dev/null |
  node "$bench_root/caption.mjs" "$width" "$strip" "$(( (seconds + warmup) * 1000 ))" > "$work/rtsps-latency.txt" || true
start=$(awk -v w="$warmup" 'NR==1{printf "%.0f", $1 + w * 1000}' "$work/rtsps-latency.txt")
echo "RTSPS: $(wc -l < "$work/rtsps-latency.txt") frames read, $(awk -v s="$start" '$1 >= s' "$work/rtsps-latency.txt" | wc -l) after the warm-up"
awk -v s="$start" '$1 >= s' "$work/rtsps-latency.txt" | latencies "$half" | summary "RTSPS (ffmpeg client) glass-to-glass"

browser_viewers 1 "$seconds" latency > "$work/browser-latency.txt"
latencies "$half" < "$work/browser-latency.txt" | summary "fMP4 in Chromium (MSE, the owner app's player) glass-to-glass"
unread=$(cat "$work/rtsps-latency.txt" "$work/browser-latency.txt" | awk '$2 == "-"' | wc -l)
echo "frames whose clock could not be read: $unread of $(cat "$work/rtsps-latency.txt" "$work/browser-latency.txt" | wc -l)"
