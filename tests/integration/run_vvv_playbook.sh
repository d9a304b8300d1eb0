#!/usr/bin/env bash
# Shared body of the targets' runme.sh: run the target's run.yml at -vvv against the emulator,
# then scan the log (and any directories named after --) for secrets.
#
#   ../../run_vvv_playbook.sh NAME [ansible-playbook args...] [-- DIR...]
set -euo pipefail

name="$1"
shift
playbook_args=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    playbook_args+=("$1")
    shift
done
[ $# -gt 0 ] && shift
scan_dirs=("$@")

integration_dir="$(cd ../.. && pwd)"
config="${integration_dir}/integration_config.yml"
out="${OUTPUT_DIR:?ansible-test sets OUTPUT_DIR}"
log="$out/${name}-vvv.log"

# ansible-test passes only PATH, HOME and LC_ALL on: make the default credential chain hermetic here.
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export HOME="$out/home"
mkdir -p "$HOME"

status=0
ansible-playbook -i "${INVENTORY_PATH}" run.yml -e "@${config}" -e "output_dir=${out}" \
    -e "esa_integration_config=${config}" -e "esa_integration_dir=${integration_dir}" -vvv "${playbook_args[@]}" >"$log" 2>&1 || status=$?
tail -n 30 "$log"
if [ "$status" -ne 0 ]; then
    grep -n "FAILED\|fatal:\|ERROR" "$log" | tail -n 40 || true
    exit "$status"
fi
python_bin=$(command -v python3 || command -v python)
"$python_bin" "${integration_dir}/scan_for_secrets.py" --config "$config" "$log" "${scan_dirs[@]}"
