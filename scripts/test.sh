#!/usr/bin/env bash
# Run test phases for each ansible-core line and print one summary; exit non-zero on any failure.
#
#   scripts/test.sh [PHASE...]       PHASE: sanity, units, integration, lint, package (default: all five)
#   CORE="2.21 2.19" scripts/test.sh  the ansible-core lines to test (default: 2.21 2.19 2.16)
#
# sanity, units and integration run once per ansible-core line (integration: the line's targets from
# integration_targets_for_core in lib.sh, all of them but on 2.16); lint and package (the collection built,
# installed and used from its tarball) run once, with the pinned tools. Every phase runs even when an
# earlier one failed, so the summary is complete. The last line is "N passed, M failed", summed over
# sanity tests, unit tests, integration targets, lint checks and package checks.
#
# Two lanes run side by side on a machine with 2 or more CPUs (ESA_TEST_LANES=1: one after the other): lane A takes the
# first line, then lint and package; lane B the other lines. An ansible-core line's ansible-test keeps one CPU busy
# (esa_client_certificate on 2.19: 98 % of one CPU, 247 s), so the second CPU was idle for most of the run. Each lane
# has its own collection copy (ESA_COLLECTIONS_ROOT), emulator, virtualenvs and results; its output lines start with
# "A|" or "B|", and its whole log is in .build/results/lane-A.log or lane-B.log.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SUMMARY="${RESULTS_DIR}/summary.tsv"
TIMINGS="${RESULTS_DIR}/timings.tsv"

# Run one phase script; record a failure if it stopped before recording its own result.
run_phase() {
    local core="$1" phase="$2" started rc=0
    shift 2
    started="$(date +%s)"
    "$@" || rc=$?
    printf '%s\t%s\t%s\n' "${core}" "${phase}" "$(($(date +%s) - started))" >>"${TIMINGS}"
    if ! grep -q "^${core}"$'\t'"${phase}"$'\t' "${SUMMARY}"; then
        record_result "${core}" "${phase}" 0 1 0 "did not complete (exit ${rc})"
    fi
    return 0
}

# run_lane NAME CORE... [-- TOOL_PHASE...]: the per-line phases (CORE_PHASES) of each CORE in turn, then the tool
# phases (lint, package), each through run_phase. Writes the lane's wall time to TIMINGS as "lane NAME SECONDS".
run_lane() {
    local name="$1" started core phase
    shift
    local -a lane_cores=() tool_phases=() targets
    while [[ $# -gt 0 && "$1" != -- ]]; do
        lane_cores+=("$1")
        shift
    done
    [[ $# -eq 0 ]] || { shift; tool_phases=("$@"); }
    started="$(date +%s)"
    for core in "${lane_cores[@]}"; do
        for phase in "${CORE_PHASES[@]}"; do
            targets=()
            [[ "${phase}" != integration ]] || read -ra targets <<<"$(integration_targets_for_core "${core}")"
            log "ansible-core ${core}: ${phase}${targets[*]:+ (${targets[*]})}"
            run_phase "${core}" "${phase}" "${ROOT}/scripts/run-${phase}.sh" "${core}" "${targets[@]}"
        done
    done
    for phase in "${tool_phases[@]}"; do
        log "tools: ${phase}"
        run_phase tools "${phase}" "${ROOT}/scripts/run-${phase}.sh"
    done
    printf 'lane\t%s\t%s\n' "${name}" "$(($(date +%s) - started))" >>"${TIMINGS}"
}

# Run a lane in the background with its own collection copy, its output prefixed with its name and kept in its log.
start_lane() {
    local name="$1" collections_root="$2"
    shift 2
    (
        export ESA_COLLECTIONS_ROOT="${collections_root}"
        run_lane "${name}" "$@" 2>&1 | tee "${RESULTS_DIR}/lane-${name}.log" | sed -u "s/^/${name}| /"
    ) &
}

print_summary() {
    local python="$1" total_seconds="$2"
    "${python}" - "${SUMMARY}" "${TIMINGS}" "${total_seconds}" <<'PY'
import collections
import sys

summary_path, timings_path, total_seconds = sys.argv[1:]
timings = {}
lanes = {}
with open(timings_path, encoding='utf-8') as handle:
    for line in handle:
        core, phase, seconds = line.rstrip('\n').split('\t')
        if core == 'lane':  # "lane NAME SECONDS", written by run_lane
            lanes[phase] = int(seconds)
        else:
            timings[(core, phase)] = int(seconds)

# The time each phase may take on the 2-core CI machine, in seconds, and the whole run's (45 minutes): measured in a
# fresh-clone run with both lanes side by side (CONTRIBUTING.md, "CI time"; a phase takes longer than alone, since the
# other lane shares the CPUs), with room for noise. Printed beside each phase; a phase over its budget is marked, not
# failed (a shared machine is noisy), so that a slower suite shows at once in the summary.
BUDGET = {
    ('2.21', 'sanity'): 115, ('2.21', 'units'): 120, ('2.21', 'integration'): 1300,
    ('2.19', 'sanity'): 115, ('2.19', 'units'): 120, ('2.19', 'integration'): 1200,
    ('2.16', 'sanity'): 105, ('2.16', 'units'): 85, ('2.16', 'integration'): 270,
    ('tools', 'lint'): 140, ('tools', 'package'): 470,
}  # lane A (2.21, lint, package) 2145 s, lane B (2.19, 2.16) 1995 s: within the whole run's budget
TOTAL_BUDGET = 45 * 60

PHASE_ORDER = ['sanity', 'units', 'integration', 'lint', 'package']
rows = []
totals = collections.Counter()
with open(summary_path, encoding='utf-8') as handle:
    for line in handle:
        core, phase, passed, failed, skipped, note = line.rstrip('\n').split('\t')
        passed, failed, skipped = int(passed), int(failed), int(skipped)
        totals.update(passed=passed, failed=failed, skipped=skipped)
        label = f'ansible-core {core}' if core != 'tools' else 'tools'
        order = (core == 'tools', tuple(-int(part) for part in core.split('.')) if core != 'tools' else (), PHASE_ORDER.index(phase))
        rows.append((order, label, phase, passed, failed, skipped, note, timings.get((core, phase), 0), BUDGET.get((core, phase))))
rows.sort()  # lanes finish phases in any order: newest line first, tools last

print()
print('=' * 78)
print('alibabacloud.esa test summary')
print('=' * 78)
over = []
for _order, label, phase, passed, failed, skipped, note, seconds, budget in rows:
    status = 'FAILED' if failed else 'ok'
    if budget is not None and seconds > budget:
        over.append(f'{label} {phase}')
    budget_text = f'/{budget:>4}s' if budget is not None else ' ' * 6
    print(f'{label:<18} {phase:<12} {passed:>5} passed {failed:>3} failed {skipped:>3} skipped'
          f'  {seconds:>5}s{budget_text}{" OVER" if budget is not None and seconds > budget else "     "}  {status:<6} {note}')
print('-' * 78)
for name, seconds in sorted(lanes.items()):
    print(f'lane {name}: {seconds // 60}m{seconds % 60:02d}s')
total = int(total_seconds)
print(f'total time {total // 60}m{total % 60:02d}s of a {TOTAL_BUDGET // 60}m budget{" (OVER)" if total > TOTAL_BUDGET else ""}'
      + (f'; over their budget: {", ".join(over)}' if over else ''))
print(f"{totals['passed']} passed, {totals['failed']} failed")
sys.exit(1 if totals['failed'] or not rows else 0)
PY
}

main() {
    local -a phases=("$@") cores tool_phases=()
    [[ $# -gt 0 ]] || phases=(sanity units integration lint package)
    read -ra cores <<<"${CORE:-${DEFAULT_CORES}}"

    local phase core
    CORE_PHASES=()
    for phase in "${phases[@]}"; do
        case "${phase}" in
            sanity | units | integration) CORE_PHASES+=("${phase}") ;;
            lint | package) tool_phases+=("${phase}") ;;
            *) die "unknown phase '${phase}' (choose from: sanity units integration lint package)" ;;
        esac
    done
    for core in "${cores[@]}"; do
        python_version_for_core "${core}" >/dev/null
    done

    mkdir -p "${RESULTS_DIR}"
    : >"${SUMMARY}"
    : >"${TIMINGS}"
    local summary_python  # the summary needs only the standard library
    summary_python="$(find_python "$(python_version_for_core "${cores[0]}")")"

    local started
    started="$(date +%s)"
    if [[ ${#cores[@]} -gt 1 && "${ESA_TEST_LANES:-2}" != 1 && "$(nproc)" -ge 2 ]]; then
        log "two lanes side by side: A: ansible-core ${cores[0]}${tool_phases[*]:+, ${tool_phases[*]}}; B: ansible-core ${cores[*]:1}"
        start_lane A "${BUILD}/collections" "${cores[0]}" -- "${tool_phases[@]}"
        start_lane B "${BUILD}/collections-B" "${cores[@]:1}"
        wait
    else
        run_lane A "${cores[@]}" -- "${tool_phases[@]}"
    fi

    print_summary "${summary_python}" "$(($(date +%s) - started))"
}

main "$@"
