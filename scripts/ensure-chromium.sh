#!/usr/bin/env bash
# Install Debian's chromium (and a font, so text renders in screenshots) when missing; print the browser's path.
# Used by the demo's report step and the esa_fleet_report integration target; .ci/run installs it up front.
#
#   scripts/ensure-chromium.sh        prints e.g. /usr/bin/chromium
set -euo pipefail

find_chromium() {
    command -v chromium || command -v chromium-browser || true
}

browser="$(find_chromium)"
fonts="$(fc-list 2>/dev/null | head -n 1 || true)"
if [[ -z "${browser}" || -z "${fonts}" ]]; then
    if [[ ${EUID} -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        printf 'ERROR: Chromium (or any font) is missing and this is not root on Debian: install the chromium and fonts-dejavu-core packages\n' >&2
        exit 1
    fi
    printf '==> installing Debian packages: chromium fonts-dejavu-core\n' >&2
    export DEBIAN_FRONTEND=noninteractive
    # the package lists may be missing on a fresh machine; one update, then the install
    if ! apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >&2; then
        apt-get update -q >&2
        apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >&2
    fi
    browser="$(find_chromium)"
    [[ -n "${browser}" ]] || { printf 'ERROR: chromium installed but not found on PATH\n' >&2; exit 1; }
fi
printf '%s\n' "${browser}"
