#!/usr/bin/env bash
# Whole-process benchmark: full TLS handshakes per second against the Iris daemon and against nginx (Debian
# package) serving the same certificate and key with the same suites and groups. Rounds alternate between the
# two servers; each round is `openssl s_time -new` from two client processes for SECONDS. Also reports server CPU
# time per handshake (from /proc), which is the fairer figure on a 2-core machine where clients compete for CPU.
# Usage: bench/tls-handshakes.sh [ROUNDS] [SECONDS]
source "$(dirname "$0")/common.sh"
rounds=${1:-5}
seconds=${2:-10}
ensure_packages nginx openssl curl bc
publish_daemon
dotnet build "$repo_root/bench/Iris.Bench" -c Release --nologo -v quiet >/dev/null

work=$(mktemp -d)
iris_port=18744
nginx_port=18745
cleanup() {
  [ -n "${iris_pid:-}" ] && kill "$iris_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$daemon_dir/Iris.Camera" --listen "127.0.0.1:$iris_port" --data-dir "$work/data" >/dev/null 2>&1 &
iris_pid=$!
wait_https "$iris_port"
dotnet "$repo_root/bench/Iris.Bench/bin/Release/net10.0/Iris.Bench.dll" export-device-key "$work/data" "$work/key.pem"
cp "$work/data/identity/device-cert.pem" "$work/cert.pem"

cat > "$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256;
    ssl_conf_command Ciphersuites TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256;
    ssl_ecdh_curve P-256:P-384;
    ssl_session_cache off;
    ssl_session_tickets off;
    location / { return 200 "ok"; }
  }
}
NGINX
nginx -c "$work/nginx.conf"
until curl -sk -o /dev/null "https://127.0.0.1:$nginx_port/"; do sleep 0.05; done

# CPU ticks (user+system) of a process tree: the daemon, or nginx master and workers.
ticks_of() { local total=0; for p in "$@"; do total=$(( total + $(awk '{print $14 + $15}' "/proc/$p/stat") )); done; echo "$total"; }
nginx_pids() { echo "$(cat "$work/nginx.pid") $(pgrep -P "$(cat "$work/nginx.pid")" | xargs)"; }
hz=$(getconf CLK_TCK)

# The client uses the Iris profile too, so its key share is P-256 (no HelloRetryRequest on either server).
run_round() { # run_round PORT PROTOCOL_FLAG -> prints "handshakes_per_s cpu_ms_per_handshake"
  local port=$1 flag=$2 pids before after total=0
  if [ "$port" = "$iris_port" ]; then pids=$iris_pid; else pids=$(nginx_pids); fi
  before=$(ticks_of $pids)
  for c in 1 2; do
    OPENSSL_CONF="$repo_root/deploy/openssl/iris-openssl.cnf" openssl s_time -connect "127.0.0.1:$port" -new "$flag" -time "$seconds" > "$work/client-$c.txt" 2>&1 &
  done
  wait $(jobs -p | grep -v "^$iris_pid$") 2>/dev/null || true
  after=$(ticks_of $pids)
  for c in 1 2; do
    total=$(( total + $(awk '/connections in [0-9.]+ real/{print $1; exit}' "$work/client-$c.txt") ))
  done
  echo "$(echo "$total / $seconds" | bc -l) $(echo "($after - $before) * 1000 / $hz / $total" | bc -l)"
}

echo "machine: $(machine_line), $(nginx -v 2>&1)"
echo "| protocol | server | median handshakes/s | median server CPU ms/handshake |"
echo "|---|---|---|---|"
for flag in -tls1_3 -tls1_2; do
  : > "$work/iris"; : > "$work/nginx"
  for r in $(seq "$rounds"); do
    run_round "$iris_port" "$flag" >> "$work/iris"
    run_round "$nginx_port" "$flag" >> "$work/nginx"
  done
  for server in iris nginx; do
    printf '| %s | %s | %.0f | %.3f |\n' "${flag#-}" "$server" "$(cut -d' ' -f1 "$work/$server" | median)" "$(cut -d' ' -f2 "$work/$server" | median)"
  done
  iris_rate=$(cut -d' ' -f1 "$work/iris" | median); nginx_rate=$(cut -d' ' -f1 "$work/nginx" | median)
  iris_cpu=$(cut -d' ' -f2 "$work/iris" | median); nginx_cpu=$(cut -d' ' -f2 "$work/nginx" | median)
  printf '| %s | **ratio iris/nginx** | %.2fx | %.2fx CPU efficiency (nginx ms / iris ms) |\n' "${flag#-}" \
    "$(echo "$iris_rate / $nginx_rate" | bc -l)" "$(echo "$nginx_cpu / $iris_cpu" | bc -l)"
done
