#!/usr/bin/env bash
# Platform link benchmark (issue 15), against a real mosquitto with TLS and require_certificate on loopback:
#  1. alert latency, from each alert's own time to an MQTT subscriber, p50/p99, next to mosquitto_pub ->
#     mosquitto_sub on the same broker (target: p99 within 2x of the tools' own);
#  2. outbox drain after an outage of DRAIN alerts: messages/s, and the daemon's memory while they wait.
# Usage: bench/link.sh [ALERTS] [DRAIN]
source "$(dirname "$0")/common.sh"
alerts=${1:-200}
drain=${2:-10000}
ensure_packages mosquitto mosquitto-clients openssl python3 curl
port=18748
broker_port=18883
start_fresh_daemon_with_link() {
  publish_daemon
  dotnet build "$repo_root/bench/Iris.Bench" -c Release --nologo -v quiet >/dev/null
  work=$(mktemp -d)
  make_certificates "$work/pki"
  Iris__Cloud__BrokerHost=127.0.0.1 Iris__Cloud__BrokerPort=$broker_port Iris__Cloud__CaCertificateFile="$work/pki/ca.pem" \
  Iris__Cloud__OutboxLimit=$((drain + 100)) Iris__Cloud__MaximumRetryDelay=00:00:02 \
    "$daemon_dir/Iris.Camera" --listen "127.0.0.1:$port" --data-dir "$work/data" > "$work/daemon.log" 2>&1 &
  pid=$!
  trap 'kill $pid ${broker:-} ${sub:-} 2>/dev/null || true; rm -rf "$work"' EXIT
  wait_https "$port"
  default_password=$(cat "$work/data/default-password")
  cat "$work/data/identity/device-cert.pem" >> "$work/pki/ca.pem"
}

# make_certificates DIR: a test CA, the broker's certificate (127.0.0.1) and the subscriber's (CN=platform).
make_certificates() {
  mkdir -p "$1"; cd "$1"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=Bench CA" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout broker.key -out broker.csr -subj "/CN=broker" 2>/dev/null
  openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out broker.pem -days 2 \
    -extfile <(printf "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE") 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout platform.key -out platform.csr -subj "/CN=platform" 2>/dev/null
  openssl x509 -req -in platform.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out platform.pem -days 2 \
    -extfile <(printf "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE") 2>/dev/null
  printf "pattern readwrite iris/%%u/#\n\nuser platform\ntopic readwrite iris/#\ntopic readwrite bench/#\n" > acl
  cat > mosquitto.conf <<CONF
user root
persistence true
persistence_location $1/
per_listener_settings false
allow_anonymous false
acl_file $1/acl
listener $broker_port 127.0.0.1
cafile $1/ca.pem
certfile $1/broker.pem
keyfile $1/broker.key
require_certificate true
use_identity_as_username true
CONF
  cd - >/dev/null
}

start_broker() { mosquitto -c "$work/pki/mosquitto.conf" >/dev/null 2>&1 & broker=$!; sleep 1; }

# percentiles FILE: "p50 p99" in ms of the first column.
percentiles() { python3 -c 'import sys,statistics as s; v=sorted(float(l.split()[0]) for l in open(sys.argv[1]) if l.strip()); print(f"{s.median(v):.1f} {v[min(len(v)-1,int(len(v)*0.99))]:.1f}")' "$1"; }

start_fresh_daemon_with_link
# After the daemon start: the certificates live in its fresh work directory.
tls_args=(-h 127.0.0.1 -p "$broker_port" --cafile "$work/pki/ca.pem" --cert "$work/pki/platform.pem" --key "$work/pki/platform.key" -q 1)
start_broker
echo "machine: $(machine_line)"

# 1a. The tools' own latency: each message carries its send time.
mosquitto_sub "${tls_args[@]}" -t bench/latency -F '%U %p' > "$work/tools.raw" & sub=$!
sleep 1
for _ in $(seq "$alerts"); do mosquitto_pub "${tls_args[@]}" -t bench/latency -m "$(date +%s.%N)"; sleep 0.05; done
sleep 2; kill $sub
awk '{printf "%.3f\n", ($1 - $2) * 1000}' "$work/tools.raw" > "$work/tools.ms"

# 1b. The camera's: from each alert's "at" to its arrival.
mosquitto_sub "${tls_args[@]}" -t "iris/+/alerts" -F '%U %p' > "$work/camera.raw" & sub=$!
sleep 3
bench_tool link-alerts "https://127.0.0.1:$port" "$work/data/identity/device-cert.pem" "$default_password" "$alerts" 50
sleep 3; kill $sub
python3 - "$work/camera.raw" > "$work/camera.ms" <<'PY'
import json, sys
from datetime import datetime
for line in open(sys.argv[1]):
    received, payload = line.split(" ", 1)
    at = datetime.fromisoformat(json.loads(payload)["at"].replace("Z", "+00:00")).timestamp()
    print(f"{(float(received) - at) * 1000:.3f}")
PY
echo "| path | messages | p50 ms | p99 ms |"
echo "|---|---|---|---|"
echo "| mosquitto_pub -> mosquitto_sub | $(wc -l < "$work/tools.ms") | $(percentiles "$work/tools.ms" | tr ' ' '|') |"
echo "| camera alert -> subscriber | $(wc -l < "$work/camera.ms") | $(percentiles "$work/camera.ms" | tr ' ' '|') |"

# 2. Outbox drain: broker down while DRAIN alerts are raised, then up; time until the last arrives. The subscriber
#    keeps a persistent session (saved by the broker at SIGTERM), so it misses nothing that arrives before it is back.
mosquitto_sub "${tls_args[@]}" -c -i bench-drain -t "iris/+/alerts" -E
kill $broker; wait $broker 2>/dev/null || true
bench_tool link-alerts "https://127.0.0.1:$port" "$work/data/identity/device-cert.pem" - "$drain" 0
rss_queued=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
start_broker
start=$(now_ms)
mosquitto_sub "${tls_args[@]}" -c -i bench-drain -t "iris/+/alerts" -C "$drain" > /dev/null
elapsed=$(( $(now_ms) - start ))
echo "outbox drain: $drain alerts in $elapsed ms ($(( drain * 1000 / (elapsed > 0 ? elapsed : 1) )) msg/s); daemon RSS with them queued: $((rss_queued / 1024)) MiB"
