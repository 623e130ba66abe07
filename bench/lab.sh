#!/usr/bin/env bash
# Issue 17 benchmark: a full iris-lab audit of one Iris camera (all 65535 TCP ports, TLS on every TLS port,
# credential and throttle series, web surface) next to testssl.sh on its HTTPS port plus nmap's full connect
# scan with service detection, on the same daemon in the same run. Target: the lab 10x faster with the same TLS
# facts (versions, suites, groups: compared from the two reports and printed). Also the TLS audit of that one port
# alone (`iris-lab tls`) next to testssl.sh alone (target: under 2 s), and where each lab run's time went (the
# report's phase timings).
# Usage: bench/lab.sh [ROUNDS] [full|tls]    (tls: only the one-port TLS comparison, no full audit, no nmap)
source "$(dirname "$0")/common.sh"
rounds=${1:-3}
mode=${2:-full}
case "$mode" in full|tls) ;; *) echo "usage: bench/lab.sh [ROUNDS] [full|tls]" >&2; exit 2 ;; esac
ensure_packages testssl.sh nmap jq bc
# Debian's testssl.sh package installs the script as `testssl`; upstream's checkout calls it testssl.sh.
testssl_bin=$(command -v testssl.sh || command -v testssl)
publish_daemon
dotnet publish "$repo_root/src/Iris.Lab" -c Release -o "$out/lab" --nologo -v quiet >/dev/null

work=$(mktemp -d)
port=18746
cleanup() {
  [ -n "${iris_pid:-}" ] && kill "$iris_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Its own loopback address: on a shared machine 127.0.0.1 carries other people's test services, which a full scan
# finds and (rightly) reports as undeclared; only services bound to every address still show on 127.0.0.2.
host=127.0.0.2
"$daemon_dir/Iris.Camera" --listen "$host:$port" --data-dir "$work/data" >/dev/null 2>&1 &
iris_pid=$!
until curl -sk -o /dev/null -w '%{http_code}' --max-time 1 "https://$host:$port/api/device" 2>/dev/null | grep -q 200; do sleep 0.005; done
curl -sk "https://$host:$port/api/device/ixit" > "$work/ixit.json"

ratio() { echo "scale=1; $1 / $2" | bc; }
phases() { jq -r '.timings.phases[] | "    \(.phase)\t+\(.startMs) ms\t\(.ms) ms"' "$1/report.json" | column -t -s $'\t'; }

for round in $(seq "$rounds"); do
  start=$(now_ms)
  "$out/lab/iris-lab" tls --target "$host:$port" --ixit "$work/ixit.json" --out "$work/tls-$round" >/dev/null || true
  tls_ms=$(( $(now_ms) - start ))

  start=$(now_ms)
  "$testssl_bin" --quiet --warnings off --jsonfile "$work/testssl-$round.json" "$host:$port" >/dev/null 2>&1 || true
  testssl_ms=$(( $(now_ms) - start ))
  under=$([ "$tls_ms" -lt 2000 ] && echo "under 2 s" || echo "NOT under 2 s")
  echo "round $round: iris-lab tls (one port) ${tls_ms} ms, ${under}; testssl.sh ${testssl_ms} ms; speed-up $(ratio "$testssl_ms" "$tls_ms")x"

  if [ "$mode" = full ]; then
    start=$(now_ms)
    "$out/lab/iris-lab" audit --target "$host:$port" --ixit "$work/ixit.json" --out "$work/lab-$round" >/dev/null || true
    lab_ms=$(( $(now_ms) - start ))

    start=$(now_ms)
    nmap -sT -sV -p- -T4 "$host" -oX "$work/nmap-$round.xml" >/dev/null 2>&1 || true
    tools_ms=$(( $(now_ms) - start + testssl_ms ))
    echo "round $round: iris-lab audit ${lab_ms} ms; testssl.sh + nmap ${tools_ms} ms; speed-up $(ratio "$tools_ms" "$lab_ms")x"
  fi
done

echo "where the time went, round 1 (phase, start after the run began, wall time; phases run side by side):"
echo "  iris-lab tls:"; phases "$work/tls-1"
[ "$mode" = full ] && { echo "  iris-lab audit:"; phases "$work/lab-1"; }

# Same TLS facts: suites the lab found vs the cipher findings testssl.sh reports (IANA names on both sides).
lab_report="$work/tls-1/report.json"
[ "$mode" = full ] && lab_report="$work/lab-1/report.json"
jq -r '.tls[0].versions | to_entries[] | .value[]' "$lab_report" | sort -u > "$work/lab-suites"
# testssl.sh 3.0 (Debian) names each offered suite "cipher_xHHHH", 3.2 "cipher-tls1_2_xHHHH"; the finding ends with the IANA name.
jq -r '.[] | select(.id | test("^cipher(_x|-tls|-ssl)")) | .finding' "$work/testssl-1.json" | awk '{print $NF}' | sort -u > "$work/testssl-suites"
[ -s "$work/testssl-suites" ] || echo "testssl.sh reported no suites (see $work/testssl-1.json)"
if diff -u "$work/testssl-suites" "$work/lab-suites"; then echo "TLS suites: same"; else echo "TLS suites: differ (above)"; fi
