# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An install of a key made on the host, with the facts the controller parsed (issue 16): no cryptography on the
target, the same bookkeeping as the target's own parse, and nothing written when the key or the PEM is not the one
the facts speak of."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ansible_collections.alibabacloud.esa.plugins.module_utils import _files
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import generate_private_key, load_private_key, private_key_pem
from ansible_collections.alibabacloud.esa.plugins.module_utils._target import phases
from ansible_collections.alibabacloud.esa.plugins.module_utils._target.contract import Bookkeeping, InstallRequest, request_from_dict
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.facts import IssuedForAnotherKey, facts_for_install

CA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
TOKEN = "g1v3n"


def issue_for(public_key, common_name="web01.example.com", days=30):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ESA CA")])).public_key(public_key)
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=days))
            .sign(CA_KEY, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


@pytest.fixture
def params(tmp_path):
    return {"path": str(tmp_path / "client.crt"), "privatekey_path": str(tmp_path / "client.key"), "state": "present",
            "pkey_type": "RSA", "backup": False, "csr_path": None, "csr_content": None, "key_source": "local"}


def refuse_cryptography(monkeypatch):
    monkeypatch.setattr(phases, "_crypto", lambda: pytest.fail("the install imported cryptography on the target"))


def pending_public_key(params):
    with open(_files.pending_key_path(params["privatekey_path"], TOKEN), "rb") as handle:
        return load_private_key(handle.read()).public_key()


def install(params, pem, given, expected=None):
    return phases.install(params, pem, None, Bookkeeping(site_id=1, id="abc"), TOKEN, expected, None, None, given)


def test_the_bookkeeping_is_what_the_targets_own_parse_would_write(params, monkeypatch):
    prepared = phases.prepare_key_and_csr(params, new_key=True, common_name="web01.example.com", run_token=TOKEN)
    pem = issue_for(pending_public_key(params))
    given = phases.given_facts(facts_for_install(pem, prepared.csr_pem), prepared.key_file_sha256)
    refuse_cryptography(monkeypatch)
    assert not install(params, pem, given).raced
    monkeypatch.undo()
    stored = _files.read_bookkeeping(params["path"])
    assert stored["parsed"] == phases.parsed_entry(params)  # the target's own parse, with cryptography, agrees
    inspection = phases.inspect(params)
    assert inspection.parse_cache_hit
    assert inspection.key.state == "present"
    assert inspection.key.public_key_sha256 == inspection.certificate.public_key_sha256 == prepared.public_key_sha256
    assert stored["fingerprint_sha256"] == inspection.certificate.fingerprint_sha256
    assert not os.path.exists(_files.pending_key_path(params["privatekey_path"], TOKEN))


def test_a_kept_key_is_checked_by_its_bytes(params, monkeypatch):
    key = generate_private_key("RSA")
    _files.write_atomically(params["privatekey_path"], private_key_pem(key), 0o600)
    prepared = phases.prepare_key_and_csr(params, new_key=False, common_name="web01.example.com", run_token=TOKEN)
    pem = issue_for(key.public_key())
    given = phases.given_facts(facts_for_install(pem, prepared.csr_pem), prepared.key_file_sha256)
    refuse_cryptography(monkeypatch)
    install(params, pem, given)
    assert _files.read_bytes(params["privatekey_path"]) == private_key_pem(key)
    _files.write_atomically(params["privatekey_path"], private_key_pem(generate_private_key("RSA")), 0o600)
    with pytest.raises(phases.TargetError, match="signed the CSR changed"):
        install(params, pem, given, expected=_files.content_sha256(params["path"]))


def test_a_key_changed_since_the_csr_writes_nothing(params):
    prepared = phases.prepare_key_and_csr(params, new_key=True, common_name="web01.example.com", run_token=TOKEN)
    pem = issue_for(pending_public_key(params))
    given = phases.given_facts(facts_for_install(pem, prepared.csr_pem), prepared.key_file_sha256)
    _files.write_atomically(_files.pending_key_path(params["privatekey_path"], TOKEN), private_key_pem(generate_private_key("RSA")), 0o600)
    with pytest.raises(phases.TargetError, match="signed the CSR changed"):
        install(params, pem, given)
    assert not os.path.exists(params["path"])
    assert not os.path.exists(params["privatekey_path"])


def test_a_pem_other_than_the_one_described_writes_nothing(params):
    prepared = phases.prepare_key_and_csr(params, new_key=True, common_name="web01.example.com", run_token=TOKEN)
    public_key = pending_public_key(params)
    given = phases.given_facts(facts_for_install(issue_for(public_key), prepared.csr_pem), prepared.key_file_sha256)
    for pem in (issue_for(public_key), "not a certificate", "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n"):
        with pytest.raises(phases.TargetError, match="not the one the controller described"):
            install(params, pem, given)
    assert not os.path.exists(params["path"])
    assert not os.path.exists(params["privatekey_path"])


def test_incomplete_or_misused_facts_are_refused(params):
    prepared = phases.prepare_key_and_csr(params, new_key=True, common_name="web01.example.com", run_token=TOKEN)
    pem = issue_for(pending_public_key(params))
    facts = facts_for_install(pem, prepared.csr_pem)
    for broken in ({**facts, "privatekey": None}, {**facts, "certificate": {**facts["certificate"], "not_after": "soon"}}, {"extra": 1}):
        with pytest.raises(phases.TargetError, match="incomplete"):
            phases.given_facts(broken, prepared.key_file_sha256)
    with pytest.raises(phases.TargetError, match="incomplete"):
        phases.given_facts(facts, None)
    assert phases.given_facts(None, None) is None
    given = phases.given_facts(facts, prepared.key_file_sha256)
    with pytest.raises(phases.TargetError, match="nothing to sign"):
        phases.install(params, pem, None, Bookkeeping(site_id=1, id="abc"), TOKEN, None, None, "nonce", given)
    with pytest.raises(phases.TargetError, match="nothing to sign"):
        install(dict(params, csr_content="CSR"), pem, given)
    assert not os.path.exists(params["path"])


def test_the_controller_refuses_a_certificate_for_another_key():
    key, other = generate_private_key("RSA"), generate_private_key("ECDSA")
    from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import build_csr_pem  # pylint: disable=import-outside-toplevel

    csr = build_csr_pem(key, "web01.example.com")
    with pytest.raises(IssuedForAnotherKey, match="does not match the CSR's public key"):
        facts_for_install(issue_for(other.public_key()), csr)
    with pytest.raises(IssuedForAnotherKey, match="not PEM"):
        facts_for_install("garbage", csr)
    facts = facts_for_install(issue_for(key.public_key()), csr)
    assert facts["privatekey"] == {"public_key_sha256": facts["certificate"]["public_key_sha256"], "key_type": "RSA"}
    assert facts["csr"] is None


def test_the_request_carries_the_facts_both_ways():
    bookkeeping = Bookkeeping(site_id=1, id="i")
    request = InstallRequest(certificate_pem="P", bookkeeping=bookkeeping, parsed_facts={"certificate": None, "privatekey": None, "csr": None},
                             expected_key_file_sha256="ab")
    again = request_from_dict(request.to_dict())
    assert again == request
    malformed = request_from_dict({"phase": "install", "certificate_pem": "P", "bookkeeping": bookkeeping.to_dict(), "parsed_facts": "x"})
    assert malformed.parsed_facts is None
