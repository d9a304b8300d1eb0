# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

import pytest
import yaml

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report.report import fleet_report, host_row, revoke_task_text
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils.fleet_report_cases import (
    FOREVER,
    FOREVER_DAYS,
    HOSTILE_CN,
    NOW,
    SITE,
    certificate,
    checked,
    copied_fleet,
    fleet,
    forever_fleet,
)


@pytest.fixture
def report():
    hosts, listing = fleet()
    return fleet_report(hosts, listing, site_id=SITE, now=NOW)


def test_each_host_gets_the_status_its_check_implies(report):
    statuses = {row["host"]: row["status"] for row in report["hosts"]}
    assert statuses == {
        "web-01": "ok",
        "web-02": "due",
        "web-03": "missing",
        "web-04": "not_checked",
        "web-05": "not_checked",
        "web-06": "revoked",
        "web-07": "ok",
    }


def test_hosts_come_most_urgent_first(report):
    assert [row["host"] for row in report["hosts"]] == ["web-04", "web-05", "web-03", "web-06", "web-02", "web-01", "web-07"]


def test_rows_carry_id_cn_days_and_why_a_host_was_not_checked(report):
    rows = {row["host"]: row for row in report["hosts"]}
    assert (rows["web-02"]["certificate_id"], rows["web-02"]["common_name"], rows["web-02"]["days_left"]) == ("id02", "web-02", 19)
    assert rows["web-04"]["note"] == "Failed to import the required Python library"
    assert "unreachable" in rows["web-05"]["note"]


@pytest.mark.parametrize(
    ("entry", "status"),
    [
        ({"changed": True, "reasons": ["unreadable"]}, "missing"),
        ({"changed": True, "reasons": ["not_found_remote"], "certificate": {"remaining_days": 10}}, "not_on_esa"),
        ({"changed": True, "reasons": ["key_mismatch"], "certificate": {"remaining_days": 10}}, "mismatch"),
        ({"changed": True, "reasons": ["expiring"], "certificate": {"remaining_days": -2}}, "expired"),
        ({"unreachable": True, "msg": "ssh: connect to host"}, "not_checked"),
        (None, "not_checked"),
        ({"changed": False, "reasons": ["expiring"], "certificate": {"remaining_days": 3}}, "due"),  # as registered with changed_when: false
        ({"changed": True, "reasons": [], "certificate": {"remaining_days": 300}}, "ok"),  # only a file mode would change
    ],
)
def test_status_of_other_outcomes(entry, status):
    assert host_row("h", entry)["status"] == status


def test_orphans_are_active_certificates_no_checked_host_holds(report):
    # id01/id02 held by id, id07 by fingerprint (any case), "old" is revoked: only two are left
    assert [orphan["id"] for orphan in report["orphans"]] == ["gone", "id05"]


def test_a_proven_claim_keeps_the_certificate_out_of_the_orphans():
    hosts, listing = copied_fleet()
    report = fleet_report(hosts, listing, site_id=SITE, now=NOW)
    assert "id01" not in [orphan["id"] for orphan in report["orphans"]]


def test_a_proven_claim_by_fingerprint_alone_keeps_the_certificate():
    # no bookkeeping id: ESA's record was found by fingerprint, written with colons and capitals by ESA
    hosts = {"web-07": checked([], certificate(None, "web-07", "2027-12-01T00:00:00Z", 365, "a7" * 32))}
    listing = [certificate("id07", "web-07", "2027-12-01T00:00:00Z", 365, ":".join(["A7"] * 32))]
    assert fleet_report(hosts, listing, site_id=SITE, now=NOW)["orphans"] == []


@pytest.fixture
def copied():
    hosts, listing = copied_fleet()
    report = fleet_report(hosts, listing, site_id=SITE, now=NOW)
    return report, {row["host"]: row for row in report["hosts"]}, {orphan["id"]: orphan for orphan in report["orphans"]}


def test_a_copy_claimed_without_proof_stays_an_orphan(copied):
    _report, _rows, orphans = copied
    assert list(orphans) == ["gone"]


def test_the_host_that_claims_a_copy_is_named_as_possibly_holding_it(copied):
    _report, _rows, orphans = copied
    assert orphans["gone"]["possibly_held_by"] == ["copycat"]


def test_the_claim_without_proof_is_named_apart(copied):
    _report, _rows, orphans = copied
    assert orphans["gone"]["claimed_by"] == ["copycat"]


def test_an_orphan_claimed_without_proof_gets_no_revoke_task(copied):
    # The careful choice: a host with only a CSR cannot sign either, and its service would break.
    _report, _rows, orphans = copied
    assert orphans["gone"]["revoke_task"] is None


def test_the_orphans_note_says_who_claims_it_without_proof(copied):
    _report, _rows, orphans = copied
    assert orphans["gone"]["note"] == "no revoke task: copycat claims it without proof of possession"


def test_the_claiming_hosts_row_says_so(copied):
    _report, rows, _orphans = copied
    assert rows["copycat"]["note"] == "claims certificate gone without proof of possession: not counted as held"


def test_the_claiming_hosts_row_is_not_proven(copied):
    _report, rows, _orphans = copied
    assert rows["copycat"]["possession_proven"] is False


def test_the_proving_hosts_row_is_proven(copied):
    _report, rows, _orphans = copied
    assert rows["web-01"]["possession_proven"] is True


def test_the_proving_hosts_row_has_no_note(copied):
    _report, rows, _orphans = copied
    assert rows["web-01"]["note"] == ""


def test_claims_without_proof_are_counted(copied):
    report, _rows, _orphans = copied
    assert report["counts"]["unproven"] == 1


@pytest.mark.parametrize("proof", [{}, {"possession_proven": False}, {"possession_proven": "true"}, {"possession_proven": 1}])
def test_only_a_boolean_true_is_proof(proof):
    # {}: a result of a real run, or of a collection that did not check possession
    entry = {"changed": False, "reasons": [], "certificate": certificate("gone", "gone-01", "2027-03-01T00:00:00Z", 90, "0f" * 32), **proof}
    report = fleet_report({"copycat": entry}, [certificate("gone", "gone-01", "2027-03-01T00:00:00Z", 90, "0f" * 32)], site_id=SITE, now=NOW)
    assert [orphan["possibly_held_by"] for orphan in report["orphans"]] == [["copycat"]]


def test_a_proven_holder_wins_over_a_copy_of_its_certificate():
    hosts, listing = copied_fleet()
    hosts["web-01-copy"] = checked(["key_mismatch"], certificate("id01", "web-01", "2027-12-01T00:00:00Z", 365, "a1" * 32), proven=False)
    report = fleet_report(hosts, listing, site_id=SITE, now=NOW)
    assert [orphan["id"] for orphan in report["orphans"]] == ["gone"]


def test_a_failed_check_proves_nothing():
    entry = {"failed": True, "msg": "boom", "possession_proven": True, "certificate": certificate("gone", "gone-01", "2027-03-01T00:00:00Z", 90, "0f" * 32)}
    report = fleet_report({"copycat": entry}, [certificate("gone", "gone-01", "2027-03-01T00:00:00Z", 90, "0f" * 32)], site_id=SITE, now=NOW)
    assert [orphan["id"] for orphan in report["orphans"]] == ["gone"]


def test_a_claim_and_an_unchecked_host_both_withhold_the_task_and_both_are_named():
    hosts, listing = copied_fleet()
    hosts["gone-01"] = {}
    (orphan,) = fleet_report(hosts, listing, site_id=SITE, now=NOW)["orphans"]
    assert orphan["possibly_held_by"] == ["copycat", "gone-01"]
    assert orphan["note"] == "no revoke task: copycat claims it without proof of possession; its common name names gone-01, which could not be checked"


def test_a_certificate_that_never_expires_goes_through_json():
    hosts, listing = forever_fleet()
    report = json.loads(json.dumps(fleet_report(hosts, listing, site_id=SITE, now=NOW)))
    assert report["hosts"][0]["not_after"] == FOREVER
    assert report["hosts"][0]["days_left"] == FOREVER_DAYS
    assert [orphan["not_after"] for orphan in report["orphans"]] == [FOREVER]


def test_a_report_for_the_last_second_of_the_calendar():
    hosts, listing = forever_fleet()
    assert fleet_report(hosts, listing, site_id=SITE, now=FOREVER)["generated_at"] == FOREVER


def test_an_orphan_that_names_an_unchecked_host_gets_no_revoke_task(report):
    orphan = report["orphans"][1]
    assert orphan["possibly_held_by"] == ["web-05"]
    assert orphan["revoke_task"] is None
    assert "web-05" in orphan["note"]


def test_the_revoke_task_is_yaml_that_selects_by_id_and_fingerprint_only(report):
    task_text = report["orphans"][0]["revoke_task"]
    assert "{{" not in task_text
    (task,) = yaml.safe_load(task_text)
    assert task["alibabacloud.esa.esa_client_certificate_revoke"] == {"site_id": SITE, "id": ["gone"], "fingerprint_sha256": ["0f" * 32]}
    assert set(task) == {"name", "alibabacloud.esa.esa_client_certificate_revoke"}
    assert HOSTILE_CN not in task_text.split("#", 1)[0]  # the common name is only in the comment


def test_a_common_name_cannot_add_yaml_to_the_task():
    text = revoke_task_text(SITE, "abc", "0f" * 32, 'x"\n  ansible.builtin.shell: rm -rf / # {{ lookup("pipe", "id") }}')
    (task,) = yaml.safe_load(text)
    assert set(task) == {"name", "alibabacloud.esa.esa_client_certificate_revoke"}


@pytest.mark.parametrize(("cert_id", "fingerprint"), [("{{ lookup('pipe', 'id') }}", "0f" * 32), ("a b", "0f" * 32), ("ok", "zz" * 32)])
def test_odd_ids_or_fingerprints_get_no_task(cert_id, fingerprint):
    (orphan,) = fleet_report({}, [certificate(cert_id, "x", "2027-01-01T00:00:00Z", 31, fingerprint)], site_id=SITE, now=NOW)["orphans"]
    assert orphan["revoke_task"] is None
    assert orphan["note"].startswith("no revoke task")


def test_without_a_listed_fingerprint_the_task_selects_by_id_and_says_so():
    (orphan,) = fleet_report({}, [certificate("abc", "x", "2027-01-01T00:00:00Z", 31, None)], site_id=SITE, now=NOW)["orphans"]
    assert yaml.safe_load(orphan["revoke_task"])[0]["alibabacloud.esa.esa_client_certificate_revoke"] == {"site_id": SITE, "id": ["abc"]}
    assert "by id only" in orphan["note"]


def test_lists_and_counts(report):
    assert report["without_certificate"] == ["web-03"]
    assert report["not_checked"] == ["web-04", "web-05"]
    assert report["counts"] == {
        "hosts": 7,
        "certificates": 4,
        "orphans": 2,
        "not_checked": 2,
        "missing": 1,
        "revoked": 1,
        "not_on_esa": 0,
        "mismatch": 0,
        "expired": 0,
        "due": 1,
        "ok": 2,
        "unproven": 0,
    }
    assert report["generated_at"] == NOW
    assert report["site_id"] == SITE
