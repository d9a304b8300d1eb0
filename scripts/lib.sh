# shellcheck shell=bash
# Shared settings and helpers for the scripts in this folder; sourced, never run.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${ROOT}/.build"
# scripts/test.sh gives its second lane a copy of its own (ESA_COLLECTIONS_ROOT): ansible-test writes into the copy.
COLLECTIONS_ROOT="${ESA_COLLECTIONS_ROOT:-${BUILD}/collections}"
COLLECTION_DIR="${COLLECTIONS_ROOT}/ansible_collections/alibabacloud/esa"
RESULTS_DIR="${BUILD}/results"
DEFAULT_CORES="2.21 2.19 2.16"

# The ESA SDK's credential chain must never ask a cloud metadata service: tests reach loopback only.
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PYTHONDONTWRITEBYTECODE=1

log() {
    printf '==> %s\n' "$*" >&2
}

die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

# The Python version that ansible-test runs with for an ansible-core release line.
python_version_for_core() {
    case "$1" in
        2.21) echo 3.13 ;;
        2.19) echo 3.11 ;;
        2.16) echo 3.12 ;;
        *) die "unsupported CORE '$1' (choose from: ${DEFAULT_CORES})" ;;
    esac
}

# The integration targets of a core line's integration phase; empty: all of them. 2.16 is the oldest line that
# meta/runtime.yml claims: it runs the main module's target and the hostile-target attacks only, which keeps .ci/run
# well inside its time.
integration_targets_for_core() {
    case "$1" in
        2.16) echo esa_client_certificate esa_hostile_target ;;
        *) echo "" ;;
    esac
}

# Absolute path of a working CPython interpreter of the given X.Y version.
find_python() {
    local version="$1" candidate
    local -a candidates=("python${version}")
    local pyenv_root="${PYENV_ROOT:-${HOME}/.pyenv}"
    if [[ -d "${pyenv_root}/versions" ]]; then
        while IFS= read -r candidate; do
            candidates+=("${candidate}")
        done < <(find "${pyenv_root}/versions" -mindepth 3 -maxdepth 3 -path "*/${version}.*/bin/python${version}" 2>/dev/null | sort -rV)
    fi
    candidates+=("/usr/local/bin/python${version}" "/usr/bin/python${version}")
    for candidate in "${candidates[@]}"; do
        if "${candidate}" -c "import sys, venv, ensurepip; assert '%d.%d' % sys.version_info[:2] == '${version}'" >/dev/null 2>&1; then
            "${candidate}" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done
    die "no usable Python ${version} (with venv and ensurepip) found on PATH, in ${pyenv_root}/versions or /usr/bin"
}

sha256_of() {
    sha256sum "$@" | awk '{print $1}' | sha256sum | awk '{print $1}'
}

venv_dir_for_core() {
    echo "${BUILD}/venv-$1"
}

target_venv_dir_for_python() {
    echo "${BUILD}/venv-target-py$1"
}

# Target stacks (a Python and the cryptography a distribution ships with it) that the integration target
# esa_target_matrix runs against, per controller line: stack S is tests/requirements/target-S.txt, installed
# into .build/venv-target-S. One line runs the matrix; ansible-core 2.20 and later refuse Python 3.8 targets,
# so the 3.8 stacks (the floor, and one release below it) run with the 2.19 controller. 2.16 runs no matrix.
target_stacks_for_core() {
    case "$1" in
        2.21) echo "py3.9-cryptography36.0.1 py3.10-cryptography3.4.8 py3.11-cryptography38.0.4 py3.12-cryptography41.0.7" ;;
        2.19) echo "py3.8-cryptography2.8 py3.8-cryptography2.7" ;;
        2.16) echo "" ;;
        *) die "unsupported CORE '$1' (choose from: ${DEFAULT_CORES})" ;;
    esac
}

# The X.Y Python version of a target stack: py3.10-cryptography3.4.8 -> 3.10.
python_version_of_target_stack() {
    local stack="${1#py}"
    echo "${stack%%-*}"
}

target_stack_venv_dir() {
    echo "${BUILD}/venv-target-$1"
}

# Append one line to the results table that scripts/test.sh summarises:
# core, phase, passed, failed, skipped, note.
record_result() {
    mkdir -p "${RESULTS_DIR}"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "${6:-}" >>"${RESULTS_DIR}/summary.tsv"
}

# Run ansible-test from the core's virtualenv inside the collection copy.
ansible_test() {
    local core="$1"
    shift
    local venv
    venv="$(venv_dir_for_core "${core}")"
    (cd "${COLLECTION_DIR}" && PATH="${venv}/bin:${PATH}" "${venv}/bin/ansible-test" "$@")
}

# What a collection tarball must never hold: tests' state, caches, virtualenvs, VCS files, other tarballs.
UNWANTED_IN_TARBALL='(^|/)(\.build|\.git|__pycache__|\.pytest_cache|\.mypy_cache|\.ruff_cache|tests/output|tests/integration/inventory|\.venv[^/]*)(/|$)|\.py[co]$|\.tar\.gz$|integration_config\.yml$'

# build_collection_tarball ANSIBLE_GALAXY TREE DIST_DIR LOG_FILE
# `ansible-galaxy collection build` of the checkout at TREE into DIST_DIR, made reproducible by
# scripts/reproducible_tarball.py (run with ANSIBLE_GALAXY's Python): the same tree gives the same bytes, whatever the
# time of the build or the files' mtimes. Prints the tarball's path; output goes to LOG_FILE (shown on failure).
build_collection_tarball() {
    local galaxy="$1" tree="$2" dist="$3" log_file="$4" tarball
    mkdir -p "${dist}" "$(dirname "${log_file}")"
    rm -f "${dist}"/alibabacloud-esa-*.tar.gz
    if ! (cd "${tree}" && "${galaxy}" collection build --force --output-path "${dist}" .) >"${log_file}" 2>&1; then
        cat "${log_file}" >&2
        log "collection build failed"
        return 1
    fi
    tarball="$(find "${dist}" -maxdepth 1 -name 'alibabacloud-esa-*.tar.gz' | head -n 1)"
    [[ -n "${tarball}" ]] || { log "no tarball in ${dist}"; return 1; }
    if ! "$(dirname "${galaxy}")/python" "${ROOT}/scripts/reproducible_tarball.py" "${tarball}" --tree "${ROOT}" >>"${log_file}" 2>&1; then
        cat "${log_file}" >&2
        log "making the tarball reproducible failed"
        return 1
    fi
    printf '%s\n' "${tarball}"
}

# build_and_install_collection ANSIBLE_GALAXY DIST_DIR COLLECTIONS_DIR LOG_FILE
# Build the checkout (build_collection_tarball) into DIST_DIR, refuse a tarball that holds
# anything matching UNWANTED_IN_TARBALL, install it into COLLECTIONS_DIR and print the tarball's path.
# Output of ansible-galaxy goes to LOG_FILE (shown on failure); returns non-zero on any failure.
# ANSIBLE_CONFIG and ANSIBLE_HOME, when set by the caller, apply to both ansible-galaxy runs.
build_and_install_collection() {
    local galaxy="$1" dist="$2" collections="$3" log_file="$4" tarball unwanted
    mkdir -p "${collections}"
    tarball="$(build_collection_tarball "${galaxy}" "${ROOT}" "${dist}" "${log_file}")" || return 1
    unwanted="$(tar -tzf "${tarball}" | grep -E "${UNWANTED_IN_TARBALL}" || true)"
    if [[ -n "${unwanted}" ]]; then
        log "the collection tarball is not clean (check build_ignore in galaxy.yml): ${unwanted//$'\n'/ }"
        return 1
    fi
    if ! "${galaxy}" collection install "${tarball}" -p "${collections}" --force >>"${log_file}" 2>&1; then
        cat "${log_file}" >&2
        log "collection install failed"
        return 1
    fi
    printf '%s\n' "${tarball}"
}

# The local ESA emulator (tests/emulator), one per script run. The caller's EXIT trap calls stop_emulator, so that the
# emulator never outlives the script, however it ends.
EMULATOR_PID=""
EMULATOR_URL=""

# start_emulator PYTHON STATE_FILE READY_FILE LOG_FILE [esa_emulator options...]
# Start it on 127.0.0.1 (a free port) and wait up to 30 s for its ready file; then EMULATOR_URL is its base URL.
# On failure prints why (with the emulator's log if it exited) and returns 1.
# shellcheck disable=SC2034  # EMULATOR_URL is for the scripts that source this file
start_emulator() {
    local python="$1" state_file="$2" ready_file="$3" log_file="$4" waited
    shift 4
    rm -f "${ready_file}"
    (cd "${ROOT}/tests/emulator" && exec "${python}" -m esa_emulator --host 127.0.0.1 --port 0 \
        --state-file "${state_file}" --ready-file "${ready_file}" "$@") >"${log_file}" 2>&1 &
    EMULATOR_PID=$!
    for ((waited = 0; waited < 300; waited++)); do
        if [[ -s "${ready_file}" ]]; then
            EMULATOR_URL="$("${python}" -c 'import json, sys; print(json.load(open(sys.argv[1]))["url"])' "${ready_file}")"
            return 0
        fi
        if ! kill -0 "${EMULATOR_PID}" 2>/dev/null; then
            cat "${log_file}" >&2
            printf 'ERROR: the ESA emulator exited before it was ready (log: %s)\n' "${log_file}" >&2
            return 1
        fi
        sleep 0.1
    done
    printf 'ERROR: the ESA emulator was not ready after 30 s (log: %s)\n' "${log_file}" >&2
    return 1
}

# Stop the emulator if it runs (SIGTERM, SIGKILL after 5 s); safe to call at any time, from a trap, more than once.
stop_emulator() {
    local pid="${EMULATOR_PID}" _
    EMULATOR_PID=""
    if [[ -n "${pid}" ]] && kill -0 "${pid}" 2>/dev/null; then
        kill -TERM "${pid}" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "${pid}" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "${pid}" 2>/dev/null || true
        wait "${pid}" 2>/dev/null || true
    fi
    return 0
}

color_option() {
    if [[ -t 1 && -z "${CI:-}" ]]; then
        echo "--color=yes"
    else
        echo "--color=no"
    fi
}
