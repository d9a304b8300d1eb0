#!/usr/bin/env bash
# Runs every case at -vvv, then scans all output and the files left behind for secrets.
set -euo pipefail
cd "$(dirname "$0")"

out="${OUTPUT_DIR:?ansible-test sets OUTPUT_DIR}"
readonly_dir="$out/readonly"
mkdir -p "$readonly_dir"
# Root may write anywhere, so "not writable" needs a read-only mount.
mount -t tmpfs -o ro,size=64k esa-readonly "$readonly_dir"
trap 'umount "$readonly_dir" 2>/dev/null || true' EXIT

../../run_vvv_playbook.sh esa_client_certificate -e "esa_readonly_dir=${readonly_dir}" "$@" -- "$out/esa_client_certificate"
