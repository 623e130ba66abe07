#!/usr/bin/env bash
# Whole-process benchmark (issue 14, RTSPS): daemon CPU per additional RTSPS client, frames each client receives
# (dropped frames at 1, 2 and 4 clients), and glass-to-glass latency of RTSPS (burned-in clock read back with
# tesseract vs the wall clock when ffmpeg wrote the frame). Clients are ffmpeg (-c copy, no decoding) at nice 19.
# Needs the daemon's H.264 encoder (issue 14 point 1): without it PUT /api/rtsp answers 409 and the script stops.
# Usage: bench/rtsps.sh [SECONDS] [WIDTHxHEIGHT] [FPS]
source "$(dirname "$0")/common.sh"
seconds=${1:-20}
size=${2:-1280x720}
fps=${3:-15}
port=18748
rtsp_port=18749
ensure_packages curl jq ffmpeg tesseract-ocr
# A free high port instead of 322 (binding that needs CAP_NET_BIND_SERVICE, which the systemd unit grants).
export Iris__Rtsp__Listen="127.0.0.1:$rtsp_port"
start_fresh_daemon "$port"
echo "machine: $(machine_line)"
base="https://127.0.0.1:$port"
jar="$work/cookies"
password="bench harbour lantern 4711"

# sign_in USER PASSWORD: nonce, then login; the session and anti-CSRF cookies land in $jar.
sign_in() {
  local nonce
  nonce=$(curl -sk -c "$jar" -b "$jar" -X POST "$base/api/auth/nonce" | jq -r .nonce)
  curl -sk -c "$jar" -b "$jar" -H 'Content-Type: application/json' -o /dev/null \
    -d "$(jq -nc --arg u "$1" --arg p "$2" --arg n "$nonce" '{username:$u,password:$p,nonce:$n}')" "$base/api/auth/login"
}
csrf() { awk '$6=="__Host-iris-csrf"{print $7}' "$jar"; }
api() { curl -sk -c "$jar" -b "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $(csrf)" -X "$1" -d "$3" -w '\n%{http_code}' "$base$2"; }

sign_in admin "$default_password"
api POST /api/auth/password "$(jq -nc --arg c "$default_password" --arg n "$password" '{currentPassword:$c,newPassword:$n}')" >/dev/null
sign_in admin "$password"
width=${size%x*}; height=${size#*x}
api PUT /api/media/video "{\"source\":\"test-pattern\",\"device\":null,\"streamUrl\":null,\"width\":$width,\"height\":$height,\"framesPerSecond\":$fps}" >/dev/null
answer=$(api PUT /api/rtsp '{"enabled":true}')
if [ "$(tail -n1 <<<"$answer")" != "200" ]; then
  echo "RTSPS could not be turned on: $(head -n1 <<<"$answer")"
  exit 1
fi
rtsp_port=$(head -n1 <<<"$answer" | jq -r .port)
url="rtsps://admin:$(jq -rn --arg p "$password" '$p|@uri')@127.0.0.1:$rtsp_port/live"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)

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

# Latency: one frame every 2 s, written as PNG by ffmpeg; its file time is the arrival, the burned-in clock (read with
# tesseract from the top-left corner, HH:MM:SS) the capture. Whole seconds, so the mean of (arrival - clock) over
# the samples minus 0.5 s estimates the latency; say so next to the figure.
mkdir -p "$work/frames"
nice -n 19 ffmpeg -nostdin -hide_banner -loglevel error -rtsp_transport tcp -i "$url" -t "$seconds" \
  -vf "fps=0.5" -f image2 -strftime 0 "$work/frames/f%03d.png" || true
samples=()
for frame in "$work/frames"/*.png; do
  arrival=$(stat -c %.Y "$frame" 2>/dev/null || stat -c %Y "$frame")
  clock=$(ffmpeg -nostdin -loglevel error -i "$frame" -vf "crop=iw/2:ih/8:0:0,scale=iw*2:-1,negate" -f image2 - 2>/dev/null |
    tesseract stdin stdout --psm 7 2>/dev/null | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2}' | head -n1 || true)
  [ -z "$clock" ] && continue
  clock_epoch=$(date -u -d "$(date -u -d "@${arrival%.*}" +%F) $clock" +%s)
  samples+=("$(awk -v a="$arrival" -v c="$clock_epoch" 'BEGIN{printf "%.3f", a - c}')")
done
if [ "${#samples[@]}" -gt 0 ]; then
  printf '%s\n' "${samples[@]}" | awk '{s+=$1; n++} END {printf "RTSPS glass-to-glass: mean(arrival - burned-in second) %.2f s over %d frames; estimate %.2f s (minus 0.5 s for whole-second clock)\n", s/n, n, s/n - 0.5}'
else
  echo "RTSPS glass-to-glass: the burned-in clock could not be read (tesseract found no HH:MM:SS)"
fi
