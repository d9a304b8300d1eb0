#!/usr/bin/env bash
# Runs every case at -vvv, then scans all output and files left behind for secrets.
set -euo pipefail
cd "$(dirname "$0")"

config="$(cd ../.. && pwd)/integration_config.yml"
out="${OUTPUT_DIR:?ansible-test sets OUTPUT_DIR}"
log="$out/esa_client_certificate-vvv.log"
readonly_dir="$out/readonly"

# ansible-test passes only PATH, HOME and LC_ALL on: make the default credential chain hermetic here.
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export HOME="$out/home"
mkdir -p "$HOME" "$readonly_dir"
# Root may write anywhere, so "not writable" needs a read-only mount.
mount -t tmpfs -o ro,size=64k esa-readonly "$readonly_dir"
trap 'umount "$readonly_dir" 2>/dev/null || true' EXIT

status=0
ansible-playbook -i "${INVENTORY_PATH}" run.yml -e "@${config}" -e "output_dir=${out}" \
    -e "esa_integration_config=${config}" -e "esa_integration_dir=$(cd ../.. && pwd)" -e "esa_readonly_dir=${readonly_dir}" -vvv "$@" >"$log" 2>&1 || status=$?
tail -n 40 "$log"
if [ "$status" -ne 0 ]; then
    grep -n "FAILED\|fatal:\|ERROR" "$log" | tail -n 40 || true
    exit "$status"
fi

python_bin=$(command -v python3 || command -v python)
"$python_bin" ../../scan_for_secrets.py --config "$config" "$log" "$out/esa_client_certificate"
