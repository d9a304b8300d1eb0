#!/usr/bin/env bash
# Fleet sizing (make bench-fleet): scripts/bench.sh with BENCH_ROWS=fleet (esa issue, no-op, renewal and stat, once
# each) at a few fleet sizes, then scripts/bench_projection.py: a straight line through the sizes, extrapolated to
# 1,000 hosts, with the ESA calls, the floor an ESA request-rate limit sets and how AWX job slicing divides the run.
#
#   scripts/bench_fleet.sh                                200 and 500 local hosts at forks 50, 200 hosts at forks 200
#   FLEET_SIZES="50 100" FLEET_FORKS=10 FLEET_OTHER_FORKS= scripts/bench_fleet.sh     a quick look
#
# Timed, so not part of make test (about 45 minutes on 2 CPUs). Results in .build/bench-fleet/ (projection.md, and
# each run's directory with its table and logs).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FLEET_SIZES="${FLEET_SIZES:-200 500}"
FLEET_FORKS="${FLEET_FORKS:-50}"
FLEET_OTHER_FORKS="${FLEET_OTHER_FORKS:-200}"
FLEET_HOSTS="${FLEET_HOSTS:-1000}"
FLEET_QPS_LIMITS="${FLEET_QPS_LIMITS:-10 20}"
FLEET_SLICES="${FLEET_SLICES:-4}"
DIR="${BUILD}/bench-fleet"

run_size() {
    local hosts="$1" forks="$2"
    local out="${DIR}/hosts${hosts}-forks${forks}"
    log "fleet benchmark: ${hosts} hosts, forks ${forks}"
    HOSTS="${hosts}" FORKS="${forks}" BENCH_ROWS=fleet REPEAT=1 ISSUE_REPEAT=1 RENEW_REPEAT=1 SCALE=0 BENCH_DIR="${out}" \
        "${ROOT}/scripts/bench.sh"
    results+=("${out}/results")
}

main() {
    local -a results=() options=()
    local hosts forks limit smallest
    mkdir -p "${DIR}"
    for hosts in ${FLEET_SIZES}; do
        run_size "${hosts}" "${FLEET_FORKS}"
    done
    smallest="$(tr ' ' '\n' <<<"${FLEET_SIZES}" | sort -n | head -n 1)"
    for forks in ${FLEET_OTHER_FORKS}; do
        run_size "${smallest}" "${forks}"
    done
    for limit in ${FLEET_QPS_LIMITS}; do
        options+=(--qps "${limit}")
    done
    "${BUILD}/venv-bench/bin/python" "${ROOT}/scripts/bench_projection.py" "${results[@]}" --hosts "${FLEET_HOSTS}" \
        --slices "${FLEET_SLICES}" "${options[@]}" | tee "${DIR}/projection.md"
    log "projection in ${DIR#"${ROOT}"/}/projection.md"
}

main "$@"
