#!/usr/bin/env bash
# The scale benchmark (run by make bench after scripts/bench.sh): esa_client_certificate on a site that holds 10,000
# certificates, side by side with the same fleet on an empty site of the same emulator.
#
#   scripts/bench_scale.sh                                   20 hosts per site, forks 10, 10,000 seeded certificates
#   SCALE_HOSTS=10 SCALE_CERTIFICATES=2000 SCALE_REPEAT=1 scripts/bench_scale.sh
#
# One emulator (state in memory) with two sites: 'seeded' gets SCALE_CERTIFICATES certificates in one step through
# POST /_emulator/seed (created in the past, a minute apart), 'empty' none. Each site has its own fleet of local hosts
# (examples/bench/esa.yml, one task per host). Runs, each on both sites:
#   issue            fresh files: 1 Create per host
#   no-op            SCALE_REPEAT rounds, interleaved: 1 Get per host, and (timing, reported) as fast on the seeded site
#   recovery         every <path>.esa.json deleted: the search by fingerprint reads at most the listing's pages once per
#                    host, plus 1 Get of the one candidate; the next no-op is 1 Get again
#   info             esa_client_certificate_info once (localhost): every page once, and how long that takes
#   lost create      fresh files while every create's connection is reset after it took effect: the search for what it
#                    issued reads page 1 (the listing's order) and the newest pages only, adopts it, creates nothing twice
# The ESA-call rules are enforced (exit 1 when one fails); the timing comparison is reported only.
# Results in .build/bench-scale/results/ (scale-table.md).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/bench_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"

SCALE_HOSTS="${SCALE_HOSTS:-20}"
SCALE_FORKS="${SCALE_FORKS:-10}"
SCALE_CERTIFICATES="${SCALE_CERTIFICATES:-10000}"
SCALE_REPEAT="${SCALE_REPEAT:-3}"
DIR="${BUILD}/bench-scale"
SEEDED_SITE=1234567890123
EMPTY_SITE=3333333333333

scale() {
    "${PY}" "${ROOT}/scripts/bench_scale.py" "$@"
}

setup() {
    prepare_bench_dir "${DIR}" "${SCALE_FORKS}"
    cat >"${DIR}/esa/config.json" <<EOF
{"sites": [
  {"site_id": ${SEEDED_SITE}, "site_name": "example.com", "client_certificates": true, "hostnames": ["example.com"]},
  {"site_id": ${EMPTY_SITE}, "site_name": "empty.example", "client_certificates": true, "hostnames": ["empty.example"]}
]}
EOF
    log "starting the ESA emulator"
    # An empty state file keeps the state in memory: with a file, every create would rewrite 10,000 certificates to it.
    start_emulator "${PY}" "" "${DIR}/esa/ready.json" "${DIR}/logs/emulator.log" --config "${DIR}/esa/config.json" || exit 1
    ESA_URL="${EMULATOR_URL}"
    local site
    for site in seeded empty; do
        helper inventory --count "${SCALE_HOSTS}" --hosts-dir "${DIR}/hosts-${site}" --python "${PY}" --endpoint "${ESA_URL}" \
            --out "${DIR}/inventory-${site}.yml" --meta "${DIR}/results/hosts-${site}.json"
    done
    cp "${DIR}/inventory-seeded.yml" "${DIR}/inventory.yml" # ansible.cfg's default, for the warm-up
    "${PY}" - "${DIR}/results/meta.json" "${SCALE_HOSTS}" "${SCALE_FORKS}" "${SCALE_REPEAT}" <<'EOF'
import json, os, sys
path, hosts, forks, repeat = sys.argv[1:5]
with open(path, "w") as handle:
    json.dump({"hosts": int(hosts), "forks": int(forks), "repeat": int(repeat),
               "load_before": " ".join(f"{value:.1f}" for value in os.getloadavg())}, handle)
EOF
    say "[setup] ${SCALE_HOSTS} local hosts per site, forks ${SCALE_FORKS}, ESA emulator on ${ESA_URL}"
}

site_id_of() {
    if [[ "$1" == seeded ]]; then echo "${SEEDED_SITE}"; else echo "${EMPTY_SITE}"; fi
}

# scale_run KEY SITE PLAYBOOK [options...]: one timed run against one site's fleet, recorded with the emulator's counters.
scale_run() {
    local key="$1" site="$2" playbook="$3"
    shift 3
    local n=1 hosts="${SCALE_HOSTS}" started site_id
    while [[ -e "${DIR}/logs/${key}-${site}-${n}.log" ]]; do n=$((n + 1)); done
    local name="${key}-${site}-${n}"
    site_id="$(site_id_of "${site}")"
    [[ "${key}" == info ]] && hosts=1
    helper emulator "${ESA_URL}" reset
    started="${EPOCHREALTIME}"
    timed_playbook "${DIR}" "${name}" -i "${DIR}/inventory-${site}.yml" "${playbook}" -e "esa_site_id=${site_id}" "$@"
    helper emulator "${ESA_URL}" stats --out "${DIR}/results/${name}-stats.json"
    scale row "${DIR}/results" --url "${ESA_URL}" --key "${key}" --site "${site}" --site-id "${site_id}" --name "${name}" \
        --log "${DIR}/logs/${name}.log" --hosts "${hosts}" --started "${started}"
}

both() {
    local key="$1" playbook="$2" site
    shift 2
    for site in empty seeded; do
        scale_run "${key}" "${site}" "${playbook}" "$@"
    done
}

wipe_files() {
    find "${DIR}/hosts-$1" -mindepth 2 -maxdepth 2 \( -name 'client.crt*' -o -name 'client.key*' \) -delete
}

main() {
    [[ "${SCALE_HOSTS}" =~ ^[1-9][0-9]*$ && "${SCALE_CERTIFICATES}" =~ ^[1-9][0-9]*$ && "${SCALE_REPEAT}" =~ ^[1-9][0-9]*$ ]] ||
        die "SCALE_HOSTS, SCALE_CERTIFICATES and SCALE_REPEAT must be positive numbers"
    local start="${EPOCHREALTIME}" rc=0 round site
    local esa="${ROOT}/examples/bench/esa.yml"
    trap stop_emulator EXIT
    trap 'exit 130' INT TERM
    say "== alibabacloud.esa scale benchmark: a site of ${SCALE_CERTIFICATES} certificates and an empty one, ${SCALE_HOSTS} local hosts each, forks ${SCALE_FORKS} =="
    setup
    say "[seed] ${SCALE_CERTIFICATES} certificates on the seeded site"
    scale seed "${ESA_URL}" --site-id "${SEEDED_SITE}" --count "${SCALE_CERTIFICATES}" --out "${DIR}/results/seed.json"
    timed_playbook "${DIR}" warm-up "${ROOT}/examples/bench/stat.yml"

    say "[issue] fresh files"
    both issue "${esa}"
    say "[no-op] ${SCALE_REPEAT} round(s), interleaved"
    for ((round = 1; round <= SCALE_REPEAT; round++)); do
        both noop "${esa}"
    done
    say "[recovery] every bookkeeping file deleted, then a no-op twice"
    for site in empty seeded; do
        find "${DIR}/hosts-${site}" -mindepth 2 -maxdepth 2 -name 'client.crt.esa.json' -delete
    done
    both recover "${esa}"
    both after_recover "${esa}"
    say "[info] esa_client_certificate_info over every page"
    both info "${ROOT}/examples/bench/info.yml"
    say "[lost create] fresh files, every create's connection reset after it took effect"
    scale faults "${ESA_URL}" "[{\"type\": \"reset_after_effect\", \"action\": \"CreateClientCertificate\", \"times\": $((2 * SCALE_HOSTS))}]"
    wipe_files empty
    wipe_files seeded
    both lost_create "${esa}"
    scale faults "${ESA_URL}" '[]'

    stop_emulator
    say ""
    scale table "${DIR}/results" || rc=$?
    say "scale benchmark finished in $(awk -v a="${start}" -v b="${EPOCHREALTIME}" 'BEGIN { printf "%.0f", b - a }') s; logs in ${DIR#"${ROOT}"/}/logs/"
    return "${rc}"
}

main "$@"
