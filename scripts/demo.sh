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
# 5. writes the fleet report (examples/fleet_report.yml) into .build/demo/report/ and opens it in headless Chromium;
# 6. gives every host a second certificate with the role alibabacloud.esa.client_certificate
#    (examples/client_certificate_role.yml: directory, certificate, reload, verification against the ESA CA),
#    twice: the second run changes nothing;
# 6b. renews the role's certificates as a canary rollout proven at an mTLS stand-in for ESA's edge: first the canary's
#    new pair is refused (it goes back to its previous pair, its new certificate is revoked, the rollout stops), then
#    nothing is refused (every host renewed, every replaced pair refused at the handshake);
# 7. decommissions two hosts (examples/decommission.yml): their machines gone, their certificates (and the one the
#    report found that no host holds) revoked, every certificate of the hosts in service kept; handshakes prove it;
# 8. prints a summary and exits non-zero if any expectation failed.
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
EXTRA_HOST="retired-01"
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
    say "[4] examples/rollout.yml: serial batches (1, 25%, 100%), max_fail_percentage 0, renewal driven by remaining_days"
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

# --- the fleet report (issue 14, section 4) ------------------------------------------------------------------------
# A host that joined the fleet without a certificate (new-01) and one decommissioned without revoking (gone-01) give
# the report something to find; examples/fleet_report.yml then reads every host in check mode and ESA's list, writes
# .build/demo/report/fleet-report.{html,csv}, and headless Chromium opens the page (DOM checks, a screenshot).
REPORT_DIR="${DEMO}/report"
REPORT_NEW_HOST="new-01"
REPORT_GONE_HOST="gone-01"

write_report_inventory() {
    local file="${DEMO}/report-inventory.yml" name
    {
        printf -- '---\n# Generated by scripts/demo.sh for the report step: one more fleet host, and one that is gone.\n'
        printf 'all:\n  children:\n    fleet:\n      hosts:\n'
        printf '        %s:\n          esa_cert_dir: "%s"\n' "${REPORT_NEW_HOST}" "${DEMO}/hosts/${REPORT_NEW_HOST}"
        printf '    report_gone:\n      hosts:\n'
        printf '        %s:\n          esa_cert_dir: "%s"\n' "${REPORT_GONE_HOST}" "${DEMO}/hosts/${REPORT_GONE_HOST}"
    } >"${file}"
    for name in "${REPORT_NEW_HOST}" "${REPORT_GONE_HOST}"; do
        mkdir -p "${DEMO}/hosts/${name}"
    done
    printf '%s\n' "${file}"
}

# step_check EXIT_STATUS TEXT: one PASS or FAIL line of a step, counted in STEP_PASSED / STEP_FAILED (reset by each step that checks)
STEP_PASSED=0
STEP_FAILED=0
step_check() {
    if [[ "$1" -eq 0 ]]; then
        STEP_PASSED=$((STEP_PASSED + 1))
        say "    PASS  $2"
    else
        STEP_FAILED=$((STEP_FAILED + 1))
        say "    FAIL  $2"
    fi
}

step_report() {
    local start="${EPOCHREALTIME}" inventory chromium writes
    say ""
    say "[5] examples/fleet_report.yml: every host checked in check mode (one ESA read each), the site's list, one HTML page and a CSV"
    inventory="$(write_report_inventory)"
    run_playbook 6a-gone issue.yml -i "${DEMO}/inventory.yml" -i "${inventory}" -e esa_hosts=report_gone || true
    rm -rf "${DEMO:?}/hosts/${REPORT_GONE_HOST}"
    say "    ${REPORT_GONE_HOST} got a certificate, then was decommissioned without revoking it (its directory deleted);"
    say "    ${REPORT_NEW_HOST} joined the fleet (group fleet) without a certificate"
    emulator_reset
    local rc=0
    run_playbook 6-report fleet_report.yml -i "${DEMO}/inventory.yml" -i "${inventory}" -e "esa_report_dir=${REPORT_DIR}" || rc=$?
    emulator_stats 6-report
    grep -oE '"(fleet report: [^"]*|[0-9]+ hosts: [^"]*)"' "${DEMO}/logs/6-report.log" | tr -d '"' | sed 's/^/    /' || true
    writes="$("${PY}" -c 'import json, sys; calls = json.load(open(sys.argv[1])).get("calls", {}); print(sum(n for a, n in calls.items() if not a.startswith(("Get", "List"))))' \
        "${DEMO}/results/6-report-stats.json" 2>/dev/null || echo unknown)"
    step_check "${rc}" "the report playbook ran (exit ${rc})"
    step_check "$([[ "${writes}" == 0 ]] && echo 0 || echo 1)" "the report made no ESA write (${writes})"
    if chromium="$("${ROOT}/scripts/ensure-chromium.sh")"; then
        rc=0
        "${PY}" "${ROOT}/scripts/report_in_browser.py" "${REPORT_DIR}/fleet-report.html" --chromium "${chromium}" \
            --screenshot "${REPORT_DIR}/fleet-report.png" --dom "${REPORT_DIR}/fleet-report.dom.html" \
            --expect host-01 --expect "${REPORT_NEW_HOST}" --expect "${REPORT_GONE_HOST}" --expect "Expiry timeline" \
            --expect "Hosts without a certificate (1)" --expect "Certificates no host holds (1)" 2>&1 | sed 's/^/    /' || rc=$?
        step_check "${rc}" "headless Chromium renders the page (screenshot: ${REPORT_DIR#"${ROOT}"/}/fleet-report.png)"
    else
        step_check 1 "headless Chromium is not available (scripts/ensure-chromium.sh)"
    fi
    say "    report: ${REPORT_DIR#"${ROOT}"/}/fleet-report.html (CSV beside it); report checks: ${STEP_PASSED} passed, ${STEP_FAILED} failed"
    say "    done in $(elapsed_since "${start}") s"
    [[ ${STEP_FAILED} -eq 0 ]]
}
# --- end of the fleet report --------------------------------------------------------------------------------------

# The role's arguments in steps 6 and 6b: the ESA CA, node_exporter's textfile directory on each host, and the PKCS#12
# passphrase, random per demo, in a 0600 vars file (as a user's vault would give it; never on a command line).
ROLE_ARGS=()
write_role_args() {
    local host
    while IFS= read -r host; do
        mkdir -p "${DEMO}/hosts/${host}/textfile"
    done < <("${PY}" -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))["hosts"]))' "${DEMO}/results/meta.json")
    (umask 077 && "${PY}" -c 'import json, secrets; print("esa_pkcs12_passphrase: " + json.dumps("p12-" + secrets.token_urlsafe(18)))' \
        > "${DEMO}/esa/pkcs12-vars.yml")
    ROLE_ARGS=(-e "esa_client_ca_pem_file=${DEMO}/esa/ca.pem" -e "esa_metrics_dir={{ esa_cert_dir }}/textfile" -e "@${DEMO}/esa/pkcs12-vars.yml")
}

# client_files ARGS...: the hosts' PKCS#12 bundles requested at the edge, and with --metrics their .prom files (demo_client_files.py)
client_files() {
    "${PY}" "${ROOT}/scripts/demo_client_files.py" --hosts-dir "${DEMO}/hosts" --passphrase-file "${DEMO}/esa/pkcs12-vars.yml" \
        --url "${EDGE_URL}" --server-ca "${EDGE_DIR}/server-ca.pem" "$@"
}

step_role() {
    local start="${EPOCHREALTIME}"
    say ""
    say "[6] the role alibabacloud.esa.client_certificate (examples/client_certificate_role.yml): a second certificate per host in"
    say "    <host>/role/: directory, certificate, reload by the role's handler, the pair verified in place and against the ESA CA,"
    say "    the pair as a PKCS#12 bundle too (<host>/role/client.p12) and metrics for node_exporter (<host>/textfile/*.prom)"
    write_role_args
    emulator_reset
    run_playbook 6-role client_certificate_role.yml "${ROLE_ARGS[@]}" || true
    emulator_stats 6-role
    print_recap 6-role
    say "    the same include_role again: nothing to do"
    emulator_reset
    run_playbook 7-role-rerun client_certificate_role.yml "${ROLE_ARGS[@]}" || true
    emulator_stats 7-role-rerun
    print_recap 7-role-rerun
    say "    done in $(elapsed_since "${start}") s"
}

# --- proof at the edge, and undo (issue 25) ---------------------------------------------------------------------------
# A loopback HTTPS server with mTLS stands in for a hostname ESA protects (the role's integration target's edge_server.py:
# it trusts the ESA CA, refuses what ESA lists as revoked right after the handshake, and answers 403 to what refuse.json
# names). examples/client_certificate_role.yml renews every host's role certificate as a canary rollout (serial 1, 25%,
# 100%; max_fail_percentage 0), each host requesting the server with its new pair before its replaced one is revoked:
# first with the canary's new pair refused (it goes back to its previous pair, the rollout stops), then with none refused.
EDGE_DIR="${DEMO}/edge"
EDGE_PID=""
EDGE_SERVER="${ROOT}/tests/integration/targets/client_certificate_role/edge_server.py"

start_edge_server() {
    mkdir -p "${EDGE_DIR}"
    "${PY}" "${EDGE_SERVER}" --ca "${DEMO}/esa/ca.pem" --work "${EDGE_DIR}" --lifetime 1200 >"${DEMO}/logs/edge-server.log" 2>&1 &
    EDGE_PID=$!
    local _
    for _ in $(seq 300); do [[ -s "${EDGE_DIR}/ready.json" ]] && break; sleep 0.1; done
    [[ -s "${EDGE_DIR}/ready.json" ]] || die "the edge server did not start (${DEMO#"${ROOT}"/}/logs/edge-server.log)"
    EDGE_URL="https://127.0.0.1:$("${PY}" -c 'import json, sys; print(json.load(open(sys.argv[1]))["port"])' "${EDGE_DIR}/ready.json")/healthz"
}

stop_edge_server() {
    if [[ -n "${EDGE_PID}" ]] && kill -0 "${EDGE_PID}" 2>/dev/null; then
        kill "${EDGE_PID}" 2>/dev/null || true
        wait "${EDGE_PID}" 2>/dev/null || true
    fi
    EDGE_PID=""
}

# role_fingerprints OUT: {host: SHA-256 fingerprint of <host>/role/client.crt} for every fleet host
role_fingerprints() {
    "${PY}" - "${DEMO}/results/meta.json" "${DEMO}/hosts" "$1" <<'PY'
import hashlib, json, os, ssl, sys
meta, hosts_dir, out = sys.argv[1:4]
prints = {}
for host in json.load(open(meta))["hosts"]:
    with open(os.path.join(hosts_dir, host, "role", "client.crt"), encoding="ascii") as handle:
        prints[host] = hashlib.sha256(ssl.PEM_cert_to_DER_cert(handle.read())).hexdigest()
with open(out, "w", encoding="utf-8") as handle:
    json.dump(prints, handle, indent=1, sort_keys=True)
PY
}

# knock CERT KEY: the HTTP status the edge server answers to this pair, or -1 when it answered none
knock() {
    "${PY}" - "${EDGE_URL}" "${EDGE_DIR}/server-ca.pem" "$1" "$2" <<'PY'
import ssl, sys, urllib.error, urllib.request
url, server_ca, cert, key = sys.argv[1:5]
context = ssl.create_default_context(cafile=server_ca)
context.load_cert_chain(cert, key)
opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), urllib.request.ProxyHandler({}))
try:
    with opener.open(url, timeout=10) as response:
        print(response.status)
except urllib.error.HTTPError as error:
    print(error.code)
except OSError:
    print(-1)
PY
}

step_edge() {
    local start="${EPOCHREALTIME}" canary rc=0 unchanged changed creates revokes status
    local -a hosts=() clients=() edge_args=()
    mapfile -t hosts < <("${PY}" -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))["hosts"]))' "${DEMO}/results/meta.json")
    canary="${hosts[0]}"
    STEP_PASSED=0
    STEP_FAILED=0
    say ""
    say "[6b] proof at the edge and undo: examples/client_certificate_role.yml as a canary rollout (serial 1, 25%, 100%;"
    say "     max_fail_percentage 0), every role certificate renewed (client_certificate_force), each host requesting an"
    say "     mTLS server that stands in for ESA's edge with its new pair before its replaced certificate is revoked"
    start_edge_server
    say "     edge server ${EDGE_URL} (pid ${EDGE_PID}): TLS, client certificate from the ESA CA required, revoked ones refused"
    edge_args=("${ROLE_ARGS[@]}" -e "esa_edge_url=${EDGE_URL}" -e "esa_edge_ca_path=${EDGE_DIR}/server-ca.pem" -e client_certificate_force=true)
    role_fingerprints "${EDGE_DIR}/before.json"
    for host in "${hosts[@]}"; do
        mkdir -p "${EDGE_DIR}/before/${host}"
        cp -p "${DEMO}/hosts/${host}/role/client.crt" "${DEMO}/hosts/${host}/role/client.key" "${EDGE_DIR}/before/${host}/"
    done

    "${PY}" -c 'import json, sys; json.dump([{"common_name": sys.argv[1], "allow_fingerprints": [json.load(open(sys.argv[2]))[sys.argv[3]]]}], open(sys.argv[4], "w"))' \
        "${canary}.role.example.com" "${EDGE_DIR}/before.json" "${canary}" "${EDGE_DIR}/refuse.json"
    say "     (a) the edge refuses ${canary}'s next pair (refuse.json allows only the pair it has now)"
    emulator_reset
    run_playbook 7b-canary client_certificate_role.yml "${edge_args[@]}" || rc=$?
    emulator_stats 7b-canary
    print_recap 7b-canary
    role_fingerprints "${EDGE_DIR}/after-canary.json"
    unchanged="$("${PY}" -c 'import json, sys; a, b = (json.load(open(p)) for p in sys.argv[1:3]); print(sum(a[h] == b[h] for h in a))' \
        "${EDGE_DIR}/before.json" "${EDGE_DIR}/after-canary.json")"
    creates="$("${PY}" -c 'import json, sys; print(json.load(open(sys.argv[1])).get("calls", {}).get("CreateClientCertificate", 0))' "${DEMO}/results/7b-canary-stats.json")"
    revokes="$("${PY}" -c 'import json, sys; print(json.load(open(sys.argv[1])).get("calls", {}).get("RevokeClientCertificate", 0))' "${DEMO}/results/7b-canary-stats.json")"
    status="$(knock "${DEMO}/hosts/${canary}/role/client.crt" "${DEMO}/hosts/${canary}/role/client.key")"
    step_check "$([[ ${rc} -ne 0 ]] && grep -q 'NO MORE HOSTS LEFT' "${DEMO}/logs/7b-canary.log" && echo 0 || echo 1)" \
        "the canary ${canary} failed and the rollout stopped after it (exit ${rc})"
    step_check "$([[ "${unchanged}" == "${#hosts[@]}" ]] && echo 0 || echo 1)" \
        "every host is on the pair it had before, the canary back on its previous one (${unchanged}/${#hosts[@]})"
    step_check "$([[ "${creates}" == 1 && "${revokes}" == 1 ]] && echo 0 || echo 1)" \
        "no extra live certificate on ESA: the canary's one new certificate was revoked (Create ${creates}, Revoke ${revokes})"
    step_check "$([[ "${status}" == 200 ]] && echo 0 || echo 1)" "the edge accepts ${canary}'s pair in place (HTTP ${status})"
    rc=0
    client_files --out "${DEMO}/results/7b-canary-bundle.json" "${canary}" 2>&1 | sed 's/^/     /' || rc=$?
    step_check "${rc}" "${canary}'s PKCS#12 bundle is back on its previous pair, and a TLS client loading it is accepted at the edge"

    rm -f "${EDGE_DIR}/refuse.json"
    rc=0
    say "     (b) the edge refuses nothing: the whole fleet, batch by batch"
    emulator_reset
    run_playbook 7c-edge-rollout client_certificate_role.yml "${edge_args[@]}" || rc=$?
    emulator_stats 7c-edge-rollout
    print_recap 7c-edge-rollout
    role_fingerprints "${EDGE_DIR}/after-rollout.json"
    changed="$("${PY}" -c 'import json, sys; a, b = (json.load(open(p)) for p in sys.argv[1:3]); print(sum(a[h] != b[h] for h in a))' \
        "${EDGE_DIR}/before.json" "${EDGE_DIR}/after-rollout.json")"
    revokes="$("${PY}" -c 'import json, sys; print(json.load(open(sys.argv[1])).get("calls", {}).get("RevokeClientCertificate", 0))' "${DEMO}/results/7c-edge-rollout-stats.json")"
    step_check "${rc}" "the rollout ran on every host (exit ${rc})"
    step_check "$([[ "${changed}" == "${#hosts[@]}" && "${revokes}" == "${#hosts[@]}" ]] && echo 0 || echo 1)" \
        "every host renewed, proven at the edge, its replaced certificate revoked (${changed}/${#hosts[@]} renewed, ${revokes} revoked)"
    emulator_reset
    run_playbook 7c-list revoked_list.yml -e "esa_revoked_list=${DEMO}/results/7c-revoked.json" || true
    for host in "${hosts[@]}"; do
        clients+=(--client "${host}-role" accept "${DEMO}/hosts/${host}/role/client.crt" "${DEMO}/hosts/${host}/role/client.key")
        clients+=(--client "${host}-role-replaced" refuse "${EDGE_DIR}/before/${host}/client.crt" "${EDGE_DIR}/before/${host}/client.key")
    done
    rc=0
    "${PY}" "${ROOT}/scripts/demo_mtls.py" check --ca "${DEMO}/esa/ca.pem" --revoked "${DEMO}/results/7c-revoked.json" \
        --work "${DEMO}/mtls-7c" --out "${DEMO}/results/7c-mtls.json" "${clients[@]}" 2>&1 | tail -n 3 | sed 's/^/     /' || rc=$?
    step_check "${rc}" "handshakes: every renewed role pair accepted, every replaced one refused (results/7c-mtls.json)"
    rc=0
    client_files --metrics --out "${DEMO}/results/7c-client-files.json" "${hosts[@]}" 2>&1 | tail -n 3 | sed 's/^/     /' || rc=$?
    say "     ${canary}'s textfile for node_exporter (textfile/esa-client-certificate-role.prom), without its HELP and TYPE lines:"
    grep -v '^#' "${DEMO}/hosts/${canary}/textfile/esa-client-certificate-role.prom" | sed 's/^/       /'
    step_check "${rc}" "every host's .prom parses (prometheus-client) and matches its certificate; every PKCS#12 bundle holds the new pair, and a TLS client loading it is accepted at the edge (results/7c-client-files.json)"
    stop_edge_server
    say "     edge checks: ${STEP_PASSED} passed, ${STEP_FAILED} failed; done in $(elapsed_since "${start}") s"
    [[ ${STEP_FAILED} -eq 0 ]]
}

# --- decommission (issue 14, sections 1 and 2) ----------------------------------------------------------------------
# The last two fleet hosts are retired: their directories move to .build/demo/retired/ (the machines are gone, the
# files kept only so the handshakes can show the certificates refused). examples/decommission.yml checks the hosts in
# service and revokes the retired hosts' certificates (fleet and role) and the one the report found (gone-01), keeping
# every certificate a host in service holds. min_age_minutes is 0 because the demo's certificates are minutes old.
step_decommission() {
    local start="${EPOCHREALTIME}" host names revokes rc=0
    local -a hosts=() retired=() clients=()
    mapfile -t hosts < <("${PY}" -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))["hosts"]))' "${DEMO}/results/meta.json")
    say ""
    if [[ ${#hosts[@]} -lt 3 ]]; then
        say "[7] decommission: skipped, it retires two hosts and keeps at least one (HOSTS=${#hosts[@]})"
        return 0
    fi
    STEP_PASSED=0
    STEP_FAILED=0
    retired=("${hosts[@]: -2}")
    say "[7] examples/decommission.yml: ${retired[*]} retired (machines gone); the hosts in service check their certificates"
    say "    (check mode), then the controller revokes the retired hosts' certificates and ${REPORT_GONE_HOST}'s, keeping theirs"
    mkdir -p "${DEMO}/retired"
    for host in "${retired[@]}"; do
        mv "${DEMO}/hosts/${host}" "${DEMO}/retired/${host}"
    done
    names="$("${PY}" -c 'import json, sys; names = sys.argv[1:]; print(json.dumps({"esa_retired_common_names": names + [n + ".role.example.com" for n in names[:-1]], "esa_min_age_minutes": 0}))' \
        "${retired[@]}" "${REPORT_GONE_HOST}")"
    emulator_reset
    run_playbook 8-decommission decommission.yml -e "esa_hosts=fleet:!${retired[0]}:!${retired[1]}" -e "${names}" || rc=$?
    emulator_stats 8-decommission
    print_recap 8-decommission
    grep -oE '"[0-9]+ certificate\(s\) revoked[^"]*"' "${DEMO}/logs/8-decommission.log" | tr -d '"' | sed 's/^/    /' || true
    revokes="$("${PY}" -c 'import json, sys; print(json.load(open(sys.argv[1])).get("calls", {}).get("RevokeClientCertificate", 0))' \
        "${DEMO}/results/8-decommission-stats.json" 2>/dev/null || echo unknown)"
    step_check "${rc}" "the decommission playbook ran (exit ${rc})"
    step_check "$([[ "${revokes}" == 5 ]] && echo 0 || echo 1)" \
        "5 certificates revoked on ESA: 2 retired hosts x (fleet + role) and ${REPORT_GONE_HOST}'s (RevokeClientCertificate calls: ${revokes})"

    emulator_reset
    run_playbook 8-list revoked_list.yml -e "esa_revoked_list=${DEMO}/results/8-revoked.json" || true
    for host in "${hosts[@]}"; do
        if [[ " ${retired[*]} " == *" ${host} "* ]]; then
            clients+=(--client "${host}-retired" refuse "${DEMO}/retired/${host}/client.crt" "${DEMO}/retired/${host}/client.key")
            clients+=(--client "${host}-retired-role" refuse "${DEMO}/retired/${host}/role/client.crt" "${DEMO}/retired/${host}/role/client.key")
        else
            clients+=(--client "${host}" accept "${DEMO}/hosts/${host}/client.crt" "${DEMO}/hosts/${host}/client.key")
            clients+=(--client "${host}-role" accept "${DEMO}/hosts/${host}/role/client.crt" "${DEMO}/hosts/${host}/role/client.key")
        fi
    done
    rc=0
    "${PY}" "${ROOT}/scripts/demo_mtls.py" check --ca "${DEMO}/esa/ca.pem" --revoked "${DEMO}/results/8-revoked.json" \
        --work "${DEMO}/mtls-8" --out "${DEMO}/results/8-mtls.json" "${clients[@]}" 2>&1 | tail -n 3 | sed 's/^/    /' || rc=$?
    step_check "${rc}" "handshakes: every certificate of the hosts in service accepted, the retired hosts' refused (results/8-mtls.json)"
    say "    decommission checks: ${STEP_PASSED} passed, ${STEP_FAILED} failed; done in $(elapsed_since "${start}") s"
    [[ ${STEP_FAILED} -eq 0 ]]
}

main() {
    [[ "${HOSTS}" =~ ^[1-9][0-9]*$ ]] || die "HOSTS must be a positive number, got '${HOSTS}'"
    local start="${EPOCHREALTIME}" rc=0
    trap 'stop_edge_server; stop_demo_emulator' EXIT
    trap 'exit 130' INT TERM
    say "== alibabacloud.esa fleet demo: ${HOSTS} local hosts, forks ${FORKS}, the ESA emulator on loopback (no Alibaba Cloud account) =="
    setup
    step_issue
    step_handshakes
    step_rerun
    step_rollout
    step_report || rc=1
    step_role
    step_edge || rc=1
    step_decommission || rc=1
    helper summary "${DEMO}/results" --rollout-remaining-days "${ROLLOUT_REMAINING_DAYS}" || rc=$?
    stop_demo_emulator
    say "fleet report: ${REPORT_DIR}/fleet-report.html"
    say "demo finished in $(elapsed_since "${start}") s; logs in ${DEMO#"${ROOT}"/}/logs/"
    return "${rc}"
}

main "$@"
