#!/usr/bin/env bash
# The role alibabacloud.esa.client_certificate against the emulator: check mode, first run, rerun, renewal with the
# replaced certificate revoked after the reload, a handler of the play's own, the failures that must leave the
# replaced certificate valid (a reload that fails, a CA the certificate does not chain to), and check mode on a host
# whose certificate is due; client_certificate_result is checked after each. Then the metrics file for Prometheus
# (metrics.yml, metrics_check_mode.yml). Then the proof at the edge and the undo (edge.yml, edge_check_mode.yml, and with
# a PKCS#12 bundle edge_pkcs12.yml) against a loopback mTLS server standing in for ESA's edge. Then scans for secrets.
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

# The edge check's stand-in for ESA's edge: a loopback mTLS server trusting the emulator's client CA (edge_server.py).
# ansible-test 2.21 writes the inventory as JSON ("ansible_python_interpreter": "..."), 2.19 as INI (key='value').
python_bin=$(grep -o "ansible_python_interpreter[\"': =]*[^\"', ]*" "$INVENTORY_PATH" | head -n 1 | sed "s/^ansible_python_interpreter[\"': =]*//")
[ -x "$python_bin" ] || python_bin=$(command -v python3 || command -v python)
ca_file=$("$python_bin" -c 'import json, sys; print(next(json.loads(v) for k, _s, v in (l.partition(": ") for l in open(sys.argv[1])) if k == "esa_emulator_ca_file"))' "$config")
[ -s "$ca_file" ] || { echo "no emulator CA file (esa_emulator_ca_file) in $config" >&2; exit 1; }
edge_work="$out/edge-server"
mkdir -p "$edge_work"
edge_pid=""
stop_edge_server() {
    if [ -n "$edge_pid" ] && kill -0 "$edge_pid" 2>/dev/null; then
        kill "$edge_pid" 2>/dev/null || true
        wait "$edge_pid" 2>/dev/null || true
    fi
}
trap stop_edge_server EXIT
"$python_bin" edge_server.py --ca "$ca_file" --work "$edge_work" --lifetime 1800 >"$out/edge-server.log" 2>&1 &
edge_pid=$!
for _ in $(seq 300); do [ -s "$edge_work/ready.json" ] && break; sleep 0.1; done
[ -s "$edge_work/ready.json" ] || { cat "$out/edge-server.log" >&2; echo "the edge server did not start" >&2; exit 1; }
edge_port=$("$python_bin" -c 'import json, sys; print(json.load(open(sys.argv[1]))["port"])' "$edge_work/ready.json")
export no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}" NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
edge_vars="edge_dir=${out}/edge-pki edge_work=${edge_work} edge_port=${edge_port}"

play check-mode --check check_mode.yml
play role role.yml
play check-mode-renewal --check check_mode_renewal.yml
# The metrics file for Prometheus: check mode on a new host, real runs and a revocation (metrics.yml), check mode once settled
play metrics-check-mode-new --check metrics_check_mode.yml -e metrics_case=new
play metrics metrics.yml
play metrics-check-mode-settled --check --diff metrics_check_mode.yml -e metrics_case=settled
play edge -e "$edge_vars" edge.yml
play edge-check-mode --check -e "$edge_vars" edge_check_mode.yml
play edge-pkcs12 -e "$edge_vars" edge_pkcs12.yml
controller_python=$(command -v python3 || command -v python)
"$controller_python" "${integration_dir}/scan_for_secrets.py" --config "$config" "${logs[@]}" "$out/pki" "$out/edge-pki"
