#!/usr/bin/env bash
# The settling property of esa_client_certificate (SPEC.md, "Every configuration settles"): hypothesis draws
# configurations, and the known offenders run as named cases; each example is one ansible-playbook of settle.yml
# (the module twice, same options) in a fresh directory. Then every log and file left behind is scanned for secrets
# and leftover temporary files (scan_for_secrets.py, as in the other targets).
#
# Knobs (environment, or the integration config that scripts/run-integration.sh writes from the same environment):
#   ESA_SETTLING_EXAMPLES / esa_settling_examples   drawn examples (default 20; 8 on ansible-core 2.19)
#   HYPOTHESIS_SEED / esa_settling_seed              draw anew with this seed ("random": a new seed each run);
#                                                    unset: derandomized, the same examples every run
#   ESA_SETTLING_SHRINK / esa_settling_shrink        1: shrink a failing example to a minimal one (many more runs)
set -euo pipefail
cd "$(dirname "$0")"

config="$(cd ../.. && pwd)/integration_config.yml"
out="${OUTPUT_DIR:?ansible-test sets OUTPUT_DIR}/esa_settling"
rm -rf "$out"
mkdir -p "$out/home"
# ansible-test passes only PATH, HOME and LC_ALL on: make the default credential chain hermetic here.
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export HOME="$out/home"
export PYTHONDONTWRITEBYTECODE=1
export HYPOTHESIS_STORAGE_DIRECTORY="$out/hypothesis"  # its caches go with the output, not beside the tests

setting() {  # NAME: a scalar of the integration config, empty when absent
    sed -n "s/^$1: *\"\{0,1\}\([^\"]*\)\"\{0,1\}$/\1/p" "$config"
}

# The older ansible-core line draws fewer examples, to keep CI in time; the named cases run on both.
case "${ANSIBLE_TEST_ANSIBLE_VERSION:-}" in
    2.19*) default_examples=8 ;;
    *) default_examples=20 ;;
esac
examples="${ESA_SETTLING_EXAMPLES:-$(setting esa_settling_examples)}"
seed="${HYPOTHESIS_SEED:-$(setting esa_settling_seed)}"
export ESA_SETTLING_EXAMPLES="${examples:-$default_examples}"
export ESA_SETTLING_ROOT="$out/examples"
export ESA_SETTLING_CONFIG="$config"
export ESA_SETTLING_SHRINK="${ESA_SETTLING_SHRINK:-$(setting esa_settling_shrink)}"

pytest_args=(-p no:cacheprovider --rootdir=. -s -q -rfE)
if [ -n "$seed" ]; then
    export HYPOTHESIS_PROFILE=random
    [ "$seed" = random ] || pytest_args+=("--hypothesis-seed=$seed")
fi
echo "esa_settling: ${ESA_SETTLING_EXAMPLES} drawn examples, profile ${HYPOTHESIS_PROFILE:-ci}${seed:+, seed $seed}"

set +e
python -m pytest "${pytest_args[@]}" test_settling_verdict.py test_settling.py 2>&1 | tee "$out/pytest.log"
status=${PIPESTATUS[0]}
set -e

scan_paths=()
[ -f "$ESA_SETTLING_ROOT/scan-paths.txt" ] && mapfile -t scan_paths <"$ESA_SETTLING_ROOT/scan-paths.txt"
python ../../scan_for_secrets.py --config "$config" "$out/pytest.log" "$HOME" "${scan_paths[@]}" || status=1
exit "$status"
