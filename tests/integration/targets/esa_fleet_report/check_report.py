#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check the files examples/fleet_report.yml wrote (HTML, CSV, JSON) against what setup.yml did, and that the report
changed nothing. Each host that got certificates holds two (the example's path and the role's): none may be an orphan.

    python check_report.py EXPECTED.json REPORT_DIR STATS_BEFORE.json STATS_AFTER.json FILES_BEFORE FILES_AFTER
"""

from __future__ import annotations

import csv
import html
import json
import sys

import yaml

READS = ("Get", "List")


class Checks:
    def __init__(self) -> None:
        self.failed = 0
        self.count = 0

    def expect(self, condition: bool, text: str) -> None:
        self.count += 1
        self.failed += 0 if condition else 1
        print(f"  {'PASS' if condition else 'FAIL'}  {text}")


def main() -> int:
    expected_path, report_dir, before_path, after_path, files_before, files_after = sys.argv[1:7]
    with open(expected_path, encoding="utf-8") as handle:
        expected = json.load(handle)
    with open(f"{report_dir}/fleet-report.html", encoding="utf-8") as handle:
        page = handle.read()
    with open(f"{report_dir}/fleet-report.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(f"{report_dir}/fleet-report.json", encoding="utf-8") as handle:
        content = json.load(handle)
    prefix = expected["prefix"]
    checks = Checks()

    copied = expected["copied"]
    by_host = {row["host"]: row for row in rows if row["host"] and not row["path"].endswith("/role/client.crt")}
    by_file = {(row["host"], row["path"]): row for row in rows if row["host"]}
    statuses = {host[len(prefix) + 1 :]: row["status"] for host, row in by_host.items() if host != copied["copycat"]}
    checks.expect(
        statuses == {"web-01": "ok", "web-02": "renewal due", "web-03": "no certificate", "web-04": "not checked", "web-05": "revoked on ESA"},
        f"one CSV line per host at the example's path (or none), with the page's words for its status: {statuses}",
    )
    checks.expect(copied["copycat"] in by_host, "copycat has its CSV line")
    for held in expected["held"] + expected["revoked"]:
        row = by_host.get(held["host"], {})
        checks.expect(row.get("certificate_id") == held["id"], f"{held['host']}: id {held['id']} at the example's path")
        checks.expect(row.get("common_name") == held["host"], f"{held['host']}: its CN")
    for held in expected["held_by_role"]:
        row = by_file.get((held["host"], held["path"]), {})
        checks.expect(row.get("certificate_id") == held["id"], f"{held['host']}: the role's certificate {held['id']} has its own line at {held['path']}")
        checks.expect(row.get("status") == "ok", f"{held['host']}: the role's certificate is ok ({row.get('status')})")
    web02 = by_host.get(f"{prefix}-web-02", {})
    checks.expect(web02.get("days_left") == "19", f"web-02: 19 days left ({web02.get('days_left')})")
    checks.expect(web02.get("reasons") == "expiring", f"web-02: renewal due because expiring ({web02.get('reasons')})")
    web04 = [row for row in rows if row["host"] == f"{prefix}-web-04"]
    checks.expect(len(web04) > 0, f"web-04 has its line(s) ({len(web04)})")
    checks.expect(all(row["status"] == "not checked" for row in web04), f"web-04: not checked ({[row['status'] for row in web04]})")
    checks.expect(all("python" in row["note"].lower() for row in web04), f"web-04: why it was not checked ({[row['note'] for row in web04]})")

    orphans = {row["certificate_id"]: row for row in rows if row["status"] == "held by no host"}
    for name in ("gone", "copied", "hostile"):
        checks.expect(expected[name]["id"] in orphans, f"{name}'s certificate ({expected[name]['id']}) is listed as held by no host")
    for gone_id in expected["gone_by_role"]:
        checks.expect(gone_id in orphans, f"a retired host's role certificate ({gone_id}) is listed as held by no host")
    held_ids = {held["id"] for held in expected["held"] + expected["held_by_role"]}
    checks.expect(not held_ids & set(orphans), f"CSV: no certificate a host holds is an orphan ({sorted(held_ids & set(orphans))})")
    json_orphans = {orphan["id"] for orphan in content["orphans"]}
    checks.expect(not held_ids & json_orphans, f"JSON: no certificate a host holds is an orphan ({sorted(held_ids & json_orphans)})")
    json_held = {row["certificate_id"] for row in content["hosts"] if row["possession_proven"]}
    checks.expect(held_ids <= json_held, f"JSON: every certificate a host holds is proven held ({sorted(held_ids - json_held)} missing)")
    checks.expect(content["without_certificate"] == [f"{prefix}-web-03"], f"JSON: web-03 alone has no certificate ({content['without_certificate']})")
    checks.expect(content["not_checked"] == [f"{prefix}-web-04"], f"JSON: web-04 alone was not checked ({content['not_checked']})")
    checks.expect(content["counts"]["hosts"] == 6, f"JSON: 6 hosts ({content['counts']['hosts']})")
    page_orphans = page.split('<div id="orphans">', 1)[-1].split("<h2>", 1)[0]
    checks.expect(not [held for held in held_ids if held in page_orphans], "HTML: no certificate a host holds is under the certificates no host holds")
    checks.expect(orphans.get(expected["hostile"]["id"], {}).get("common_name") == expected["hostile"]["common_name"], "the CSV keeps the markup CN as text")

    copycat_row = by_host.get(copied["copycat"], {})
    checks.expect(copycat_row.get("certificate_id") == copied["id"], f"copycat's check found ESA's record of the copy ({copycat_row.get('certificate_id')})")
    claim = f"claims certificate {copied['id']} without proof of possession"
    checks.expect(claim in copycat_row.get("note", ""), f"copycat's line says it {claim} ({copycat_row.get('note')!r})")
    copied_note = orphans.get(copied["id"], {}).get("note", "")
    checks.expect(
        copied_note == f"no revoke task: {copied['copycat']} claims it without proof of possession",
        f"gone-02's orphan names copycat's claim and offers no revoke task ({copied_note!r})",
    )
    checks.expect(not [block for block in page.split("<pre>")[1:] if copied["id"] in block.split("</pre>")[0]], "the page offers no revoke task for gone-02's")

    gone = expected["gone"]
    task_texts = [html.unescape(text) for text in (block.split("</pre>")[0] for block in page.split("<pre>")[1:]) if gone["id"] in text]
    task = yaml.safe_load(task_texts[0]) if len(task_texts) == 1 else None
    checks.expect(
        bool(task) and task[0]["alibabacloud.esa.esa_client_certificate_revoke"]["id"] == [gone["id"]]
        and task[0]["alibabacloud.esa.esa_client_certificate_revoke"]["fingerprint_sha256"] == [gone["fingerprint_sha256"]],
        "gone-01's orphan comes with the revoke task, by id and fingerprint",
    )
    checks.expect("<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;-0.example.com" in page, "the page escapes the markup CN")
    checks.expect("<svg" in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page,
                  "the page draws its timeline inline and loads nothing")

    with open(before_path, encoding="utf-8") as handle:
        before = json.load(handle)["calls"]
    with open(after_path, encoding="utf-8") as handle:
        after = json.load(handle)["calls"]
    delta = {action: after.get(action, 0) - before.get(action, 0) for action in after if after.get(action, 0) != before.get(action, 0)}
    writes = {action: count for action, count in delta.items() if not action.startswith(READS)}
    reads = sum(count for action, count in delta.items() if action.startswith(READS))
    checks.expect(not writes, f"the report made no ESA write ({writes or 'none'}); {reads} reads: {delta}")
    with open(files_before, encoding="utf-8") as handle:
        files_then = handle.read()
    with open(files_after, encoding="utf-8") as handle:
        files_now = handle.read()
    checks.expect(files_then == files_now and files_then.strip() != "", "every file in the hosts' directories is byte for byte the same")
    print(f"report checks: {checks.count - checks.failed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
