#!/usr/bin/env bash
# ansible-lint (production profile) on the collection copy: the playbooks in examples/, the roles in roles/ (tasks,
# handlers, defaults, meta/argument_specs.yml), meta/ and galaxy.yml (.ansible-lint leaves tests/ out); then
# antsibull-changelog lint and a CHANGELOG.rst freshness check, then ruff (lint and format) and mypy on plugins/
# (scripts/lint-python.sh), with the pinned tools in .build/venv-tools. Each tool is one passed or failed lint check.
#
#   scripts/run-lint.sh
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
    local venv="${BUILD}/venv-tools" passed=0 failed=0
    "${ROOT}/scripts/setup-venv.sh" tools
    "${ROOT}/scripts/sync-collection.sh"

    log "ansible-lint --profile production (examples/, roles/, meta/)"
    # ANSIBLE_COLLECTIONS_PATH: resolve alibabacloud.esa (module_defaults groups, FQCNs) from the copy
    if (cd "${COLLECTION_DIR}" && PATH="${venv}/bin:${PATH}" ANSIBLE_HOME="${BUILD}/ansible-lint-home" \
        ANSIBLE_COLLECTIONS_PATH="${BUILD}/collections" \
        "${venv}/bin/ansible-lint" --offline --profile production --nocolor); then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi

    log "antsibull-changelog lint"
    if (cd "${COLLECTION_DIR}" && "${venv}/bin/antsibull-changelog" lint); then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi

    # CHANGELOG.rst must be exactly what antsibull-changelog makes of changelogs/changelog.yaml (no hand edits,
    # no release forgotten): regenerate it in a scratch copy and compare.
    log "CHANGELOG.rst is what antsibull-changelog generates"
    local scratch
    scratch="$(mktemp -d "${TMPDIR:-/tmp}/esa-changelog.XXXXXX")"
    cp -R "${COLLECTION_DIR}/galaxy.yml" "${COLLECTION_DIR}/changelogs" "${scratch}/"
    if [[ -f "${COLLECTION_DIR}/CHANGELOG.rst" ]] &&
        (cd "${scratch}" && PATH="${venv}/bin:${PATH}" "${venv}/bin/antsibull-changelog" generate >/dev/null) &&
        diff -u "${COLLECTION_DIR}/CHANGELOG.rst" "${scratch}/CHANGELOG.rst"; then
        passed=$((passed + 1))
    else
        log "CHANGELOG.rst is missing or differs from 'antsibull-changelog generate' (run it, or 'antsibull-changelog release')"
        failed=$((failed + 1))
    fi
    rm -rf "${scratch}"

    # one check per tool: ruff check, ruff format, mypy; the script exits with the number that found something
    local python_failed=0
    "${ROOT}/scripts/lint-python.sh" || python_failed=$?
    python_failed=$((python_failed > 3 ? 3 : python_failed))
    passed=$((passed + 3 - python_failed))
    failed=$((failed + python_failed))

    local note="lint checks"
    if [[ ${python_failed} -gt 0 ]]; then
        note+="; $({ grep -v ': 0 ' "${BUILD}/lint/summary.txt" 2>/dev/null || true; } | paste -sd ';' | sed 's/;/; /g')"
    fi
    record_result tools lint "${passed}" "${failed}" 0 "${note}"
    log "lint: ${passed} passed, ${failed} failed"
    [[ ${failed} -eq 0 ]]
}

main "$@"
