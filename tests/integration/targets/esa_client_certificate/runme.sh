#!/usr/bin/env bash
# Runs every case at -vvv, then scans all output and the files left behind for secrets; then checks that
# an ESA-generated key never sits in clear in the module arguments Ansible leaves on the target.
set -euo pipefail
cd "$(dirname "$0")"

out="${OUTPUT_DIR:?ansible-test sets OUTPUT_DIR}"
readonly_dir="$out/readonly"
mkdir -p "$readonly_dir"
# Root may write anywhere, so "not writable" needs a read-only mount.
mount -t tmpfs -o ro,size=64k esa-readonly "$readonly_dir"
trap 'umount "$readonly_dir" 2>/dev/null || true' EXIT

../../run_vvv_playbook.sh esa_client_certificate -e "esa_readonly_dir=${readonly_dir}" "$@" -- "$out/esa_client_certificate"

# Without pipelining, Ansible writes each module's arguments into an AnsiballZ file in the target's
# temporary directory; ANSIBLE_KEEP_REMOTE_FILES keeps them after the run, as a debugging user would.
kept_home="$out/key-at-rest-home"
rm -rf "$kept_home"
mkdir -p "$kept_home"
config="$(cd ../.. && pwd)/integration_config.yml"
if ! HOME="$kept_home" ANSIBLE_REMOTE_TMP="$kept_home/.ansible/tmp" ANSIBLE_KEEP_REMOTE_FILES=1 ANSIBLE_PIPELINING=0 ALIBABA_CLOUD_ECS_METADATA_DISABLED=true \
    ansible-playbook -i "${INVENTORY_PATH}" key_at_rest.yml -e "@${config}" -e "output_dir=${out}" >"$out/key-at-rest.log" 2>&1; then
    tail -n 30 "$out/key-at-rest.log"
    exit 1
fi
mapfile -t install_files < <(grep -rl --include='AnsiballZ_esa_client_certificate.py' '"install"' "$kept_home/.ansible/tmp" || true)
if [ "${#install_files[@]}" -eq 0 ]; then
    echo "key at rest: no kept AnsiballZ file of the install phase under $kept_home/.ansible/tmp: the check would prove nothing" >&2
    exit 1
fi
grep -q "privatekey_sealed" "${install_files[@]}" || { echo "key at rest: the install phase carried no sealed key" >&2; exit 1; }
if grep -rl 'PRIVATE KEY' "$kept_home/.ansible/tmp"; then
    echo "key at rest: an ESA-generated private key sits in clear in the kept module arguments above" >&2
    exit 1
fi
echo "key at rest: ${#install_files[@]} kept install file(s) hold the key sealed only"
