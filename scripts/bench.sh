#!/usr/bin/env bash
# The benchmark (make bench): wall times of alibabacloud.esa.esa_client_certificate against ansible.builtin.stat and
# community.crypto on the same N local hosts, the ESA calls per host that the local emulator counts, then the scale
# benchmark (scripts/bench_scale.sh: a site of 10,000 certificates).
#
#   scripts/bench.sh                      50 hosts, forks 10; issue and no-op rounds 3 times, renewal once; then the scale bench
#   HOSTS=20 FORKS=10 REPEAT=1 ISSUE_REPEAT=1 RENEW_REPEAT=1 SCALE=0 scripts/bench.sh
#   HOSTS=500 FORKS=50 BENCH_ROWS=fleet REPEAT=1 ISSUE_REPEAT=1 SCALE=0 scripts/bench.sh   # fleet sizing: no community.crypto rows
#   ESA_QPS_LIMIT=10 ...                  the emulator answers throttling beyond 10 requests per second (all actions together)
#
# Rows, each one playbook run over every host, with the same forks, ansible-core and Python (.build/venv-bench, from
# tests/requirements/bench.txt):
#   issue rounds    esa_client_certificate on fresh files (examples/bench/esa.yml, 1 task per host); community.crypto's
#                   issue path as its users write it: openssl_privatekey + openssl_csr + x509_certificate (provider ownca,
#                   a local CA made once, untimed), 3 tasks per host on fresh files; ansible.builtin.stat, once and
#                   twice per host (examples/bench/stat_twice.yml: the floor of an issue, two module executions)
#   no-op rounds    esa_client_certificate with verify_remote true, then false; ansible.builtin.stat on the same files
#                   (examples/bench/stat.yml); community.crypto.x509_certificate (ownca) with nothing to do
#   renewal rounds  esa_client_certificate renewing every host (remaining_days = the certificates' lifetime, so every
#                   one has less left; validity_days one day more, as remaining_days must stay below it), then again with
#                   revoke_replaced: true; community.crypto's renewal: x509_certificate_info (valid_at +366d: every
#                   certificate is due) + openssl_privatekey (force when due: a new key, as esa rotates keys) + openssl_csr
#                   + x509_certificate, 4 tasks per host; ansible.builtin.stat
# BENCH_ROWS=fleet keeps the esa rows and stat (issue, no-op with verify_remote true, renewal) for large fleets.
# Each round interleaves its rows, so that a load change on the machine hits them alike; stat runs in every round and
# the table shows each row's median, best run, ratio of medians to stat's, CPU time of ansible-playbook and all it ran,
# tasks per host, ESA calls per host and the ESA request rate. The emulator's counters are reset before each run; it
# keeps its state in memory (with a state file it rewrites the whole file after every create, a cost real ESA does not
# have and which grows with the fleet).
# Prints PASS/FAIL per target; exits non-zero when an ESA-calls target (or a run) fails. Timing targets are reported,
# not enforced: the machine may be shared and noisy. Results in .build/bench/results/ (table.md, summary.json).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# shellcheck source=scripts/bench_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"

HOSTS="${HOSTS:-50}"
FORKS="${FORKS:-10}"
REPEAT="${REPEAT:-3}"
ISSUE_REPEAT="${ISSUE_REPEAT:-3}"
RENEW_REPEAT="${RENEW_REPEAT:-1}"
BENCH_ROWS="${BENCH_ROWS:-all}"
ESA_QPS_LIMIT="${ESA_QPS_LIMIT:-}"
SCALE="${SCALE:-1}"
BENCH="${BENCH_DIR:-${BUILD}/bench}"
FLEET_VALIDITY_DAYS=365 # the lifetime of the fleet's esa certificates; each renewal adds a day (see renew_row)

report() {
    "${PY}" "${ROOT}/scripts/bench_report.py" "$@"
}

setup() {
    prepare_bench_dir "${BENCH}" "${FORKS}"
    mkdir -p "${BENCH}/hosts"

    log "starting the ESA emulator"
    local -a emulator_options=()
    if [[ -n "${ESA_QPS_LIMIT}" ]]; then
        printf '{"rules": [], "qps_limit": %d}\n' "${ESA_QPS_LIMIT}" >"${BENCH}/esa/faults.json"
        emulator_options=(--faults "${BENCH}/esa/faults.json")
    fi
    # An empty state file keeps the emulator's state in memory (see the header).
    start_emulator "${PY}" "" "${BENCH}/esa/ready.json" "${BENCH}/logs/emulator.log" "${emulator_options[@]}" || exit 1
    ESA_URL="${EMULATOR_URL}"

    helper inventory --count "${HOSTS}" --hosts-dir "${BENCH}/hosts" --python "${PY}" --endpoint "${ESA_URL}" \
        --out "${BENCH}/inventory.yml" --meta "${BENCH}/results/hosts.json"
    "${PY}" - "${BENCH}/results" "${FORKS}" "${REPEAT}" "${ISSUE_REPEAT}" "${RENEW_REPEAT}" "${BENCH_ROWS}" "${ESA_QPS_LIMIT}" <<'EOF'
import json, os, platform, sys
from importlib import metadata
results, forks, repeat, issue_repeat, renew_repeat, rows, qps_limit = sys.argv[1:8]
with open(os.path.join(results, "hosts.json")) as handle:
    meta = json.load(handle)
with open(metadata.distribution("ansible").locate_file("ansible_collections/community/crypto/MANIFEST.json")) as handle:
    crypto = json.load(handle)["collection_info"]["version"]
meta.update(forks=int(forks), repeat=int(repeat), issue_repeat=int(issue_repeat), renew_repeat=int(renew_repeat), rows=rows,
            qps_limit=int(qps_limit) if qps_limit else None, ansible_core=metadata.version("ansible-core"), community_crypto=crypto,
            python=platform.python_version(), cpus=os.cpu_count(), load_before=" ".join(f"{value:.1f}" for value in os.getloadavg()))
with open(os.path.join(results, "meta.json"), "w") as handle:
    json.dump(meta, handle)
EOF
    write_crypto_playbooks "${BENCH}/playbooks"
    say "[setup] ${HOSTS} local hosts, forks ${FORKS}, rows: ${BENCH_ROWS}, ESA emulator on ${ESA_URL}${ESA_QPS_LIMIT:+ (QPS limit ${ESA_QPS_LIMIT})}, collection installed into ${BENCH#"${ROOT}"/}/collections"
}

# run_row KEY PLAYBOOK_PATH [ansible-playbook options...]: one timed run, added to the row KEY (labels: scripts/bench_report.py)
run_row() {
    local key="$1" playbook="$2"
    shift 2
    local n=1
    while [[ -e "${BENCH}/logs/${key}-${n}.log" ]]; do n=$((n + 1)); done
    local name="${key}-${n}"
    helper emulator "${ESA_URL}" reset
    timed_playbook "${BENCH}" "${name}" "${playbook}" "$@"
    helper emulator "${ESA_URL}" stats --out "${BENCH}/results/${name}-stats.json"
    report row "${BENCH}/results" --key "${key}" --timing "${BENCH}/results/${name}-timing.json" --log "${BENCH}/logs/${name}.log" \
        --stats "${BENCH}/results/${name}-stats.json"
}

# The community.crypto playbooks are written here rather than kept in examples/: the lint environment has no
# community.crypto to resolve their modules. They pass ansible-lint's production profile where it has.
write_crypto_playbooks() {
    local dir="$1"
    mkdir -p "${dir}"
    cat >"${dir}/crypto_ca.yml" <<'YAML'
---
# Benchmark setup for the community.crypto rows (not timed): a local CA, made once.
- name: Make a local CA once
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Make the CA directory
      ansible.builtin.file:
        path: "{{ bench_ca_dir }}"
        state: directory
        mode: "0700"

    - name: Make the CA private key
      community.crypto.openssl_privatekey:
        path: "{{ bench_ca_dir }}/ca.key"
        type: RSA
        size: 2048
        mode: "0600"

    - name: Make the CA's CSR
      community.crypto.openssl_csr_pipe:
        privatekey_path: "{{ bench_ca_dir }}/ca.key"
        common_name: Benchmark local client CA
        use_common_name_for_san: false
        basic_constraints:
          - CA:TRUE
        basic_constraints_critical: true
        key_usage:
          - keyCertSign
          - cRLSign
        key_usage_critical: true
      register: ca_csr

    - name: Self-sign the CA certificate
      community.crypto.x509_certificate:
        path: "{{ bench_ca_dir }}/ca.crt"
        csr_content: "{{ ca_csr.csr }}"
        privatekey_path: "{{ bench_ca_dir }}/ca.key"
        provider: selfsigned
        selfsigned_not_after: +3650d
        mode: "0644"
YAML
    cat >"${dir}/crypto_key_and_csr.yml" <<'YAML'
---
# The host's key and CSR (imported by crypto_issue.yml and crypto_renew.yml). crypto_key_force: a new key even if one is there.
- name: Make the host's private key
  community.crypto.openssl_privatekey:
    path: "{{ esa_cert_dir }}/cc.key"
    type: RSA
    size: 2048
    force: "{{ crypto_key_force | default(false) }}"
    mode: "0600"

- name: Make the host's CSR
  community.crypto.openssl_csr:
    path: "{{ esa_cert_dir }}/cc.csr"
    privatekey_path: "{{ esa_cert_dir }}/cc.key"
    common_name: "{{ inventory_hostname }}"
    extended_key_usage:
      - clientAuth
    mode: "0644"
YAML
    cat >"${dir}/crypto_certificate.yml" <<'YAML'
---
# The certificate signed by the local CA (imported by crypto_issue.yml, crypto_noop.yml and crypto_renew.yml).
- name: Issue or keep the client certificate signed by the local CA
  community.crypto.x509_certificate:
    path: "{{ esa_cert_dir }}/cc.crt"
    csr_path: "{{ esa_cert_dir }}/cc.csr"
    privatekey_path: "{{ esa_cert_dir }}/cc.key"
    provider: ownca
    ownca_path: "{{ bench_ca_dir }}/ca.crt"
    ownca_privatekey_path: "{{ bench_ca_dir }}/ca.key"
    ownca_not_after: +365d
    mode: "0644"
YAML
    cat >"${dir}/crypto_issue.yml" <<'YAML'
---
# Benchmark row: community.crypto's issue path as its users write it, 3 tasks per host (key, CSR, certificate).
- name: Give every host a key, a CSR and a certificate from the local CA
  hosts: "{{ esa_hosts | default('fleet') }}"
  gather_facts: false
  tasks:
    - name: Make the key and the CSR
      ansible.builtin.import_tasks: crypto_key_and_csr.yml

    - name: Sign the certificate
      ansible.builtin.import_tasks: crypto_certificate.yml
YAML
    cat >"${dir}/crypto_noop.yml" <<'YAML'
---
# Benchmark row for community.crypto.x509_certificate (provider ownca): one task per host, run after
# crypto_issue.yml made the files, so it has nothing to do.
- name: Keep every host's client certificate signed by the local CA
  hosts: "{{ esa_hosts | default('fleet') }}"
  gather_facts: false
  tasks:
    - name: Sign the host's certificate with the local CA
      ansible.builtin.import_tasks: crypto_certificate.yml
YAML
    cat >"${dir}/crypto_renew.yml" <<'YAML'
---
# Benchmark row: community.crypto's renewal as its users write it, 4 tasks per host. x509_certificate has no
# remaining-days option: x509_certificate_info says whether the certificate is still valid at a future moment, and a
# certificate that is not gets a new key (esa rotates keys by default), which makes the CSR and the certificate follow.
- name: Renew every host's client certificate that expires within the window
  hosts: "{{ esa_hosts | default('fleet') }}"
  gather_facts: false
  tasks:
    - name: Read the certificate's validity
      community.crypto.x509_certificate_info:
        path: "{{ esa_cert_dir }}/cc.crt"
        valid_at:
          renew: "+{{ crypto_renew_within_days }}d"
      register: crypto_current

    - name: Make a new key and CSR when the certificate is due
      ansible.builtin.import_tasks: crypto_key_and_csr.yml
      vars:
        crypto_key_force: "{{ not crypto_current.valid_at.renew }}"

    - name: Sign the certificate
      ansible.builtin.import_tasks: crypto_certificate.yml
YAML
}

wipe_esa_files() {
    find "${BENCH}/hosts" -mindepth 2 -maxdepth 2 \( -name 'client.crt*' -o -name 'client.key*' \) -delete
}

wipe_crypto_files() {
    find "${BENCH}/hosts" -mindepth 2 -maxdepth 2 -name 'cc.*' -delete
}

all_rows() {
    [[ "${BENCH_ROWS}" == all ]]
}

issue_rows() {
    local round
    for ((round = 1; round <= ISSUE_REPEAT; round++)); do
        wipe_esa_files
        run_row issue "${ROOT}/examples/bench/esa.yml"
        if all_rows; then
            wipe_crypto_files
            run_row crypto_issue "${BENCH}/playbooks/crypto_issue.yml" -e "bench_ca_dir=${BENCH}/ca"
        fi
        run_row stat "${ROOT}/examples/bench/stat.yml"
        run_row stat_twice "${ROOT}/examples/bench/stat_twice.yml"
    done
}

noop_rows() {
    local round
    for ((round = 1; round <= REPEAT; round++)); do
        run_row noop_verify "${ROOT}/examples/bench/esa.yml" -e esa_verify_remote=true
        if all_rows; then
            run_row noop_noverify "${ROOT}/examples/bench/esa.yml" -e esa_verify_remote=false
        fi
        run_row stat "${ROOT}/examples/bench/stat.yml"
        if all_rows; then
            run_row crypto "${BENCH}/playbooks/crypto_noop.yml" -e "bench_ca_dir=${BENCH}/ca"
        fi
    done
}

# renew_row KEY [options]: every certificate has FLEET_VALIDITY_DAYS minus the seconds since its issue left, less than
# remaining_days=FLEET_VALIDITY_DAYS, so every host is due; the new ones live a day longer (remaining_days < validity_days).
renew_row() {
    local key="$1"
    shift
    run_row "${key}" "${ROOT}/examples/bench/esa.yml" -e "esa_remaining_days=${FLEET_VALIDITY_DAYS}" \
        -e "esa_validity_days=$((FLEET_VALIDITY_DAYS + 1))" "$@"
    FLEET_VALIDITY_DAYS=$((FLEET_VALIDITY_DAYS + 1))
}

renew_rows() {
    local round
    for ((round = 1; round <= RENEW_REPEAT; round++)); do
        renew_row renew
        if all_rows; then
            renew_row renew_revoke -e esa_revoke_replaced=true
            # ownca_not_after is +365d: every certificate is invalid 366 days from now, so every host is due.
            run_row crypto_renew "${BENCH}/playbooks/crypto_renew.yml" -e "bench_ca_dir=${BENCH}/ca" -e crypto_renew_within_days=366
        fi
        run_row stat "${ROOT}/examples/bench/stat.yml"
    done
}

main() {
    [[ "${HOSTS}" =~ ^[1-9][0-9]*$ && "${REPEAT}" =~ ^[1-9][0-9]*$ && "${ISSUE_REPEAT}" =~ ^[1-9][0-9]*$ && "${RENEW_REPEAT}" =~ ^[0-9]+$ ]] ||
        die "HOSTS, REPEAT and ISSUE_REPEAT must be positive numbers, RENEW_REPEAT a number"
    [[ "${BENCH_ROWS}" == all || "${BENCH_ROWS}" == fleet ]] || die "BENCH_ROWS must be 'all' or 'fleet', not '${BENCH_ROWS}'"
    [[ -z "${ESA_QPS_LIMIT}" || "${ESA_QPS_LIMIT}" =~ ^[1-9][0-9]*$ ]] || die "ESA_QPS_LIMIT must be a positive number"
    local start="${EPOCHREALTIME}" rc=0
    trap stop_emulator EXIT
    trap 'exit 130' INT TERM
    say "== alibabacloud.esa benchmark: ${HOSTS} local hosts, forks ${FORKS}; rounds: issue ${ISSUE_REPEAT}, no-op ${REPEAT}, renewal ${RENEW_REPEAT} =="
    setup

    if all_rows; then
        say "[setup] community.crypto: a local CA (not timed)"
        timed_playbook "${BENCH}" crypto-ca "${BENCH}/playbooks/crypto_ca.yml" -e "bench_ca_dir=${BENCH}/ca"
        grep -q '"returncode": 0' "${BENCH}/results/crypto-ca-timing.json" ||
            { tail -n 20 "${BENCH}/logs/crypto-ca.log" >&2; die "making the community.crypto CA failed"; }
    fi
    say "[warm-up] one untimed stat run, so that no timed row pays for cold caches"
    timed_playbook "${BENCH}" warm-up "${ROOT}/examples/bench/stat.yml"
    say "[issue rounds] fresh files each time, ${ISSUE_REPEAT} round(s)"
    issue_rows
    say "[no-op rounds] ${REPEAT} round(s)"
    noop_rows
    say "[renewal rounds] every host due, ${RENEW_REPEAT} round(s)"
    renew_rows

    stop_emulator
    say ""
    report table "${BENCH}/results" || rc=$?
    say "benchmark finished in $(awk -v a="${start}" -v b="${EPOCHREALTIME}" 'BEGIN { printf "%.0f", b - a }') s; logs in ${BENCH#"${ROOT}"/}/logs/, table in ${BENCH#"${ROOT}"/}/results/table.md"
    if [[ "${SCALE}" == 1 ]]; then
        say ""
        "${ROOT}/scripts/bench_scale.sh" || rc=$?
    fi
    return "${rc}"
}

main "$@"
