#!/usr/bin/env bash
# The package phase (make package): the collection the way users consume it, from its tarball.
#
#   scripts/run-package.sh
#
# a. builds the tarball with `ansible-galaxy collection build` into .build/package/dist and refuses it if it
#    holds tests' state, caches, virtualenvs or VCS files (build_and_install_collection in lib.sh);
# b. installs it into an empty collections path (.build/package/collections) and, with only that path
#    configured and the working directory outside the checkout, renders `ansible-doc` for every module and
#    checks that `ansible-doc -l alibabacloud.esa` lists them all;
# c. runs the installed examples/issue.yml on 2 local hosts against the local ESA emulator: both hosts get a
#    certificate and a 0600 key, and a second run reports changed=0;
# d. `antsibull-docs lint-collection-docs --plugin-docs` on the installed collection;
# e. `ansible-builder create` on the installed examples/execution-environment/ definition, and on a copy of it
#    that installs the tarball (.build/package/ee); the context's galaxy requirements are installed as its
#    Containerfile would, and its introspect.py, run on the clean install, must name every package of
#    requirements.txt and bindep.txt.
# Each check is one passed or failed item of the `tools package` result. Logs in .build/package/logs/.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PKG="${BUILD}/package"
COLLECTIONS="${PKG}/collections"
INSTALLED="${COLLECTIONS}/ansible_collections/alibabacloud/esa"
VENV="$(venv_dir_for_core 2.21)"  # ansible-core 2.21 with the ESA SDK, as for the demo
PY="${VENV}/bin/python"
TOOLS="${BUILD}/venv-tools"       # antsibull-docs, ansible-builder
MODULES=(esa_client_certificate esa_client_certificate_info esa_client_certificate_hostnames esa_client_ca_certificate)
EXAMPLE_HOSTS=2
ISSUE_TASK="Issue or keep this host's client certificate"
WORK=""      # working directory outside the checkout, so that nothing can find the collection from there
TARBALL=""
PASSED=0
FAILED=0

# The SDK would send even loopback calls through a proxy.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1,localhost,::1 NO_PROXY=127.0.0.1,localhost,::1

pass() {
    PASSED=$((PASSED + 1))
    printf '  PASS  %s\n' "$*"
}

fail() {
    FAILED=$((FAILED + 1))
    printf '  FAIL  %s\n' "$*"
}

cleanup() {
    stop_emulator
    [[ -z "${WORK}" ]] || rm -rf "${WORK}"
}

# Run a command from outside the checkout, seeing only the clean collections path.
in_clean_env() {
    (cd "${WORK}" && env ANSIBLE_CONFIG="${PKG}/ansible.cfg" ANSIBLE_HOME="${PKG}/ansible-home" \
        ANSIBLE_COLLECTIONS_PATH="${COLLECTIONS}" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false ANSIBLE_NOCOLOR=1 \
        PATH="${VENV}/bin:${PATH}" "$@")
}

helper() {
    "${PY}" "${ROOT}/scripts/demo_fleet.py" "$@"
}

check_build() {
    log "a. build the tarball and install it into an empty collections path"
    rm -rf "${COLLECTIONS}"
    if TARBALL="$(ANSIBLE_CONFIG="${PKG}/ansible.cfg" ANSIBLE_HOME="${PKG}/ansible-home" \
        build_and_install_collection "${VENV}/bin/ansible-galaxy" "${PKG}/dist" "${COLLECTIONS}" "${PKG}/logs/build.log")" &&
        [[ -f "${INSTALLED}/MANIFEST.json" ]]; then
        pass "built ${TARBALL##*/} ($(tar -tzf "${TARBALL}" | grep -vc '/$') files; nothing from .build, caches, virtualenvs or VCS)" \
            "and installed it into ${COLLECTIONS#"${ROOT}"/}"
    else
        TARBALL=""
        fail "build and install the collection tarball (log: ${PKG#"${ROOT}"/}/logs/build.log)"
    fi
}

check_docs() {
    log "b. ansible-doc from the installed collection only"
    local module out rc listing missing=()
    if [[ -z "${TARBALL}" ]]; then
        for module in "${MODULES[@]}"; do
            fail "ansible-doc alibabacloud.esa.${module}: not run (no installed collection)"
        done
        fail "ansible-doc -l alibabacloud.esa: not run"
        return 0
    fi
    for module in "${MODULES[@]}"; do
        rc=0
        out="$(in_clean_env ansible-doc -t module "alibabacloud.esa.${module}" 2>"${PKG}/logs/ansible-doc-${module}.err")" || rc=$?
        printf '%s\n' "${out}" >"${PKG}/logs/ansible-doc-${module}.txt"
        # ansible-doc exits 0 for a module it cannot find: the header must name the module and the installed file
        if [[ ${rc} -eq 0 && "$(head -n 1 <<<"${out}")" == "> MODULE alibabacloud.esa.${module} (${INSTALLED}/plugins/modules/${module}.py)" ]] &&
            grep -q '^OPTIONS' <<<"${out}" && grep -q '^RETURN VALUES' <<<"${out}"; then
            pass "ansible-doc alibabacloud.esa.${module}: $(wc -l <<<"${out}") lines, options and return values, from the installed tarball"
        else
            fail "ansible-doc alibabacloud.esa.${module} (exit ${rc}): $(head -n 1 <<<"${out}") $(head -n 2 "${PKG}/logs/ansible-doc-${module}.err")"
        fi
    done
    rc=0
    listing="$(in_clean_env ansible-doc -t module -l alibabacloud.esa 2>"${PKG}/logs/ansible-doc-list.err")" || rc=$?
    printf '%s\n' "${listing}" >"${PKG}/logs/ansible-doc-list.txt"
    for module in "${MODULES[@]}"; do
        grep -q "^alibabacloud\.esa\.${module} " <<<"${listing}" || missing+=("${module}")
    done
    if [[ ${rc} -eq 0 && ${#missing[@]} -eq 0 ]]; then
        pass "ansible-doc -l alibabacloud.esa lists all ${#MODULES[@]} modules"
    else
        fail "ansible-doc -l alibabacloud.esa (exit ${rc}) misses: ${missing[*]:-?}"
    fi
}

# run_example NAME: the installed examples/issue.yml; prints "HOST CHANGED FAILED ISSUE-TASK-STATUS" per host
run_example() {
    local name="$1"
    in_clean_env ansible-playbook "${INSTALLED}/examples/issue.yml" >"${PKG}/logs/${name}.log" 2>&1 || true
    helper recap "${PKG}/logs/${name}.log" --out "${PKG}/results/${name}.json"
    PYTHONPATH="${ROOT}/scripts" "${PY}" - "${PKG}/results/${name}.json" "${PKG}/results/hosts.json" "${ISSUE_TASK}" <<'EOF'
import json, sys
from demo_fleet import task_statuses
parsed, hosts, task = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))["hosts"], sys.argv[3]
statuses = task_statuses(parsed, task)
for host in hosts:
    recap = parsed["recap"].get(host, {})
    print(host, recap.get("changed", -1), recap.get("failed", 1) + recap.get("unreachable", 1), statuses.get(host, "missing"))
EOF
}

file_state() {
    if [[ -s "$1" ]]; then
        printf '%s mode %s' "${1##*/}" "$(stat -c %a "$1")"
    else
        printf '%s missing or empty' "${1##*/}"
    fi
}

check_example() {
    log "c. the installed examples/issue.yml on ${EXAMPLE_HOSTS} local hosts against the ESA emulator"
    local first second host changed failed status
    mkdir -p "${PKG}/esa"
    if [[ -z "${TARBALL}" ]] || ! start_emulator "${PY}" "${PKG}/esa/state.json" "${PKG}/esa/ready.json" "${PKG}/logs/emulator.log" ||
        [[ -z "${EMULATOR_URL}" ]]; then
        fail "issue.yml run 1: not run (no installed collection or no emulator)"
        fail "certificate and key files: not run"
        fail "issue.yml run 2: not run"
        return 0
    fi
    helper inventory --count "${EXAMPLE_HOSTS}" --hosts-dir "${PKG}/hosts" --python "${PY}" --endpoint "${EMULATOR_URL}" \
        --out "${PKG}/inventory.yml" --meta "${PKG}/results/hosts.json"

    first="$(run_example issue-1)"
    local issued=0
    while read -r host changed failed status; do
        [[ ${changed} -gt 0 && ${failed} -eq 0 && ${status} == changed ]] && issued=$((issued + 1))
    done <<<"${first}"
    if [[ ${issued} -eq ${EXAMPLE_HOSTS} ]]; then
        pass "issue.yml run 1 (emulator ${EMULATOR_URL}): a certificate issued on ${issued}/${EXAMPLE_HOSTS} hosts"
    else
        fail "issue.yml run 1: issued on ${issued}/${EXAMPLE_HOSTS} hosts ($(tr '\n' ';' <<<"${first}") log: ${PKG#"${ROOT}"/}/logs/issue-1.log)"
    fi

    local good=0 problems=()
    while read -r host _; do
        local crt="${PKG}/hosts/${host}/client.crt" key="${PKG}/hosts/${host}/client.key"
        if [[ -s "${crt}" && -s "${key}" && "$(stat -c %a "${key}")" == 600 ]] && grep -q 'BEGIN CERTIFICATE' "${crt}"; then
            good=$((good + 1))
        else
            problems+=("${host}: $(file_state "${crt}"), $(file_state "${key}")")
        fi
    done <<<"${first}"
    if [[ ${good} -eq ${EXAMPLE_HOSTS} ]]; then
        pass "certificate and key files on ${good}/${EXAMPLE_HOSTS} hosts, keys mode 0600"
    else
        fail "certificate and key files: ${problems[*]:-no hosts}"
    fi

    second="$(run_example issue-2)"
    local unchanged=0
    while read -r host changed failed status; do
        [[ ${changed} -eq 0 && ${failed} -eq 0 ]] && unchanged=$((unchanged + 1))
    done <<<"${second}"
    if [[ ${unchanged} -eq ${EXAMPLE_HOSTS} ]]; then
        pass "issue.yml run 2: changed=0 on ${unchanged}/${EXAMPLE_HOSTS} hosts"
    else
        fail "issue.yml run 2: changed=0 on ${unchanged}/${EXAMPLE_HOSTS} hosts ($(tr '\n' ';' <<<"${second}") log: ${PKG#"${ROOT}"/}/logs/issue-2.log)"
    fi
}

check_docs_lint() {
    log "d. antsibull-docs lint-collection-docs --plugin-docs"
    if [[ -z "${TARBALL}" ]]; then
        fail "antsibull-docs lint-collection-docs --plugin-docs: not run (no installed collection)"
    elif in_clean_env env PATH="${TOOLS}/bin:${PATH}" "${TOOLS}/bin/antsibull-docs" lint-collection-docs \
        --plugin-docs --validate-collection-refs dependent --disallow-unknown-collection-refs "${INSTALLED}" \
        >"${PKG}/logs/antsibull-docs.log" 2>&1; then
        pass "antsibull-docs lint-collection-docs --plugin-docs: no findings"
    else
        fail "antsibull-docs lint-collection-docs --plugin-docs:"
        head -n 20 "${PKG}/logs/antsibull-docs.log" | sed 's/^/        /' || true
    fi
}

# builder_create DEFINITION CONTEXT: ansible-builder create, output to logs/<context name>.log
builder_create() {
    rm -rf "$2"
    in_clean_env "${TOOLS}/bin/ansible-builder" create -f "$1" -c "$2" --output-filename Containerfile \
        >"${PKG}/logs/${2##*/}.log" 2>&1
}

# requirements_names FILE: the collection names or tarball paths of a galaxy requirements file, one a line
requirements_names() {
    "${TOOLS}/bin/python" -c '
import sys, yaml
data = yaml.safe_load(open(sys.argv[1])) or {}
for item in data.get("collections") or []:
    print(item["name"] if isinstance(item, dict) else item)' "$1"
}

check_execution_environment() {
    log "e. ansible-builder: the execution environment definition, its build context and introspection"
    if [[ -z "${TARBALL}" ]]; then
        fail "ansible-builder create (examples/execution-environment): not run"
        fail "ansible-builder create (tarball): not run"
        fail "introspection: not run"
        return 0
    fi

    local example="${INSTALLED}/examples/execution-environment/execution-environment.yml" names
    if builder_create "${example}" "${PKG}/ee-example" && [[ -s "${PKG}/ee-example/Containerfile" ]] &&
        names="$(requirements_names "${PKG}/ee-example/_build/requirements.yml")" && grep -qx 'alibabacloud.esa' <<<"${names}"; then
        pass "ansible-builder create on the installed examples/execution-environment/: Containerfile, _build/requirements.yml names alibabacloud.esa"
    else
        fail "ansible-builder create on examples/execution-environment/ (log: ${PKG#"${ROOT}"/}/logs/ee-example.log)"
    fi

    # the same definition, with the built tarball as its one galaxy requirement
    mkdir -p "${PKG}/ee-definition"
    "${TOOLS}/bin/python" - "${example}" "${TARBALL}" "${PKG}/ee-definition/execution-environment.yml" <<'EOF'
import os, sys, yaml
source, tarball, out = sys.argv[1:]
definition = yaml.safe_load(open(source))
definition["dependencies"]["galaxy"] = {"collections": [{"name": f"collections/{os.path.basename(tarball)}", "type": "file"}]}
definition["additional_build_files"] = [{"src": tarball, "dest": "collections"}]
with open(out, "w") as handle:
    handle.write("---\n# Generated by scripts/run-package.sh from examples/execution-environment/: installs the built tarball.\n")
    yaml.safe_dump(definition, handle, sort_keys=False)
EOF
    local context="${PKG}/ee" galaxy_ok=false
    if builder_create "${PKG}/ee-definition/execution-environment.yml" "${context}" && [[ -s "${context}/Containerfile" ]] &&
        grep -q 'ansible-galaxy collection install .*-r requirements.yml' "${context}/Containerfile" &&
        cmp -s "${TARBALL}" "${context}/_build/collections/${TARBALL##*/}" &&
        names="$(requirements_names "${context}/_build/requirements.yml")" && grep -qx "collections/${TARBALL##*/}" <<<"${names}"; then
        # what the Containerfile's galaxy stage runs, in _build/ (offline: the requirement is the tarball)
        rm -rf "${PKG}/ee-galaxy"
        if (cd "${context}/_build" && ANSIBLE_CONFIG="${PKG}/ansible.cfg" ANSIBLE_HOME="${PKG}/ansible-home" \
            ANSIBLE_COLLECTIONS_PATH="${PKG}/ee-galaxy" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
            "${TOOLS}/bin/ansible-galaxy" collection install -r requirements.yml --collections-path "${PKG}/ee-galaxy") >"${PKG}/logs/ee-galaxy.log" 2>&1 &&
            [[ -f "${PKG}/ee-galaxy/ansible_collections/alibabacloud/esa/meta/execution-environment.yml" ]]; then
            galaxy_ok=true
        fi
    fi
    if ${galaxy_ok}; then
        pass "ansible-builder create with the tarball: ${context#"${ROOT}"/}/Containerfile; _build/requirements.yml names ${TARBALL##*/}," \
            "which the context holds and its galaxy step installs"
    else
        fail "ansible-builder create with the tarball (logs: ${PKG#"${ROOT}"/}/logs/ee.log, ee-galaxy.log)"
    fi

    # what the image build's builder stage runs: the context's own introspect.py, here on the clean install
    local introspection="${PKG}/results/introspect.yml"
    if [[ -f "${context}/_build/scripts/introspect.py" ]] &&
        "${TOOLS}/bin/python" "${context}/_build/scripts/introspect.py" introspect "${COLLECTIONS}" >"${introspection}" 2>"${PKG}/logs/introspect.err" &&
        "${TOOLS}/bin/python" - "${introspection}" "${ROOT}/requirements.txt" "${ROOT}/bindep.txt" <<'EOF'
import sys, yaml
found_path, requirements_path, bindep_path = sys.argv[1:]
found = yaml.safe_load(open(found_path)) or {}

def entries(path):
    return [line.split("#", 1)[0].strip() for line in open(path) if line.split("#", 1)[0].strip()]

missing = []
for kind, path in (("python", requirements_path), ("system", bindep_path)):
    lines = found.get(kind) or []
    print(f"      {kind}: " + (", ".join(line.split("  # ")[0] for line in lines) or "nothing"))
    missing += [entry for entry in entries(path) if f"{entry}  # from collection alibabacloud.esa" not in lines]
if missing:
    print("      missing: " + ", ".join(missing))
sys.exit(1 if missing else 0)
EOF
    then
        pass "introspect.py of the build context names every package of requirements.txt and bindep.txt (above)"
    else
        fail "introspect.py of the build context on ${COLLECTIONS#"${ROOT}"/} (output: ${introspection#"${ROOT}"/})"
    fi
}

main() {
    "${ROOT}/scripts/setup-venv.sh" 2.21 tools
    rm -rf "${PKG}"
    mkdir -p "${PKG}/logs" "${PKG}/results" "${PKG}/hosts" "${PKG}/tmp"
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/esa-package.XXXXXX")"
    trap cleanup EXIT
    helper ansible-cfg --out "${PKG}/ansible.cfg" --collections "${COLLECTIONS}" --inventory "${PKG}/inventory.yml" \
        --tmp "${PKG}/tmp" --forks "${EXAMPLE_HOSTS}"

    check_build
    check_docs
    check_example
    check_docs_lint
    check_execution_environment
    cleanup

    record_result tools package "${PASSED}" "${FAILED}" 0 "package checks"
    log "package: ${PASSED} passed, ${FAILED} failed"
    [[ ${FAILED} -eq 0 ]]
}

main "$@"
