#!/usr/bin/env bash
# Look at the built docsite as a reader would: headless Chromium (scripts/chromium_check.sh) opens a module page, and
# scripts/check_docsite.py asserts that its options table, examples and return values rendered, that every module, role
# and guide has a page linked from the index, and that the troubleshooting guide names every ESA error code.
#
#   scripts/check-docs.sh [COLLECTION_DIR] [MODULE]
#
# Run after scripts/build-docs.sh (make docs). COLLECTION_DIR: the collection the docs were built from (default: the
# checkout); MODULE: the page to open (default: esa_client_certificate). Screenshots of the page's top, its options
# table and its examples are kept in .build/docs/screenshots/; the DOM Chromium built in .build/docs/browser/.
# Prints one PASS or FAIL line per check; exits 1 when any failed.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DOCS="${BUILD}/docs"
VENV="${BUILD}/venv-docs"

main() {
    local collection="${1:-${ROOT}}" module="${2:-esa_client_certificate}" page url failed=0
    page="${DOCS}/html/${module}_module.html"
    [[ -f "${page}" ]] || die "no ${page#"${ROOT}"/}: run scripts/build-docs.sh (make docs) first"
    url="file://${page}"
    rm -rf "${DOCS}/screenshots" "${DOCS}/browser"
    mkdir -p "${DOCS}/screenshots" "${DOCS}/browser"

    # the module's documentation as ansible-doc reads it: the source of truth for the options the page must show
    local collections_path
    collections_path="$(cd "${collection}/../../.." 2>/dev/null && pwd)"
    if [[ ! -d "${collections_path}/ansible_collections/alibabacloud/esa" ]]; then
        "${ROOT}/scripts/sync-collection.sh" >/dev/null 2>&1
        collections_path="${BUILD}/collections"
    fi
    env ANSIBLE_COLLECTIONS_PATH="${collections_path}" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false ANSIBLE_HOME="${DOCS}/ansible-home" \
        "${VENV}/bin/ansible-doc" --json -t module "alibabacloud.esa.${module}" >"${DOCS}/browser/${module}.json"

    if ! "${ROOT}/scripts/chromium_check.sh" dom "${url}" "${DOCS}/browser/${module}_module.dom.html"; then
        printf 'FAIL  headless Chromium could not load %s (log: %s)\n' "${url}" "${DOCS#"${ROOT}"/}/browser/${module}_module.dom.html.log"
        return 1
    fi
    local shot where
    for shot in top:"" parameters:"#parameters" examples:"#examples"; do
        where="${shot%%:*}"
        "${ROOT}/scripts/chromium_check.sh" screenshot "${url}${shot#*:}" "${DOCS}/screenshots/${module}_module-${where}.png" 1280,1400 ||
            { printf 'FAIL  screenshot of %s%s\n' "${url}" "${shot#*:}"; failed=1; }
    done
    # The sidebar, measured as Chromium lays it out: a copy of the page (beside it, so its styles load) with a probe
    # that marks every sidebar link whose text is wider than its box (clipped), read back from the DOM dump.
    local probe="${DOCS}/html/.sidebar-probe.html"
    sed 's#</body>#<script>document.querySelectorAll(".wy-menu-vertical a").forEach(function (a) { if (a.scrollWidth > a.clientWidth + 1) { a.setAttribute("data-clipped", "yes"); } }); document.body.setAttribute("data-probed", "yes");</script></body>#' \
        "${page}" >"${probe}"
    "${ROOT}/scripts/chromium_check.sh" dom "file://${probe}" "${DOCS}/browser/sidebar.dom.html" ||
        { printf 'FAIL  headless Chromium could not load the sidebar probe\n'; failed=1; }
    rm -f "${probe}"
    "${VENV}/bin/python" "${ROOT}/scripts/check_docsite.py" --html "${DOCS}/html" --collection "${collection}" --module "${module}" \
        --dom "${DOCS}/browser/${module}_module.dom.html" --docs-json "${DOCS}/browser/${module}.json" \
        --sidebar-dom "${DOCS}/browser/sidebar.dom.html" || failed=1
    [[ ${failed} -ne 0 ]] || printf 'PASS  screenshots in .build/docs/screenshots/: %s\n' "$(find "${DOCS}/screenshots" -name '*.png' -printf '%P\n' | sort | paste -sd ' ')"
    return "${failed}"
}

main "$@"
