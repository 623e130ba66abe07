#!/usr/bin/env bash
# Update install throughput and peak memory (issue 5): Iris verify + decrypt (+ write, fsync, read back) of an
# image bundle, next to `openssl dgst -sha256` over the same encrypted file (the hashing floor), `rauc info`
# (plain bundle: full hash + signature) and `swupdate -c` (signed sw-description, sha256 over the image) on the
# same payload. Every tool reads from the page cache (each file is read once before timing). Whole-process
# wall time and peak RSS come from GNU time. Usage: bench/update-install.sh [SIZE_MIB=256] [RUNS=5]
source "$(dirname "$0")/common.sh"
ensure_packages rauc swupdate squashfs-tools cpio time openssl

size_mib=${1:-256}
runs=${2:-5}
work="$out/update-$size_mib"
rm -rf "$work" && mkdir -p "$work"
cd "$work"
dotnet build "$repo_root/bench/Iris.UpdateBench" -c Release --nologo -v quiet >/dev/null
tool=(dotnet "$repo_root/bench/Iris.UpdateBench/bin/Release/net10.0/Iris.UpdateBench.dll")

head -c "${size_mib}M" /dev/urandom > rootfs.img
"${tool[@]}" make-update rootfs.img iris

# rauc: plain bundle signed with a throw-away P-256 certificate.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout rauc.key -out rauc.crt -subj /CN=bench -days 2 2>/dev/null
mkdir content && cp rootfs.img content/
printf '[update]\ncompatible=iris-bench\nversion=1.0.0\n\n[bundle]\nformat=plain\n\n[image.rootfs]\nfilename=rootfs.img\n' > content/manifest.raucm
rauc bundle --cert=rauc.crt --key=rauc.key content bundle.raucb >/dev/null 2>&1
rm -rf content

# swupdate: CMS-signed sw-description naming the image and its sha256.
openssl req -x509 -newkey rsa:2048 -nodes -keyout swu.key -out swu.crt -subj /CN=bench -days 2 -addext extendedKeyUsage=emailProtection 2>/dev/null
cat > sw-description <<SWD
software = { version = "1.0.0"; hardware-compatibility: [ "1.0" ];
  images: ( { filename = "rootfs.img"; device = "/dev/null"; type = "raw"; sha256 = "$(sha256sum rootfs.img | cut -d' ' -f1)"; } ); }
SWD
openssl cms -sign -in sw-description -out sw-description.sig -signer swu.crt -inkey swu.key -outform DER -nosmimecap -binary
printf 'sw-description\nsw-description.sig\nrootfs.img\n' | cpio -o -H crc > update.swu 2>/dev/null
rm rootfs.img
cat iris/bundle.irfw bundle.raucb update.swu > /dev/null

measure() { # NAME COMMAND…: appends "seconds peak_kib" per run to NAME.txt (Iris also prints its in-process time)
  local name=$1; shift
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$name.one" "$@" >"$name.stdout" 2>"$name.err" || { echo "$name failed:"; cat "$name.err"; exit 1; }
    cat "$name.one" >> "$name.txt"
    case "$name" in iris-*) cut -d' ' -f1 "$name.stdout" >> "$name.inproc" ;; esac
  done
}
measure openssl openssl dgst -sha256 iris/bundle.irfw
measure iris-verify "${tool[@]}" install-update iris /dev/null
measure iris-install "${tool[@]}" install-update iris slot-b.img
measure rauc rauc info --keyring=rauc.crt bundle.raucb
measure swupdate swupdate -c -i update.swu -k swu.crt -H bench:1.0

floor=$(cut -d' ' -f1 openssl.txt | median)
echo "## Update install, $size_mib MiB image, $runs runs, medians ($(machine_line))"
echo
echo "| tool | wall s (whole process) | x openssl floor | in-process s (what the daemon pays) | x floor | peak RSS MiB |"
echo "|---|---|---|---|---|---|"
for name in openssl iris-verify iris-install rauc swupdate; do
  t=$(cut -d' ' -f1 "$name.txt" | median)
  m=$(cut -d' ' -f2 "$name.txt" | median)
  i=$( [ -f "$name.inproc" ] && median < "$name.inproc" || echo "")
  awk -v n="$name" -v t="$t" -v m="$m" -v f="$floor" -v i="$i" \
    'BEGIN { if (i == "") printf "| %s | %.2f | %.2f | | | %.0f |\n", n, t, t / f, m / 1024;
             else printf "| %s | %.2f | %.2f | %.2f | %.2f | %.0f |\n", n, t, t / f, i, i / f, m / 1024 }'
done
