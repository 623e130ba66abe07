#!/usr/bin/env bash
# Start-up time and idle memory of this tree's daemon next to another tree's (e.g. the commit before a refactor),
# measured alternately in the same run so machine noise hits both alike. Usage:
#   bench/startup-compare.sh OTHER_TREE [RUNS]     (OTHER_TREE: a checkout, e.g. from `git worktree add`)
source "$(dirname "$0")/common.sh"
other=$(cd "$1" && pwd); runs=${2:-7}
ensure_packages curl openssl
port=18744
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet publish "$repo_root/src/Iris.Camera" -c Release -o "$work/this" --nologo -v quiet >/dev/null
dotnet publish "$other/src/Iris.Camera" -c Release -o "$work/other" --nologo -v quiet >/dev/null

measure() { measure_start "$1" "$2" "$port"; }

for tree in this other; do : > "$work/$tree-first"; : > "$work/$tree-restart"; done
for i in $(seq "$runs"); do
  for tree in other this; do
    measure "$work/$tree" "$work/data-$tree-$i" >> "$work/$tree-first"
    measure "$work/$tree" "$work/data-$tree-$i" >> "$work/$tree-restart"
  done
done

echo "machine: $(machine_line)"
echo "this: $(git -C "$repo_root" rev-parse --short HEAD); other: $(git -C "$other" rev-parse --short HEAD)"
echo "| start | tree | runs | median ms to first HTTPS 200 | median idle RSS (MiB, 5 s after ready) |"
echo "|---|---|---|---|---|"
for kind in first restart; do
  for tree in other this; do
    ms=$(cut -d' ' -f1 "$work/$tree-$kind" | median)
    rss=$(cut -d' ' -f2 "$work/$tree-$kind" | median)
    printf '| %s | %s | %s | %s | %.1f |\n' "$kind" "$tree" "$runs" "$ms" "$(echo "$rss / 1024" | bc -l)"
  done
done
