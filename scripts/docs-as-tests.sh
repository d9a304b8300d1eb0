#!/usr/bin/env bash
# Docs as tests alone, the way the package phase runs them (scripts/run-package.sh, step i): builds the tarball
# and runs scripts/docs_as_tests.py on it with the
# ansible-core 2.21 venv, from a working directory outside the checkout.
#
#   scripts/docs-as-tests.sh [--only README.md] [--only guide_rollout] [--self-test]
#
# Every ```yaml block of README.md, every yaml code-block of docs/docsite/rst/, every example and every module's
# EXAMPLES task: --check --diff, a run, a rerun with changed=0, against the emulator started as the quick-start guide
# says. Logs in .build/docs-as-tests/logs/, outcomes in .build/docs-as-tests/results.json. Needs root (unshare -m,
# overlayfs): nothing the blocks write reaches this machine's /etc or /var.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT="${BUILD}/docs-as-tests"
VENV="$(venv_dir_for_core 2.21)"

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

"${ROOT}/scripts/setup-venv.sh" 2.21 >&2
rm -rf "${OUT}"
mkdir -p "${OUT}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/esa-docs-as-tests.XXXXXX")"
trap 'rm -rf "${WORK}"' EXIT
log "build the tarball into ${OUT#"${ROOT}"/}/dist (docs_as_tests.py installs it as the README says)"
TARBALL="$(ANSIBLE_HOME="${WORK}/ansible-home" build_collection_tarball "${VENV}/bin/ansible-galaxy" "${ROOT}" "${OUT}/dist" "${OUT}/build.log")"
cd "${WORK}"
"${VENV}/bin/python" "${ROOT}/scripts/docs_as_tests.py" --tarball "${TARBALL}" --work "${WORK}/run" \
    --logs "${OUT}/logs" --report "${OUT}/results.json" "$@"
