#!/usr/bin/env bash
# The benchmark (make bench): wall times of alibabacloud.esa.esa_client_certificate against ansible.builtin.stat
# and community.crypto.x509_certificate (provider ownca) on the same N local hosts, and the ESA calls per host
# that the local emulator counts.
#
#   scripts/bench.sh                      50 hosts, forks 10, the no-op rows 3 times each, the issue row once
#   HOSTS=20 REPEAT=1 ISSUE_REPEAT=2 FORKS=10 scripts/bench.sh
#
# Rows: issue (fresh files); no-op with verify_remote true; no-op with verify_remote false; ansible.builtin.stat
# on the same certificate files; community.crypto.x509_certificate no-op on an equivalent fleet (key, CSR and
# certificate per host, signed by a local CA). Every row is one task per host (examples/bench/esa.yml and stat.yml;
# the community.crypto playbooks are written to .build/bench/playbooks/ by this script), with the same forks,
# the same ansible-core and the same Python (.build/venv-bench, from tests/requirements/bench.txt).
# The emulator's counters are reset before each run. The no-op rows and the baselines are interleaved, so
# that a load change on the machine hits every row alike; the table shows the median of each row's runs, the
# best run, the ratio of the medians to stat's, and the CPU time of ansible-playbook and everything it ran.
# Prints PASS/FAIL per target; exits non-zero when an ESA-calls target (or a run) fails. Timing targets are
# reported, not enforced: the machine may be shared and noisy. Results in .build/bench/results/.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HOSTS="${HOSTS:-50}"
FORKS="${FORKS:-10}"
REPEAT="${REPEAT:-3}"
ISSUE_REPEAT="${ISSUE_REPEAT:-1}"
BENCH="${BUILD}/bench"
VENV="${BUILD}/venv-bench"
PY="${VENV}/bin/python"
REQUIREMENTS="${ROOT}/tests/requirements/bench.txt"

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1,localhost,::1 NO_PROXY=127.0.0.1,localhost,::1

say() {
    printf '%s\n' "$*"
}

helper() {
    "${PY}" "${ROOT}/scripts/demo_fleet.py" "$@"
}

# .build/venv-bench from tests/requirements/bench.txt (which includes core-2.21.txt); rebuilt when either changes.
ensure_bench_venv() {
    local python stamp
    python="$(find_python 3.13)"
    stamp="$(sha256_of "${REQUIREMENTS}" "${ROOT}/tests/requirements/core-2.21.txt") ${python}"
    if [[ -x "${PY}" && -f "${VENV}/.stamp" && "$(cat "${VENV}/.stamp")" == "${stamp}" ]]; then
        log "up to date: ${VENV#"${ROOT}"/}"
        return 0
    fi
    log "creating ${VENV#"${ROOT}"/} (${python}) from ${REQUIREMENTS#"${ROOT}"/}: this takes a few minutes once"
    rm -rf "${VENV}"
    "${python}" -m venv "${VENV}"
    "${PY}" -m pip install --quiet --no-input --requirement "${REQUIREMENTS}" >"${BUILD}/venv-bench.log" 2>&1 ||
        { tail -n 30 "${BUILD}/venv-bench.log" >&2; die "pip install into ${VENV#"${ROOT}"/} failed (log: ${BUILD#"${ROOT}"/}/venv-bench.log)"; }
    "${PY}" -m pip check
    local site_packages
    site_packages="$("${PY}" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    printf '%s\n' "import os; os.environ.setdefault('ALIBABA_CLOUD_ECS_METADATA_DISABLED', 'true')" \
        >"${site_packages}/esa_test_no_metadata_service.pth"
    printf '%s' "${stamp}" >"${VENV}/.stamp"
}

setup() {
    ensure_bench_venv
    rm -rf "${BENCH}"
    mkdir -p "${BENCH}/dist" "${BENCH}/collections" "${BENCH}/logs" "${BENCH}/results" "${BENCH}/esa" "${BENCH}/hosts" "${BENCH}/tmp"
    export ANSIBLE_HOME="${BENCH}/ansible-home"
    helper ansible-cfg --out "${BENCH}/ansible.cfg" --collections "${BENCH}/collections" --inventory "${BENCH}/inventory.yml" \
        --tmp "${BENCH}/tmp" --forks "${FORKS}"
    export ANSIBLE_CONFIG="${BENCH}/ansible.cfg"

    log "building and installing the collection"
    build_and_install_collection "${VENV}/bin/ansible-galaxy" "${BENCH}/dist" "${BENCH}/collections" "${BENCH}/logs/build.log" >/dev/null ||
        die "building or installing the collection failed"

    log "starting the ESA emulator"
    start_emulator "${PY}" "${BENCH}/esa/state.json" "${BENCH}/esa/ready.json" "${BENCH}/logs/emulator.log" || exit 1
    ESA_URL="${EMULATOR_URL}"

    helper inventory --count "${HOSTS}" --hosts-dir "${BENCH}/hosts" --python "${PY}" --endpoint "${ESA_URL}" \
        --out "${BENCH}/inventory.yml" --meta "${BENCH}/results/hosts.json"
    "${PY}" - "${BENCH}/results" "${FORKS}" "${REPEAT}" "${ISSUE_REPEAT}" <<'EOF'
import json, os, platform, sys
from importlib import metadata
results, forks, repeat, issue_repeat = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with open(os.path.join(results, "hosts.json")) as handle:
    meta = json.load(handle)
with open(metadata.distribution("ansible").locate_file("ansible_collections/community/crypto/MANIFEST.json")) as handle:
    crypto = json.load(handle)["collection_info"]["version"]
meta.update(forks=forks, repeat=repeat, issue_repeat=issue_repeat, ansible_core=metadata.version("ansible-core"), community_crypto=crypto,
            python=platform.python_version(), cpus=os.cpu_count(), load_before=" ".join(f"{value:.1f}" for value in os.getloadavg()))
with open(os.path.join(results, "meta.json"), "w") as handle:
    json.dump(meta, handle)
EOF
    write_crypto_playbooks "${BENCH}/playbooks"
    say "[setup] ${HOSTS} local hosts, forks ${FORKS}, ESA emulator on ${ESA_URL}, collection installed into ${BENCH#"${ROOT}"/}/collections"
}

# run_row KEY LABEL ESA(yes|no) PLAYBOOK_PATH [ansible-playbook options...]: one timed run, added to the row
run_row() {
    local key="$1" label="$2" esa="$3" playbook="$4"
    shift 4
    local n=1
    while [[ -e "${BENCH}/logs/${key}-${n}.log" ]]; do n=$((n + 1)); done
    local name="${key}-${n}"
    helper emulator "${ESA_URL}" reset
    helper timed --out "${BENCH}/results/${name}-timing.json" --log "${BENCH}/logs/${name}.log" -- \
        "${VENV}/bin/ansible-playbook" "${playbook}" "$@" || true
    helper emulator "${ESA_URL}" stats --out "${BENCH}/results/${name}-stats.json"
    local -a esa_flag=()
    [[ "${esa}" == yes ]] && esa_flag=(--esa)
    helper bench-row "${BENCH}/results" --key "${key}" --label "${label}" --timing "${BENCH}/results/${name}-timing.json" \
        --log "${BENCH}/logs/${name}.log" --stats "${BENCH}/results/${name}-stats.json" "${esa_flag[@]}"
}

# The community.crypto playbooks are written here rather than kept in examples/: the lint environment has no
# community.crypto to resolve their modules. They pass ansible-lint's production profile where it has.
write_crypto_playbooks() {
    local dir="$1"
    mkdir -p "${dir}"
    cat >"${dir}/crypto_setup.yml" <<'YAML'
---
# Benchmark setup for the community.crypto row: a local CA made once, then per host an RSA 2048 key, a CSR
# and a client certificate signed by that CA (community.crypto.x509_certificate, provider ownca).
# The fleet is equivalent to the one esa.yml keeps: one key and one clientAuth certificate per host.
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

- name: Give every host a key, a CSR and a certificate from the local CA
  hosts: "{{ esa_hosts | default('fleet') }}"
  gather_facts: false
  tasks:
    - name: Make the host's private key
      community.crypto.openssl_privatekey:
        path: "{{ esa_cert_dir }}/cc.key"
        type: RSA
        size: 2048
        mode: "0600"

    - name: Make the host's CSR
      community.crypto.openssl_csr:
        path: "{{ esa_cert_dir }}/cc.csr"
        privatekey_path: "{{ esa_cert_dir }}/cc.key"
        common_name: "{{ inventory_hostname }}"
        extended_key_usage:
          - clientAuth
        mode: "0644"

    - name: Sign the host's certificate with the local CA
      ansible.builtin.import_tasks: crypto_certificate.yml
YAML
    cat >"${dir}/crypto_certificate.yml" <<'YAML'
---
# The one task the community.crypto benchmark row times (imported by crypto_setup.yml and crypto_noop.yml).
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
    cat >"${dir}/crypto_noop.yml" <<'YAML'
---
# Benchmark row for community.crypto.x509_certificate (provider ownca): one task per host, run after
# crypto_setup.yml made the files, so it has nothing to do.
- name: Keep every host's client certificate signed by the local CA
  hosts: "{{ esa_hosts | default('fleet') }}"
  gather_facts: false
  tasks:
    - name: Sign the host's certificate with the local CA
      ansible.builtin.import_tasks: crypto_certificate.yml
YAML
}

wipe_esa_files() {
    find "${BENCH}/hosts" -mindepth 2 -maxdepth 2 \( -name 'client.crt*' -o -name 'client.key*' \) -delete
}

main() {
    [[ "${HOSTS}" =~ ^[1-9][0-9]*$ && "${REPEAT}" =~ ^[1-9][0-9]*$ && "${ISSUE_REPEAT}" =~ ^[1-9][0-9]*$ ]] ||
        die "HOSTS, REPEAT and ISSUE_REPEAT must be positive numbers"
    local start="${EPOCHREALTIME}" rc=0 round
    trap stop_emulator EXIT
    trap 'exit 130' INT TERM
    say "== alibabacloud.esa benchmark: ${HOSTS} local hosts, forks ${FORKS}, ${REPEAT} run(s) per no-op row, ${ISSUE_REPEAT} issue run(s) =="
    setup

    say "[issue] esa_client_certificate on fresh files (the files are removed before each run)"
    for ((round = 1; round <= ISSUE_REPEAT; round++)); do
        wipe_esa_files
        run_row issue "esa_client_certificate, issue (fresh files)" yes "${ROOT}/examples/bench/esa.yml"
    done

    say "[setup] community.crypto fleet: local CA, then per host an RSA 2048 key, a CSR and a certificate (not timed)"
    helper timed --out "${BENCH}/results/crypto-setup-timing.json" --log "${BENCH}/logs/crypto-setup.log" -- \
        "${VENV}/bin/ansible-playbook" "${BENCH}/playbooks/crypto_setup.yml" -e "bench_ca_dir=${BENCH}/ca" ||
        { tail -n 20 "${BENCH}/logs/crypto-setup.log" >&2; die "the community.crypto setup failed"; }

    say "[no-op rows] interleaved, ${REPEAT} round(s)"
    for ((round = 1; round <= REPEAT; round++)); do
        run_row noop_verify "esa_client_certificate no-op, verify_remote: true" yes "${ROOT}/examples/bench/esa.yml" -e esa_verify_remote=true
        run_row noop_noverify "esa_client_certificate no-op, verify_remote: false" yes "${ROOT}/examples/bench/esa.yml" -e esa_verify_remote=false
        run_row stat "ansible.builtin.stat on the same certificate files" no "${ROOT}/examples/bench/stat.yml"
        run_row crypto "community.crypto.x509_certificate (ownca) no-op" no "${BENCH}/playbooks/crypto_noop.yml" -e "bench_ca_dir=${BENCH}/ca"
    done

    stop_emulator
    say ""
    helper bench-table "${BENCH}/results" || rc=$?
    say "benchmark finished in $(awk -v a="${start}" -v b="${EPOCHREALTIME}" 'BEGIN { printf "%.0f", b - a }') s; logs in ${BENCH#"${ROOT}"/}/logs/, table in ${BENCH#"${ROOT}"/}/results/table.md"
    return "${rc}"
}

main "$@"
