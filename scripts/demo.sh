#!/usr/bin/env bash
# The fleet demo (make demo): no Alibaba Cloud account needed, the local ESA emulator stands in for ESA.
#
#   scripts/demo.sh                 20 local hosts
#   HOSTS=5 FORKS=5 scripts/demo.sh
#
# 1. creates or refreshes .build/venv-2.21, builds the collection and installs it into .build/demo/collections;
# 2. starts the ESA emulator on loopback (stopped on exit, whatever happens) and writes an inventory of
#    HOSTS local hosts (ansible_connection=local), one directory each under .build/demo/hosts/;
# 3. issues a certificate for every host (examples/issue.yml), issues one more and revokes it on ESA with
#    the official SDK, exports ESA's revoked list (examples/revoked_list.yml), and runs a real TLS server on
#    loopback that requires client certificates from the ESA CA: every host's certificate completes a
#    handshake and a request, a self-signed one, none at all and the revoked one are refused;
# 4. runs examples/issue.yml again (changed=0 everywhere), then examples/rollout.yml with a renewal policy
#    that makes every certificate due: each host reloads, checks the new pair in place, and only then revokes its
#    replaced certificate (esa_client_certificate_revoke, by id and fingerprint); the renewed certificates must
#    complete handshakes and every replaced one must be refused;
# 5. gives every host a second certificate with the role alibabacloud.esa.client_certificate
#    (examples/client_certificate_role.yml: directory, certificate, reload, verification against the ESA CA),
#    twice: the second run changes nothing;
# 6. prints a summary and exits non-zero if any expectation failed.
# Everything it makes is under .build/demo/ (logs in .build/demo/logs/).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HOSTS="${HOSTS:-20}"
FORKS="${FORKS:-10}"
DEMO_CORE=2.21
DEMO="${BUILD}/demo"
VENV="$(venv_dir_for_core "${DEMO_CORE}")"
PY="${VENV}/bin/python"
EXTRA_HOST=retired-01
ROLLOUT_REMAINING_DAYS=400
ROLLOUT_VALIDITY_DAYS=730

# The SDK would send even loopback calls through a proxy.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1,localhost,::1 NO_PROXY=127.0.0.1,localhost,::1

say() {
    printf '%s\n' "$*"
}

stop_demo_emulator() {
    local pid="${EMULATOR_PID}"
    [[ -n "${pid}" ]] || return 0
    stop_emulator
    say "ESA emulator stopped (pid ${pid})"
}

helper() {
    "${PY}" "${ROOT}/scripts/demo_fleet.py" "$@"
}

elapsed_since() {
    local start="$1"
    awk -v a="${start}" -v b="${EPOCHREALTIME}" 'BEGIN { printf "%.1f", b - a }'
}

# run_playbook NAME PLAYBOOK [ansible-playbook options...]: output to logs/NAME.log, parsed to results/NAME.json
run_playbook() {
    local name="$1" playbook="$2" rc=0
    shift 2
    ANSIBLE_CONFIG="${DEMO}/ansible.cfg" "${VENV}/bin/ansible-playbook" "${ROOT}/examples/${playbook}" "$@" \
        >"${DEMO}/logs/${name}.log" 2>&1 || rc=$?
    helper recap "${DEMO}/logs/${name}.log" --out "${DEMO}/results/${name}.json"
    if [[ ${rc} -ne 0 ]]; then
        say "    ansible-playbook ${playbook} failed (exit ${rc}); the end of ${DEMO#"${ROOT}"/}/logs/${name}.log:"
        grep -E 'fatal:|FAILED!|ERROR' "${DEMO}/logs/${name}.log" | tail -n 5 | sed 's/^/      /' || true
    fi
    return "${rc}"
}

emulator_stats() {
    helper emulator "${ESA_URL}" stats --out "${DEMO}/results/$1-stats.json"
}

emulator_reset() {
    helper emulator "${ESA_URL}" reset
}

print_recap() {
    sed -n '/^PLAY RECAP/,$p' "${DEMO}/logs/$1.log" | sed -e '/^$/d' -e 's/ *$//' -e 's/^/    /'
}

setup() {
    log "virtualenv for ansible-core ${DEMO_CORE}"
    "${ROOT}/scripts/setup-venv.sh" "${DEMO_CORE}"
    rm -rf "${DEMO}"
    mkdir -p "${DEMO}/dist" "${DEMO}/collections" "${DEMO}/logs" "${DEMO}/results" "${DEMO}/esa" "${DEMO}/hosts" "${DEMO}/tmp"
    export ANSIBLE_HOME="${DEMO}/ansible-home"

    helper ansible-cfg --out "${DEMO}/ansible.cfg" --collections "${DEMO}/collections" --inventory "${DEMO}/inventory.yml" \
        --tmp "${DEMO}/tmp" --forks "${FORKS}"

    log "building and installing the collection"
    local tarball
    tarball="$(ANSIBLE_CONFIG="${DEMO}/ansible.cfg" build_and_install_collection "${VENV}/bin/ansible-galaxy" "${DEMO}/dist" \
        "${DEMO}/collections" "${DEMO}/logs/build.log")" || die "building or installing the collection failed"
    say "[setup] built ${tarball##*/} ($(tar -tzf "${tarball}" | grep -vc '/$') files, nothing from .build, caches or VCS) and installed it into ${DEMO#"${ROOT}"/}/collections"

    log "starting the ESA emulator"
    start_emulator "${PY}" "${DEMO}/esa/state.json" "${DEMO}/esa/ready.json" "${DEMO}/logs/emulator.log" || exit 1
    ESA_URL="${EMULATOR_URL}"
    helper emulator "${ESA_URL}" ca --out "${DEMO}/esa/ca.pem"
    say "[setup] ESA emulator on ${ESA_URL} (pid ${EMULATOR_PID}, state in ${DEMO#"${ROOT}"/}/esa/state.json); its client CA saved to ${DEMO#"${ROOT}"/}/esa/ca.pem"

    helper inventory --count "${HOSTS}" --hosts-dir "${DEMO}/hosts" --python "${PY}" --endpoint "${ESA_URL}" \
        --extra "${EXTRA_HOST}" --out "${DEMO}/inventory.yml" --meta "${DEMO}/results/meta.json"
    say "[setup] inventory ${DEMO#"${ROOT}"/}/inventory.yml: ${HOSTS} local hosts (group fleet) + ${EXTRA_HOST} (group extra), forks ${FORKS}"
    say "        (${DEMO#"${ROOT}"/}/ansible.cfg: forks, pipelining, the private collections path; the playbooks are the ones in examples/)"
}

# mtls_check NAME [--client NAME accept|refuse CERT KEY ...]: every fleet host (accept), a self-signed one and none (refuse)
mtls_check() {
    local name="$1"
    shift
    local -a clients=()
    local host
    while IFS= read -r host; do
        clients+=(--client "${host}" accept "${DEMO}/hosts/${host}/client.crt" "${DEMO}/hosts/${host}/client.key")
    done < <("${PY}" -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))["hosts"]))' "${DEMO}/results/meta.json")
    "${PY}" "${ROOT}/scripts/demo_mtls.py" check --ca "${DEMO}/esa/ca.pem" --revoked "${DEMO}/results/${name}-revoked.json" \
        --work "${DEMO}/mtls-${name}" --out "${DEMO}/results/${name}-mtls.json" "${clients[@]}" "$@" --self-signed --no-certificate |
        sed 's/^/    /'
    return "${PIPESTATUS[0]}"
}

step_issue() {
    local start="${EPOCHREALTIME}"
    say ""
    say "[1] issue a certificate for every host: examples/issue.yml (key_source: local, common_name = host name)"
    emulator_reset
    run_playbook 1-issue issue.yml || true
    emulator_stats 1-issue
    print_recap 1-issue
    say "    done in $(elapsed_since "${start}") s"
}

step_handshakes() {
    local start="${EPOCHREALTIME}"
    say ""
    say "[2] real mTLS on loopback with the issued certificates"
    emulator_reset
    run_playbook 2-bind require_mtls.yml || die "examples/require_mtls.yml failed: ESA would not bind the demo hostnames"
    say "    examples/require_mtls.yml: api.example.com and www.example.com bound to the ESA-managed client CA (ESA checks client certificates there; blocking failures takes an mTLS rule of the site)"
    emulator_reset
    run_playbook 1b-extra issue.yml -e esa_hosts=extra || true
    emulator_stats 1b-extra
    emulator_reset
    local revoked
    revoked="$(ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIemulatorKeyId ALIBABA_CLOUD_ACCESS_KEY_SECRET=emulator-secret-do-not-use \
        "${PY}" "${ROOT}/scripts/demo_esa_revoke.py" --endpoint "${ESA_URL}" --site-id 1234567890123 \
        "${DEMO}/hosts/${EXTRA_HOST}/client.crt")" || revoked=""
    emulator_stats 2-revoke
    say "    issued one more certificate (${EXTRA_HOST}, outside the fleet) and revoked it on ESA with the official SDK"
    say "    (scripts/demo_esa_revoke.py: ListClientCertificates by fingerprint, RevokeClientCertificate): ${revoked:-FAILED}"
    emulator_reset
    run_playbook 2-list revoked_list.yml -e "esa_revoked_list=${DEMO}/results/2-revoked.json" || true
    emulator_stats 2-list
    say "    examples/revoked_list.yml (esa_client_certificate_info status=revoked) wrote ${DEMO#"${ROOT}"/}/results/2-revoked.json"
    mtls_check 2 --client "${EXTRA_HOST}" refuse "${DEMO}/hosts/${EXTRA_HOST}/client.crt" "${DEMO}/hosts/${EXTRA_HOST}/client.key" || true
    say "    done in $(elapsed_since "${start}") s"
}

step_rerun() {
    local start="${EPOCHREALTIME}"
    say ""
    say "[3] run examples/issue.yml again: nothing to do, one ESA read per host"
    emulator_reset
    run_playbook 3-rerun issue.yml || true
    emulator_stats 3-rerun
    print_recap 3-rerun
    say "    done in $(elapsed_since "${start}") s"
}

step_rollout() {
    local start="${EPOCHREALTIME}"
    say ""
    say "[4] examples/rollout.yml: serial batches (1, 25%, 100%), max_fail_percentage 10, renewal driven by remaining_days"
    say "    policy for the demo: renew when fewer than ${ROLLOUT_REMAINING_DAYS} days remain (every certificate: they have 364),"
    say "    new certificates valid ${ROLLOUT_VALIDITY_DAYS} days, replaced ones revoked on ESA, the service reloaded by a handler"
    emulator_reset
    run_playbook 4-rollout rollout.yml -e "esa_remaining_days=${ROLLOUT_REMAINING_DAYS}" \
        -e "esa_validity_days=${ROLLOUT_VALIDITY_DAYS}" || true
    emulator_stats 4-rollout
    print_recap 4-rollout
    say "    host-01's reload log (the handler's stand-in command): $(tail -n 1 "${DEMO}/hosts/host-01/service-reloads.log" 2>/dev/null || echo missing)"

    say "    handshakes with the renewed certificates, and with every host's replaced certificate (kept as a backup file):"
    emulator_reset
    run_playbook 5-list revoked_list.yml -e "esa_revoked_list=${DEMO}/results/5-revoked.json" || true
    emulator_stats 5-list
    local host old_cert old_key
    local -a replaced=()
    while IFS= read -r host; do
        old_cert="$(find "${DEMO}/hosts/${host}" -maxdepth 1 -name 'client.crt.*~' | sort | head -n 1)"
        old_key="$(find "${DEMO}/hosts/${host}" -maxdepth 1 -name 'client.key.*~' | sort | head -n 1)"
        if [[ -n "${old_cert}" && -n "${old_key}" ]]; then
            replaced+=(--client "${host}-replaced" refuse "${old_cert}" "${old_key}")
        else
            say "    no backup of ${host}'s replaced certificate found"
        fi
    done < <("${PY}" -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))["hosts"]))' "${DEMO}/results/meta.json")
    mtls_check 5 "${replaced[@]}" || true
    say "    done in $(elapsed_since "${start}") s"
}

step_role() {
    local start="${EPOCHREALTIME}"
    say ""
    say "[5] the role alibabacloud.esa.client_certificate (examples/client_certificate_role.yml): a second certificate per host in"
    say "    <host>/role/: directory, certificate, reload by the role's handler, the pair verified in place and against the ESA CA"
    emulator_reset
    run_playbook 6-role client_certificate_role.yml -e "esa_client_ca_pem_file=${DEMO}/esa/ca.pem" || true
    emulator_stats 6-role
    print_recap 6-role
    say "    the same include_role again: nothing to do"
    emulator_reset
    run_playbook 7-role-rerun client_certificate_role.yml -e "esa_client_ca_pem_file=${DEMO}/esa/ca.pem" || true
    emulator_stats 7-role-rerun
    print_recap 7-role-rerun
    say "    done in $(elapsed_since "${start}") s"
}

main() {
    [[ "${HOSTS}" =~ ^[1-9][0-9]*$ ]] || die "HOSTS must be a positive number, got '${HOSTS}'"
    local start="${EPOCHREALTIME}" rc=0
    trap stop_demo_emulator EXIT
    trap 'exit 130' INT TERM
    say "== alibabacloud.esa fleet demo: ${HOSTS} local hosts, forks ${FORKS}, the ESA emulator on loopback (no Alibaba Cloud account) =="
    setup
    step_issue
    step_handshakes
    step_rerun
    step_rollout
    step_role
    helper summary "${DEMO}/results" --rollout-remaining-days "${ROLLOUT_REMAINING_DAYS}" || rc=$?
    stop_demo_emulator
    say "demo finished in $(elapsed_since "${start}") s; logs in ${DEMO#"${ROOT}"/}/logs/"
    return "${rc}"
}

main "$@"
