#!/usr/bin/env bash
# Release gate throughput (issue 13, point 5): MB/s of `iris-factory gate` over a generated 1 GiB mixed tree, next
# to `grep -rEa` with comparable patterns (PEM keys, URLs of any scheme, IPv4 literals, password/api_key
# assignments, crypt hashes) over the same tree in the same run. Rounds alternate between the two so both see the
# same page cache. The tree: copies of the camera build (assemblies, native libraries, wwwroot), random binaries
# (incompressible, the worst case for the entropy check), zero-filled images, and text settings files with a few
# planted findings, so the gate has something to report and grep something to print.
# Usage: bench/release-gate.sh [ROUNDS] [SIZE_MIB]
source "$(dirname "$0")/common.sh"
rounds=${1:-3}
size_mib=${2:-1024}
ensure_packages grep coreutils bc
publish_daemon
dotnet publish "$repo_root/src/Iris.Factory" -c Release -o "$out/factory" --nologo -v quiet >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree="$work/tree"
mkdir -p "$tree"

# About a quarter camera builds, a quarter random binaries, a quarter zero-filled images, a quarter text.
quarter=$(( size_mib / 4 ))
build_mib=$(( $(du -sm "$daemon_dir" | cut -f1) ))
copies=$(( quarter / (build_mib > 0 ? build_mib : 1) + 1 ))
for i in $(seq 1 "$copies"); do cp -r "$daemon_dir" "$tree/app-$i"; done
for i in $(seq 1 $(( quarter / 16 ))); do head -c 16M /dev/urandom > "$tree/blob-$i.bin"; done
for i in $(seq 1 $(( quarter / 64 ))); do truncate -s 64M "$tree/image-$i.img"; done
mkdir -p "$tree/etc"
python3 - "$tree/etc" "$quarter" <<'PY'
import os, random, sys
random.seed(1005)
directory, mib = sys.argv[1], int(sys.argv[2])
words = "camera stream motion record retain privacy update slot storage schedule region quality".split()
for f in range(mib):
    with open(os.path.join(directory, f"settings-{f}.conf"), "w") as out:
        while out.tell() < 1 << 20:
            out.write(f"{random.choice(words)}_{random.randint(0, 999)} = {random.choice(words)} {random.randint(0, 99999)}\n")
        if f % 97 == 0:
            out.write("password=planted\nendpoint https://collect.example.net/x\nserver 203.0.113.9\n")
PY
total_mib=$(du -sm --apparent-size "$tree" | cut -f1)
echo "tree: ${total_mib} MiB in $(find "$tree" -type f | wc -l) files"

pattern='-----BEGIN ([A-Z0-9]+ ){0,3}PRIVATE KEY|[A-Za-z][A-Za-z0-9+.-]{1,15}://[A-Za-z0-9_.-]+|(^|[^0-9.])([0-9]{1,3}\.){3}[0-9]{1,3}([^0-9.]|$)|(password|passwd|secret|token|api_?key)[ \t]*[:=]|\$(1|2[abxy]?|5|6|y)\$[^ $:]+\$'
gate_ms=(); grep_ms=()
for round in $(seq 1 "$rounds"); do
  start=$(now_ms)
  "$out/factory/Iris.Factory" gate --from "$tree" >/dev/null 2>&1 || true
  gate_ms+=($(( $(now_ms) - start )))
  start=$(now_ms)
  LC_ALL=C grep -rEac -e "$pattern" "$tree" >/dev/null 2>&1 || true # -e: the pattern starts with "-"
  grep_ms+=($(( $(now_ms) - start )))
  echo "round $round: gate ${gate_ms[-1]} ms, grep -rEa ${grep_ms[-1]} ms"
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
gate=$(median "${gate_ms[@]}"); grep=$(median "${grep_ms[@]}")
echo "median over $rounds rounds, ${total_mib} MiB:"
echo "  iris-factory gate: $(echo "scale=1; $total_mib * 1000 / $gate" | bc) MB/s ($gate ms)"
echo "  grep -rEa:         $(echo "scale=1; $total_mib * 1000 / $grep" | bc) MB/s ($grep ms)"
