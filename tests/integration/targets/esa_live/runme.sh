#!/usr/bin/env bash
# Skipped unless the opt-in, a site id and credentials are given; then issue, verify, renew, revoke and clean up.
set -euo pipefail
cd "$(dirname "$0")"

config="$(cd ../.. && pwd)/integration_config.yml"
setting() {
    sed -n "s/^$1: *//p" "$config" | tr -d '"'
}
if [ "$(setting esa_live_opt_in)" != "true" ] || [ -z "$(setting esa_live_site_id)" ]; then
    echo "esa_live: skipped (set esa_live_opt_in: true and esa_live_site_id, with credentials, to run it; see README)"
    exit 0
fi
# Credentials come from the controller's environment (ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET or the default
# chain) unless the config names a key pair (the emulator's, in CI).
exec ../../run_vvv_playbook.sh esa_live "$@" -- "${OUTPUT_DIR:?ansible-test sets OUTPUT_DIR}/esa_live"
