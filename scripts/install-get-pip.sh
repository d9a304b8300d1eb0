#!/usr/bin/env bash
# Save the offline get-pip stand-in (scripts/get_pip_offline.py) where each installed ansible-test
# looks for its pip bootstrap script: ~/.ansible/test/cache/get_pip_<pip version>.py.
# A real get-pip.py already cached there is left alone.
#
#   scripts/install-get-pip.sh 2.21 2.19
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STAND_IN="${ROOT}/scripts/get_pip_offline.py"
MARKER="alibabacloud.esa offline get-pip stand-in"
CACHE_DIR="${HOME}/.ansible/test/cache"

# The pip version the core's ansible-test bootstraps into its virtualenvs (e.g. 25.2 for 2.21).
pip_version_wanted_by() {
    local venv="$1"
    "${venv}/bin/python" - <<'PY'
import sys
import types

from ansible_test._internal.python_requirements import get_venv_packages

print(get_venv_packages(types.SimpleNamespace(version='%d.%d' % sys.version_info[:2]))['pip'])
PY
}

install_for_core() {
    local core="$1" venv pip_version target
    venv="$(venv_dir_for_core "${core}")"
    [[ -x "${venv}/bin/python" ]] || die "missing ${venv}; run scripts/setup-venv.sh ${core} first"
    pip_version="$(pip_version_wanted_by "${venv}")"
    target="${CACHE_DIR}/get_pip_${pip_version//./_}.py"
    mkdir -p "${CACHE_DIR}"
    if [[ -f "${target}" ]] && ! grep -q "${MARKER}" "${target}"; then
        log "ansible-core ${core}: keeping the real pip ${pip_version} bootstrap script at ${target}"
    elif ! cmp -s "${STAND_IN}" "${target}"; then
        cp "${STAND_IN}" "${target}"
        log "ansible-core ${core}: pip ${pip_version} bootstrap stand-in saved to ${target}"
    fi
}

main() {
    local -a cores=("$@")
    [[ $# -gt 0 ]] || read -ra cores <<<"${DEFAULT_CORES}"
    local core
    for core in "${cores[@]}"; do
        install_for_core "${core}"
    done
}

main "$@"
