# Shared by the issue-14 video benches (rtsps.sh, latency.sh, viewers-cpu.sh, viewers-4x4.sh), after common.sh:
# a fresh Release daemon with the test pattern at the size and rate asked for, the owner's password set, RTSPS on,
# and helpers for the daemon's CPU, browser viewers and percentiles.
# start_video_daemon HTTPS_PORT RTSP_PORT WIDTHxHEIGHT FPS: sets base, jar, password, width, height, url (RTSPS with
# the owner's credentials) on top of start_fresh_daemon's work, pid and default_password.
start_video_daemon() {
  ensure_packages curl jq ffmpeg nodejs chromium
  # A free high port instead of 322 (binding that needs CAP_NET_BIND_SERVICE, which the systemd unit grants).
  export Iris__Rtsp__Listen="127.0.0.1:$2"
  # Every viewer here is the owner: the per-account stream cap (4) would refuse the fifth. The device-wide cap stays.
  export Iris__Media__MaxStreamsPerAccount=16
  start_fresh_daemon "$1"
  base="https://127.0.0.1:$1"
  jar="$work/cookies"
  password="bench harbour lantern 4711"
  sign_in admin "$default_password"
  api POST /api/auth/password "$(jq -nc --arg c "$default_password" --arg n "$password" '{currentPassword:$c,newPassword:$n}')" >/dev/null
  sign_in admin "$password"
  width=${3%x*}; height=${3#*x}
  api PUT /api/media/video "{\"source\":\"test-pattern\",\"device\":null,\"streamUrl\":null,\"width\":$width,\"height\":$height,\"framesPerSecond\":$4}" >/dev/null
  local answer
  answer=$(api PUT /api/rtsp '{"enabled":true}')
  if [ "$(tail -n1 <<<"$answer")" != "200" ]; then
    echo "RTSPS could not be turned on: $(head -n1 <<<"$answer")"
    exit 1
  fi
  url="rtsps://admin:$(jq -rn --arg p "$password" '$p|@uri')@127.0.0.1:$(head -n1 <<<"$answer" | jq -r .port)/live"
}

# sign_in USER PASSWORD: nonce, then login; the session and anti-CSRF cookies land in $jar.
sign_in() {
  local nonce
  nonce=$(curl -sk -c "$jar" -b "$jar" -X POST "$base/api/auth/nonce" | jq -r .nonce)
  curl -sk -c "$jar" -b "$jar" -H 'Content-Type: application/json' -o /dev/null \
    -d "$(jq -nc --arg u "$1" --arg p "$2" --arg n "$nonce" '{username:$u,password:$p,nonce:$n}')" "$base/api/auth/login"
}
csrf() { awk '$6=="__Host-iris-csrf"{print $7}' "$jar"; }
api() { curl -sk -c "$jar" -b "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $(csrf)" -X "$1" -d "$3" -w '\n%{http_code}' "$base$2"; }

hz=$(getconf CLK_TCK)
# The daemon's own CPU (user + system ticks); the ffmpeg encoder child is not in it.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
# cpu_percent TICKS SECONDS: % of one core.
cpu_percent() { awk -v t="$1" -v hz="$hz" -v s="$2" 'BEGIN{printf "%.1f", 100 * t / hz / s}'; }

# browser_viewers COUNT SECONDS MODE: bench/browser-viewers.mjs at nice 19 with the NuGet package's playwright-core
# (restored with the test project) and Debian's Chromium.
browser_viewers() {
  local version
  version=$(grep -oP 'Include="Microsoft.Playwright" Version="\K[^"]+' "$repo_root/Directory.Packages.props")
  local package="${NUGET_PACKAGES:-$HOME/.nuget/packages}/microsoft.playwright/$version/.playwright/package"
  [ -f "$package/index.mjs" ] || dotnet restore "$repo_root/tests/Iris.Camera.Tests" >/dev/null
  nice -n 19 node "$bench_root/browser-viewers.mjs" "$package" "$base" admin "$password" "$1" "$2" "$3"
}

# rtsps_client NAME SECONDS: one ffmpeg RTSPS client at nice 19 (-c copy, no decoding), progress in $work/NAME.progress.
rtsps_client() {
  nice -n 19 ffmpeg -nostdin -hide_banner -loglevel error -rtsp_transport tcp -i "$url" -t "$2" \
    -c copy -f null - -progress "$work/$1.progress" &
}
# frames_so_far NAME: the last frame count an ffmpeg client reported.
frames_so_far() { grep '^frame=' "$work/$1.progress" 2>/dev/null | tail -n1 | cut -d= -f2 || echo 0; }

# latencies: "arrival_ms caption_ms sequence" lines on stdin -> one latency (ms) per change of the burned-in second,
# taken at the first frame showing the new second. That frame was captured within one frame interval after the
# second began, so half an interval (1000 / 2 / FPS ms, argument 1) is taken off: the error is +-half a frame.
latencies() { awk -v half="$1" '$2 != "-" && prev != "" && $2 != prev {printf "%.1f\n", $1 - $2 - half} $2 != "-" {prev = $2}'; }
# summary LABEL: "LABEL: median X ms, p90 Y ms over N samples" from one number per line.
summary() {
  sort -n | awk -v label="$1" '{a[NR]=$1} END {
    if (NR == 0) { print label ": no sample (the burned-in clock was not read)"; exit }
    p90 = a[int(0.9 * (NR - 1)) + 1]; med = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    printf "%s: median %.0f ms, p90 %.0f ms over %d second changes\n", label, med, p90, NR }'
}
