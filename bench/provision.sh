#!/usr/bin/env bash
# Devices provisioned per minute: one batch order of COUNT devices through the published iris-factory, with the
# device CA key in a file and then in a SoftHSM2 token (each device: serial from the ledger, P-256 key, certificate
# signed by the device CA, PBKDF2 hash of its default password, SVG/PNG/PDF label). Usage: bench/provision.sh [COUNT]
source "$(dirname "$0")/common.sh"
count=${1:-100}
ensure_packages softhsm2 fonts-dejavu-core fonts-droid-fallback
factory_dir="$out/factory"
dotnet publish "$repo_root/src/Iris.Factory" -c Release -o "$factory_dir" --nologo -v quiet >/dev/null
factory() { "$factory_dir/Iris.Factory" "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '{"order":"BENCH","model":"Iris Cam Bench","prefix":"BN","vendor":"Iris","count":%d,"setupUrl":"https://setup.example.com/start"}\n' \
  "$count" > "$work/order.json"
factory ca root --out "$work/root" >/dev/null

export SOFTHSM2_CONF="$work/softhsm2.conf" IRIS_PKCS11_PIN=314159
mkdir -p "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" > "$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label bench-ca --pin "$IRIS_PKCS11_PIN" --so-pin 271828 >/dev/null

factory ca key --ca "$work/ca-file" >/dev/null
factory ca key --ca "$work/ca-token" --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --token-label bench-ca >/dev/null
for ca in ca-file ca-token; do
  factory ca intermediate --root "$work/root" --ca "$work/$ca" >/dev/null
done

run() {
  local ca=$1 start end
  start=$(now_ms)
  factory provision --order "$work/order.json" --ca "$work/$ca" --ledger "$work/ledger.db" \
    --labels "$work/labels-$ca" --out "$work/out-$ca" --station bench >/dev/null
  end=$(now_ms)
  awk -v n="$count" -v ms=$((end - start)) -v ca="$ca" \
    'BEGIN { printf "%-9s %5d devices in %7.1f s: %6.1f devices/min (%.0f ms each)\n", ca, n, ms / 1000, n * 60000 / ms, ms / n }'
}

echo "iris-factory provision, $count devices per run ($(nproc) cores)"
run ca-file
run ca-token
