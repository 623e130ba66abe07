#!/usr/bin/env bash
# Issue 12: the encrypted database against the plain one, measured alternately in one run so machine noise hits
# both alike: start-up (first start and restart of the published daemon), the login path's database work and
# event-log append (bench/Iris.Bench/DatabasePath.cs), with ratios encrypted/plain. Target: every ratio <= 1.2x.
# Then the recordings-key rotation time for 10 GiB of recordings (slot table only, bench/Iris.Bench/KeyRotation.cs).
# Usage:
#   bench/db-encryption.sh PLAIN_TREE [ROUNDS] [OPS] [SEGMENT_MIB]
#   PLAIN_TREE: a checkout of the commit before the encryption, e.g. `git worktree add /tmp/iris-plain a1607c2`.
#   It gets this tree's bench driver (DatabasePath.cs, KeyRotation.cs, Program.cs), which only calls APIs both share.
source "$(dirname "$0")/common.sh"
plain=$(cd "$1" && pwd); rounds=${2:-7}; ops=${3:-2000}; segment_mib=${4:-8}
ensure_packages curl openssl bc
port=18745
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp "$bench_root/Iris.Bench/DatabasePath.cs" "$bench_root/Iris.Bench/KeyRotation.cs" "$bench_root/Iris.Bench/Program.cs" "$plain/bench/Iris.Bench/"
for tree in this plain; do
  root=$repo_root; [ "$tree" = plain ] && root=$plain
  dotnet build "$root/bench/Iris.Bench" -c Release -o "$work/$tree-bench" --nologo -v quiet >/dev/null
  dotnet publish "$root/src/Iris.Camera" -c Release -o "$work/$tree-daemon" --nologo -v quiet >/dev/null
  : > "$work/$tree-path"; : > "$work/$tree-first"; : > "$work/$tree-restart"
done

for i in $(seq "$rounds"); do
  for tree in plain this; do
    "$work/$tree-bench/Iris.Bench" db-path 1 "$ops" >> "$work/$tree-path"
    measure_start "$work/$tree-daemon" "$work/data-$tree-$i" "$port" >> "$work/$tree-first"
    measure_start "$work/$tree-daemon" "$work/data-$tree-$i" "$port" >> "$work/$tree-restart"
  done
done

row() { # row NAME PLAIN_MEDIAN THIS_MEDIAN UNIT
  printf '| %s | %s %s | %s %s | %.2fx |\n' "$1" "$2" "$4" "$3" "$4" "$(echo "$3 / $2" | bc -l)"
}
echo "machine: $(machine_line)"
echo "this: $(git -C "$repo_root" rev-parse --short HEAD); plain: $(git -C "$plain" rev-parse --short HEAD); $rounds rounds, $ops operations each"
echo "| what (median) | plain | encrypted | ratio |"
echo "|---|---|---|---|"
row "first start, to first HTTPS 200" "$(cut -d' ' -f1 "$work/plain-first" | median)" "$(cut -d' ' -f1 "$work/this-first" | median)" ms
row "restart, to first HTTPS 200" "$(cut -d' ' -f1 "$work/plain-restart" | median)" "$(cut -d' ' -f1 "$work/this-restart" | median)" ms
row "login path (find account, new session, find session)" "$(cut -d' ' -f1 "$work/plain-path" | median)" "$(cut -d' ' -f1 "$work/this-path" | median)" µs
row "event-log append" "$(cut -d' ' -f2 "$work/plain-path" | median)" "$(cut -d' ' -f2 "$work/this-path" | median)" µs

echo
echo "recordings-key rotation, 10 GiB in ${segment_mib} MiB segments (file key; slots re-wrapped in place, synced):"
echo "| segments | slots moved | setup ms | rotate ms |"
echo "|---|---|---|---|"
for i in 1 2 3; do
  read -r segments moved setup rotate < <("$work/this-bench/Iris.Bench" key-rotation 10 "$segment_mib" "$work")
  echo "| $segments | $moved | $setup | $rotate |"
done
