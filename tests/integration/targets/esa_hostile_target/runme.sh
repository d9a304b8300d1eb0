#!/usr/bin/env bash
# A compromised managed host controls its interpreter: host-a's ansible_python_interpreter is hostile-python, which runs
# the real Python and rewrites the module's answers (hostile_rewrite.py), as a scenario says: HOSTILE_SCENARIO (a file or
# the JSON itself) in the interpreter's environment, which a local connection passes down from the controller's process
# or from a task's environment, pipelined or not; else scenario.json beside hostile-python. Every identity attack of SPEC
# ("Trust boundary", "Identity") is replayed through it against an in-memory emulator of this target's own, reset before
# each attack; host-b is an honest local host. Prints one "HOSTILE:" line per attack; fails if any attack was not
# defended, or if the harness itself did not rewrite (then every attack would prove nothing).
#
#   runme.sh [-e hostile_only=A1,A7]   (ansible-playbook options for run.yml)
set -euo pipefail
cd "$(dirname "$0")"

integration_dir="$(cd ../.. && pwd)"
config="${integration_dir}/integration_config.yml"
out="${OUTPUT_DIR:?ansible-test sets OUTPUT_DIR}/esa_hostile_target"
rm -rf "$out"
mkdir -p "$out/home" "$out/hostile"
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export HOME="$out/home"
# ansible-test 2.21 writes the inventory as JSON ("ansible_python_interpreter": "..."), 2.19 as INI (key='value').
python_bin=$(grep -o "ansible_python_interpreter[\"': =]*[^\"', ]*" "$INVENTORY_PATH" | head -n 1 | sed "s/^ansible_python_interpreter[\"': =]*//")
[ -x "$python_bin" ] || { echo "no ansible_python_interpreter in $INVENTORY_PATH" >&2; exit 1; }

emulator_pid=""
cleanup() {
    if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
        kill "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT

# An in-memory emulator of this target's own: each attack resets it (state, counters, settings) and one seeds it with
# 300 certificates, which the shared emulator must never carry into the other targets.
(cd ../../../emulator && exec "$python_bin" -m esa_emulator --port 0 --ready-file "$out/emulator.json") >"$out/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 300); do [ -s "$out/emulator.json" ] && break; sleep 0.1; done
[ -s "$out/emulator.json" ] || { cat "$out/emulator.log" >&2; echo "the in-memory emulator did not start" >&2; exit 1; }
url=$("$python_bin" -c 'import json, sys; print(json.load(open(sys.argv[1]))["url"])' "$out/emulator.json")
endpoint=$("$python_bin" -c 'import json, sys; print(json.load(open(sys.argv[1]))["endpoint"])' "$out/emulator.json")
own_config="$out/config.yml"
sed -e "s|^esa_url: .*|esa_url: \"${url}\"|" -e "s|^esa_endpoint: .*|esa_endpoint: \"${endpoint}\"|" "$config" >"$own_config"

# The harness, beside the scenario file it reads by default and the call log it writes.
hostile_dir="$out/hostile"
cp hostile-python hostile_rewrite.py "$hostile_dir/"
chmod 0755 "$hostile_dir/hostile-python"
printf '%s\n' "$python_bin" >"$hostile_dir/real-python"
: >"$hostile_dir/calls.jsonl"

inventory="$out/inventory.ini"
cat >"$inventory" <<EOF
[hostile]
host-a ansible_python_interpreter=${hostile_dir}/hostile-python
[honest]
host-b ansible_python_interpreter=${python_bin}
[all:vars]
ansible_connection=local
ansible_pipelining=true
EOF

play() {  # LOG ARGS...: one ansible-playbook run; its log is shown when it fails
    local log="$out/$1.log"
    shift
    if ! ansible-playbook -i "$inventory" -e "@${own_config}" -e "hostile_out=${out} hostile_dir=${hostile_dir}" "$@" >"$log" 2>&1; then
        tail -n 40 "$log"
        echo "FAILED: see $log" >&2
        return 1
    fi
}

# The harness first, with the scenario in an environment variable of the controller's process (which a local connection
# passes down to the interpreter), with pipelining on and off: if this fails, no attack below would prove anything.
echo '{"name": "process environment", "rewrite": [{"phase": "inspect", "set": {"inspection.problems": ["HOSTILE-MARKER process environment"]}}]}' \
    >"$hostile_dir/scenario-process-env.json"
HOSTILE_SCENARIO="$hostile_dir/scenario-process-env.json" play harness-process-env harness_process_env.yml
status=0
play attacks run.yml "$@" || status=$?

# One line per attack: "HOSTILE: <id> <attack>: refused: <message>" (or defended: ..., or NOT DEFENDED: <broken promise>).
[ -s "$out/outcomes.txt" ] || { echo "no outcomes: the attacks did not run to the end (see $out/attacks.log)" >&2; exit 1; }
cat "$out/outcomes.txt"
if grep -q "NOT DEFENDED" "$out/outcomes.txt"; then
    echo "$(grep -c "NOT DEFENDED" "$out/outcomes.txt") attack(s) not defended (see $out/attacks.log)" >&2
    exit 1
fi
[ "$status" -eq 0 ] || exit "$status"
"$python_bin" "${integration_dir}/scan_for_secrets.py" --config "$own_config" "$out/attacks.log" "$out/harness-process-env.log"
