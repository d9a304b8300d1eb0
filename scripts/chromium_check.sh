#!/usr/bin/env bash
# Headless Chromium (Debian's chromium; .ci/run installs it when missing), one page at a time, for checks that look at
# what a person would see. Reusable by any check: it only loads the page and writes what Chromium made of it.
#
#   scripts/chromium_check.sh dom URL OUT.html                   the DOM after scripts ran (--dump-dom)
#   scripts/chromium_check.sh screenshot URL OUT.png [W,H]       a PNG of the page's first W x H pixels (1280,2000), or of
#                                                               W x H pixels from URL's #fragment on
#
# URL may be a file:// URL or a loopback http URL. Every run gets a fresh, empty profile (removed afterwards) and the
# flags that keep Chromium off the network on these machines. CHROMIUM names another binary. Chromium's own messages
# go to OUT.log. Exit status: Chromium's, 2 when no Chromium is found, 124 on a timeout (CHROMIUM_TIMEOUT, 120 s).
set -euo pipefail

PROFILE=""

find_chromium() {
    local candidate
    for candidate in "${CHROMIUM:-}" chromium chromium-browser google-chrome; do
        [[ -n "${candidate}" ]] && command -v "${candidate}" >/dev/null 2>&1 && { command -v "${candidate}"; return 0; }
    done
    return 1
}

main() {
    [[ $# -ge 3 ]] || { echo "usage: $0 dom|screenshot URL OUT [W,H]" >&2; exit 2; }
    local mode="$1" url="$2" out="$3" size="${4:-1280,2000}" chromium rc=0
    chromium="$(find_chromium)" || { echo "chromium_check.sh: no Chromium found: apt-get install chromium (.ci/run does)" >&2; exit 2; }
    PROFILE="$(mktemp -d "${TMPDIR:-/tmp}/chromium-profile.XXXXXX")"
    trap 'rm -rf "${PROFILE}"' EXIT
    mkdir -p "$(dirname "${out}")"
    # Root needs --no-sandbox; the network flags stop the background connections this closed network refuses.
    local -a flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
        --disable-component-update --disable-sync --disable-dev-shm-usage --hide-scrollbars --user-data-dir="${PROFILE}"
        --virtual-time-budget=5000)
    case "${mode}" in
        dom)
            timeout "${CHROMIUM_TIMEOUT:-120}" "${chromium}" "${flags[@]}" --dump-dom "${url}" >"${out}" 2>"${out}.log" || rc=$?
            ;;
        screenshot)
            rm -f "${out}"
            # A headless screenshot of URL#fragment shows a blank viewport (the scroll to the fragment is not painted):
            # load the page into a full-window iframe instead, which scrolls to the fragment inside the frame.
            if [[ "${url}" == *"#"* ]]; then
                printf '<!DOCTYPE html><html><body style="margin:0"><iframe src="%s" style="border:0;width:%spx;height:%spx"></iframe></body></html>\n' \
                    "${url}" "${size%%,*}" "${size#*,}" >"${PROFILE}/frame.html"
                url="file://${PROFILE}/frame.html"
            fi
            timeout "${CHROMIUM_TIMEOUT:-120}" "${chromium}" "${flags[@]}" --window-size="${size}" --screenshot="${out}" "${url}" \
                >"${out}.log" 2>&1 || rc=$?
            [[ ${rc} -ne 0 || -s "${out}" ]] || rc=1
            ;;
        *)
            echo "chromium_check.sh: unknown mode '${mode}' (dom or screenshot)" >&2
            exit 2
            ;;
    esac
    return "${rc}"
}

main "$@"
