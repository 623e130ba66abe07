#!/usr/bin/env bash
# Issue 18's table in one run, for the JIT build (published Release, framework-dependent, as startup.sh does) and
# the Native AOT build (artifacts/aot/linux-x64/Iris.Camera, published as scripts/test-aot.sh does when missing),
# each figure next to its anchor. It runs the existing scripts once per build (IRIS_BENCH_DAEMON_DIR in common.sh):
# startup.sh (start to first HTTPS 200, idle RSS), tls-handshakes.sh (against nginx, same certificate and suites),
# login-flood.sh (owner's sign-in p99, flood vs quiet, ROUNDS runs); and it measures the daemon's RSS while it
# installs a SMALL_MIB and a LARGE_MIB update through its own path: an iris-factory repository served by nginx over
# HTTPS from a test update CA, the daemon slotted (Iris:Boot settings, as Iris.Boot starts it), an administrator's
# check + install, VmRSS sampled every 20 ms (Iris.Bench update-rss).
# Usage: bench/footprint.sh [ROUNDS=5] [SMALL_MIB=215] [LARGE_MIB=749] [FLOOD_SECONDS=20] [TLS_SECONDS=10]
# A short trial: bench/footprint.sh 1 8 32 3 2. Every script's own output is kept in artifacts/bench/footprint-*/.
# FOOTPRINT_BUILDS="jit" (or "aot") measures one build only; its column in the table is then "?".
source "$(dirname "$0")/common.sh"
rounds=${1:-5}
small_mib=${2:-215}
large_mib=${3:-749}
flood_seconds=${4:-20}
tls_seconds=${5:-10}
flood_rate=600
builds=${FOOTPRINT_BUILDS:-jit aot}
ensure_packages curl openssl nginx bc

started_at=$(date -u '+%Y-%m-%d %H:%M UTC')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
publish_daemon
jit_dir=$daemon_dir
case " $builds " in *" aot "*) publish_aot_daemon ;; esac
for project in bench/Iris.Bench src/Iris.Factory src/Iris.Boot; do
  dotnet build "$repo_root/$project" -c Release --nologo -v quiet >/dev/null
done
results="$out/footprint-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$results"

# --- Update installs through the daemon's own path -------------------------------------------------------------
updates="$results/updates"
update_port=18751
daemon_port=18752
mkdir -p "$updates"
factory() { dotnet "$repo_root/src/Iris.Factory/bin/Release/net10.0/Iris.Factory.dll" "$@" >/dev/null; }
boot() { dotnet "$repo_root/src/Iris.Boot/bin/Release/net10.0/Iris.Boot.dll" "$@" >/dev/null; }
stub_app() { mkdir -p "$1" && printf '#!/bin/sh\n' > "$1/Iris.Camera" && chmod 755 "$1/Iris.Camera"; }
cleanup() {
  [ -f "$updates/nginx.pid" ] && kill "$(cat "$updates/nginx.pid")" 2>/dev/null || true
  [ -n "${update_pid:-}" ] && kill "$update_pid" 2>/dev/null || true
  rm -rf "$updates"
}
trap cleanup EXIT

# A test update CA and a server certificate from it (the daemon trusts only the configured CA).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$updates/ca.key" -out "$updates/ca.pem" \
  -subj "/CN=Iris bench update CA" -days 2 -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$updates/server.key" -out "$updates/server.csr" -subj "/CN=update server" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$updates/server.ext"
openssl x509 -req -in "$updates/server.csr" -CA "$updates/ca.pem" -CAkey "$updates/ca.key" -CAcreateserial -days 2 \
  -extfile "$updates/server.ext" -out "$updates/server.pem" 2>/dev/null

# One repository per size, each with release 0.2.0 of a stub application plus SIZE MiB of random data.
factory keys generate --out "$updates/keys"
factory update-key generate --out "$updates/fleet"
stub_app "$updates/factory-build"
for size in "$small_mib" "$large_mib"; do
  stub_app "$updates/app-$size"
  head -c "${size}M" /dev/urandom > "$updates/app-$size/payload.bin"
  factory repo init --repo "$updates/repo-$size" --keys "$updates/keys"
  factory release --repo "$updates/repo-$size" --keys "$updates/keys" --from "$updates/app-$size" --model "Iris Camera DEV" \
    --version 0.2.0 --security-version 2 --support-end 2033-01-31 --recipient "$updates/fleet.pub.pem" --no-cve-gate "bench: no NVD mirror"
  rm -rf "$updates/app-$size"
done
cat > "$updates/nginx.conf" <<NGINX
worker_processes 1;
user $(id -un) $(id -gn);
pid $updates/nginx.pid;
error_log $updates/nginx-error.log;
events { worker_connections 64; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$update_port ssl;
    ssl_certificate $updates/server.pem;
    ssl_certificate_key $updates/server.key;
    root $updates;
    location ~ ^/repo-[0-9]+/ { }
    location / { return 404; }
  }
}
NGINX
nginx -c "$updates/nginx.conf"

# measure_update BIN_DIR SIZE_MIB: prints "idle_kib peak_kib result seconds" for one install on a fresh device.
measure_update() {
  local device; device=$(mktemp -d -p "$updates")
  boot init --boot-dir "$device/boot" --from "$updates/factory-build" --entry Iris.Camera --version 0.1.0 --security-version 1 --support-end 2031-12-31
  cp "$updates/fleet.pem" "$device/update-key.pem"
  Iris__Boot__Directory="$device/boot" Iris__Boot__Slot=a \
  Iris__Updates__RepositoryUrl="https://127.0.0.1:$update_port/repo-$2/" Iris__Updates__CaCertificateFile="$updates/ca.pem" \
  Iris__Updates__TrustedRootFile="$updates/repo-$2/metadata/1.root.json" Iris__Updates__UpdateKeyFile="$device/update-key.pem" \
    "$1/Iris.Camera" --listen "127.0.0.1:$daemon_port" --data-dir "$device/data" > "$device/daemon.log" 2>&1 &
  update_pid=$!
  until curl -sk -o /dev/null --max-time 1 "https://127.0.0.1:$daemon_port/api/device"; do
    kill -0 "$update_pid" 2>/dev/null || { echo "daemon did not start:" >&2; tail -20 "$device/daemon.log" >&2; echo "0 0 failed 0"; rm -rf "$device"; return; }
    sleep 0.05
  done
  local line
  line=$(bench_tool update-rss "https://127.0.0.1:$daemon_port" "$device/data/identity/device-cert.pem" "$update_pid" "$(cat "$device/data/default-password")") \
    || { echo "update-rss failed; daemon log:" >&2; tail -20 "$device/daemon.log" >&2; line="0 0 failed 0"; }
  # A successful install asks for the restart into slot b, so the daemon may exit before its status is read:
  # then the slot record says whether slot b now holds the release.
  if [[ $line == *daemon-exited* ]] && dotnet "$repo_root/src/Iris.Boot/bin/Release/net10.0/Iris.Boot.dll" status --boot-dir "$device/boot" | grep -q '0\.2\.0'; then
    line=${line/daemon-exited/ok}
  fi
  echo "$line"
  kill "$update_pid" 2>/dev/null || true; wait "$update_pid" 2>/dev/null || true
  update_pid=""
  rm -rf "$device"
}

# --- Every figure, for each build ------------------------------------------------------------------------------
for build in $builds; do
  dir=$jit_dir; [ "$build" = aot ] && dir=$aot_dir
  export IRIS_BENCH_DAEMON_DIR=$dir
  # A step that fails leaves "?" in its cells (its output file says why); the other steps still run.
  bash "$bench_root/startup.sh" "$rounds" > "$results/$build-startup.md" 2>&1 || true
  bash "$bench_root/tls-handshakes.sh" "$rounds" "$tls_seconds" > "$results/$build-tls.md" 2>&1 || true
  : > "$results/$build-flood.md"
  for _ in $(seq "$rounds"); do
    bash "$bench_root/login-flood.sh" "$flood_rate" "$flood_seconds" 200 >> "$results/$build-flood.md" 2>&1 || true
  done
  for size in "$small_mib" "$large_mib"; do
    : > "$results/$build-update-$size.txt"
    for _ in $(seq "$rounds"); do measure_update "$dir" "$size" >> "$results/$build-update-$size.txt"; done
  done
  unset IRIS_BENCH_DAEMON_DIR
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# --- The table ---------------------------------------------------------------------------------------------------
# FILE FIELD KEY…: the first number in column FIELD of the first table row whose leading columns are KEY… (bold and
# spaces ignored); "?" when the row is missing (a failed step: its file in the results directory says why).
cell() {
  local file=$1 field=$2; shift 2
  [ -s "$file" ] || { echo "?"; return; }
  awk -F'|' -v f="$field" -v keys="$*" 'BEGIN {n = split(keys, k, " ")}
    { ok = 1; for (i = 1; i <= n; i++) { c = $(i + 1); gsub(/[ *]/, "", c); if (c != k[i]) ok = 0 } }
    ok && match($(f + 1), /[0-9]+(\.[0-9]+)?/) { print substr($(f + 1), RSTART, RLENGTH); found = 1; exit }
    END { if (!found) print "?" }' "$file"
}
startup() { printf '%s / %s ms' "$(cell "$results/$1-startup.md" 3 first)" "$(cell "$results/$1-startup.md" 3 restart)"; }
idle() { printf '%s / %s MiB' "$(cell "$results/$1-startup.md" 4 first)" "$(cell "$results/$1-startup.md" 4 restart)"; }
update() { # BUILD SIZE: median idle -> median peak (+ median growth), and the install results
  local f="$results/$1-update-$2.txt"
  [ -s "$f" ] || { printf '?'; return; }
  awk '{print $1/1024}' "$f" | median > "$results/i"; awk '{print $2/1024}' "$f" | median > "$results/p"; awk '{print ($2-$1)/1024}' "$f" | median > "$results/g"
  printf '%.1f -> %.1f MiB (+%.1f; %s)' "$(cat "$results/i")" "$(cat "$results/p")" "$(cat "$results/g")" "$(cut -d' ' -f3 "$f" | sort | uniq -c | xargs)"
}
tls() { # BUILD PROTO: ratio (CPU ratio), and the nginx anchor
  local f="$results/$1-tls.md"
  printf '%sx (CPU per handshake: nginx %sx of Iris); %s/s vs nginx %s/s' "$(cell "$f" 3 "$2" ratioiris/nginx)" "$(cell "$f" 4 "$2" ratioiris/nginx)" \
    "$(cell "$f" 3 "$2" iris)" "$(cell "$f" 3 "$2" nginx)"
}
flood() { # BUILD: median over runs of the p99 ratio, and median quiet / flood p99
  local f="$results/$1-flood.md"
  grep -q '^ratio p99' "$f" 2>/dev/null || { printf '?'; return; }
  printf '%.2fx (p99 %.0f ms vs quiet %.0f ms)' "$(awk '/^ratio p99/{sub(/x.*/, "", $4); print $4}' "$f" | median)" \
    "$(awk -F'|' '$2 ~ /flood from/ {print $5}' "$f" | median)" "$(awk -F'|' '$2 ~ /^ *quiet *$/ {print $5}' "$f" | median)"
}

echo "## Footprint (issue 18): JIT and Native AOT, $rounds round(s), medians"
echo
echo "machine: $(machine_line), $(nginx -v 2>&1)"
echo "started $started_at, load average at start $load_start, at end $load_end"
echo "updates: ${small_mib} and ${large_mib} MiB of random data in a directory release; flood $flood_rate/s from 200 sources, $flood_seconds s per phase; TLS $tls_seconds s per round"
echo
echo "| figure | target | JIT | AOT |"
echo "|---|---|---|---|"
echo "| start to first HTTPS 200, fresh / restart | < 200 ms | $(startup jit) | $(startup aot) |"
echo "| idle RSS, fresh / restart (5 s after ready) | < 40 MiB | $(idle jit) | $(idle aot) |"
echo "| daemon RSS installing a $small_mib MiB update: idle -> peak (+growth) | < +16 MiB over idle | $(update jit "$small_mib") | $(update aot "$small_mib") |"
echo "| daemon RSS installing a $large_mib MiB update: idle -> peak (+growth) | < +16 MiB over idle | $(update jit "$large_mib") | $(update aot "$large_mib") |"
echo "| TLS 1.3 full handshakes, Iris / nginx (same cert, suites) | >= 1.0x | $(tls jit tls1_3) | $(tls aot tls1_3) |"
echo "| TLS 1.2 full handshakes, Iris / nginx | >= 0.9x | $(tls jit tls1_2) | $(tls aot tls1_2) |"
echo "| owner's login p99, $flood_rate/s wrong-password flood / quiet | <= 2x | $(flood jit) | $(flood aot) |"
echo
echo "Each script's own output: $results"
rm -f "$results/i" "$results/p" "$results/g"
