#!/usr/bin/env bash
# The role alibabacloud.esa.client_certificate against the emulator: check mode, first run, rerun, renewal with the
# replaced certificate revoked after the reload, a handler of the play's own, the failures that must leave the
# replaced certificate valid (a reload that fails, a CA the certificate does not chain to), and check mode on a host
# whose certificate is due; client_certificate_result is checked after each. Then scans for secrets.
set -euo pipefail
cd "$(dirname "$0")"

integration_dir="$(cd ../.. && pwd)"
config="${integration_dir}/integration_config.yml"
out="${OUTPUT_DIR:?ansible-test sets OUTPUT_DIR}/client_certificate_role"
rm -rf "$out"
mkdir -p "$out/home"
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export HOME="$out/home"
run_id="role$(date +%s)$$"
logs=()

play() {  # NAME ARGS...
    local log="$out/$1.log" status=0
    shift
    logs+=("$log")
    ansible-playbook -i "${INVENTORY_PATH}" -e "@${config}" -e "role_dir=${out}/pki run_id=${run_id}" -v "$@" >"$log" 2>&1 || status=$?
    tail -n 12 "$log"
    if [ "$status" -ne 0 ]; then
        grep -n "FAILED\|fatal:\|ERROR" "$log" | tail -n 40 || true
        exit "$status"
    fi
}

play check-mode --check check_mode.yml
play role role.yml
play check-mode-renewal --check check_mode_renewal.yml
# The metrics file for Prometheus: check mode on a new host, real runs and a revocation (metrics.yml), check mode once settled
play metrics-check-mode-new --check metrics_check_mode.yml -e metrics_case=new
play metrics metrics.yml
play metrics-check-mode-settled --check --diff metrics_check_mode.yml -e metrics_case=settled
python_bin=$(command -v python3 || command -v python)
"$python_bin" "${integration_dir}/scan_for_secrets.py" --config "$config" "${logs[@]}" "$out/pki"
