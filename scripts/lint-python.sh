#!/usr/bin/env bash
# ruff (lint and format) and mypy on plugins/, with the pinned tools in .build/venv-tools and the settings in
# pyproject.toml. Prints one line per tool (also kept in .build/lint/summary.txt); the exit status is the number
# of tools that found something (0-3).
#
#   scripts/lint-python.sh          check only: what the lint phase runs
#   scripts/lint-python.sh --fix    first `ruff format plugins` and `ruff check --fix plugins` (make lint-fix)
#
# Full outputs in .build/lint/ (ruff-check.txt, ruff-format.diff, mypy.txt).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VENV="${BUILD}/venv-tools"
OUT="${BUILD}/lint"
# mypy names modules from the directories above plugins/: it checks them as ansible_collections.alibabacloud.esa.plugins.*
MYPY_ROOT="${BUILD}/mypy"
export RUFF_CACHE_DIR="${BUILD}/ruff-cache"

ruff() {
    (cd "${ROOT}" && "${VENV}/bin/ruff" "$@")
}

# one line per tool, on stderr and in the summary file that run-lint.sh quotes
report() {
    log "$*"
    printf '%s\n' "$*" >>"${OUT}/summary.txt"
}

# "CODE count, ..." for the findings in ruff's concise output, most frequent first
rule_counts() {
    sed -nE 's/^[^:]+:[0-9]+:[0-9]+: ([A-Za-z0-9-]+).*/\1/p' "$1" | sort | uniq -c | sort -k1,1nr -k2 |
        awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1}'
}

check_ruff_lint() {
    local findings rc=0
    ruff check --output-format concise plugins >"${OUT}/ruff-check.txt" 2>&1 || rc=$?
    cat "${OUT}/ruff-check.txt"
    findings="$(grep -cE '^[^:]+:[0-9]+:[0-9]+: ' "${OUT}/ruff-check.txt" || true)"
    case "${rc}" in
        0) report "ruff check: 0 findings" ;;
        1) report "ruff check: ${findings} findings ($(rule_counts "${OUT}/ruff-check.txt"))" ;;
        *) report "ruff check: could not run (exit ${rc}, above)" ;;
    esac
    return "$((rc == 0 ? 0 : 1))"
}

check_ruff_format() {
    local files added removed rc=0
    ruff format --diff plugins >"${OUT}/ruff-format.diff" 2>"${OUT}/ruff-format.err" || rc=$?
    files="$(grep -c '^+++ ' "${OUT}/ruff-format.diff" || true)"
    added="$(($(grep -c '^+' "${OUT}/ruff-format.diff" || true) - files))"
    removed="$(($(grep -c '^-' "${OUT}/ruff-format.diff" || true) - files))"
    sed -n 's/^+++ /would reformat: /p' "${OUT}/ruff-format.diff"
    case "${rc}" in
        0) report "ruff format: 0 files to reformat" ;;
        1) report "ruff format: ${files} files to reformat, +${added} -${removed} lines (diff: ${OUT#"${ROOT}"/}/ruff-format.diff)" ;;
        *) cat "${OUT}/ruff-format.err" >&2; report "ruff format: could not run (exit ${rc}, above)" ;;
    esac
    return "$((rc == 0 ? 0 : 1))"
}

check_mypy() {
    local found rc=0
    mkdir -p "${MYPY_ROOT}/ansible_collections/alibabacloud/esa"
    ln -sfn "${ROOT}/plugins" "${MYPY_ROOT}/ansible_collections/alibabacloud/esa/plugins"
    # paths printed as in the checkout: plugins/...
    (cd "${MYPY_ROOT}" && "${VENV}/bin/mypy" --config-file "${ROOT}/pyproject.toml" ansible_collections/alibabacloud/esa/plugins) 2>&1 |
        sed 's|^ansible_collections/alibabacloud/esa/||' >"${OUT}/mypy.txt" || rc=$?
    cat "${OUT}/mypy.txt"
    case "${rc}" in
        0) report "mypy: 0 errors" ;;
        1)
            found="$(sed -nE 's/^Found ([0-9]+ errors? in [0-9]+ files?).*/\1/p' "${OUT}/mypy.txt")"
            report "mypy: ${found:-errors (above)}"
            ;;
        *) report "mypy: could not run (exit ${rc}, above)" ;;
    esac
    return "$((rc == 0 ? 0 : 1))"
}

main() {
    local failed=0
    case "${1:-}" in
        "") ;;
        --fix) ;;
        *) die "unknown argument '$1' (the only one is --fix)" ;;
    esac
    "${ROOT}/scripts/setup-venv.sh" tools
    mkdir -p "${OUT}"
    : >"${OUT}/summary.txt"
    if [[ "${1:-}" == --fix ]]; then
        log "ruff format plugins; ruff check --fix plugins"
        ruff format plugins
        ruff check --fix --output-format concise plugins || true
    fi
    check_ruff_lint || failed=$((failed + 1))
    check_ruff_format || failed=$((failed + 1))
    check_mypy || failed=$((failed + 1))
    return "${failed}"
}

main "$@"
