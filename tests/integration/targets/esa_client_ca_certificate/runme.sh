#!/usr/bin/env bash
# Runs the client CA cases at -vvv, then scans the output for secrets.
set -euo pipefail
cd "$(dirname "$0")"

config="$(cd ../.. && pwd)/integration_config.yml"
out="${OUTPUT_DIR:?ansible-test sets OUTPUT_DIR}"
log="$out/esa_client_ca_certificate-vvv.log"
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export HOME="$out/home"
mkdir -p "$HOME"

status=0
ansible-playbook -i "${INVENTORY_PATH}" run.yml -e "@${config}" -e "output_dir=${out}" \
    -e "esa_integration_config=${config}" -e "esa_integration_dir=$(cd ../.. && pwd)" -vvv "$@" >"$log" 2>&1 || status=$?
tail -n 30 "$log"
if [ "$status" -ne 0 ]; then
    grep -n "FAILED\|fatal:\|ERROR" "$log" | tail -n 40 || true
    exit "$status"
fi
python_bin=$(command -v python3 || command -v python)
"$python_bin" ../../scan_for_secrets.py --config "$config" "$log" "$out/esa_client_ca_certificate"
