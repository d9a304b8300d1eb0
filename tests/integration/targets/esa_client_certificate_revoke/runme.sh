#!/usr/bin/env bash
# esa_client_certificate_revoke against the emulator, loopback only:
#   1. a fleet of local hosts, two decommissioned: keep gathered from the others' check-mode results, and only from
#      those that proved possession, exactly the two revoked (check mode and --diff first, then a rerun with no change),
#      although a host in service holds a copy of one of them (certificate and .esa.json, not the key); an empty keep
#      over the pattern is stopped by max_revocations; a certificate issued a minute ago, and one issued by another play
#      while the revoke runs, are never touched (min_age_minutes); state=absent deletes the two records;
#   2. the same copy attack on examples/decommission.yml: the retired certificate is revoked, the copy named as a claim
#      without proof, a certificate a host proves it holds is kept although the selectors match it;
#   3. 1,000 certificates on the site: a pattern selects 111 of them, then every one of them is removed.
# Prints "REVOKE:" lines with the figures measured; fails on any broken promise.
set -euo pipefail
cd "$(dirname "$0")"

integration_dir="$(cd ../.. && pwd)"
root="$(cd ../../../.. && pwd)"
config="${integration_dir}/integration_config.yml"
out="${OUTPUT_DIR:?ansible-test sets OUTPUT_DIR}/esa_client_certificate_revoke"
rm -rf "$out"
mkdir -p "$out/home"
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export HOME="$out/home"
# ansible-test 2.21 writes the inventory as JSON ("ansible_python_interpreter": "..."), 2.19 as INI (key='value').
python_bin=$(grep -o "ansible_python_interpreter[\"': =]*[^\"', ]*" "$INVENTORY_PATH" | head -n 1 | sed "s/^ansible_python_interpreter[\"': =]*//")
[ -x "$python_bin" ] || { echo "no ansible_python_interpreter in $INVENTORY_PATH" >&2; exit 1; }
url=$(sed -n 's/^esa_url: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$config")
site_id=$(sed -n 's/^esa_site_id: *//p' "$config")
# Names carry the run's id, so certificates other targets (or earlier runs) left on the emulator never match.
run_id="r$(date +%s)$$"
fleet_dir="$out/fleet"
logs=()

emulator() {  # METHOD ROUTE [JSON]
    "$python_bin" - "$url" "$@" <<'PY'
import json, sys, urllib.request
url, method, route = sys.argv[1:4]
data = sys.argv[4].encode() if len(sys.argv) > 4 else None
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy
request = urllib.request.Request(f"{url}/_emulator/{route}", data=data, method=method, headers={"Content-Type": "application/json"})
print(opener.open(request, timeout=30).read().decode())
PY
}

play() {  # LOG ARGS...
    local log="$out/$1.log"; shift
    logs+=("$log")
    ansible-playbook -e "@${config}" -e "fleet_dir=${fleet_dir} fleet_name=${run_id}" "$@" >"$log" 2>&1 ||
        { tail -n 60 "$log"; echo "FAILED: see $log" >&2; return 1; }
}

calls_since() {  # STATS_JSON_BEFORE -> the ESA calls made since, by action
    emulator GET stats | "$python_bin" -c '
import json, sys
before, now = json.loads(sys.argv[1])["calls"], json.load(sys.stdin)["calls"]
diff = {action: count - before.get(action, 0) for action, count in sorted(now.items()) if count - before.get(action, 0)}
print(", ".join(f"{action} {count}" for action, count in diff.items()) + f" (total {sum(diff.values())})")' "$1"
}

ids_json() {  # the certificate ids the hosts reported, for the plays' assertions
    "$python_bin" - "$fleet_dir" <<'PY'
import json, os, sys
fleet_dir = sys.argv[1]
def ids(*hosts):
    found = []
    for host in hosts:
        path = os.path.join(fleet_dir, host, "result.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                found.append(json.load(handle)["certificate"]["id"])
    return sorted(found)
print(json.dumps({"retired_ids": ids("fleet-05", "fleet-06"), "in_service_ids": ids("fleet-01", "fleet-02", "fleet-03", "fleet-04"),
                  "newcomer_ids": ids("newcomer-01", "newcomer-02"), "newcomer_01_id": (ids("newcomer-01") or [None])[0],
                  "copied_id": (ids("fleet-05") or [None])[0]}))
PY
}

inventory="$out/inventory.ini"
{
    echo "[in_service]"
    for host in fleet-01 fleet-02 fleet-03 fleet-04; do echo "$host"; done
    # in service too, with no certificate of its own: it holds a copy of retired fleet-05's certificate and .esa.json
    echo "[copycats]"
    echo "fleet-07"
    echo "[in_service:children]"
    echo "copycats"
    echo "[retired]"
    echo "fleet-05"
    echo "fleet-06"
    echo "[newcomers]"
    echo "newcomer-01"
    echo "newcomer-02"
    echo "[all:vars]"
    echo "ansible_connection=local"
    echo "ansible_python_interpreter=$python_bin"
} >"$inventory"
for host in fleet-01 fleet-02 fleet-03 fleet-04 fleet-05 fleet-06 fleet-07 newcomer-01 newcomer-02; do mkdir -p "$fleet_dir/$host"; done
bulk_emulator_pid=""
cleanup() {
    if [ -n "$bulk_emulator_pid" ]; then
        kill "$bulk_emulator_pid" 2>/dev/null || true  # the shared emulator's clock and faults are back to normal by then
    else
        emulator POST clock '{"offset_seconds": 0}' >/dev/null 2>&1 || true
        emulator DELETE faults >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

echo "== fleet: six hosts issued ten minutes ago (emulator clock -600 s, within the 15 minutes of request-time skew ESA allows)"
emulator POST clock '{"offset_seconds": -600}' >/dev/null
play fleet-issue -i "$inventory" -l 'in_service:retired:!copycats' fleet.yml
emulator POST clock '{"offset_seconds": 0}' >/dev/null
echo "== fleet-07 copies fleet-05's certificate and its .esa.json (its key stays with fleet-05)"
cp "$fleet_dir/fleet-05/client.crt" "$fleet_dir/fleet-05/client.crt.esa.json" "$fleet_dir/fleet-07/"
echo "== newcomer-01 issued now: younger than min_age_minutes (5)"
play newcomer-01 -i "$inventory" -l newcomer-01 fleet.yml
ids_json >"$out/ids.json"

echo "== decommission fleet-05 and fleet-06, while another play issues newcomer-02 (its create slowed by 2 s)"
emulator POST faults '{"rules": [{"type": "latency", "action": "CreateClientCertificate", "latency_ms": 2000}]}' >/dev/null
before=$(emulator GET stats)
play newcomer-02 -i "$inventory" -l newcomer-02 fleet.yml &
newcomer_pid=$!
logs+=("$out/newcomer-02.log")
start=$(date +%s)
play decommission -i "$inventory" -e "@$out/ids.json" decommission.yml --diff
decommission_seconds=$(( $(date +%s) - start ))
wait "$newcomer_pid"
decommission_calls=$(calls_since "$before")
emulator DELETE faults >/dev/null
ids_json >"$out/ids.json"
play verify -i "$INVENTORY_PATH" -e "@$out/ids.json" verify.yml
echo "REVOKE: decommission (7 hosts, 2 retired, 5 in service, one of them with a copy of a retired certificate; newcomer-01 issued before," \
     "newcomer-02 during): exactly the 2 retired revoked, the copy kept nothing, both newcomers untouched, rerun unchanged, empty keep" \
     "stopped by max_revocations, records deleted with state=absent; ${decommission_seconds}s;" \
     "ESA calls of the decommission play and the concurrent issue: ${decommission_calls}"

# The copy attack on the example users run: copycat, in service, holds a copy of leaver's certificate file and its
# .esa.json (not its key); leaver is retired; keeper's common name is retired too, but keeper proves it holds its key.
echo "== examples/decommission.yml: copycat holds a copy of retired leaver's certificate and .esa.json, not its key"
copy_dir="$out/copy"
copy_inventory="$out/copy-inventory.ini"
keeper="keeper.${run_id}.example.com"
copycat="copycat.${run_id}.example.com"
leaver="leaver.${run_id}.example.com"
{
    echo "[in_service]"
    echo "$keeper esa_cert_dir=$copy_dir/keeper client_certificate_dir=$copy_dir/keeper/role"
    echo "$copycat esa_cert_dir=$copy_dir/copycat client_certificate_dir=$copy_dir/copycat/role"
    echo "[retired]"
    echo "$leaver esa_cert_dir=$copy_dir/leaver client_certificate_dir=$copy_dir/leaver/role"
    echo "[all:vars]"
    echo "ansible_connection=local"  # client_certificate_dir: the role's default path, among those the example checks, stays in $copy_dir
    echo "ansible_python_interpreter=$python_bin"
} >"$copy_inventory"
mkdir -p "$copy_dir/keeper" "$copy_dir/copycat" "$copy_dir/leaver"
emulator POST clock '{"offset_seconds": -600}' >/dev/null
play copy-issue -i "$copy_inventory" -l "$keeper:$leaver" copy_attack.yml
emulator POST clock '{"offset_seconds": 0}' >/dev/null
cp "$copy_dir/leaver/client.crt" "$copy_dir/leaver/client.crt.esa.json" "$copy_dir/copycat/"
leaver_id=$("$python_bin" -c 'import json, sys; print(json.load(open(sys.argv[1]))["certificate"]["id"])' "$copy_dir/leaver/result.json")
keeper_id=$("$python_bin" -c 'import json, sys; print(json.load(open(sys.argv[1]))["certificate"]["id"])' "$copy_dir/keeper/result.json")
copy_vars="{\"esa_hosts\": \"in_service\", \"esa_endpoint\": \"$url\", \"esa_retired_common_names\": [\"$leaver\", \"$keeper\"], \"esa_min_age_minutes\": 5}"
play copy-decommission-check -i "$copy_inventory" -e "$copy_vars" "$root/examples/decommission.yml" --check --diff
play copy-decommission -i "$copy_inventory" -e "$copy_vars" "$root/examples/decommission.yml"
expect_in_log() {  # LOG TEXT
    grep -qF -- "$2" "$out/$1.log" || { echo "FAILED: '$2' is not in $out/$1.log" >&2; exit 1; }
}
for log in copy-decommission-check copy-decommission; do
    expect_in_log "$log" "$copycat claims certificate $leaver_id"  # the copy is real (ESA's id) and named as a claim without proof
done
expect_in_log copy-decommission-check "1 certificate(s) would be revoked ($leaver), 1 matched but kept"
expect_in_log copy-decommission "1 certificate(s) revoked ($leaver), 1 matched but kept"
play copy-verify -i "$INVENTORY_PATH" -e "leaver_id=$leaver_id keeper_id=$keeper_id" copy_attack_verify.yml
echo "REVOKE: examples/decommission.yml with a copy of a retired certificate on a host in service: the copy named as a claim" \
     "without proof, the retired certificate revoked, the certificate its holder proved kept although the selectors matched it"

bulk_count=1000
bulk_prefix="bulk-${run_id}"
# An in-memory emulator of this target's own: the shared one rewrites its state file on every change, which 1,000
# certificates make slow for every target after this one, and they would all page through them.
echo "== ${bulk_count} certificates on a site of an in-memory emulator of this target's own"
(cd ../../../emulator && exec "$python_bin" -m esa_emulator --port 0 --ready-file "$out/bulk-emulator.json") >"$out/bulk-emulator.log" 2>&1 &
bulk_emulator_pid=$!
for _ in $(seq 300); do [ -s "$out/bulk-emulator.json" ] && break; sleep 0.1; done
[ -s "$out/bulk-emulator.json" ] || { cat "$out/bulk-emulator.log" >&2; echo "the in-memory emulator did not start" >&2; exit 1; }
# From here on, emulator() and the plays talk to this target's own emulator.
url=$("$python_bin" -c 'import json, sys; print(json.load(open(sys.argv[1]))["url"])' "$out/bulk-emulator.json")
endpoint=$("$python_bin" -c 'import json, sys; print(json.load(open(sys.argv[1]))["endpoint"])' "$out/bulk-emulator.json")
bulk_config="$out/bulk-config.yml"
sed -e "s|^esa_url: .*|esa_url: \"${url}\"|" -e "s|^esa_endpoint: .*|esa_endpoint: \"${endpoint}\"|" "$config" >"$bulk_config"
start=$(date +%s.%N)
"$python_bin" "${integration_dir}/esa_out_of_band.py" "$bulk_config" bulk-create "$site_id" "$bulk_count" "$bulk_prefix" 30 >"$out/bulk-ids.json"
seconds=$("$python_bin" -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$start")
echo "REVOKE: ${bulk_count} certificates seeded in ${seconds}s (esa_out_of_band.py bulk-create: one Create each, official SDK)"
for step in refused subset removed; do  # one playbook run per step, so each is timed and counted alone
    before=$(emulator GET stats)
    start=$(date +%s.%N)
    play "bulk-${step}" -i "$INVENTORY_PATH" -e "@${bulk_config}" -e "bulk_prefix=${bulk_prefix} bulk_count=${bulk_count}" --tags "$step" bulk.yml
    seconds=$("$python_bin" -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$start")
    case "$step" in
        refused) what="max_revocations 110 refused the 111 matches, nothing revoked" ;;
        subset) what="111 of them revoked by common_name_pattern" ;;
        removed) what="the 111 records deleted with state=absent (already revoked: no revoke), 889 left as they were" ;;
    esac
    echo "REVOKE: ${bulk_count} certificates: ${what}: ${seconds}s (whole ansible-playbook run); ESA calls: $(calls_since "$before")"
done

"$python_bin" "${integration_dir}/scan_for_secrets.py" --config "$config" "${logs[@]}" "$fleet_dir"
