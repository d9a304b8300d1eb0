#!/usr/bin/env bash
# The short scenario on every target stack of this core line, at -vvv, then a scan for secrets.
set -euo pipefail
cd "$(dirname "$0")"

out="${OUTPUT_DIR:?ansible-test sets OUTPUT_DIR}"
# The collection as ansible-test installed it (this directory is a copy of the tests only).
collection_root="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/alibabacloud/esa"
../../run_vvv_playbook.sh esa_target_matrix -e "esa_collection_root=${collection_root}" "$@" -- "$out/esa_target_matrix"
# The pipelined ECDSA case installs through the plain install: every stack that issued it ran the program on its Python.
log="$out/esa_target_matrix-vvv.log"
issued="$(awk '/^TASK \[/ { inside = ($0 ~ /^TASK \[local ECDSA \| issue\]/) } inside && /^changed: \[/ { sub(/^changed: \[/, ""); sub(/\].*/, ""); print }' "$log" | sort -u)"
plain="$(grep -E "EXEC /bin/sh -c ' *[^' ]+ -I( &&[^']*)?'" "$log" | sed -E 's/^<([^>]+)>.*/\1/' | sort -u)"
if [ -z "$issued" ] || [ "$issued" != "$plain" ]; then
    printf 'plain install: the stacks that issued the pipelined case (%s) are not those whose install ran as python -I (%s), see %s\n' \
        "${issued//$'\n'/ }" "${plain//$'\n'/ }" "$log" >&2
    exit 1
fi
echo "plain install: ran on ${issued//$'\n'/ }"
