# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The messages between controller and target survive the trip as JSON, and a message of another shape is refused clearly."""

from __future__ import annotations

import json

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._target.contract import (
    MAX_ATTRIBUTE_CHANGES,
    MAX_CERTIFICATE_PEM,
    MAX_CSR_PEM,
    MAX_ITEMS,
    MAX_TEXT,
    Bookkeeping,
    CertificateFacts,
    ContractError,
    CsrView,
    DiscardRequest,
    Inspection,
    InspectRequest,
    InstallOutcome,
    InstallRequest,
    KeyView,
    MaintainOutcome,
    MaintainRequest,
    Possession,
    Prepared,
    PrepareRequest,
    RemoveOutcome,
    RemoveRequest,
    request_from_dict,
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
    requests = [
        InstallRequest(run_id="r1", with_pem=True, proof_nonce="n", certificate_pem="P", privatekey_sealed={"ciphertext": "x"},
                       expected_public_key_sha256="e", expected_file_sha256="f", bookkeeping=Bookkeeping(site_id=1, id="i")),
        InspectRequest(run_id="r2", with_pem=True, proof_nonce="n", prepare_if_due=True, prepare_proof_nonce="p"),
        PrepareRequest(run_id="r3", new_key=False, common_name="cn"),
        MaintainRequest(run_id="r4", bookkeeping=Bookkeeping(site_id=1, id="i"), expected_file_sha256="f"),
        DiscardRequest(run_id="r5"),
        RemoveRequest(run_id="r6"),
    ]
    for request in requests:
        assert request_from_dict(over_the_wire(request.to_dict())) == request
    assert request_from_dict(None) == InspectRequest()
    installed = InstallOutcome(
        raced=False, inspection=INSPECTION, backup_file="b", privatekey_backup_file="k", possession=Possession(unavailable="u"),
        pkcs12_written=True, pkcs12_backup_file="p", fullchain_backup_file="f",
    )
    assert InstallOutcome.from_dict(over_the_wire(installed.to_dict())) == installed
    for prepared in (Prepared(csr_pem="CSR", public_key_sha256="0f" * 32, new_key=True), Prepared(recipient_public_key="r")):
        assert Prepared.from_dict(over_the_wire(prepared.to_dict())) == prepared
    removed = RemoveOutcome(removed=["a"], backup_files=["b"])
    assert RemoveOutcome.from_dict(over_the_wire(removed.to_dict())) == removed
    maintained = MaintainOutcome(bookkeeping_written=True, pkcs12_written=True, pkcs12_backup_file="p", fullchain_backup_file="f")
    assert MaintainOutcome.from_dict(over_the_wire(maintained.to_dict())) == maintained


def test_a_request_of_the_wrong_types_is_read_safely():
    assert request_from_dict({"phase": "inspect", "with_pem": "yes", "run_id": 5, "privatekey_sealed": "x"}) == InspectRequest()
    with pytest.raises(ContractError):
        request_from_dict(["inspect"])


@pytest.mark.parametrize("fields", [{}, {"certificate_pem": "P"}, {"bookkeeping": {"site_id": 1, "id": "i"}}], ids=["nothing", "no bookkeeping", "no PEM"])
def test_an_install_request_without_a_certificate_or_its_id_is_refused(fields):
    with pytest.raises(ContractError, match="needs certificate_pem and bookkeeping"):
        request_from_dict(dict(fields, phase="install"))


def test_each_phase_reads_only_its_own_fields():
    request = request_from_dict({"phase": "prepare", "common_name": "cn", "certificate_pem": "P", "proof_nonce": "n"})
    assert request == PrepareRequest(common_name="cn")


def test_the_sealed_key_is_kept_out_of_the_modules_log():
    assert sealed_values({"privatekey_sealed": {"ciphertext": "c", "nonce": "n", "ephemeral_public": ""}}) == ["c", "n"]
    assert sealed_values({"phase": "install"}) == []
    assert sealed_values(None) == []


@pytest.mark.parametrize("message", [{}, {"certificate_state": "present"}, {"certificate_state": 1, "problems": []},
                                     {"certificate_state": "present", "problems": [], "certificate": {"fingerprint_sha256": "x"}}])
def test_an_inspection_of_another_shape_is_refused_in_words(message):
    with pytest.raises(ContractError, match="same version"):
        Inspection.from_dict(message)


def test_unknown_phases_and_empty_prepared_answers_are_refused():
    with pytest.raises(ContractError):
        request_from_dict({"phase": "format-disk"})
    with pytest.raises(ContractError):
        Prepared.from_dict({"new_key": True})


@pytest.mark.parametrize("garbage", [None, [], "text", {"id": 5}, {"site_id": "x", "id": "a"}, {"site_id": None, "id": "a"}])
def test_a_bookkeeping_file_may_hold_anything_and_then_is_none(garbage):
    assert Bookkeeping.from_dict(garbage) is None


# A managed host may be compromised: what it answers is refused, in one line naming the field, unless it has the form an
# honest target gives.

def inspection_with(**changes):
    """INSPECTION as JSON, with ``changes`` as dotted paths (``certificate.not_after``) to values."""
    data = over_the_wire(INSPECTION.to_dict())
    for dotted, value in changes.items():
        *parents, name = dotted.split(".")
        place = data
        for parent in parents:
            place = place[parent]
        place[name] = value
    return data


def refusal(parse, data):
    with pytest.raises(ContractError) as caught:
        parse(data)
    return str(caught.value)


def test_an_empty_not_after_is_refused_in_one_line_naming_the_field():
    message = refusal(Inspection.from_dict, inspection_with(**{"certificate.not_after": ""}))
    assert message == "the host's answer is malformed: inspection.certificate.not_after is '' (expected YYYY-MM-DDTHH:MM:SSZ)"


@pytest.mark.parametrize(("dotted", "value"), [
    ("certificate.fingerprint_sha256", "AB" * 32),
    ("certificate.fingerprint_sha256", "ab" * 31),
    ("certificate.fingerprint_sha256", ":".join(["ab"] * 32)),
    ("certificate.public_key_sha256", ""),
    ("certificate.not_before", "2026-01-01 00:00:00"),
    ("certificate.not_after", "2027-02-30T00:00:00Z"),
    ("certificate.not_after", "2025-01-01T00:00:00Z"),
    ("certificate.validity_days", "365"),
    ("certificate_file_sha256", "ef" * 31 + "\n"),
    ("certificate_state", "stolen"),
    ("key.state", "borrowed"),
    ("key.public_key_sha256", "zz" * 32),
    ("csr.public_key_sha256", "cd" * 33),
    ("bookkeeping.id", "../../etc/passwd"),
    ("bookkeeping.id", "x" * 129),
    ("bookkeeping.fingerprint_sha256", "not hex"),
    ("problems", ["fine", 42]),
])
def test_a_malformed_value_is_refused_naming_the_field(dotted, value):
    message = refusal(Inspection.from_dict, inspection_with(**{dotted: value}))
    assert message.startswith("the host's answer is malformed: inspection.")
    assert f"inspection.{dotted.split('.')[0]}" in message


@pytest.mark.parametrize(("dotted", "value"), [
    ("certificate.not_after", "\n" * 3 + "x" * 500),
    ("bookkeeping.id", "a\nb"),
    ("problems", ["line one\nline two", None]),
])
def test_every_refusal_is_one_line(dotted, value):
    assert "\n" not in refusal(Inspection.from_dict, inspection_with(**{dotted: value}))


def test_a_long_malformed_value_is_shown_cut_with_its_length():
    message = refusal(Inspection.from_dict, inspection_with(**{"certificate.not_after": "9" * 100_000}))
    assert len(message) < 300


def test_a_csr_of_1_6_mb_is_refused_before_it_could_reach_esa():
    huge = "-----BEGIN CERTIFICATE REQUEST-----\n" + "A" * (1_600 * 1024) + "\n-----END CERTIFICATE REQUEST-----\n"
    message = refusal(Inspection.from_dict, inspection_with(**{"csr.pem": huge}))
    assert message == f"the host's answer is too large: inspection.csr.pem has {len(huge)} characters (at most {MAX_CSR_PEM})"


def test_a_prepared_csr_of_1_6_mb_is_refused():
    prepared = {"csr_pem": "A" * (1_600 * 1024), "public_key_sha256": "cd" * 32, "new_key": True}
    assert "the host's answer is too large: prepare.csr_pem" in refusal(Prepared.from_dict, prepared)


def test_a_csr_at_the_bound_is_taken():
    assert Inspection.from_dict(inspection_with(**{"csr.pem": "A" * MAX_CSR_PEM})).csr.pem == "A" * MAX_CSR_PEM


def test_a_certificate_pem_past_64_kib_is_refused():
    message = refusal(Inspection.from_dict, inspection_with(certificate_pem="A" * (MAX_CERTIFICATE_PEM + 1)))
    assert message.startswith("the host's answer is too large: inspection.certificate_pem has")


@pytest.mark.parametrize(("dotted", "value"), [
    ("certificate_error", "e" * (MAX_TEXT + 1)),
    ("certificate.common_name", "c" * (MAX_TEXT + 1)),
    ("possession.signature", "s" * (MAX_TEXT + 1)),
    ("problems", ["p"] * (MAX_ITEMS + 1)),
    ("attribute_changes", {"before": {"/etc/x": {"owner": "o" * MAX_ATTRIBUTE_CHANGES}}}),
])
def test_every_other_string_of_the_answer_is_bounded(dotted, value):
    assert refusal(Inspection.from_dict, inspection_with(**{dotted: value})).startswith("the host's answer is too large: inspection.")


def test_the_inspection_in_an_install_answer_is_named_as_such():
    installed = over_the_wire(InstallOutcome(raced=False, inspection=INSPECTION).to_dict())
    installed["inspection"]["certificate"]["not_after"] = ""
    assert "install.inspection.certificate.not_after is ''" in refusal(InstallOutcome.from_dict, installed)


def test_a_removal_naming_something_else_than_paths_is_refused():
    assert "remove.removed[0]" in refusal(RemoveOutcome.from_dict, {"removed": [{"path": "/"}]})


def test_a_certificate_that_never_expires_is_taken():
    facts = over_the_wire(FACTS.to_dict())
    facts["not_after"] = "9999-12-31T23:59:59Z"
    assert CertificateFacts.from_dict(facts).not_after == "9999-12-31T23:59:59Z"


def test_a_bookkeeping_file_with_an_id_esa_would_not_give_is_no_bookkeeping():
    assert Bookkeeping.from_dict({"site_id": 1, "id": "../../etc/passwd"}) is None


def test_a_bookkeeping_files_fingerprint_with_colons_is_read_in_hashlibs_form():
    stored = Bookkeeping.from_dict({"site_id": 1, "id": "abc", "fingerprint_sha256": ":".join(["AB"] * 32)})
    assert stored.fingerprint_sha256 == "ab" * 32


def test_a_bookkeeping_files_unreadable_fingerprint_is_left_out():
    assert Bookkeeping.from_dict({"site_id": 1, "id": "abc", "fingerprint_sha256": "zz"}).fingerprint_sha256 is None
