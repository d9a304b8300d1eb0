#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check the files examples/fleet_report.yml wrote against what setup.yml did, and that the report changed nothing.

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
    prefix = expected["prefix"]
    checks = Checks()

    by_host = {row["host"]: row for row in rows if row["host"]}
    copied = expected["copied"]
    statuses = {host[len(prefix) + 1 :]: row["status"] for host, row in by_host.items() if host != copied["copycat"]}
    checks.expect(
        statuses == {"web-01": "ok", "web-02": "due", "web-03": "missing", "web-04": "not_checked", "web-05": "revoked"},
        f"one CSV line per host of the fleet, with its status: {statuses}",
    )
    checks.expect(copied["copycat"] in by_host, "copycat has its CSV line")
    for held in expected["held"] + expected["revoked"]:
        row = by_host.get(held["host"], {})
        checks.expect(row.get("certificate_id") == held["id"] and row.get("common_name") == held["host"], f"{held['host']}: id {held['id']} and its CN")
    web02 = by_host.get(f"{prefix}-web-02", {})
    checks.expect(web02.get("days_left") == "19" and web02.get("reasons") == "expiring", f"web-02: 19 days left, renewal due ({web02.get('days_left')})")
    checks.expect("python" in by_host.get(f"{prefix}-web-04", {}).get("note", "").lower(), "web-04: why it was not checked")

    orphans = {row["certificate_id"]: row for row in rows if row["status"] == "orphan"}
    for name in ("gone", "copied", "hostile"):
        checks.expect(expected[name]["id"] in orphans, f"{name}'s certificate ({expected[name]['id']}) is listed as held by no host")
    held_ids = {held["id"] for held in expected["held"]}
    checks.expect(not held_ids & set(orphans), "no certificate a host holds is listed as an orphan")
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
