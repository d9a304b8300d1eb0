#!/usr/bin/env bash
# The collection's docsite (make docs): antsibull-docs renders every module, every role (meta/argument_specs.yml) and
# the extra docs of docs/docsite/ into Sphinx sources, and Sphinx with the Ansible theme builds HTML, offline.
#
#   scripts/build-docs.sh [COLLECTIONS_PATH]
#
# COLLECTIONS_PATH holds ansible_collections/alibabacloud/esa (the package phase passes the installed tarball);
# by default the checkout's copy (scripts/sync-collection.sh). Tools come from tests/requirements/docs.txt
# (.build/venv-docs). Intersphinx reads a local inventory (scripts/docs_inventory.py) instead of downloading the
# Ansible docsite's. Sphinx runs with -W (nitpicky): a broken reference or markup fails the build.
# Output: .build/docs/html/index.html; sources in .build/docs/src; log in .build/docs/build.log.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DOCS="${BUILD}/docs"
SRC="${DOCS}/src"
VENV="${BUILD}/venv-docs"
COLLECTION=alibabacloud.esa

# antsibull-docs finds the collection through ansible-core: only the given path, no user or system collections.
in_docs_env() {
    env PATH="${VENV}/bin:${PATH}" ANSIBLE_COLLECTIONS_PATH="${COLLECTIONS_PATH}" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
        ANSIBLE_HOME="${DOCS}/ansible-home" ANSIBLE_NOCOLOR=1 "$@"
}

main() {
    COLLECTIONS_PATH="${1:-}"
    "${ROOT}/scripts/setup-venv.sh" docs
    if [[ -z "${COLLECTIONS_PATH}" ]]; then
        "${ROOT}/scripts/sync-collection.sh"
        COLLECTIONS_PATH="${BUILD}/collections"
    fi
    [[ -f "${COLLECTIONS_PATH}/ansible_collections/alibabacloud/esa/galaxy.yml" ||
        -f "${COLLECTIONS_PATH}/ansible_collections/alibabacloud/esa/MANIFEST.json" ]] ||
        die "no alibabacloud.esa under ${COLLECTIONS_PATH}/ansible_collections"

    rm -rf "${SRC}" "${DOCS}/html" "${DOCS}/doctrees" "${DOCS}/ansible-home"
    mkdir -p "${DOCS}" "${SRC}/rst"
    chmod og-w "${SRC}" "${SRC}/rst"  # antsibull-docs writes only into directories that no one else can write to
    local log_file="${DOCS}/build.log"
    : >"${log_file}"

    log "antsibull-docs sphinx-init and collection (${COLLECTIONS_PATH#"${ROOT}"/})"
    if ! in_docs_env antsibull-docs sphinx-init --use-current --squash-hierarchy --fail-on-error --dest-dir "${SRC}" \
        --project "${COLLECTION}" --copyright "alibabacloud.esa contributors" \
        --title "alibabacloud.esa: mTLS client certificates from Alibaba Cloud ESA" --html-short-title "alibabacloud.esa" \
        "${COLLECTION}" >>"${log_file}" 2>&1; then
        cat "${log_file}" >&2
        die "antsibull-docs sphinx-init failed"
    fi
    if ! in_docs_env antsibull-docs --config-file "${SRC}/antsibull-docs.cfg" collection --use-current --squash-hierarchy \
        --fail-on-error --cleanup everything --dest-dir "${SRC}/rst" "${COLLECTION}" >>"${log_file}" 2>&1; then
        cat "${log_file}" >&2
        die "antsibull-docs collection failed (log: ${log_file#"${ROOT}"/})"
    fi

    # Offline: intersphinx reads a local inventory of the Ansible docsite labels the pages use, never the network.
    "${VENV}/bin/python" "${ROOT}/scripts/docs_inventory.py" "${SRC}/rst" "${SRC}/ansible_devel.inv" >>"${log_file}" 2>&1 ||
        { cat "${log_file}" >&2; die "the docs refer to labels that are not in the Ansible docsite inventory"; }
    # The theme's sidebar is 300 px wide and clips a long module name (esa_client_certificate_hostnames) at its edge:
    # let names break at any character there rather than vanish under the page.
    mkdir -p "${SRC}/_static"
    printf '%s\n' '.wy-menu-vertical a { overflow-wrap: anywhere; }' >"${SRC}/_static/esa.css"
    cat >>"${SRC}/conf.py" <<EOF

# Added by scripts/build-docs.sh: the sidebar style above.
html_static_path = ['_static']
html_css_files = ['esa.css']

# Added by scripts/build-docs.sh: offline, intersphinx reads only the local inventory that docs_inventory.py wrote.
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '${SRC}/ansible_devel.inv'),
}
intersphinx_timeout = 1
EOF

    log "sphinx-build -W (html) into ${DOCS#"${ROOT}"/}/html"
    if ! in_docs_env sphinx-build -b html -W --keep-going -c "${SRC}" -d "${DOCS}/doctrees" "${SRC}/rst" "${DOCS}/html" \
        >>"${log_file}" 2>&1; then
        grep -E 'WARNING|ERROR' "${log_file}" | head -n 20 >&2 || tail -n 20 "${log_file}" >&2
        die "sphinx-build failed (log: ${log_file#"${ROOT}"/})"
    fi
    log "docsite: ${DOCS#"${ROOT}"/}/html/index.html ($(find "${DOCS}/html" -maxdepth 1 -name '*.html' | wc -l) pages)"
}

main "$@"
