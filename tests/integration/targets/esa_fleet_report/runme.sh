#!/usr/bin/env bash
# examples/fleet_report.yml on a small fleet against the emulator, each host holding two certificates (the path of
# examples/issue.yml and the role's default path): it changes nothing (no ESA write, no file), its HTML, CSV and JSON say
# what setup.yml did with no false orphan, and headless Chromium renders the page (DOM text, the SVG, no script element,
# no held certificate among the orphans, the layout at 800 px measured by a script, screenshots). Then
# examples/decommission.yml on the same fleet keeps both certificates of every remaining host. The report, the DOM, the
# layout measurements and the screenshots are kept in tests/output/data/esa_fleet_report/<ansible-core>/.
set -euo pipefail
cd "$(dirname "$0")"

root="$(cd ../../../.. && pwd)"
integration_dir="$(cd ../.. && pwd)"
config="${integration_dir}/integration_config.yml"
out="${OUTPUT_DIR:?ansible-test sets OUTPUT_DIR}/esa_fleet_report"
rm -rf "$out"
mkdir -p "$out/home" "$out/hosts"
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export HOME="$out/home"
# ansible-test 2.21 writes the inventory as JSON ("ansible_python_interpreter": "..."), 2.19 as INI (key='value').
python_bin=$(grep -o "ansible_python_interpreter[\"': =]*[^\"', ]*" "$INVENTORY_PATH" | head -n 1 | sed "s/^ansible_python_interpreter[\"': =]*//")
[ -x "$python_bin" ] || { echo "no ansible_python_interpreter in $INVENTORY_PATH" >&2; exit 1; }
url=$(sed -n 's/^esa_url: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$config")
chromium=$("$root/scripts/ensure-chromium.sh")
# Host names carry the run's id, so certificates left on the shared emulator by other targets or runs never count.
prefix="report$(date +%s)$$"
keep_root="$(dirname "${JUNIT_OUTPUT_DIR:-$OUTPUT_DIR/junit}")/data/esa_fleet_report"
keep="${keep_root}/${ANSIBLE_TEST_ANSIBLE_VERSION:-core}"
logs=()

inventory="$out/inventory"
{
    echo "[fleet]"
    for name in web-01 web-02 web-03 web-04 web-05 copycat; do
        mkdir -p "$out/hosts/$prefix-$name"
        interpreter="$python_bin"
        [ "$name" = web-04 ] && interpreter=/nonexistent/python3  # this host cannot run the check
        echo "$prefix-$name esa_cert_dir=$out/hosts/$prefix-$name client_certificate_dir=$out/hosts/$prefix-$name/role" \
            "ansible_connection=local ansible_python_interpreter=$interpreter"
    done
    echo "[retired]"
    for name in gone-01 gone-02; do
        mkdir -p "$out/hosts/$prefix-$name"
        echo "$prefix-$name esa_cert_dir=$out/hosts/$prefix-$name client_certificate_dir=$out/hosts/$prefix-$name/role" \
            "ansible_connection=local ansible_python_interpreter=$python_bin"
    done
    echo "[to_issue]"
    echo "$prefix-web-01"
    echo "$prefix-web-02 setup_validity_days=20"
    echo "$prefix-web-05"
    echo "$prefix-gone-01"
    echo "$prefix-gone-02"
} >"$inventory"

play() {  # LOG ARGS...
    local log="$out/$1.log"
    shift
    logs+=("$log")
    ansible-playbook -i "$inventory" -e "@${config}" -e "esa_integration_config=${config}" -e "esa_integration_dir=${integration_dir}" "$@" >"$log" 2>&1 ||
        { tail -n 60 "$log"; echo "FAILED: see $log" >&2; return 1; }
}

emulator_stats() {
    "$python_bin" -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1] + "/_emulator/stats", timeout=30).read().decode())' "$url"
}

host_files() {
    (cd "$out/hosts" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

echo "== setup: 6 hosts, two certificates each where issued (web-01 ok, web-02 due, web-03 no certificate, web-04 not checkable, web-05 revoked, copycat with a copy of"
echo "   gone-02's certificate and .esa.json, not its key), gone-01 and gone-02 decommissioned, a markup CN"
play setup setup.yml -e "fleet_prefix=$prefix" -e "hostile_prefix=<script>alert(1)</script>" -e "expected_file=$out/expected.json"

echo "== examples/fleet_report.yml"
emulator_stats >"$out/stats-before.json"
host_files >"$out/files-before.txt"
play report "$root/examples/fleet_report.yml" -e esa_hosts=fleet -e "esa_endpoint=$url" -e "esa_report_dir=$out/report"
emulator_stats >"$out/stats-after.json"
host_files >"$out/files-after.txt"
grep -E '"fleet report: |hosts: [0-9]+ ok' "$out/report.log" | sed 's/^ *//'

echo "== the files"
status=0
"$python_bin" ./check_report.py "$out/expected.json" "$out/report" "$out/stats-before.json" "$out/stats-after.json" \
    "$out/files-before.txt" "$out/files-after.txt" || status=1

echo "== headless Chromium"
rm -rf "$keep"
mkdir -p "$keep"
cp "$out/report/fleet-report.html" "$out/report/fleet-report.csv" "$out/report/fleet-report.json" "$keep/"
hostile_cn="<script>alert(1)</script>-0.example.com"
gone_id=$("$python_bin" -c 'import json, sys; print(json.load(open(sys.argv[1]))["gone"]["id"])' "$out/expected.json")
held_args=()
while read -r held_id; do held_args+=(--not-orphan "$held_id"); done < <("$python_bin" -c '
import json, sys
expected = json.load(open(sys.argv[1]))
print("\n".join(held["id"] for held in expected["held"] + expected["held_by_role"]))' "$out/expected.json")
"$python_bin" "$root/scripts/report_in_browser.py" "$keep/fleet-report.html" --chromium "$chromium" \
    --screenshot "$keep/fleet-report.png" --dom "$keep/fleet-report.dom.html" \
    --layout-width 800 --layout-screenshot "$keep/fleet-report-800.png" --layout-json "$keep/fleet-report-800.layout.json" \
    "${held_args[@]}" \
    --expect "$prefix-web-01" --expect "$prefix-web-03" --expect "$prefix-web-05" --expect "$gone_id" --expect "$hostile_cn" \
    --expect "$prefix-copycat claims it without proof of possession" \
    --expect "Expiry timeline" --expect "Hosts without a certificate (1)" --expect "Hosts not checked (1)" || status=1
echo "kept: ${keep}/fleet-report.{html,csv,json,png,dom.html}, fleet-report-800.{png,layout.json}"

echo "== examples/decommission.yml on the same fleet (web-04, which cannot answer, left out): every remaining host keeps both"
play decommission "$root/examples/decommission.yml" -e "esa_hosts=fleet:!$prefix-web-04" -e "esa_endpoint=$url" \
    -e "esa_common_name_pattern=$prefix-*" -e esa_min_age_minutes=0
grep -E 'certificate\(s\) revoked' "$out/decommission.log" | sed 's/^ *"msg": //' || true
play decommission-verify decommission_verify.yml -e "expected_file=$out/expected.json" || status=1
grep -E '"msg": "decommission kept' "$out/decommission-verify.log" | sed 's/^ *"msg": //' || true

"$python_bin" "${integration_dir}/scan_for_secrets.py" --config "$config" "${logs[@]}" "$out/report" || status=1
exit "$status"
