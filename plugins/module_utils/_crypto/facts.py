# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Facts about certificates, keys and CSRs, read with cryptography (on the target or the controller)."""

from __future__ import annotations

import hashlib
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.support import backend_kwargs, not_valid_after_utc, not_valid_before_utc
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import format_time, lifetime_days

try:
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import NameOID
except ImportError:  # pragma: no cover - reported by the module through missing_required_lib
    HAS_CRYPTOGRAPHY = False
else:
    HAS_CRYPTOGRAPHY = True

# ESA names signature algorithms as HASH-KEYTYPE (e.g. SHA256-RSA); local certificates are reported the same way.
_SIGNATURE_KEY_TYPES = {"RSA": "RSA", "ECDSA": "ECDSA", "EC": "ECDSA"}


def public_key_sha256(public_key: t.Any) -> str:
    """Identity of a public key: SHA-256 of its SubjectPublicKeyInfo DER, so RSA and EC compare alike."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def key_type_of(public_key: t.Any) -> str:
    if isinstance(public_key, rsa.RSAPublicKey):
        return "RSA"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return "ECDSA"
    return type(public_key).__name__


def common_name_of(name: t.Any) -> str | None:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else None


def load_pem_certificate(data: bytes) -> t.Any | None:
    """The first certificate of a PEM file, or None when the data is not one."""
    try:
        return x509.load_pem_x509_certificate(data, **backend_kwargs())
    except ValueError:
        return None


def load_pem_csr(data: bytes) -> t.Any | None:
    try:
        return x509.load_pem_x509_csr(data, **backend_kwargs())
    except ValueError:
        return None


def _signature_algorithm(certificate: t.Any) -> str | None:
    try:
        hash_algorithm = certificate.signature_hash_algorithm
    except UnsupportedAlgorithm:  # a signature algorithm this release does not know
        hash_algorithm = None
    oid_name = getattr(certificate.signature_algorithm_oid, "_name", "") or ""
    key_type = next((v for k, v in _SIGNATURE_KEY_TYPES.items() if k.lower() in oid_name.lower()), None)
    if hash_algorithm is None or key_type is None:
        return oid_name or None
    return f"{hash_algorithm.name.upper()}-{key_type}"


def certificate_facts(certificate: t.Any) -> dict[str, t.Any]:
    """What a certificate says about itself, in the names and formats this collection returns."""
    not_before = not_valid_before_utc(certificate)
    not_after = not_valid_after_utc(certificate)
    public_key = certificate.public_key()
    der = certificate.public_bytes(serialization.Encoding.DER)
    return {
        "fingerprint_sha256": hashlib.sha256(der).hexdigest(),
        "serial_number": format(certificate.serial_number, "x"),
        "common_name": common_name_of(certificate.subject),
        "issuer": common_name_of(certificate.issuer),
        "not_before": format_time(not_before),
        "not_after": format_time(not_after),
        "validity_days": lifetime_days(not_before, not_after),
        "signature_algorithm": _signature_algorithm(certificate),
        "public_key_sha256": public_key_sha256(public_key),
        "key_type": key_type_of(public_key),
    }


def csr_facts(csr: t.Any) -> dict[str, t.Any]:
    public_key = csr.public_key()
    return {
        "common_name": common_name_of(csr.subject),
        "public_key_sha256": public_key_sha256(public_key),
        "key_type": key_type_of(public_key),
        "signature_valid": bool(csr.is_signature_valid),
    }
