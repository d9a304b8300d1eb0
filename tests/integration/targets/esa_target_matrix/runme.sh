#!/usr/bin/env bash
# The short scenario on every target stack of this core line, at -vvv, then a scan for secrets.
set -euo pipefail
cd "$(dirname "$0")"

out="${OUTPUT_DIR:?ansible-test sets OUTPUT_DIR}"
# The collection as ansible-test installed it (this directory is a copy of the tests only).
collection_root="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/alibabacloud/esa"
../../run_vvv_playbook.sh esa_target_matrix -e "esa_collection_root=${collection_root}" "$@" -- "$out/esa_target_matrix"
