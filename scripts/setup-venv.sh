#!/usr/bin/env bash
# Create or refresh the virtualenvs under .build/ from the pinned files in tests/requirements/.
#
#   scripts/setup-venv.sh 2.21 2.19   core venvs (.build/venv-<core>), target-only venvs and the core line's
#                                     target stacks (.build/venv-target-py<X.Y>-cryptography<version>)
#   scripts/setup-venv.sh tools       lint tools (.build/venv-tools)
#   scripts/setup-venv.sh docs        the docsite build: antsibull-docs, Sphinx and its theme (.build/venv-docs)
#   scripts/setup-venv.sh bench       the benchmark: core-2.21 plus the ansible package for community.crypto (.build/venv-bench)
#
# A virtualenv is rebuilt only when its pinned file, its interpreter or this script changed.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Python files in these virtualenvs see ALIBABA_CLOUD_ECS_METADATA_DISABLED=true even when
# ansible-test strips the environment of the processes it starts.
GUARD_PTH="import os; os.environ.setdefault('ALIBABA_CLOUD_ECS_METADATA_DISABLED', 'true')"

ensure_venv() {
    local venv="$1" python="$2" requirements="$3"
    local stamp included
    local -a hashed=("${requirements}")
    # A file the requirements include (-r other.txt) changes the virtualenv as much as the file itself.
    while IFS= read -r included; do
        hashed+=("$(dirname "${requirements}")/${included}")
    done < <(sed -n 's/^-r  *//p' "${requirements}")
    stamp="$(sha256_of "${hashed[@]}" "${BASH_SOURCE[0]}") ${python}"

    if [[ -x "${venv}/bin/python" && -f "${venv}/.stamp" && "$(cat "${venv}/.stamp")" == "${stamp}" ]]; then
        log "up to date: ${venv#"${ROOT}"/}"
        return 0
    fi

    log "creating ${venv#"${ROOT}"/} (${python}) from ${requirements#"${ROOT}"/}"
    rm -rf "${venv}"
    "${python}" -m venv "${venv}"
    "${venv}/bin/python" -m pip install --quiet --no-input --requirement "${requirements}"
    "${venv}/bin/python" -m pip check
    local site_packages
    site_packages="$("${venv}/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    printf '%s\n' "${GUARD_PTH}" >"${site_packages}/esa_test_no_metadata_service.pth"
    printf '%s' "${stamp}" >"${venv}/.stamp"
}

setup_core() {
    local core="$1" python_version python
    python_version="$(python_version_for_core "${core}")"
    python="$(find_python "${python_version}")"
    ensure_venv "$(venv_dir_for_core "${core}")" "${python}" "${ROOT}/tests/requirements/core-${core}.txt"
    ensure_venv "$(target_venv_dir_for_python "${python_version}")" "${python}" "${ROOT}/tests/requirements/target.txt"
    setup_target_stacks "${core}"
    "${ROOT}/scripts/install-get-pip.sh" "${core}"
}

# The target stacks that esa_target_matrix runs on this core line (scripts/lib.sh: target_stacks_for_core),
# made side by side: each is small, and most of the time goes to venv and pip start-up.
setup_target_stacks() {
    local stack pid failed=0
    local -a pids=()
    for stack in $(target_stacks_for_core "$1"); do
        ensure_venv "$(target_stack_venv_dir "${stack}")" "$(find_python "$(python_version_of_target_stack "${stack}")")" \
            "${ROOT}/tests/requirements/target-${stack}.txt" &
        pids+=("$!")
    done
    for pid in "${pids[@]}"; do
        wait "${pid}" || failed=1
    done
    [[ ${failed} -eq 0 ]] || die "a target stack's virtualenv could not be made (see above)"
}

setup_tools() {
    ensure_venv "${BUILD}/venv-tools" "$(find_python 3.13)" "${ROOT}/tests/requirements/tools.txt"
}

setup_bench() {
    ensure_venv "${BUILD}/venv-bench" "$(find_python 3.13)" "${ROOT}/tests/requirements/bench.txt"
}

setup_docs() {
    ensure_venv "${BUILD}/venv-docs" "$(find_python 3.13)" "${ROOT}/tests/requirements/docs.txt"
}

main() {
    local -a items=("$@")
    [[ $# -gt 0 ]] || read -ra items <<<"${DEFAULT_CORES}"
    mkdir -p "${BUILD}"
    local item
    for item in "${items[@]}"; do
        case "${item}" in
            tools) setup_tools ;;
            docs) setup_docs ;;
            bench) setup_bench ;;
            *) setup_core "${item}" ;;
        esac
    done
}

main "$@"
