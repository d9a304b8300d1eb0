#!/usr/bin/env bash
# The live test against a REAL ESA site (maintainers only; costs nothing but leaves revoked-then-deleted records).
#
#   ESA_LIVE_OPT_IN=yes ESA_LIVE_SITE_ID=1234567890123 [ESA_LIVE_REGION=ap-southeast-1 | ESA_LIVE_ENDPOINT=...] \
#   ALIBABA_CLOUD_ACCESS_KEY_ID=... ALIBABA_CLOUD_ACCESS_KEY_SECRET=... scripts/run-live.sh [2.21]
#
# Runs tests/integration/targets/esa_live: issue, verify, renew (revoking the replaced certificate), retire, and clean
# up every certificate the run issued. ansible-test passes only a few variables to the tests, so the key pair from
# the environment goes into the run's config file (mode 0600, in .build/, deleted when the run ends), as ansible-test's
# own cloud tests do with their cloud-config files. Without ESA_LIVE_OPT_IN=yes and ESA_LIVE_SITE_ID it refuses to start.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
    local core="${1:-2.21}" python_version config
    [[ "${ESA_LIVE_OPT_IN:-}" == "yes" ]] || die "set ESA_LIVE_OPT_IN=yes to run against a real ESA site (see README)"
    [[ "${ESA_LIVE_SITE_ID:-}" =~ ^[0-9]+$ ]] || die "set ESA_LIVE_SITE_ID to the id of a site whose plan has client certificates"
    [[ -n "${ALIBABA_CLOUD_ACCESS_KEY_ID:-}" && -n "${ALIBABA_CLOUD_ACCESS_KEY_SECRET:-}" ]] ||
        die "set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (a RAM user allowed esa:*ClientCertificate* on the site)"
    python_version="$(python_version_for_core "${core}")"
    "${ROOT}/scripts/setup-venv.sh" "${core}"
    "${ROOT}/scripts/sync-collection.sh"
    config="${COLLECTION_DIR}/tests/integration/integration_config.yml"
    mkdir -p "$(dirname "${config}")"
    trap 'rm -f "${config}"' EXIT
    (
        umask 077
        # JSON strings are YAML: every value is quoted by the Python that writes it, whatever it holds.
        "$(venv_dir_for_core "${core}")/bin/python" - "${config}" <<'PY'
import json
import os
import sys

values = {
    'esa_live_opt_in': True,
    'esa_live_site_id': int(os.environ['ESA_LIVE_SITE_ID']),
    'esa_live_region': os.environ.get('ESA_LIVE_REGION', ''),
    'esa_live_endpoint': os.environ.get('ESA_LIVE_ENDPOINT', ''),
    'esa_live_access_key_id': os.environ['ALIBABA_CLOUD_ACCESS_KEY_ID'],
    'esa_live_access_key_secret': os.environ['ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
    # what scan_for_secrets looks for in every log and file the run leaves
    'esa_access_key_secret': os.environ['ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
}
with open(sys.argv[1], 'w', encoding='utf-8') as handle:
    handle.write('---\n# Written by scripts/run-live.sh for one live run; deleted when it ends.\n')
    for name, value in values.items():
        handle.write(f'{name}: {json.dumps(value)}\n')
PY
    )
    log "ansible-core ${core}: live test against site ${ESA_LIVE_SITE_ID}"
    ansible_test "${core}" integration --local --python "${python_version}" "$(color_option)" esa_live
}

main "$@"
