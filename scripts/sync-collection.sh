#!/usr/bin/env bash
# Mirror the checkout into .build/collections/ansible_collections/alibabacloud/esa/, where
# ansible-test wants the collection: git-tracked files plus untracked files that .gitignore does not
# exclude, so ansible-test never sees .build/, virtualenvs or caches. Files that are gone from the
# checkout are deleted from the copy; the copy's tests/output/ (ansible-test's results) is kept.
# The copy gets a git repository of its own (no commits): ansible-test lists content with git from
# the nearest .git upwards, and would otherwise find the checkout's, which ignores .build/.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

list_source_files() {
    if git -C "${ROOT}" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        # -c also lists tracked files deleted from the work tree: keep only what exists
        git -C "${ROOT}" ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' path; do
                if [[ -e "${ROOT}/${path}" || -L "${ROOT}/${path}" ]]; then
                    printf '%s\0' "${path}"
                fi
            done
    else
        (cd "${ROOT}" && find . \( -path ./.git -o -path ./.build -o -path ./tests/output -o -name __pycache__ -o -name '.venv*' \) -prune \
            -o \( -type f -o -type l \) -printf '%P\0')
    fi
}

main() {
    wanted="$(mktemp)"
    present="$(mktemp)"
    trap 'rm -f "${wanted}" "${present}"' EXIT

    list_source_files | LC_ALL=C sort -zu >"${wanted}"
    mkdir -p "${COLLECTION_DIR}"
    if [[ ! -d "${COLLECTION_DIR}/.git" ]]; then
        git init --quiet "${COLLECTION_DIR}"
    fi

    # copy (tar keeps modes, mtimes and symlinks)
    tar -C "${ROOT}" --null --files-from="${wanted}" -cf - | tar -C "${COLLECTION_DIR}" -xf -

    # delete what the checkout no longer has
    (cd "${COLLECTION_DIR}" && find . \( -path ./.git -o -path ./tests/output \) -prune -o \( -type f -o -type l \) -printf '%P\0') | LC_ALL=C sort -zu >"${present}"
    LC_ALL=C comm -z -13 "${wanted}" "${present}" | (cd "${COLLECTION_DIR}" && xargs -0 -r rm -f --)
    find "${COLLECTION_DIR}" -mindepth 1 -depth -type d -empty -not -path "${COLLECTION_DIR}/.git*" -not -path "${COLLECTION_DIR}/tests/output*" -delete

    log "collection copy in sync: ${COLLECTION_DIR#"${ROOT}"/} ($(tr -cd '\0' <"${wanted}" | wc -c) files)"
}

main "$@"
