# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keys and CSRs, and the arguments each cryptography release needs (the releases themselves run in esa_target_matrix)."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, rsa

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto import keys, support

OLD, NEW = (2, 8), (50, 0, 2)


def spy(monkeypatch, owner, name):
    """Record the keyword arguments of owner.name while still calling it."""
    calls = []
    real = getattr(owner, name)

    def recording(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return calls


@pytest.mark.parametrize("release", [OLD, NEW])
@pytest.mark.parametrize(("pkey_type", "module", "key_class"), [("RSA", rsa, rsa.RSAPrivateKey), ("ECDSA", ec, ec.EllipticCurvePrivateKey)])
def test_generate_passes_backend_only_to_old_releases(monkeypatch, release, pkey_type, module, key_class):
    monkeypatch.setattr(support, "_imported_version", lambda: release)
    calls = spy(monkeypatch, module, "generate_private_key")
    key = keys.generate_private_key(pkey_type)
    assert isinstance(key, key_class)
    assert ("backend" in calls[0]) is (release == OLD)


@pytest.mark.parametrize(("release", "expected_extra"), [
    (OLD, {"backend"}),
    ((38, 0, 4), set()),
    (NEW, {"unsafe_skip_rsa_key_validation"}),
])
def test_comparison_load_uses_what_the_release_offers(monkeypatch, release, expected_extra):
    monkeypatch.setattr(support, "_imported_version", lambda: release)
    pem = keys.private_key_pem(keys.generate_private_key("RSA"))
    calls = spy(monkeypatch, serialization, "load_pem_private_key")
    assert keys.load_private_key(pem, for_comparison_only=True) is not None
    assert set(calls[0]) - {"password"} == expected_extra


def test_full_load_validates_rsa_keys(monkeypatch):
    monkeypatch.setattr(support, "_imported_version", lambda: NEW)
    pem = keys.private_key_pem(keys.generate_private_key("RSA"))
    calls = spy(monkeypatch, serialization, "load_pem_private_key")
    assert keys.load_private_key(pem) is not None
    assert "unsafe_skip_rsa_key_validation" not in calls[0]


def test_passphrase_protected_key():
    key = keys.generate_private_key("ECDSA")
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(b"correct horse"))
    assert keys.load_private_key(pem, passphrase=b"correct horse").public_key() == key.public_key()
    assert keys.load_private_key(pem, passphrase=b"wrong") is None
    assert keys.load_private_key(pem) is None
    assert keys.load_private_key(keys.private_key_pem(key), passphrase=b"not encrypted") is None


@pytest.mark.parametrize("data", [b"", b"garbage", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"])
def test_not_a_key(data):
    assert keys.load_private_key(data) is None


def test_unsupported_algorithm_is_not_a_key(monkeypatch):
    """Some releases raise UnsupportedAlgorithm for key types they do not know: no traceback, just no key."""
    from cryptography.exceptions import UnsupportedAlgorithm  # pylint: disable=import-outside-toplevel

    def refuse(*args, **kwargs):
        raise UnsupportedAlgorithm("unknown key type")

    monkeypatch.setattr(serialization, "load_pem_private_key", refuse)
    key = ed448.Ed448PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    assert keys.load_private_key(pem) is None


@pytest.mark.parametrize("release", [OLD, NEW])
def test_csr_signed_with_the_release_arguments(monkeypatch, release):
    monkeypatch.setattr(support, "_imported_version", lambda: release)
    key = keys.generate_private_key("ECDSA")
    calls = spy(monkeypatch, x509.CertificateSigningRequestBuilder, "sign")
    csr = x509.load_pem_x509_csr(keys.build_csr_pem(key, "web01.example.com").encode("ascii"))
    assert csr.is_signature_valid
    assert csr.subject.rfc4514_string() == "CN=web01.example.com"
    assert ("backend" in calls[0]) is (release == OLD)
