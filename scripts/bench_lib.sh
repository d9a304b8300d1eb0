# shellcheck shell=bash
# What scripts/bench.sh and scripts/bench_scale.sh share: the benchmark's virtualenv, a fresh benchmark directory with
# the collection installed, and one timed ansible-playbook run. Sourced after scripts/lib.sh, never run.

BENCH_VENV="${BUILD}/venv-bench"
PY="${BENCH_VENV}/bin/python"

# Test traffic goes to loopback only, never through a proxy.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1,localhost,::1 NO_PROXY=127.0.0.1,localhost,::1

say() {
    printf '%s\n' "$*"
}

helper() {
    "${PY}" "${ROOT}/scripts/demo_fleet.py" "$@"
}

# .build/venv-bench from tests/requirements/bench.txt (and the core-2.21.txt it includes): scripts/setup-venv.sh bench.
ensure_bench_venv() {
    "${ROOT}/scripts/setup-venv.sh" bench
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
