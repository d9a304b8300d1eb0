# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import csv
import io

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report.csv_export import COLUMNS, fleet_report_csv
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report.report import fleet_report
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils.fleet_report_cases import (
    FOREVER,
    FOREVER_DAYS,
    HOSTILE_CN,
    NOW,
    SITE,
    certificate,
    copied_fleet,
    fleet,
    forever_fleet,
)


def rows(hosts, listing):
    return list(csv.DictReader(io.StringIO(fleet_report_csv(fleet_report(hosts, listing, site_id=SITE, now=NOW)))))


def test_one_line_per_host_then_per_orphan():
    lines = rows(*fleet())
    assert tuple(lines[0]) == COLUMNS
    assert [(line["host"], line["status"]) for line in lines][-3:] == [("web-07", "ok"), ("", "held by no host"), ("", "held by no host")]
    web02 = next(line for line in lines if line["host"] == "web-02")
    assert (web02["certificate_id"], web02["common_name"], web02["days_left"], web02["reasons"]) == ("id02", "web-02", "19", "expiring")
    assert any(line["common_name"] == HOSTILE_CN for line in lines)  # CSV quoting keeps it whole


def test_text_a_spreadsheet_would_run_is_defused():
    hosts = {"=cmd|' /C calc'!A0": {"changed": False, "reasons": [], "certificate": certificate("i", "+1+1", "2027-01-01T00:00:00Z", -3, "ab" * 32)}}
    (line,) = rows(hosts, [])
    assert line["host"] == "'=cmd|' /C calc'!A0"
    assert line["common_name"] == "'+1+1"
    assert line["days_left"] == "-3"  # a number stays a number


def test_a_certificate_that_never_expires_is_one_line_with_its_days():
    web01 = next(line for line in rows(*forever_fleet()) if line["host"] == "web-01")
    assert web01["not_after"] == FOREVER
    assert web01["days_left"] == str(FOREVER_DAYS)


def test_an_orphan_that_never_expires_is_listed():
    orphans = [line for line in rows(*forever_fleet()) if line["status"] == "held by no host"]
    assert [line["not_after"] for line in orphans] == [FOREVER]


def test_a_claim_without_proof_says_so_on_the_hosts_line():
    copycat = next(line for line in rows(*copied_fleet()) if line["host"] == "copycat")
    assert copycat["note"] == "claims certificate gone without proof of possession: not counted as held"


def test_the_certificate_claimed_without_proof_is_an_orphan_line_with_the_claim():
    orphans = [line for line in rows(*copied_fleet()) if line["status"] == "held by no host"]
    assert [(line["certificate_id"], line["note"]) for line in orphans] == [("gone", "no revoke task: copycat claims it without proof of possession")]
