# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Certificate and CSR facts, with the arguments each cryptography release needs (the releases run in esa_target_matrix)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto import facts, keys, support

OLD, NEW = (2, 8), (50, 0, 2)
CA_KEY = ec.generate_private_key(ec.SECP256R1())
NOT_BEFORE = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)


def certificate_pem(public_key, common_name="web01.example.com"):
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ESA CA")])
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
                   .serial_number(0xABC).not_valid_before(NOT_BEFORE).not_valid_after(NOT_BEFORE + dt.timedelta(days=90))
                   .sign(CA_KEY, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM)


def spy(monkeypatch, owner, name):
    calls = []
    real = getattr(owner, name)

    def recording(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return calls


@pytest.mark.parametrize("release", [OLD, NEW])
@pytest.mark.parametrize(("loader", "function"), [("load_pem_certificate", "load_pem_x509_certificate"), ("load_pem_csr", "load_pem_x509_csr")])
def test_loaders_pass_backend_only_to_old_releases(monkeypatch, release, loader, function):
    monkeypatch.setattr(support, "_imported_version", lambda: release)
    key = keys.generate_private_key("ECDSA")
    data = certificate_pem(key.public_key()) if loader == "load_pem_certificate" else keys.build_csr_pem(key, "web01").encode("ascii")
    calls = spy(monkeypatch, x509, function)
    assert getattr(facts, loader)(data) is not None
    assert ("backend" in calls[0]) is (release == OLD)


@pytest.mark.parametrize("loader", ["load_pem_certificate", "load_pem_csr"])
def test_loaders_answer_none_for_what_is_not_pem(loader):
    assert getattr(facts, loader)(b"garbage") is None


def test_certificate_facts():
    key = keys.generate_private_key("RSA")
    data = certificate_pem(key.public_key())
    certificate = facts.load_pem_certificate(data)
    der = certificate.public_bytes(serialization.Encoding.DER)
    assert facts.certificate_facts(certificate) == {
        "fingerprint_sha256": hashlib.sha256(der).hexdigest(),
        "serial_number": "abc",
        "common_name": "web01.example.com",
        "issuer": "ESA CA",
        "not_before": "2030-01-01T00:00:00Z",
        "not_after": "2030-04-01T00:00:00Z",
        "validity_days": 90,
        "signature_algorithm": "SHA256-ECDSA",
        "public_key_sha256": facts.public_key_sha256(key.public_key()),
        "key_type": "RSA",
    }


def test_signature_hash_unknown_to_the_release_falls_back_to_the_oid_name(monkeypatch):
    """Old releases raise UnsupportedAlgorithm for signature hashes they do not know: facts are still returned."""
    certificate = facts.load_pem_certificate(certificate_pem(keys.generate_private_key("ECDSA").public_key()))

    class OldReleaseCertificate:
        signature_algorithm_oid = certificate.signature_algorithm_oid

        @property
        def signature_hash_algorithm(self):
            raise UnsupportedAlgorithm("Signature algorithm OID not recognized")

    assert facts._signature_algorithm(OldReleaseCertificate()) == "ecdsa-with-SHA256"  # pylint: disable=protected-access


def test_csr_facts():
    key = keys.generate_private_key("ECDSA")
    csr = facts.load_pem_csr(keys.build_csr_pem(key, "web01.example.com").encode("ascii"))
    assert facts.csr_facts(csr) == {
        "common_name": "web01.example.com",
        "public_key_sha256": facts.public_key_sha256(key.public_key()),
        "key_type": "ECDSA",
        "signature_valid": True,
    }
