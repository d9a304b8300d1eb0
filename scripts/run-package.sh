#!/usr/bin/env bash
# The package phase (make package): the collection the way users consume it, from its tarball.
#
#   scripts/run-package.sh
#
# a. builds the tarball with `ansible-galaxy collection build` into .build/package/dist and refuses it if it
#    holds tests' state, caches, virtualenvs or VCS files (build_and_install_collection in lib.sh).
#    Its MANIFEST.json must carry what Galaxy shows: repository, documentation, issues and homepage URLs, and valid tags;
# b. installs it into an empty collections path (.build/package/collections) and, with only that path
#    configured and the working directory outside the checkout, renders `ansible-doc` for every module and
#    checks that `ansible-doc -l alibabacloud.esa` lists them all;
# c. runs the installed examples/issue.yml on 2 local hosts against the local ESA emulator: both hosts get a
#    certificate and a 0600 key, and a second run reports changed=0;
# d. examples/issue.yml through `ansible-runner run` (a private data directory, no container: how AWX runs a job) on a
#    fleet like c's: the job's events parse, and its ok/changed counts per host equal ansible-playbook's in c, for the
#    issuing run and the no-op rerun (scripts/runner_check.py);
# e. `antsibull-docs lint-collection-docs --plugin-docs` on the installed collection, with what nox's docs-check (lint
#    phase, on the checkout) cannot ask for: references to collections that are not installed refused, rstcheck;
# f. `ansible-builder create` on the installed examples/execution-environment/ definition, and on a copy of it
#    that installs the tarball (.build/package/ee); the context's galaxy requirements are installed as its
#    Containerfile would, and its introspect.py, run on the clean install, must name every package of
#    requirements.txt and bindep.txt.
# g. the build is reproducible: a second build, from a fresh copy of the tree (new file times), gives the same bytes
#    (build_collection_tarball in lib.sh: ansible-galaxy's build, then scripts/reproducible_tarball.py);
# h. the docsite built from the installed collection (scripts/build-docs.sh), then opened in headless Chromium
#    (scripts/check-docs.sh): pages, options table, examples, return values, error codes; screenshots in .build/docs/screenshots/.
# i. docs as tests (scripts/docs_as_tests.py), as a new user: the tarball installed with the README's install commands
#    into a fresh HOME, the emulator started with the README's command, then every ```yaml block of README.md, every yaml code-block of the
#    guides, every example and every module's EXAMPLES task, in that order against that emulator: --check --diff, a run
#    and a rerun with changed=0 and no reload, in private mount namespaces (nothing reaches this machine's /etc or /var).
#    One item; the line per block is shown under it, outcomes in .build/package/results/docs-as-tests.json.
# Each check is one passed or failed item of the `tools package` result. Logs in .build/package/logs/.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PKG="${BUILD}/package"
COLLECTIONS="${PKG}/collections"
INSTALLED="${COLLECTIONS}/ansible_collections/alibabacloud/esa"
VENV="$(venv_dir_for_core 2.21)"  # ansible-core 2.21 with the ESA SDK, as for the demo
PY="${VENV}/bin/python"
TOOLS="${BUILD}/venv-tools"       # antsibull-docs, ansible-builder, ansible-runner
mapfile -t MODULES < <(find "${ROOT}/plugins/modules" -maxdepth 1 -name '*.py' ! -name '_*' -printf '%f\n' | sed 's/\.py$//' | sort)
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

check_galaxy_metadata() {
    if [[ -z "${TARBALL}" ]]; then
        fail "Galaxy metadata: not checked (no installed collection)"
        return 0
    fi
    local found
    if found="$("${PY}" - "${INSTALLED}/MANIFEST.json" <<'EOF'
import json, re, sys
info = json.load(open(sys.argv[1]))["collection_info"]
problems = [f"{key} is not an https URL: {info.get(key)!r}" for key in ("repository", "documentation", "issues", "homepage")
            if not str(info.get(key) or "").startswith("https://")]
tags = info.get("tags") or []
# Galaxy's rules for tags: at most 20, each lower-case letters, digits and underscores, at most 64 characters
problems += [f"tag {tag!r} is not [a-z0-9_]{{1,64}}" for tag in tags if not re.fullmatch(r"[a-z0-9_]{1,64}", tag)]
if not 1 <= len(tags) <= 20:
    problems.append(f"{len(tags)} tags (Galaxy takes 1 to 20)")
print("; ".join(problems) if problems else f"repository, documentation, issues, homepage; tags {', '.join(tags)}")
sys.exit(1 if problems else 0)
EOF
)"; then
        pass "Galaxy metadata in MANIFEST.json: ${found}"
    else
        fail "Galaxy metadata in MANIFEST.json (galaxy.yml): ${found}"
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
    log "e. antsibull-docs lint-collection-docs --plugin-docs"
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
    log "f. ansible-builder: the execution environment definition, its build context and introspection"
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

# timed FUNCTION: run one step of this phase and say how long it took (CI's time is counted per step)
timed() {
    local started="${EPOCHREALTIME}"
    "$1"
    log "${1#check_}: $(awk -v a="${started}" -v b="${EPOCHREALTIME}" 'BEGIN { printf "%.0f", b - a }') s"
}

# count_checks OUTPUT: add the PASS and FAIL lines of a check script's output to the totals, and show the other lines
count_checks() {
    local line
    while IFS= read -r line; do
        case "${line}" in
            "PASS  "*) pass "${line#PASS  }" ;;
            "FAIL  "*) fail "${line#FAIL  }" ;;
            *) [[ -z "${line}" ]] || printf '        %s\n' "${line}" ;;
        esac
    done <<<"$1"
}

# run_runner IDENT: examples/issue.yml as an ansible-runner job in the private data directory runner/
run_runner() {
    in_clean_env "${TOOLS}/bin/ansible-runner" run "${PKG}/runner" --playbook issue.yml --ident "$1" \
        >"${PKG}/logs/runner-$1.log" 2>&1 || true
}

check_runner() {
    log "d. examples/issue.yml through ansible-runner run (private data directory, no container) on ${EXAMPLE_HOSTS} more hosts"
    if [[ -z "${TARBALL}" || -z "${EMULATOR_URL}" || ! -s "${PKG}/results/issue-2.json" ]]; then
        fail "ansible-runner: not run (no installed collection, emulator or ansible-playbook runs to compare with)"
        return 0
    fi
    # the layout AWX gives a job: project/ (the playbook), inventory/, env/; c's host names, in fresh directories
    mkdir -p "${PKG}/runner/project" "${PKG}/runner/inventory" "${PKG}/runner/env"
    cp "${INSTALLED}/examples/issue.yml" "${PKG}/runner/project/issue.yml"
    helper inventory --count "${EXAMPLE_HOSTS}" --hosts-dir "${PKG}/runner-hosts" --python "${PY}" --endpoint "${EMULATOR_URL}" \
        --out "${PKG}/runner/inventory/hosts.yml" --meta "${PKG}/results/runner-hosts.json"
    printf '%s\n' '---' 'idle_timeout: 600' 'job_timeout: 900' >"${PKG}/runner/env/settings"

    local run output
    for run in 1 2; do
        run_runner "issue-${run}"
        output="$("${TOOLS}/bin/python" "${ROOT}/scripts/runner_check.py" --artifacts "${PKG}/runner/artifacts/issue-${run}" \
            --recap "${PKG}/results/issue-${run}.json" --hosts "${PKG}/results/runner-hosts.json" 2>&1)" || true
        count_checks "$(sed -E "s/^(PASS|FAIL)  /&ansible-runner run ${run}: /" <<<"${output}")"
    done
}

# A copy of the checkout's files as a fresh clone has them (what git lists, new file times), at $1.
copy_tree() {
    mkdir -p "$1"
    if git -C "${ROOT}" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "${ROOT}" ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' path; do [[ ! -e "${ROOT}/${path}" ]] || printf '%s\0' "${path}"; done |
            tar -C "${ROOT}" --null --files-from=- -cf - | tar -C "$1" -x --touch -f -
    else
        tar -C "${ROOT}" --exclude=./.build --exclude=./.git --exclude=./tests/output -cf - . | tar -C "$1" -x --touch -f -
    fi
}

check_reproducible() {
    log "g. a second build from a fresh copy of the tree gives the same bytes"
    if [[ -z "${TARBALL}" ]]; then
        fail "reproducible build: not run (no first build)"
        return 0
    fi
    local second="" differences
    copy_tree "${WORK}/tree"
    if second="$(ANSIBLE_CONFIG="${PKG}/ansible.cfg" ANSIBLE_HOME="${PKG}/ansible-home" \
        build_collection_tarball "${VENV}/bin/ansible-galaxy" "${WORK}/tree" "${PKG}/dist-again" "${PKG}/logs/build-again.log")" &&
        cmp -s "${TARBALL}" "${second}"; then
        pass "reproducible build: the checkout and a fresh copy of it (new file times, built later) give the same bytes" \
            "(sha256 $(sha256sum "${TARBALL}" | cut -c1-16)...)"
    else
        differences="$("${PY}" "${ROOT}/scripts/reproducible_tarball.py" "${TARBALL}" --compare "${second:-/nonexistent}" 2>&1)" || true
        fail "reproducible build: two builds of the same tree differ (${differences}; logs: ${PKG#"${ROOT}"/}/logs/build*.log)"
    fi
}

check_docsite() {
    log "h. the docsite from the installed collection, and a module page in headless Chromium"
    if [[ -z "${TARBALL}" ]]; then
        fail "docsite: not built (no installed collection)"
        return 0
    fi
    if "${ROOT}/scripts/build-docs.sh" "${COLLECTIONS}" >"${PKG}/logs/docs.log" 2>&1; then
        pass "docsite built offline by antsibull-docs and Sphinx -W from the installed collection:" \
            "$(find "${BUILD}/docs/html" -name '*.html' | wc -l) pages in ${BUILD#"${ROOT}"/}/docs/html"
    else
        fail "docsite build (logs: ${PKG#"${ROOT}"/}/logs/docs.log, ${BUILD#"${ROOT}"/}/docs/build.log)"
        tail -n 5 "${PKG}/logs/docs.log" | sed 's/^/        /' || true
        return 0
    fi
    local output
    output="$("${ROOT}/scripts/check-docs.sh" "${INSTALLED}" 2>&1)" || true
    grep -qE '^(PASS|FAIL)  ' <<<"${output}" || output="FAIL  docsite in Chromium: ${output//$'\n'/ }"
    count_checks "${output}"
}

check_docs_as_tests() {
    log "i. docs as tests: README, guides, examples and module EXAMPLES run from the installed tarball against the emulator"
    if [[ -z "${TARBALL}" ]]; then
        fail "docs as tests: not run (no installed collection)"
        return 0
    fi
    local output
    output="$(cd "${WORK}" && "${PY}" "${ROOT}/scripts/docs_as_tests.py" --tarball "${TARBALL}" --work "${WORK}/docs-as-tests" \
        --logs "${PKG}/logs/docs-as-tests" --report "${PKG}/results/docs-as-tests.json" --self-test 2>&1)" || true
    printf '%s\n' "${output}" >"${PKG}/logs/docs-as-tests.log"
    grep -qE '^(PASS|FAIL)  ' <<<"${output}" ||
        output+=$'\n'"FAIL  docs as tests: no result (log: ${PKG#"${ROOT}"/}/logs/docs-as-tests.log)"
    count_checks "${output}"
}

main() {
    "${ROOT}/scripts/setup-venv.sh" 2.21 tools docs
    rm -rf "${PKG}"
    mkdir -p "${PKG}/logs" "${PKG}/results" "${PKG}/hosts" "${PKG}/tmp"
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/esa-package.XXXXXX")"
    trap cleanup EXIT
    helper ansible-cfg --out "${PKG}/ansible.cfg" --collections "${COLLECTIONS}" --inventory "${PKG}/inventory.yml" \
        --tmp "${PKG}/tmp" --forks "${EXAMPLE_HOSTS}"

    local check
    for check in check_build check_galaxy_metadata check_docs check_example check_runner check_docs_lint check_execution_environment \
        check_reproducible check_docsite check_docs_as_tests; do
        timed "${check}"
    done
    cleanup

    record_result tools package "${PASSED}" "${FAILED}" 0 "package checks"
    log "package: ${PASSED} passed, ${FAILED} failed"
    [[ ${FAILED} -eq 0 ]]
}

main "$@"
