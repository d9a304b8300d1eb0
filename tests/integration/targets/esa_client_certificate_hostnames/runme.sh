#!/usr/bin/env bash
# Runs the hostname-binding cases at -vvv, then scans the output for secrets.
set -euo pipefail
cd "$(dirname "$0")"
exec ../../run_vvv_playbook.sh esa_client_certificate_hostnames "$@"
