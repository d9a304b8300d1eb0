# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of esa_client_certificate, without I/O: what to issue, keep, revoke or refuse, from (inspection, ESA, options, now)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import build_csr_pem, generate_private_key
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.possession import new_nonce, proof_message, sign
from ansible_collections.alibabacloud.esa.plugins.module_utils._target.contract import (
    Bookkeeping,
    CertificateFacts,
    Inspection,
    KeyView,
    Possession,
)
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.facts import pem_facts
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.lookup import Lookup
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.plan import (
    TaskOptions,
    needs_lookup,
    plan_absent,
    plan_present,
    possession_proven,
)
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils.fake_esa_client import FakeEsaClient

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
SITE = 7


def issued_pair(common_name="web01"):
    """A key and ESA's record of a certificate for it (FakeEsaClient issues like ESA: 30 days)."""
    key = generate_private_key("ECDSA")
    record = FakeEsaClient()._issue(build_csr_pem(key, common_name), NOW - dt.timedelta(days=1))  # pylint: disable=protected-access
    return key, dict(record)


def options(**overrides):
    values = {"site_id": SITE, "path": "/etc/pki/c.crt", "privatekey_path": "/etc/pki/c.key", "key_source": "local", "pkey_type": "ECDSA",
              "common_name": None, "validity_days": 30, "remaining_days": 5, "verify_remote": True, "rotate_key": True, "revoke_replaced": False,
              "force": False, "on_revoked": "reissue", "delete_record": False, "csr_path": None, "csr_content": None}
    values.update(overrides)
    return TaskOptions.from_params(values)


def inspection_of(record, key, **overrides):
    facts = CertificateFacts.from_dict(pem_facts(record))
    values = {"certificate_state": "present", "certificate": facts, "certificate_file_sha256": "00" * 32, "parse_cache_hit": True,
              "key": KeyView(state="present", public_key_sha256=facts.public_key_sha256, key_type="ECDSA"),
              "bookkeeping": Bookkeeping(site_id=SITE, id=record["Id"], fingerprint_sha256=facts.fingerprint_sha256)}
    values.update(overrides)
    return Inspection(**values)


def found(record):
    return Lookup(record, pem_facts=pem_facts(record))


def test_a_healthy_certificate_is_kept_without_writing_anything():
    key, record = issued_pair()
    plan = plan_present(inspection_of(record, key), found(record), options(), NOW, check_mode=False)
    assert plan.reasons == []
    assert not plan.changed
    assert plan.issue is None
    assert plan.keep.maintain is False
    assert plan.before["id"] == record["Id"]


def test_attribute_differences_and_a_recovered_id_are_kept_by_the_maintain_phase():
    key, record = issued_pair()
    plan = plan_present(inspection_of(record, key, attributes_differ=True, bookkeeping=None), Lookup(record, recovered=True, pem_facts=pem_facts(record)),
                        options(), NOW, check_mode=False)
    assert plan.changed
    assert plan.keep.maintain
    assert plan.keep.bookkeeping.id == record["Id"]


def test_stale_parsed_facts_rewrite_the_same_bookkeeping():
    key, record = issued_pair()
    inspection = inspection_of(record, key, parse_cache_hit=False)
    plan = plan_present(inspection, found(record), options(), NOW, check_mode=False)
    assert not plan.changed
    assert plan.keep.bookkeeping == inspection.bookkeeping


def test_a_missing_certificate_is_issued_with_one_esa_call_and_check_mode_reads_once():
    plan = plan_present(Inspection(certificate_state="missing"), None, options(), NOW, check_mode=False)
    assert plan.reasons == ["missing"]
    assert not plan.issue.preflight_read
    assert plan.issue.source == "local"
    assert plan.issue.replaced is None
    assert plan_present(Inspection(certificate_state="missing"), None, options(), NOW, check_mode=True).issue.preflight_read


@pytest.mark.parametrize("overrides, source", [({"csr_content": "PEM"}, "csr"), ({"key_source": "esa"}, "esa"), ({}, "local")])
def test_the_key_comes_from_where_the_options_say(overrides, source):
    assert plan_present(Inspection(certificate_state="missing"), None, options(**overrides), NOW, check_mode=False).issue.source == source


def test_rotate_key_false_reuses_a_usable_key_only():
    key, record = issued_pair()
    inspection = inspection_of(record, key)
    assert plan_present(inspection, found(record), options(rotate_key=False, force=True), NOW, check_mode=False).issue.new_key is False
    other_type = dataclasses.replace(inspection, key=KeyView(state="present", public_key_sha256="x", key_type="RSA"))
    assert plan_present(other_type, found(record), options(rotate_key=False, force=True), NOW, check_mode=False).issue.new_key is True


def test_revoke_replaced_only_for_the_files_own_active_certificate():
    key, record = issued_pair()
    plan = plan_present(inspection_of(record, key), found(record), options(revoke_replaced=True, force=True), NOW, check_mode=False)
    assert plan.issue.revoke_replaced
    assert plan.issue.replaced["Id"] == record["Id"]
    revoked = dict(record, Status="revoked")
    plan = plan_present(inspection_of(record, key), found(revoked), options(revoke_replaced=True, force=True), NOW, check_mode=False)
    assert not plan.issue.revoke_replaced


def test_a_planted_id_is_named_in_a_warning_and_never_replaced():
    key, record = issued_pair()
    _victim_key, victim = issued_pair("victim")
    lookup = Lookup(None, other_id=victim["Id"])
    plan = plan_present(inspection_of(record, key), lookup, options(revoke_replaced=True), NOW, check_mode=False)
    assert plan.reasons == ["fingerprint_mismatch"]
    assert plan.issue.replaced is None
    assert not plan.issue.revoke_replaced
    assert any(victim["Id"] in warning for warning in plan.warnings)


def test_a_bookkeeping_file_alone_is_named_and_proves_nothing():
    plan = plan_present(Inspection(certificate_state="missing", bookkeeping=Bookkeeping(site_id=SITE, id="victim")), None,
                        options(revoke_replaced=True), NOW, check_mode=False)
    assert plan.issue.replaced is None
    assert any("victim" in warning for warning in plan.warnings)


def test_a_revoked_certificate_stops_the_task_or_is_reissued_with_a_warning():
    key, record = issued_pair()
    revoked = dict(record, Status="revoked")
    stopped = plan_present(inspection_of(record, key), found(revoked), options(on_revoked="fail"), NOW, check_mode=False)
    assert stopped.stop
    assert record["Id"] in stopped.stop
    assert stopped.issue is None
    reissued = plan_present(inspection_of(record, key), found(revoked), options(), NOW, check_mode=True)
    assert reissued.reasons == ["revoked"]
    assert any("would be issued" in warning for warning in reissued.warnings)


def test_esas_certificate_outranks_remembered_facts_for_expiry():
    key, record = issued_pair()
    edited = dataclasses.replace(inspection_of(record, key).certificate, not_after="2099-01-01T00:00:00Z")
    plan = plan_present(dataclasses.replace(inspection_of(record, key), certificate=edited), found(record), options(remaining_days=29 + 1), NOW,
                        check_mode=False)
    assert plan.reasons == ["expiring"]
    assert plan.before["not_after"] != "2099-01-01T00:00:00Z"


def test_lookups_happen_only_when_asked_for():
    key, record = issued_pair()
    assert needs_lookup(inspection_of(record, key), options())
    assert not needs_lookup(inspection_of(record, key), options(verify_remote=False))
    assert needs_lookup(inspection_of(record, key), options(verify_remote=False, revoke_replaced=True))
    assert not needs_lookup(Inspection(certificate_state="missing"), options())


def proof(key, nonce):
    return Possession(signature=sign(key, proof_message(nonce, SITE)))


def test_absent_revokes_only_with_the_proof_of_the_certificates_own_key():
    key, record = issued_pair()
    stranger = generate_private_key("ECDSA")
    nonce = new_nonce()
    proven = plan_absent(inspection_of(record, key, possession=proof(key, nonce)), found(record), options(), nonce, NOW)
    assert proven.revoke_id == record["Id"]
    assert proven.delete_id is None
    assert proven.remove_files
    assert not proven.warnings
    forged = plan_absent(inspection_of(record, key, possession=proof(stranger, nonce)), found(record), options(), nonce, NOW)
    assert forged.revoke_id is None
    assert forged.remove_files
    assert "not this certificate's key" in forged.warnings[0]
    replayed = plan_absent(inspection_of(record, key, possession=proof(key, new_nonce())), found(record), options(), nonce, NOW)
    assert replayed.revoke_id is None


def test_absent_deletes_the_record_only_when_asked():
    key, record = issued_pair()
    nonce = new_nonce()
    plan = plan_absent(inspection_of(record, key, possession=proof(key, nonce)), found(record), options(delete_record=True), nonce, NOW)
    assert plan.revoke_id == record["Id"]
    assert plan.delete_id == record["Id"]
    revoked = dict(record, Status="revoked")
    plan = plan_absent(inspection_of(record, key, possession=proof(key, nonce)), found(revoked), options(), nonce, NOW)
    assert plan.revoke_id is None
    assert plan.delete_id is None
    assert plan.changed


def test_absent_with_nothing_left_changes_nothing():
    plan = plan_absent(Inspection(certificate_state="missing", key=KeyView(state="missing")), Lookup(None), options(), new_nonce(), NOW)
    assert not plan.changed
    assert plan.before is None


def test_possession_needs_a_signature_and_esas_pem():
    key, record = issued_pair()
    nonce = new_nonce()
    assert possession_proven(record, proof(key, nonce), nonce, SITE) == (True, "")
    assert possession_proven(record, Possession(unavailable="no key"), nonce, SITE) == (False, "no key")
    assert possession_proven(dict(record, Certificate=""), proof(key, nonce), nonce, SITE)[0] is False
    assert possession_proven(record, None, nonce, SITE)[0] is False
