#!/usr/bin/env bash
# ansible-test units for one ansible-core line, on the collection copy, with the pinned virtualenv
# (pytest, pytest-xdist, pytest-mock, the ESA SDK); no downloads at test time.
#
#   scripts/run-units.sh 2.21
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
    local core="$1" python_version junit_dir rc=0
    python_version="$(python_version_for_core "${core}")"
    "${ROOT}/scripts/setup-venv.sh" "${core}"
    "${ROOT}/scripts/sync-collection.sh"

    junit_dir="${COLLECTION_DIR}/tests/output/junit"
    rm -rf "${junit_dir}"

    log "ansible-core ${core}: ansible-test units --python ${python_version}"
    ansible_test "${core}" units --local --python "${python_version}" "$(color_option)" || rc=$?

    local passed=0 failed=0 skipped=0
    if compgen -G "${junit_dir}/*units*.xml" >/dev/null; then
        read -r passed failed skipped < <("$(venv_dir_for_core "${core}")/bin/python" "${ROOT}/scripts/junit_counts.py" "${junit_dir}"/*units*.xml)
    fi
    if [[ ${rc} -ne 0 && ${failed} -eq 0 ]]; then
        failed=1  # ansible-test or pytest failed without a failing test in its report
    fi
    if [[ $((passed + failed)) -eq 0 ]]; then
        log "ansible-core ${core}: no unit test ran"
        failed=1
        rc=1
    fi
    record_result "${core}" units "${passed}" "${failed}" "${skipped}" "unit tests"
    log "ansible-core ${core}: units: ${passed} passed, ${failed} failed, ${skipped} skipped"
    return "${rc}"
}

main "$@"
