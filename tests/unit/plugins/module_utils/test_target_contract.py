# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The messages between controller and target survive the trip as JSON, and a message of another shape is refused clearly."""

from __future__ import annotations

import json

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._target_contract import (
    Bookkeeping,
    CertificateFacts,
    ContractError,
    CsrView,
    Inspection,
    InstallOutcome,
    KeyView,
    MaintainOutcome,
    Possession,
    Prepared,
    RemoveOutcome,
    TargetRequest,
    sealed_values,
)

FACTS = CertificateFacts(fingerprint_sha256="ab" * 32, public_key_sha256="cd" * 32, key_type="RSA", not_before="2026-01-01T00:00:00Z",
                         not_after="2027-01-01T00:00:00Z", serial_number="1f", common_name="web01", issuer="ESA CA", validity_days=365,
                         signature_algorithm="SHA256-RSA")
INSPECTION = Inspection(
    certificate_state="present", problems=["one", "two"], certificate=FACTS, certificate_file_sha256="ef" * 32, certificate_pem="PEM",
    key=KeyView(state="present", public_key_sha256="cd" * 32, key_type="RSA"),
    csr=CsrView(pem="CSR", public_key_sha256="cd" * 32, key_type="RSA", signature_valid=True, common_name="web01"),
    bookkeeping=Bookkeeping(site_id=7, id="abc", fingerprint_sha256="ab" * 32), parse_cache_hit=True,
    possession=Possession(signature="c2ln"), attributes_differ=True, bookkeeping_attributes_differ=True,
)


def over_the_wire(data):
    return json.loads(json.dumps(data))


def test_an_inspection_survives_the_trip():
    assert Inspection.from_dict(over_the_wire(INSPECTION.to_dict())) == INSPECTION
    bare = Inspection(certificate_state="missing")
    assert Inspection.from_dict(over_the_wire(bare.to_dict())) == bare


def test_the_other_messages_survive_the_trip():
    request = TargetRequest(phase="install", run_id="r1", with_pem=True, proof_nonce="n", new_key=False, common_name="cn", certificate_pem="P",
                            privatekey_sealed={"ciphertext": "x"}, expected_public_key_sha256="e", expected_file_sha256="f",
                            bookkeeping=Bookkeeping(site_id=1, id="i"))
    assert TargetRequest.from_dict(over_the_wire(request.to_dict())) == request
    assert TargetRequest.from_dict(None) == TargetRequest()
    installed = InstallOutcome(raced=False, inspection=INSPECTION, backup_file="b", privatekey_backup_file="k", possession=Possession(unavailable="u"))
    assert InstallOutcome.from_dict(over_the_wire(installed.to_dict())) == installed
    for prepared in (Prepared(csr_pem="CSR", public_key_sha256="p", new_key=True), Prepared(recipient_public_key="r")):
        assert Prepared.from_dict(over_the_wire(prepared.to_dict())) == prepared
    removed = RemoveOutcome(removed=["a"], backup_files=["b"])
    assert RemoveOutcome.from_dict(over_the_wire(removed.to_dict())) == removed
    assert MaintainOutcome(bookkeeping_written=True).to_dict() == {"bookkeeping_written": True, "attributes_changed": False}


def test_a_request_of_the_wrong_types_is_read_safely():
    assert TargetRequest.from_dict({"phase": "inspect", "with_pem": "yes", "run_id": 5, "privatekey_sealed": "x"}) == TargetRequest()
    with pytest.raises(ContractError):
        TargetRequest.from_dict(["inspect"])


def test_the_sealed_key_is_kept_out_of_the_modules_log():
    assert sealed_values({"privatekey_sealed": {"ciphertext": "c", "nonce": "n", "ephemeral_public": ""}}) == ["c", "n"]
    assert sealed_values({"phase": "install"}) == [] and sealed_values(None) == []


@pytest.mark.parametrize("message", [{}, {"certificate_state": "present"}, {"certificate_state": 1, "problems": []},
                                     {"certificate_state": "present", "problems": [], "certificate": {"fingerprint_sha256": "x"}}])
def test_an_inspection_of_another_shape_is_refused_in_words(message):
    with pytest.raises(ContractError, match="same version"):
        Inspection.from_dict(message)


def test_unknown_phases_and_empty_prepared_answers_are_refused():
    with pytest.raises(ContractError):
        TargetRequest.from_dict({"phase": "format-disk"})
    with pytest.raises(ContractError):
        Prepared.from_dict({"new_key": True})


@pytest.mark.parametrize("garbage", [None, [], "text", {"id": 5}, {"site_id": "x", "id": "a"}, {"site_id": None, "id": "a"}])
def test_a_bookkeeping_file_may_hold_anything_and_then_is_none(garbage):
    assert Bookkeeping.from_dict(garbage) is None
