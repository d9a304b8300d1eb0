#!/usr/bin/env bash
# The lint phase: antsibull-nox's sessions (noxfile.py, antsibull-nox.toml), then the changelog. Each is one passed or
# failed lint check:
# - formatters (ruff format --check), codeqa (ruff check), typing (mypy), antsibull-nox-config, on plugins/
#   with the settings in pyproject.toml;
# - docs-check (antsibull-docs lint-collection-docs: every plugin's and role's documentation and reference);
# - extra-checks (only plugin files in plugins/, no trailing whitespace, the esa action group = the modules with the
#   connection options);
# - ansible-lint (.ansible-lint: production profile on examples/, roles/, meta/, galaxy.yml);
# - build-import-check (ansible-galaxy collection build, then galaxy-importer on the tarball, as Galaxy imports it);
# - antsibull-changelog lint, and CHANGELOG.rst being what antsibull-changelog generates.
# nox runs from .build/venv-tools; its sessions' virtualenvs are in .build/nox, with pip constrained to
# tests/requirements/tools.txt (galaxy-importer: galaxy-importer.txt), so every tool is the pinned version.
#
#   scripts/run-lint.sh          check only (CI=true for nox: the formatters check, never rewrite)
#   scripts/run-lint.sh --fix    first ruff format and ruff check --fix on plugins/ (make lint-fix), then check
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VENV="${BUILD}/venv-tools"
SESSIONS=(formatters codeqa typing antsibull-nox-config docs-check extra-checks ansible-lint)

nox() {  # CONSTRAINTS NOX-ARGUMENT...
    local constraints="${ROOT}/tests/requirements/$1"
    shift
    (cd "${ROOT}" && PATH="${VENV}/bin:${PATH}" PIP_CONSTRAINT="${constraints}" ANSIBLE_HOME="${BUILD}/ansible-lint-home" \
        "${VENV}/bin/nox" --envdir "${BUILD}/nox" --default-venv-backend venv --reuse-venv yes "$@")
}

# "passed failed failed-names" from nox's JSON report REPORT, one check per SESSION (a missing one failed)
count_sessions() {  # REPORT SESSION...
    "${VENV}/bin/python" - "$@" <<'PY'
import json, sys
try:
    results = {item['name']: item['result'] for item in json.load(open(sys.argv[1]))['sessions']}
except (OSError, ValueError, KeyError):
    results = {}
failed = [name for name in sys.argv[2:] if results.get(name) != 'success']
print(len(sys.argv[2:]) - len(failed), len(failed), ' '.join(failed))
PY
}

# run_sessions CONSTRAINTS SESSION...: add the sessions' outcomes to passed, failed and failed_names
run_sessions() {
    local constraints="$1" report="${BUILD}/lint/nox-report-${2}.json" ok bad names
    shift
    log "nox -s $*"
    rm -f "${report}"
    CI=true nox "${constraints}" --report "${report}" -s "$@" || true
    read -r ok bad names < <(count_sessions "${report}" "$@")
    passed=$((passed + ok))
    failed=$((failed + bad))
    failed_names+="${names:+ ${names}}"
}

main() {
    local passed=0 failed=0 failed_names=""
    case "${1:-}" in
        "" | --fix) ;;
        *) die "unknown argument '$1' (the only one is --fix)" ;;
    esac
    "${ROOT}/scripts/setup-venv.sh" tools
    mkdir -p "${BUILD}/lint"
    if [[ "${1:-}" == --fix ]]; then
        log "nox -s formatters (ruff format), then ruff check --fix, on plugins/"
        CI='' nox tools.txt -s formatters || true
        (cd "${ROOT}" && "${VENV}/bin/ruff" check --fix --output-format concise plugins) || true
    fi

    run_sessions tools.txt "${SESSIONS[@]}"
    run_sessions galaxy-importer.txt build-import-check

    log "antsibull-changelog lint"
    if (cd "${ROOT}" && "${VENV}/bin/antsibull-changelog" lint); then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failed_names+=" changelog-lint"
    fi

    # CHANGELOG.rst must be exactly what antsibull-changelog makes of changelogs/changelog.yaml (no hand edits,
    # no release forgotten): regenerate it in a scratch copy and compare.
    log "CHANGELOG.rst is what antsibull-changelog generates"
    local scratch
    scratch="$(mktemp -d "${TMPDIR:-/tmp}/esa-changelog.XXXXXX")"
    cp -R "${ROOT}/galaxy.yml" "${ROOT}/changelogs" "${scratch}/"
    if [[ -f "${ROOT}/CHANGELOG.rst" ]] &&
        (cd "${scratch}" && PATH="${VENV}/bin:${PATH}" "${VENV}/bin/antsibull-changelog" generate >/dev/null) &&
        diff -u "${ROOT}/CHANGELOG.rst" "${scratch}/CHANGELOG.rst"; then
        passed=$((passed + 1))
    else
        log "CHANGELOG.rst is missing or differs from 'antsibull-changelog generate' (run it, or 'antsibull-changelog release')"
        failed=$((failed + 1))
        failed_names+=" changelog-generated"
    fi
    rm -rf "${scratch}"

    record_result tools lint "${passed}" "${failed}" 0 "lint checks${failed_names:+; failed:${failed_names}}"
    log "lint: ${passed} passed, ${failed} failed${failed_names:+ (${failed_names# })}"
    [[ ${failed} -eq 0 ]]
}

main "$@"
