#!/usr/bin/env bash
# Load, faults, crashes, concurrency, secrets and transport, against the emulator, loopback only.
# Prints "RELIABILITY:" lines with the figures measured; fails on any broken promise.
set -euo pipefail
cd "$(dirname "$0")"

config="$(cd ../.. && pwd)/integration_config.yml"
out="${OUTPUT_DIR:?ansible-test sets OUTPUT_DIR}/esa_reliability"
rm -rf "$out"
mkdir -p "$out/home"
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export HOME="$out/home"
export ANSIBLE_CALLBACK_RESULT_FORMAT=json
# ansible-test 2.21 writes the inventory as JSON ("ansible_python_interpreter": "..."), 2.19 as INI (key='value').
python_bin=$(grep -o "ansible_python_interpreter[\"': =]*[^\"', ]*" "$INVENTORY_PATH" | head -n 1 | sed "s/^ansible_python_interpreter[\"': =]*//")
[ -x "$python_bin" ] || { echo "no ansible_python_interpreter in $INVENTORY_PATH" >&2; exit 1; }
url=$(sed -n 's/^esa_url: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$config")
# The full load (200 hosts) runs on the newest ansible-core; the older line gets a quarter of it, to keep CI in time.
case "${ANSIBLE_TEST_ANSIBLE_VERSION:-}" in
    2.19*) default_hosts=50 ;;
    *) default_hosts=200 ;;
esac
hosts_n="${ESA_LOAD_HOSTS:-$default_hosts}"
forks="${ESA_LOAD_FORKS:-50}"
logs=()
# Common names carry the run's id, so certificates left on the emulator by an earlier run never count.
run_id="$(date +%s)$$"

emulator() {  # METHOD ROUTE [JSON]
    "$python_bin" - "$url" "$@" <<'PY'
import json, sys, urllib.request
url, method, route = sys.argv[1:4]
data = sys.argv[4].encode() if len(sys.argv) > 4 else None
request = urllib.request.Request(f"{url}/_emulator/{route}", data=data, method=method, headers={"Content-Type": "application/json"})
print(urllib.request.urlopen(request, timeout=30).read().decode())
PY
}

fleet_inventory() {  # NAME COUNT
    local file="$out/inventory-$1"
    echo "[fleet]" >"$file"
    for i in $(seq -w 1 "$2"); do
        echo "$1-$i ansible_connection=local ansible_python_interpreter=$python_bin" >>"$file"
        mkdir -p "$out/$1/$1-$i"
    done
    echo "$file"
}

play() {  # LOG ARGS...
    local log="$out/$1.log"; shift
    logs+=("$log")
    ansible-playbook -e "@${config}" "$@" >"$log" 2>&1 || { tail -n 60 "$log"; echo "FAILED: see $log" >&2; return 1; }
}

recap() {  # LOG -> "ok changed failed" summed over hosts
    awk '/ : ok=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); s[kv[1]] += kv[2] } }
         END { printf "%d %d %d %d\n", s["ok"], s["changed"], s["failed"], s["unreachable"] }' "$1"
}

check_fleet() {  # NAME COUNT FLEET_NAME
    local hosts=()
    for i in $(seq -w 1 "$2"); do hosts+=("$1-$i"); done
    "$python_bin" ./fleet_check.py "$config" "$out/$1" "$3" "${hosts[@]}"
}

stats_line() {
    emulator GET stats | "$python_bin" -c '
import json, sys
s = json.load(sys.stdin)
answers = s["answers"]
ok = answers.get("OK", 0)
print(json.dumps({"requests": s["requests_total"], "ok": ok, "retried_answers": s["requests_total"] - ok,
                  "throttled": s["throttled"], "faults": s["faults_injected"], "create_calls": s["calls"].get("CreateClientCertificate", 0),
                  "creates_answered_ok": s["answers_by_action"].get("CreateClientCertificate", {}).get("OK", 0)}))'
}

echo "== load: ${hosts_n} hosts, forks ${forks}, QPS limit 20, 10% of calls answer 5xx"
inventory=$(fleet_inventory load "$hosts_n")
emulator POST stats/reset >/dev/null
emulator POST faults '{"qps_limit": 20, "rules": [{"type": "server_error", "probability": 0.1}]}' >/dev/null
start=$(date +%s)
play load-issue -i "$inventory" -f "$forks" fleet.yml -e "fleet_dir=$out/load fleet_name=load-${run_id}"
issue_seconds=$(( $(date +%s) - start ))
issue_stats=$(stats_line)
read -r _ok changed failed unreachable <<<"$(recap "$out/load-issue.log")"
if [ "$changed" -ne "$hosts_n" ] || [ "$failed" -ne 0 ] || [ "$unreachable" -ne 0 ]; then
    echo "load: changed=$changed failed=$failed unreachable=$unreachable of $hosts_n" >&2
    exit 1
fi
emulator POST stats/reset >/dev/null
start=$(date +%s)
play load-noop -i "$inventory" -f "$forks" fleet.yml -e "fleet_dir=$out/load fleet_name=load-${run_id}"
noop_seconds=$(( $(date +%s) - start ))
noop_stats=$(stats_line)
read -r _ok changed failed unreachable <<<"$(recap "$out/load-noop.log")"
if [ "$changed" -ne 0 ] || [ "$failed" -ne 0 ]; then
    echo "load rerun: changed=$changed failed=$failed" >&2
    exit 1
fi
emulator DELETE faults >/dev/null
fleet=$(check_fleet load "$hosts_n" "load-${run_id}")
echo "RELIABILITY: load issue run: ${hosts_n} hosts converged in ${issue_seconds}s, 0 failed; emulator: ${issue_stats}"
echo "RELIABILITY: load second run: changed=0 in ${noop_seconds}s; emulator: ${noop_stats}"
echo "RELIABILITY: load fleet check: ${fleet}"

echo "== ambiguous create: every create's connection is reset after it took effect, half the time"
inventory=$(fleet_inventory reset 20)
emulator POST stats/reset >/dev/null
emulator POST faults '{"rules": [{"type": "reset_after_effect", "action": "CreateClientCertificate", "probability": 0.5}]}' >/dev/null
play reset-issue -i "$inventory" -f 10 fleet.yml -e "fleet_dir=$out/reset fleet_name=reset-${run_id}"
reset_stats=$(stats_line)
emulator DELETE faults >/dev/null
play reset-noop -i "$inventory" -f 10 fleet.yml -e "fleet_dir=$out/reset fleet_name=reset-${run_id}"
read -r _ok changed failed _unreachable <<<"$(recap "$out/reset-noop.log")"
[ "$changed" -eq 0 ] || { echo "reset rerun changed=$changed" >&2; exit 1; }
fleet=$(check_fleet reset 20 "reset-${run_id}")
echo "RELIABILITY: ambiguous create: ${fleet}; emulator: ${reset_stats}"

echo "== concurrency: two plays write the same path at once (creates slowed by 1 s so both are in flight)"
shared="$out/shared"
mkdir -p "$shared"
play shared-first -i "$INVENTORY_PATH" concurrent.yml -e "shared_dir=$shared fleet_name=${run_id} shared_force=false play_name=first"
emulator POST faults '{"rules": [{"type": "latency", "action": "CreateClientCertificate", "latency_ms": 1000}]}' >/dev/null
play shared-a -i "$INVENTORY_PATH" concurrent.yml -e "shared_dir=$shared fleet_name=${run_id} shared_force=true play_name=a" &
pid_a=$!
play shared-b -i "$INVENTORY_PATH" concurrent.yml -e "shared_dir=$shared fleet_name=${run_id} shared_force=true play_name=b" &
pid_b=$!
wait "$pid_a" && wait "$pid_b"
emulator DELETE faults >/dev/null
play shared-after -i "$INVENTORY_PATH" concurrent.yml -e "shared_dir=$shared fleet_name=${run_id} shared_force=false play_name=after"
read -r _ok changed failed _unreachable <<<"$(recap "$out/shared-after.log")"
[ "$changed" -eq 0 ] || { echo "after the race the pair needed repair" >&2; exit 1; }
active=$("$python_bin" ../../esa_out_of_band.py "$config" active-count "$(sed -n 's/^esa_site_id: *//p' "$config")" "shared-${run_id}.example.com")
[ "$active" = '{"active": 1}' ] || { echo "concurrency: $active" >&2; exit 1; }
raced=$(grep -l "another run replaced" "$shared"/play-a.json "$shared"/play-b.json | wc -l)
echo "RELIABILITY: concurrency: one valid pair, ${active} live certificate for the path; plays that lost the race and stood down: ${raced}"

echo "== transport: https verified by default, plain http only to loopback"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
    -keyout "$out/tls.key" -out "$out/tls.crt" >/dev/null 2>&1
tls_port=$("$python_bin" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
openssl s_server -accept "127.0.0.1:${tls_port}" -cert "$out/tls.crt" -key "$out/tls.key" -quiet >/dev/null 2>&1 &
tls_pid=$!
# A loopback "proxy" that only counts connections (in $out/proxy/count): plain http to the emulator must never reach it.
mkdir -p "$out/proxy"
"$python_bin" - "$out/proxy" <<'PY' &
import os, socket, sys
directory = sys.argv[1]
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
def record(name, value):
    with open(os.path.join(directory, name + ".tmp"), "w") as handle:
        handle.write(str(value))
    os.replace(os.path.join(directory, name + ".tmp"), os.path.join(directory, name))
record("count", 0)
record("port", listener.getsockname()[1])
count = 0
while True:
    connection, _address = listener.accept()
    count += 1
    record("count", count)
    connection.close()
PY
proxy_pid=$!
trap 'kill "$tls_pid" "$proxy_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$out/proxy/port" ] && break; sleep 0.1; done
proxy_port=$(cat "$out/proxy/port")
sleep 1
# The action plugin runs in the controller process, so the variables are set for ansible-playbook itself.
HTTP_PROXY="http://127.0.0.1:${proxy_port}" http_proxy="http://127.0.0.1:${proxy_port}" ALL_PROXY="http://127.0.0.1:${proxy_port}" NO_PROXY='' no_proxy='' \
    play transport -i "$INVENTORY_PATH" transport.yml -e "tls_port=${tls_port} proxy_port=${proxy_port} proxy_count_file=$out/proxy/count"
kill "$tls_pid" "$proxy_pid" 2>/dev/null || true
echo "RELIABILITY: transport: untrusted https refused, plain http to 192.0.2.10 refused, plain http to loopback with HTTP_PROXY/ALL_PROXY set: $(( $(cat "$out/proxy/count") - 1 )) connection(s) reached the proxy"

echo "== secrets: every log above at default verbosity, and a -vvv rerun of the fleet, then all files left behind"
play reset-vvv -i "$inventory" -f 10 fleet.yml -e "fleet_dir=$out/reset fleet_name=reset-${run_id} fleet_force=true" -vvv
"$python_bin" ../../scan_for_secrets.py --config "$config" "${logs[@]}" "$out" "$HOME"
