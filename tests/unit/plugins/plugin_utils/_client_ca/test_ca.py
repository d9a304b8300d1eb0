# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client CA helpers: the PEM checks before any upload, fingerprint matching, facts, and an upload that never duplicates."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._client_ca.ca import (
    CA_FACT_NAMES,
    ca_facts,
    delete_client_ca,
    explain_upload_error,
    find_by_fingerprint,
    find_client_ca,
    planned_ca_facts,
    read_ca_certificate,
    same_fingerprint,
    upload_client_ca,
)
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import AmbiguousCreateError, EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.messages import describe_sdk_error
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy

NOW = dt.datetime(2026, 6, 1, 12, 0, 0, tzinfo=dt.timezone.utc)
KEY = ec.generate_private_key(ec.SECP256R1())
SITE_ID = 1234567890123


def _certificate(*, ca=True, basic_constraints=True, starts=NOW - dt.timedelta(days=10), days=3650, common_name="Partner Client CA"):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(KEY.public_key()).serial_number(0xABCDEF)
               .not_valid_before(starts).not_valid_after(starts + dt.timedelta(days=days)))
    if basic_constraints:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    return builder.sign(KEY, hashes.SHA256())


def _pem(certificate):
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


CA = _certificate()
CA_PEM = _pem(CA)
FINGERPRINT = hashlib.sha256(CA.public_bytes(serialization.Encoding.DER)).hexdigest()
KEY_PEM = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode("ascii")


def test_a_ca_certificate_is_read_with_its_facts():
    read = read_ca_certificate("some text before\n" + CA_PEM + "\ntrailing words", now=NOW)
    assert read.pem == CA_PEM
    assert read.facts["fingerprint_sha256"] == FINGERPRINT
    assert (read.facts["common_name"], read.facts["serial_number"], read.facts["validity_days"]) == ("Partner Client CA", "abcdef", 3650)


@pytest.mark.parametrize(("text", "message"), [
    ("", "certificate is not a PEM certificate: no -----BEGIN CERTIFICATE----- block found"),
    ("files/ca.pem", "certificate is not a PEM certificate: no -----BEGIN CERTIFICATE----- block found (certificate takes the PEM itself; to read "
     "a file on the controller, use lookup('ansible.builtin.file', path))"),
    ("just\nwords", "certificate is not a PEM certificate: no -----BEGIN CERTIFICATE----- block found"),
    ("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
     "certificate is not a valid PEM certificate: its -----BEGIN CERTIFICATE----- block does not decode"),
    (CA_PEM + CA_PEM, "certificate holds 2 certificates: pass exactly one, the CA certificate that signs the client certificates"),
    (_pem(_certificate(ca=False, common_name="client-7")), "certificate is not a CA certificate (its basicConstraints do not say CA:TRUE): upload the CA"
     " that signs the client certificates, not a client certificate (subject CN 'client-7')"),
    (_pem(_certificate(basic_constraints=False, common_name="bare")), "certificate is not a CA certificate"),
    (_pem(_certificate(starts=NOW - dt.timedelta(days=40), days=30)),
     "certificate expired on 2026-05-22T12:00:00Z: ESA accepts only a CA certificate within its validity period"),
    (_pem(_certificate(starts=NOW + dt.timedelta(days=1))),
     "certificate is not valid before 2026-06-02T12:00:00Z: ESA accepts only a CA certificate within its validity period"),
], ids=["empty", "a-path", "words", "garbage-block", "two-certificates", "leaf", "no-basic-constraints", "expired", "not-yet-valid"])
def test_what_esa_would_refuse_is_refused_locally_in_one_line(text, message):
    with pytest.raises(ValueError) as raised:
        read_ca_certificate(text, now=NOW)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_a_private_key_is_refused_and_never_echoed():
    for text in (KEY_PEM, CA_PEM + KEY_PEM):
        with pytest.raises(ValueError) as raised:
            read_ca_certificate(text, now=NOW)
        assert str(raised.value).startswith("certificate holds a private key")
        assert "MI" not in str(raised.value)
        assert "BEGIN" not in str(raised.value)


def test_for_deletion_only_the_certificate_is_needed():
    expired_leaf = _pem(_certificate(ca=False, starts=NOW - dt.timedelta(days=400), days=30))
    assert read_ca_certificate(expired_leaf, now=NOW, require_ca=False).facts["common_name"] == "Partner Client CA"


@pytest.mark.parametrize(("recorded", "expected"), [
    (FINGERPRINT, True),
    (FINGERPRINT.upper(), True),
    (":".join(FINGERPRINT[i:i + 2] for i in range(0, 64, 2)), True),
    ("0" * 64, False),
    ("", False),
    (None, False),
], ids=["same", "upper-case", "colons", "other", "empty", "missing"])
def test_fingerprints_match_without_case_or_colons(recorded, expected):
    assert same_fingerprint({"FingerprintSha256": recorded}, FINGERPRINT) is expected


def test_the_first_record_with_the_fingerprint_is_found():
    records = [{"Id": "other", "FingerprintSha256": "0" * 64}, {"Id": "first", "FingerprintSha256": FINGERPRINT},
               {"Id": "second", "FingerprintSha256": FINGERPRINT}]
    assert find_by_fingerprint(records, FINGERPRINT)["Id"] == "first"
    assert find_by_fingerprint(records[:1], FINGERPRINT) is None
    assert find_by_fingerprint([], FINGERPRINT) is None


UPLOAD_ANSWER = {"RequestId": "R", "Id": "ca-1", "Status": "OK", "CommonName": "Partner Client CA", "NotBefore": "2026-05-22T12:00:00Z",
                 "NotAfter": "2036-05-19T12:00:00Z", "Issuer": "Partner Client CA", "SerialNumber": "ABCDEF", "FingerprintSha256": FINGERPRINT.upper(),
                 "SignatureAlgorithm": "SHA256-ECDSA", "ValidityDays": "3650"}
GET_ANSWER = {"RequestId": "R", "SiteId": SITE_ID, "SiteName": "example.com", "Status": "OK", "Certificate": CA_PEM,
              "Result": {"Id": "ca-1", "Name": "partner", "Status": "OK", "Type": "upload", "CommonName": "Partner Client CA",
                         "NotBefore": "2026-05-22 12:00:00", "NotAfter": "2036-05-19 12:00:00", "Issuer": "Partner Client CA", "SAN": "",
                         "SignatureAlgorithm": "SHA256-ECDSA", "PubkeyAlgorithm": "ECDSA", "CreateTime": "2026-06-01 11:00:00",
                         "UpdateTime": "2026-06-01 11:00:00", "SerialNumber": "abcdef", "FingerprintSha256": FINGERPRINT}}


def test_facts_are_the_same_from_upload_and_from_get():
    from_upload = ca_facts(UPLOAD_ANSWER, SITE_ID, NOW, name="partner")
    from_get = ca_facts(GET_ANSWER, SITE_ID, NOW)
    assert from_upload == from_get
    assert tuple(from_get) == CA_FACT_NAMES
    assert from_get == {
        "id": "ca-1", "site_id": SITE_ID, "name": "partner", "status": "OK", "common_name": "Partner Client CA", "issuer": "Partner Client CA",
        "serial_number": "abcdef", "fingerprint_sha256": FINGERPRINT, "signature_algorithm": "SHA256-ECDSA", "not_before": "2026-05-22T12:00:00Z",
        "not_after": "2036-05-19T12:00:00Z", "validity_days": 3650, "remaining_days": 3640,
    }


def test_planned_facts_come_from_the_certificate():
    planned = planned_ca_facts(read_ca_certificate(CA_PEM, now=NOW), SITE_ID, NOW, name=None)
    assert tuple(planned) == CA_FACT_NAMES
    assert (planned["id"], planned["status"], planned["name"], planned["site_id"]) == (None, None, "Partner Client CA", SITE_ID)
    assert planned["fingerprint_sha256"] == FINGERPRINT
    assert planned["remaining_days"] == 3640
    assert planned_ca_facts(read_ca_certificate(CA_PEM, now=NOW), SITE_ID, NOW, name="partner")["name"] == "partner"


class FakeClient:
    """The EsaClient boundary: scripted upload outcomes, a list of what ESA holds."""

    def __init__(self, uploads):
        self.uploads = list(uploads)
        self.held = []
        self.calls = []

    def upload_client_ca_certificate(self, site_id, certificate, *, name=None):
        self.calls.append("Upload")
        outcome = self.uploads.pop(0)
        if outcome in ("ok", "effect-then-reset"):
            self.held.append({"Id": f"ca-{len(self.held) + 1}", "FingerprintSha256": FINGERPRINT, "Name": name})
        if outcome == "ok":
            return dict(self.held[-1])
        if isinstance(outcome, EsaApiError):
            raise outcome
        raise AmbiguousCreateError("The connection to http://127.0.0.1:9 broke during UploadClientCaCertificate (reset).", action="UploadClientCaCertificate")

    def iter_client_ca_certificates(self, site_id):
        self.calls.append("List")
        yield from self.held

    def delete_client_ca_certificate(self, site_id, ca_id, *, accept=()):
        self.calls.append("Delete")
        # What EsaClient raises for ESA's 404 (its own tests check that against the emulator).
        error = EsaApiError(f"ESA has no client CA {ca_id} on site {site_id}.", code="Certificate.NotFound", status_code=404,
                            action="DeleteClientCaCertificate")
        if error.code in accept:
            return None
        raise error


CERTIFICATE = read_ca_certificate(CA_PEM, now=NOW)


def no_wait(retries=2):
    """A client's retry policy that does not sleep: 3 uploads at most by default."""
    return RetryPolicy(retries, sleep=lambda _seconds: None)


def test_an_upload_that_took_effect_before_the_reset_is_adopted():
    client = FakeClient(["effect-then-reset"])
    assert upload_client_ca(client, SITE_ID, CERTIFICATE, name="partner", retry_policy=no_wait())["Id"] == "ca-1"
    assert client.calls == ["Upload", "List"]
    assert len(client.held) == 1


def test_an_upload_lost_before_effect_is_repeated_after_looking():
    client = FakeClient(["lost", "ok"])
    assert upload_client_ca(client, SITE_ID, CERTIFICATE, name=None, retry_policy=no_wait())["Id"] == "ca-1"
    assert client.calls == ["Upload", "List", "Upload"]
    assert len(client.held) == 1


def test_uploads_lost_every_time_give_up_saying_nothing_was_uploaded():
    client = FakeClient(["lost", "lost", "lost"])
    with pytest.raises(EsaApiError) as raised:
        upload_client_ca(client, SITE_ID, CERTIFICATE, name=None, retry_policy=no_wait())
    assert not isinstance(raised.value, AmbiguousCreateError)
    assert raised.value.message.startswith(f"UploadClientCaCertificate failed 3 times in a way that may have taken effect, yet ESA lists no client CA "
                                           f"with fingerprint {FINGERPRINT}: nothing was uploaded")
    assert "may have been issued" not in raised.value.message
    assert client.calls == ["Upload", "List"] * 3


def test_the_retry_policy_bounds_and_spaces_the_uploads():
    client = FakeClient(["lost"] * 6)
    slept = []
    with pytest.raises(EsaApiError) as raised:
        upload_client_ca(client, SITE_ID, CERTIFICATE, name=None, retry_policy=RetryPolicy(4, sleep=slept.append, random=lambda: 1.0))
    assert raised.value.message.startswith("UploadClientCaCertificate failed 5 times")
    assert client.calls == ["Upload", "List"] * 5
    assert slept == [0.5, 1.0, 2.0, 4.0]


def test_an_invalid_parameter_answer_names_certificate_and_name(sdk_errors):
    refusal = describe_sdk_error(sdk_errors.answer(400, "InvalidParameter", "The specified parameter is invalid."),
                                 action="UploadClientCaCertificate", site_id=SITE_ID)
    client = FakeClient([refusal])
    with pytest.raises(EsaApiError) as raised:
        upload_client_ca(client, SITE_ID, CERTIFICATE, name=None, retry_policy=no_wait())
    assert raised.value.message == ("ESA refused the client CA certificate (InvalidParameter: The specified parameter is invalid.): check certificate "
                                    "(one PEM CA certificate with basicConstraints CA:TRUE, within its validity period) and name.")
    assert (raised.value.code, raised.value.request_id) == ("InvalidParameter", sdk_errors.last_request_id())
    other = describe_sdk_error(sdk_errors.answer(400, "QuotaCheckFailed.Function"), action="UploadClientCaCertificate", site_id=SITE_ID)
    assert explain_upload_error(other) is other


def test_deleting_what_is_already_gone_is_fine():
    client = FakeClient([])
    delete_client_ca(client, SITE_ID, "ca-404")
    assert client.calls == ["Delete"]


class _BlankListing:
    """A site whose CA listing leaves FingerprintSha256 empty, as the GetClientCaCertificate example does."""

    def __init__(self, pem):
        self.gets = []
        self.pem = pem

    def iter_client_ca_certificates(self, site_id):
        return iter([{"Id": "ca-other", "FingerprintSha256": "0" * 64}, {"Id": "ca-1", "FingerprintSha256": ""}])

    def get_client_ca_certificate(self, site_id, ca_id):
        self.gets.append(ca_id)
        return {"Certificate": self.pem, "Result": {"Id": ca_id, "FingerprintSha256": "", "SerialNumber": ""}}


def test_a_blank_fingerprint_in_the_listing_is_computed_from_the_pem_never_uploaded_again():
    client = _BlankListing(CA_PEM)
    found = find_client_ca(client, SITE_ID, FINGERPRINT)
    assert found["Id"] == "ca-1"
    assert client.gets == ["ca-1"]
    assert find_client_ca(_BlankListing(CA_PEM), SITE_ID, "ab" * 32) is None
