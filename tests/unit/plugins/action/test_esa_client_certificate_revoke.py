# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""esa_client_certificate_revoke run in-process against the emulator through the official SDK."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.esa.plugins.action.esa_client_certificate_revoke import ActionModule as RevokeAction
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import build_csr_pem, generate_private_key
from ansible_collections.alibabacloud.esa.tests.unit.plugins.action.action_runner import run_action

SITE = 1234567890123
FLEET = "*.fleet.example.com"


@pytest.fixture
def esa(esa_emulator):
    def run(check_mode=False, diff=False, **options):
        args = {"site_id": SITE, "endpoint": esa_emulator.url, "api_retries": 1, **esa_emulator.credentials, **options}
        result, target = run_action(RevokeAction, args, check_mode=check_mode, diff=diff)
        assert target is None, "controller-only: the target is never contacted"
        return result

    return run


@pytest.fixture
def issue(esa_emulator):
    """Issue certificates with the official SDK, as another operator would; ``age_minutes`` back-dates them on the emulator's clock."""
    from alibabacloud_esa20240910 import models  # pylint: disable=import-outside-toplevel
    from alibabacloud_esa20240910.client import Client  # pylint: disable=import-outside-toplevel
    from alibabacloud_tea_openapi.utils_models import Config  # pylint: disable=import-outside-toplevel

    client = Client(Config(endpoint=esa_emulator.endpoint, protocol="http", **esa_emulator.credentials))
    key = generate_private_key("ECDSA")

    def create(*names, age_minutes=10):
        # Within the 15 minutes of request-time skew the gateway allows, so the SDK's signature still passes.
        esa_emulator.set_clock_offset(-60 * age_minutes)
        try:
            bodies = [client.create_client_certificate(models.CreateClientCertificateRequest(site_id=SITE, csr=build_csr_pem(key, name),
                                                                                             validity_days=30)).body for name in names]
        finally:
            esa_emulator.set_clock_offset(0)
        return [{"id": body.id, "fingerprint_sha256": body.fingerprint_sha_256, "common_name": body.common_name} for body in bodies]

    return create


def statuses(esa_emulator):
    return {entry["id"]: entry["status"] for entry in esa_emulator.state()}


def calls(esa_emulator):
    return dict(esa_emulator.stats()["calls"])


def test_decommission_revokes_what_no_host_keeps_and_never_a_young_certificate(esa, esa_emulator, issue):
    fleet = issue("web01.fleet.example.com", "web02.fleet.example.com", "web03.fleet.example.com", "db01.other.example.com")
    newcomer = issue("web04.fleet.example.com", age_minutes=0)[0]
    keep = [fleet[0]["id"], fleet[1]["fingerprint_sha256"].upper()]
    planned = esa(common_name_pattern=FLEET, keep=keep, min_age_minutes=5, check_mode=True, diff=True)
    assert planned["changed"]
    assert [facts["id"] for facts in planned["revoked"]] == [fleet[2]["id"]]
    assert sorted(planned["kept"]) == sorted([fleet[0]["id"], fleet[1]["id"]])
    assert planned["too_young"] == [newcomer["id"]]
    assert sorted(facts["id"] for facts in planned["matched"]) == sorted([fleet[0]["id"], fleet[1]["id"], fleet[2]["id"], newcomer["id"]])
    assert list(planned["diff"]["before"]["certificates"]) == [fleet[2]["id"]]
    summary = planned["diff"]["after"]["certificates"][fleet[2]["id"]]
    assert set(summary) == {"id", "common_name", "fingerprint_sha256", "not_after", "created", "status"}
    assert summary["status"] == "revoked"
    assert set(statuses(esa_emulator).values()) == {"active"}, "check mode revokes nothing"

    done = esa(common_name_pattern=FLEET, keep=keep, min_age_minutes=5)
    assert done["changed"]
    assert [facts["id"] for facts in done["revoked"]] == [fleet[2]["id"]]
    assert done["deleted"] == []
    assert done["revoked"][0]["status"] == "revoked"
    assert done["revoked"][0]["created"].endswith("Z")
    assert statuses(esa_emulator) == {fleet[0]["id"]: "active", fleet[1]["id"]: "active", fleet[2]["id"]: "revoked", fleet[3]["id"]: "active",
                                      newcomer["id"]: "active"}

    again = esa(common_name_pattern=FLEET, keep=keep, min_age_minutes=5)
    assert not again["changed"], "already revoked is ok, not a change"
    assert again["revoked"] == [], "already revoked is ok, not a change"


def test_more_than_max_revocations_fails_and_revokes_nothing(esa, esa_emulator, issue):
    issue(*(f"web{index:02d}.fleet.example.com" for index in range(4)))
    stopped = esa(common_name_pattern=FLEET, keep=[], min_age_minutes=5, max_revocations=3)
    assert stopped["failed"]
    assert "would revoke 4 certificates, more than max_revocations (3)" in stopped["msg"]
    assert len(stopped["matched"]) == 4
    assert "revoked" not in stopped
    assert set(statuses(esa_emulator).values()) == {"active"}
    assert "RevokeClientCertificate" not in calls(esa_emulator)
    defaulted = esa(common_name_pattern=FLEET)
    assert not defaulted["changed"], "min_age_minutes defaults to 60: ten minutes old is too young"
    assert len(defaulted["too_young"]) == 4, "min_age_minutes defaults to 60: ten minutes old is too young"


def test_id_and_fingerprint_revoke_only_when_esas_pem_has_that_fingerprint(esa, esa_emulator, issue):
    first, second = issue("a.example.com", "b.example.com")
    # ESA's derived field empty: the fingerprint comes from the PEM of the Get, which is the only read made.
    esa_emulator.update_settings(derived_fields={"client_certificates": "empty"})
    before = calls(esa_emulator)
    steered = esa(id=[first["id"]], fingerprint_sha256=[second["fingerprint_sha256"]], min_age_minutes=0)
    assert not steered["changed"]
    assert steered["matched"] == []
    assert set(statuses(esa_emulator).values()) == {"active"}
    after = calls(esa_emulator)
    assert after.get("GetClientCertificate", 0) - before.get("GetClientCertificate", 0) == 1
    assert after.get("ListClientCertificates", 0) == before.get("ListClientCertificates", 0), "by id: no listing"

    openssl_form = "sha256 Fingerprint=" + ":".join(first["fingerprint_sha256"][i:i + 2].upper() for i in range(0, 64, 2))
    revoked = esa(id=[first["id"]], fingerprint_sha256=[openssl_form], min_age_minutes=0)
    assert revoked["changed"]
    assert revoked["revoked"][0]["fingerprint_sha256"] == first["fingerprint_sha256"]
    assert statuses(esa_emulator) == {first["id"]: "revoked", second["id"]: "active"}


def test_a_fingerprint_selector_over_the_listing_reads_the_pem_of_candidates_only(esa, esa_emulator, issue):
    made = issue("a.example.com", "b.example.com", "c.example.com")
    before = calls(esa_emulator)
    result = esa(fingerprint_sha256=[made[1]["fingerprint_sha256"]], min_age_minutes=0)
    assert [facts["id"] for facts in result["revoked"]] == [made[1]["id"]]
    assert calls(esa_emulator).get("GetClientCertificate", 0) - before.get("GetClientCertificate", 0) == 1, "listed fingerprints rule out the others"
    esa_emulator.update_settings(derived_fields={"client_certificates": "absent"})
    before = calls(esa_emulator)
    result = esa(fingerprint_sha256=[made[2]["fingerprint_sha256"]], common_name=["A.example.com", "c.example.com."], min_age_minutes=0)
    assert [facts["id"] for facts in result["revoked"]] == [made[2]["id"]]
    assert calls(esa_emulator).get("GetClientCertificate", 0) - before.get("GetClientCertificate", 0) == 2, "no listed fingerprint: the PEM of each name match"


def test_state_absent_revokes_then_deletes_and_settles(esa, esa_emulator, issue):
    active, already = issue("old1.fleet.example.com", "old2.fleet.example.com")
    assert esa(id=[already["id"]], min_age_minutes=0)["changed"]
    removed = esa(common_name_pattern=FLEET, state="absent", min_age_minutes=5, diff=True)
    assert removed["changed"]
    assert [facts["id"] for facts in removed["revoked"]] == [active["id"]]
    assert sorted(removed["deleted"]) == sorted([active["id"], already["id"]])
    assert removed["diff"]["after"] == {"certificates": {}}
    assert esa_emulator.state() == []
    again = esa(common_name_pattern=FLEET, state="absent", min_age_minutes=5)
    assert not again["changed"]
    assert again["matched"] == []
    assert again["deleted"] == []


def test_every_page_of_the_listing_is_read(esa, esa_emulator, issue):
    made = issue(*(f"host{index:03d}.fleet.example.com" for index in range(105)))
    planned = esa(common_name_pattern="host10?.fleet.example.com", min_age_minutes=0, check_mode=True)
    assert sorted(facts["common_name"] for facts in planned["revoked"]) == [f"host10{index}.fleet.example.com" for index in range(5)]
    assert calls(esa_emulator)["ListClientCertificates"] == 2
    assert len(made) == 105


def test_bad_input_is_refused_before_any_esa_call(esa, esa_emulator):
    for options, text in (({}, "give at least one selector"), ({"fingerprint_sha256": ["abc"]}, "fingerprint_sha256 must be 64 hex digits"),
                          ({"id": ["x"], "state": "gone"}, "state"), ({"common_name_pattern": "*", "max_revocations": -1}, "max_revocations")):
        refused = esa(**options)
        assert refused["failed"]
        assert text in refused["msg"]
    assert esa_emulator.stats()["requests_total"] == 0


def test_a_certificate_deleted_meanwhile_is_skipped(esa, esa_emulator, issue, monkeypatch):
    from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa import client as _esa_client  # pylint: disable=import-outside-toplevel

    gone, stays = issue("gone.fleet.example.com", "stays.fleet.example.com")
    real_revoke = _esa_client.EsaClient.revoke_client_certificate

    def revoke_after_someone_deleted(self, site_id, cert_id, **kwargs):
        if cert_id == gone["id"]:  # another operator revokes and deletes it between the listing and this call
            real_revoke(self, site_id, cert_id)
            self.delete_client_certificate(site_id, cert_id)
        return real_revoke(self, site_id, cert_id, **kwargs)

    monkeypatch.setattr(_esa_client.EsaClient, "revoke_client_certificate", revoke_after_someone_deleted)
    result = esa(common_name_pattern=FLEET, min_age_minutes=0, state="absent")
    assert [facts["id"] for facts in result["revoked"]] == [stays["id"]]
    assert result["deleted"] == [stays["id"]]
    assert esa_emulator.state() == []


def test_a_certificate_revoked_meanwhile_counts_as_revoked_without_a_change(esa, esa_emulator, issue, monkeypatch):
    from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa import client as _esa_client  # pylint: disable=import-outside-toplevel

    made = issue("raced.fleet.example.com")[0]
    real_revoke = _esa_client.EsaClient.revoke_client_certificate

    def revoke_after_someone_else(self, site_id, cert_id, **kwargs):
        real_revoke(self, site_id, cert_id)  # another operator was faster: ESA answers Certificate.StatusError to this task
        return real_revoke(self, site_id, cert_id, **kwargs)

    monkeypatch.setattr(_esa_client.EsaClient, "revoke_client_certificate", revoke_after_someone_else)
    result = esa(common_name_pattern=FLEET, min_age_minutes=0)
    assert not result.get("failed")
    assert not result["changed"]
    assert [facts["id"] for facts in result["revoked"]] == [made["id"]]
    assert statuses(esa_emulator) == {made["id"]: "revoked"}


def test_a_failure_halfway_reports_what_was_revoked_before_it(esa, esa_emulator, issue, monkeypatch):
    from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa import client as _esa_client  # pylint: disable=import-outside-toplevel

    made = issue("one.fleet.example.com", "two.fleet.example.com")
    real_revoke = _esa_client.EsaClient.revoke_client_certificate

    def revoke_then_throttled(self, site_id, cert_id, **kwargs):
        answer = real_revoke(self, site_id, cert_id, **kwargs)
        esa_emulator.set_faults([{"type": "throttle", "action": "RevokeClientCertificate"}])  # every later revoke is refused
        return answer

    monkeypatch.setattr(_esa_client.EsaClient, "revoke_client_certificate", revoke_then_throttled)
    result = esa(common_name_pattern=FLEET, min_age_minutes=0)
    first = next(facts["id"] for facts in result["matched"])
    assert result["failed"]
    assert result["code"] == "Throttling.User"
    assert "RevokeClientCertificate" in result["msg"]
    assert result["changed"]
    assert [facts["id"] for facts in result["revoked"]] == [first]
    assert result["deleted"] == []
    assert sorted(statuses(esa_emulator).values()) == ["active", "revoked"]
    assert len(made) == 2


# --- issue 24: the default min_age_minutes holds young certificates back, and says so ---------------------------------


def test_young_matches_held_back_by_the_default_are_warned_about(esa, issue):
    first, second = sorted(certificate["id"] for certificate in issue("web01.fleet.example.com", "web02.fleet.example.com"))
    result = esa(common_name_pattern=FLEET)
    assert [warning for warning in result.get("warnings", []) if "min_age_minutes: 0" in warning] == [
        f"2 matched certificates were not revoked ({first}, {second}): ESA created them less than 60 minutes ago "
        "(min_age_minutes), or does not say when; to revoke them now, set min_age_minutes: 0"
    ]


def test_young_matches_held_back_are_warned_about_in_check_mode_too(esa, issue):
    issue("web01.fleet.example.com")
    result = esa(common_name_pattern=FLEET, check_mode=True)
    assert any("min_age_minutes: 0" in warning for warning in result.get("warnings", []))


def test_young_matches_held_back_still_report_ok(esa, issue):
    issue("web01.fleet.example.com")
    result = esa(common_name_pattern=FLEET)
    assert result["changed"] is False


def test_kept_young_matches_are_not_warned_about(esa, issue):
    young = issue("web01.fleet.example.com")
    result = esa(common_name_pattern=FLEET, keep=[young[0]["id"]])
    assert "warnings" not in result


def test_min_age_zero_revokes_without_a_warning(esa, issue):
    issue("web01.fleet.example.com")
    result = esa(common_name_pattern=FLEET, min_age_minutes=0)
    assert "warnings" not in result
