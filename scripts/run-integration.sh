#!/usr/bin/env bash
# ansible-test integration for one ansible-core line against the local ESA emulator.
#
#   scripts/run-integration.sh 2.21 [TARGET...]
#
# Starts tests/emulator (python -m esa_emulator) on 127.0.0.1 with a fresh state file, writes the collection copy's
# tests/integration/integration_config.yml (read by ansible-test as extra vars), runs the targets
# and stops the emulator on exit, whatever happened.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EMULATOR_ACCESS_KEY_ID="${ESA_EMULATOR_ACCESS_KEY_ID:-LTAIemulatorKeyId}"
EMULATOR_ACCESS_KEY_SECRET="${ESA_EMULATOR_ACCESS_KEY_SECRET:-emulator-secret-do-not-use}"
EMULATOR_SITE_ID=1234567890123        # plan has the client-certificate feature
EMULATOR_BASIC_SITE_ID=2222222222222  # plan lacks it
# Write the extra vars for the targets (JSON is YAML; values come from the emulator's ready file).
# Arguments after the destination are the core line's target stacks, as STACK=PYTHON.
write_integration_config() {
    local python="$1" work="$2" target_python="$3" destination="$4"
    shift 4
    "${python}" - "${work}" "${target_python}" "${destination}" "$@" <<PY
import json
import os
import secrets
import sys
import urllib.request

work, target_python, destination = sys.argv[1:4]
target_stacks = []
for argument in sys.argv[4:]:  # py3.10-cryptography3.4.8=/path/to/python
    stack, _sep, stack_python = argument.partition('=')
    python_part, _sep, cryptography_part = stack.partition('-cryptography')
    target_stacks.append({'name': stack, 'python': stack_python, 'python_version': python_part[2:],
                          'cryptography_version': cryptography_part})
with open(os.path.join(work, 'emulator-ready.json'), encoding='utf-8') as handle:
    ready = json.load(handle)

ca_file = os.path.join(work, 'emulator-ca.pem')
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy
try:
    with opener.open(ready['url'].rstrip('/') + '/_emulator/ca.pem', timeout=10) as response:
        ca_pem = response.read()
    with open(ca_file, 'wb') as handle:
        handle.write(ca_pem)
except OSError as error:
    print(f'WARNING: could not fetch the emulator CA certificate: {error}', file=sys.stderr)
    ca_file = ''

variables = {
    'esa_endpoint': ready['endpoint'],
    'esa_url': ready['url'],
    'esa_access_key_id': '${EMULATOR_ACCESS_KEY_ID}',
    'esa_access_key_secret': '${EMULATOR_ACCESS_KEY_SECRET}',
    'esa_site_id': ${EMULATOR_SITE_ID},
    'esa_basic_site_id': ${EMULATOR_BASIC_SITE_ID},
    'esa_emulator_state_file': os.path.join(work, 'emulator-state.json'),
    'esa_emulator_ca_file': ca_file,
    # A PKCS#12 passphrase fresh for each run, so scan_for_secrets can tell whether any output or file holds it.
    'esa_pkcs12_passphrase': 'p12-' + secrets.token_hex(12),
    'esa_target_python': target_python,
    'esa_target_stacks': target_stacks,
    # The live test (tests/integration/targets/esa_live) runs against this emulator in CI, so that it keeps working;
    # scripts/run-live.sh points the same variables at a real site.
    'esa_live_opt_in': True,
    'esa_live_site_id': ${EMULATOR_SITE_ID},
    'esa_live_endpoint': ready['url'],
    'esa_live_access_key_id': '${EMULATOR_ACCESS_KEY_ID}',
    'esa_live_access_key_secret': '${EMULATOR_ACCESS_KEY_SECRET}',
}
# Knobs of the esa_settling target: ansible-test passes no environment through, the config does.
for name, variable in (('esa_settling_examples', 'ESA_SETTLING_EXAMPLES'), ('esa_settling_seed', 'HYPOTHESIS_SEED'),
                       ('esa_settling_shrink', 'ESA_SETTLING_SHRINK')):
    if os.environ.get(variable):
        variables[name] = os.environ[variable]
with open(destination, 'w', encoding='utf-8') as handle:
    handle.write('---\n# Written by scripts/run-integration.sh for one run against the local ESA emulator.\n')
    for name, value in variables.items():
        handle.write(f'{name}: {json.dumps(value)}\n')
PY
}

# Pass ansible-test's output through, writing "<epoch seconds>\t<target>" for each target it starts (and "end" last),
# so that the phase can say which targets took its time.
stamp_target_starts() {
    local out="$1" line
    : >"${out}"
    while IFS= read -r line || [[ -n "${line}" ]]; do
        printf '%s\n' "${line}"
        if [[ "${line}" =~ Running\ ([^ ]+)\ integration\ test\ (role|script) ]]; then
            printf '%s\t%s\n' "$(date +%s)" "${BASH_REMATCH[1]}" >>"${out}"
        fi
    done
    printf '%s\tend\n' "$(date +%s)" >>"${out}"
}

# One line: each target's wall time, slowest first (what to look at when the phase goes over its budget).
print_target_times() {
    local core="$1" starts="$2"
    [[ -s "${starts}" ]] || return 0
    log "ansible-core ${core}: integration time per target: $(awk -F '\t' 'NR > 1 { print $1 - prev_t "s " prev_n } { prev_t = $1; prev_n = $2 }' "${starts}" |
        sort -rn | paste -sd ',' - | sed 's/,/, /g')"
}

main() {
    local core="$1"
    shift
    local python_version venv work target_python config stack rc=0
    local -a stacks=()
    python_version="$(python_version_for_core "${core}")"
    venv="$(venv_dir_for_core "${core}")"
    target_python="$(target_venv_dir_for_python "${python_version}")/bin/python"
    work="${BUILD}/integration/${core}"
    for stack in $(target_stacks_for_core "${core}"); do
        stacks+=("${stack}=$(target_stack_venv_dir "${stack}")/bin/python")
    done

    "${ROOT}/scripts/setup-venv.sh" "${core}"
    "${ROOT}/scripts/sync-collection.sh"

    rm -rf "${work}"
    mkdir -p "${work}"
    trap stop_emulator EXIT
    start_emulator "${venv}/bin/python" "${work}/emulator-state.json" "${work}/emulator-ready.json" "${work}/emulator.log" \
        --log-level INFO || exit 1

    # written in this line's work folder, then copied into this lane's collection copy (never into the checkout, which
    # both lanes of scripts/test.sh share)
    config="${work}/integration_config.yml"
    mkdir -p "${COLLECTION_DIR}/tests/integration"
    write_integration_config "${venv}/bin/python" "${work}" "${target_python}" "${config}" "${stacks[@]}"
    cp "${config}" "${COLLECTION_DIR}/tests/integration/integration_config.yml"
    log "ansible-core ${core}: ESA emulator at ${EMULATOR_URL} (log: ${work#"${ROOT}"/}/emulator.log)"

    log "ansible-core ${core}: ansible-test integration --python ${python_version}"
    set +e
    ansible_test "${core}" integration --local --python "${python_version}" --continue-on-error "$(color_option)" "$@" 2>&1 |
        stamp_target_starts "${work}/target-starts.tsv" | tee "${work}/ansible-test.log"
    rc=${PIPESTATUS[0]}
    set -e
    print_target_times "${core}" "${work}/target-starts.tsv"

    stop_emulator

    local ran failed passed
    ran="$(grep -cE 'Running .+ integration test (role|script)' "${work}/ansible-test.log" || true)"
    failed="$(sed -nE 's/.*The ([0-9]+) integration test\(s\) listed below \(out of [0-9]+\) failed.*/\1/p' "${work}/ansible-test.log" | tail -n 1)"
    failed="${failed:-0}"
    if [[ ${rc} -ne 0 && ${failed} -eq 0 ]]; then
        failed=1  # ansible-test failed outside a target
    fi
    passed=$((ran > failed ? ran - failed : 0))
    if [[ ${ran} -eq 0 ]]; then
        log "ansible-core ${core}: no integration target ran"
        failed=$((failed > 0 ? failed : 1))
        rc=1
    fi
    record_result "${core}" integration "${passed}" "${failed}" 0 "integration targets"
    log "ansible-core ${core}: integration: ${passed} passed, ${failed} failed"
    return "${rc}"
}

main "$@"
