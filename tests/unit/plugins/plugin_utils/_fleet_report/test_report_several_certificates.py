# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hosts that hold several certificates (one check per path, as a loop registers them), and the new host's result."""

from __future__ import annotations

import csv
import io

import pytest

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report.csv_export import fleet_report_csv
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report.report import fleet_report, host_rows
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils.fleet_report_cases import (
    EXAMPLE_PATH,
    NEW_HOST,
    NOW,
    ROLE_PATH,
    SITE,
    absent,
    certificate,
    checked,
    inspected,
    looped,
    two_certificate_fleet,
)

WEB = certificate("id01", "web-01", "2027-12-01T00:00:00Z", 365, "a1" * 32)
ROLE = certificate("id02", "web-01", "2027-06-01T00:00:00Z", 182, "b2" * 32)


@pytest.fixture
def report():
    hosts, listing = two_certificate_fleet()
    return fleet_report(hosts, listing, site_id=SITE, now=NOW)


def test_every_certificate_a_host_holds_is_a_line(report):
    assert sorted((row["host"], row["path"]) for row in report["hosts"]) == [
        ("web-01", EXAMPLE_PATH),
        ("web-01", ROLE_PATH),
        ("web-02", EXAMPLE_PATH),
        ("web-02", ROLE_PATH),
    ]


def test_no_certificate_a_host_proved_it_holds_is_an_orphan(report):
    assert [orphan["id"] for orphan in report["orphans"]] == ["gone"]


def test_the_role_certificates_are_held(report):
    assert {row["certificate_id"] for row in report["hosts"] if row["path"] == ROLE_PATH and row["possession_proven"]} == {"role1", "role2"}


def test_hosts_are_counted_once(report):
    assert report["counts"]["hosts"] == 2


def test_certificates_are_counted_per_file(report):
    assert report["counts"]["certificates"] == 4


def test_status_counts_are_per_line(report):
    assert report["counts"]["ok"] == 4


def test_a_path_a_loop_skipped_is_not_held():
    rows = host_rows("web-01", looped(inspected(EXAMPLE_PATH, checked([], WEB)), absent(ROLE_PATH)))
    assert [row["path"] for row in rows] == [EXAMPLE_PATH]


def test_a_path_whose_file_is_missing_is_not_held():
    rows = host_rows("web-01", looped(inspected(EXAMPLE_PATH, NEW_HOST), inspected(ROLE_PATH, checked([], ROLE))))
    assert [row["path"] for row in rows] == [ROLE_PATH]


def test_a_new_host_has_no_certificate():
    assert [row["status"] for row in host_rows("new-01", NEW_HOST)] == ["missing"]


def test_a_new_host_claims_nothing():
    (row,) = host_rows("new-01", NEW_HOST)
    assert row["certificate_id"] is None


def test_a_new_host_is_listed_without_a_certificate():
    assert fleet_report({"new-01": NEW_HOST}, [], now=NOW)["without_certificate"] == ["new-01"]


def test_a_new_host_is_not_listed_as_not_checked():
    assert fleet_report({"new-01": NEW_HOST}, [], now=NOW)["not_checked"] == []


def test_a_new_host_checked_at_every_path_has_one_line_naming_them():
    rows = host_rows("new-01", looped(inspected(EXAMPLE_PATH, NEW_HOST), absent(ROLE_PATH)))
    assert [(row["status"], row["note"]) for row in rows] == [("missing", f"no certificate at {EXAMPLE_PATH}, {ROLE_PATH}")]


def test_a_loop_over_no_path_means_no_certificate():
    rows = host_rows("new-01", {"changed": False, "skipped": True, "skipped_reason": "No items in the list", "results": []})
    assert [row["status"] for row in rows] == ["missing"]


def test_todays_single_result_is_still_one_line():
    assert len(host_rows("web-01", {**checked([], WEB), "filename": EXAMPLE_PATH})) == 1


def test_todays_single_result_keeps_its_status():
    (row,) = host_rows("web-01", {**checked([], WEB), "filename": EXAMPLE_PATH})
    assert row["status"] == "ok"


def test_todays_single_result_names_its_file():
    (row,) = host_rows("web-01", {**checked([], WEB), "filename": EXAMPLE_PATH})
    assert row["path"] == EXAMPLE_PATH


def test_todays_single_result_keeps_its_certificate():
    (row,) = host_rows("web-01", {**checked([], WEB), "filename": EXAMPLE_PATH})
    assert row["certificate_id"] == "id01"


def test_a_list_of_results_is_taken_as_the_loop_is():
    rows = host_rows("web-01", [inspected(EXAMPLE_PATH, checked([], WEB)), inspected(ROLE_PATH, checked([], ROLE))])
    assert [row["certificate_id"] for row in rows] == ["id01", "id02"]


def test_a_path_whose_check_failed_is_not_checked():
    failed = {"failed": True, "msg": "permission denied", "item": {"path": ROLE_PATH}}
    rows = host_rows("web-01", looped(inspected(EXAMPLE_PATH, checked([], WEB)), failed, failed=True))
    assert [(row["path"], row["status"]) for row in rows] == [(EXAMPLE_PATH, "ok"), (ROLE_PATH, "not_checked")]


def test_a_host_with_one_path_not_checked_is_listed_as_not_checked():
    failed = {"failed": True, "msg": "permission denied", "item": {"path": ROLE_PATH}}
    hosts = {"web-01": looped(inspected(EXAMPLE_PATH, checked([], WEB)), failed, failed=True)}
    assert fleet_report(hosts, [WEB], now=NOW)["not_checked"] == ["web-01"]


def test_a_host_that_failed_before_any_path_is_not_checked():
    rows = host_rows("web-04", {"failed": True, "msg": "/nonexistent/python3: not found", "results": []})
    assert [(row["status"], row["note"]) for row in rows] == [("not_checked", "/nonexistent/python3: not found")]


def test_an_unproven_second_certificate_stays_an_orphan_possibly_held_by_its_host():
    hosts = {"web-01": looped(inspected(EXAMPLE_PATH, checked([], WEB)), inspected(ROLE_PATH, checked(["key_mismatch"], ROLE, proven=False)))}
    report = fleet_report(hosts, [WEB, ROLE], site_id=SITE, now=NOW)
    assert [(orphan["id"], orphan["possibly_held_by"]) for orphan in report["orphans"]] == [("id02", ["web-01"])]


def test_an_unproven_second_certificate_gets_no_revoke_task():
    hosts = {"web-01": looped(inspected(EXAMPLE_PATH, checked([], WEB)), inspected(ROLE_PATH, checked(["key_mismatch"], ROLE, proven=False)))}
    report = fleet_report(hosts, [WEB, ROLE], site_id=SITE, now=NOW)
    assert report["orphans"][0]["revoke_task"] is None


def test_an_unreadable_file_beside_a_held_one_stays_a_line():
    rows = host_rows("web-01", looped(inspected(EXAMPLE_PATH, checked([], WEB)), inspected(ROLE_PATH, {"changed": True, "reasons": ["unreadable"]})))
    assert [(row["path"], row["status"]) for row in rows] == [(EXAMPLE_PATH, "ok"), (ROLE_PATH, "missing")]


def test_the_path_comes_from_the_invocation_when_there_is_no_filename():
    (row,) = host_rows("web-01", {**checked([], WEB), "invocation": {"module_args": {"path": ROLE_PATH}}})
    assert row["path"] == ROLE_PATH


def csv_lines(hosts, listing):
    return list(csv.DictReader(io.StringIO(fleet_report_csv(fleet_report(hosts, listing, site_id=SITE, now=NOW)))))


def test_the_csv_has_a_line_per_certificate_file():
    lines = csv_lines(*two_certificate_fleet())
    assert sorted((line["host"], line["path"]) for line in lines if line["host"]) == [
        ("web-01", EXAMPLE_PATH),
        ("web-01", ROLE_PATH),
        ("web-02", EXAMPLE_PATH),
        ("web-02", ROLE_PATH),
    ]


def test_the_csv_has_one_orphan_line_for_the_retired_certificate():
    lines = csv_lines(*two_certificate_fleet())
    assert [line["certificate_id"] for line in lines if line["status"] == "held by no host"] == ["gone"]


@pytest.mark.parametrize(
    ("entry", "label"),
    [
        (NEW_HOST, "no certificate"),
        ({}, "not checked"),
        (checked(["expiring"], certificate("d", "h", "2026-12-20T00:00:00Z", 19, "d1" * 32)), "renewal due"),
        (checked(["revoked"], certificate("r", "h", "2027-01-01T00:00:00Z", 31, "d2" * 32, "revoked")), "revoked on ESA"),
        (checked(["not_found_remote"], certificate(None, "h", "2027-01-01T00:00:00Z", 31, "d3" * 32)), "unknown to ESA"),
        (checked([], certificate("o", "h", "2027-01-01T00:00:00Z", 31, "d4" * 32)), "ok"),
    ],
)
def test_the_csv_status_is_the_pages_label(entry, label):
    (line,) = csv_lines({"h": entry}, [])
    assert line["status"] == label
