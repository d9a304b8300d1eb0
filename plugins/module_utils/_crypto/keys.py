# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private keys and CSRs made where the files live, so the key never travels."""

from __future__ import annotations

import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.support import backend_kwargs, skip_rsa_key_validation_kwargs

try:
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import NameOID
except ImportError:  # pragma: no cover - reported by the module through missing_required_lib
    pass


def generate_private_key(pkey_type: str) -> t.Any:
    """RSA 2048 or ECDSA P-256: the two key types ESA issues for."""
    if pkey_type == "RSA":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048, **backend_kwargs())
    if pkey_type == "ECDSA":
        return ec.generate_private_key(ec.SECP256R1(), **backend_kwargs())
    raise ValueError(f"unsupported pkey_type {pkey_type!r}")


def private_key_pem(private_key: t.Any) -> bytes:
    return private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def load_private_key(data: bytes, *, for_comparison_only: bool = False, passphrase: bytes | None = None) -> t.Any | None:
    """The key in a PEM file, or None when the file holds no private key that opens with this passphrase.

    for_comparison_only skips the RSA consistency check (tens of milliseconds, where the release allows it)
    when only the public half is compared with a certificate, which is what every no-op run does.
    """
    extra = skip_rsa_key_validation_kwargs() if for_comparison_only else {}
    try:
        return serialization.load_pem_private_key(data, password=passphrase, **backend_kwargs(), **extra)
    except (ValueError, TypeError, UnsupportedAlgorithm):  # not a key, encrypted (or not) unlike the passphrase says, unknown type
        return None


def build_csr_pem(private_key: t.Any, common_name: str) -> str:
    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
    csr = builder.sign(private_key, hashes.SHA256(), **backend_kwargs())
    return csr.public_bytes(serialization.Encoding.PEM).decode("ascii")
