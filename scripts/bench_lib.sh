# shellcheck shell=bash
# What scripts/bench.sh and scripts/bench_scale.sh share: the benchmark's virtualenv, a fresh benchmark directory with
# the collection installed, and one timed ansible-playbook run. Sourced after scripts/lib.sh, never run.

BENCH_VENV="${BUILD}/venv-bench"
PY="${BENCH_VENV}/bin/python"
BENCH_REQUIREMENTS="${ROOT}/tests/requirements/bench.txt"

# Test traffic goes to loopback only, never through a proxy.
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
    stamp="$(sha256_of "${BENCH_REQUIREMENTS}" "${ROOT}/tests/requirements/core-2.21.txt") ${python}"
    if [[ -x "${PY}" && -f "${BENCH_VENV}/.stamp" && "$(cat "${BENCH_VENV}/.stamp")" == "${stamp}" ]]; then
        log "up to date: ${BENCH_VENV#"${ROOT}"/}"
        return 0
    fi
    log "creating ${BENCH_VENV#"${ROOT}"/} (${python}) from ${BENCH_REQUIREMENTS#"${ROOT}"/}: this takes a few minutes once"
    rm -rf "${BENCH_VENV}"
    "${python}" -m venv "${BENCH_VENV}"
    "${PY}" -m pip install --quiet --no-input --requirement "${BENCH_REQUIREMENTS}" >"${BUILD}/venv-bench.log" 2>&1 ||
        { tail -n 30 "${BUILD}/venv-bench.log" >&2; die "pip install into ${BENCH_VENV#"${ROOT}"/} failed (log: ${BUILD#"${ROOT}"/}/venv-bench.log)"; }
    "${PY}" -m pip check
    local site_packages
    site_packages="$("${PY}" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    printf '%s\n' "import os; os.environ.setdefault('ALIBABA_CLOUD_ECS_METADATA_DISABLED', 'true')" \
        >"${site_packages}/esa_test_no_metadata_service.pth"
    printf '%s' "${stamp}" >"${BENCH_VENV}/.stamp"
}

# prepare_bench_dir DIR FORKS: DIR emptied, an ansible.cfg for it (inventory DIR/inventory.yml), the collection built and
# installed into DIR/collections; exports ANSIBLE_CONFIG and ANSIBLE_HOME.
prepare_bench_dir() {
    local dir="$1" forks="$2"
    ensure_bench_venv
    rm -rf "${dir}"
    mkdir -p "${dir}/dist" "${dir}/collections" "${dir}/logs" "${dir}/results" "${dir}/esa" "${dir}/tmp"
    export ANSIBLE_HOME="${dir}/ansible-home"
    helper ansible-cfg --out "${dir}/ansible.cfg" --collections "${dir}/collections" --inventory "${dir}/inventory.yml" \
        --tmp "${dir}/tmp" --forks "${forks}"
    export ANSIBLE_CONFIG="${dir}/ansible.cfg"
    log "building and installing the collection"
    build_and_install_collection "${BENCH_VENV}/bin/ansible-galaxy" "${dir}/dist" "${dir}/collections" "${dir}/logs/build.log" >/dev/null ||
        die "building or installing the collection failed"
}

# timed_playbook DIR NAME [ansible-playbook arguments...]: one run, its output in DIR/logs/NAME.log, its wall and CPU time
# in DIR/results/NAME-timing.json; never fails (the caller reads the exit status from the timing file).
timed_playbook() {
    local dir="$1" name="$2"
    shift 2
    helper timed --out "${dir}/results/${name}-timing.json" --log "${dir}/logs/${name}.log" -- "${BENCH_VENV}/bin/ansible-playbook" "$@" || true
}
