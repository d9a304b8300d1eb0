# shellcheck shell=bash
# Shared settings and helpers for the scripts in this folder; sourced, never run.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${ROOT}/.build"
COLLECTION_DIR="${BUILD}/collections/ansible_collections/alibabacloud/esa"
RESULTS_DIR="${BUILD}/results"
DEFAULT_CORES="2.21 2.19"

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
        *) die "unsupported CORE '$1' (choose from: ${DEFAULT_CORES})" ;;
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

color_option() {
    if [[ -t 1 && -z "${CI:-}" ]]; then
        echo "--color=yes"
    else
        echo "--color=no"
    fi
}
