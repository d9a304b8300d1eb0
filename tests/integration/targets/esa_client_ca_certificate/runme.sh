#!/usr/bin/env bash
# Runs the client CA cases at -vvv, then scans the output and the files left behind for secrets.
set -euo pipefail
cd "$(dirname "$0")"
exec ../../run_vvv_playbook.sh esa_client_ca_certificate "$@" -- "${OUTPUT_DIR:?ansible-test sets OUTPUT_DIR}/esa_client_ca_certificate"
