# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PKCS#12 bundle of a certificate and its key, made where the key lives (pkcs12_path), and the CA certificates it may carry.

serialize_key_and_certificates exists from cryptography 3.0 (support.PKCS12_FLOOR); the module refuses pkcs12_path on an
older target before anything is asked of ESA, so this file is imported only where it can work.
"""

from __future__ import annotations

import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.support import backend_kwargs
from ansible_collections.alibabacloud.esa.plugins.module_utils._pem import block_labels, certificate_blocks

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12 as _pkcs12  # 2.5 and later: loading; 3.0 and later: writing
except ImportError:  # pragma: no cover - reported by the module through cryptography_problem
    pass

# A client needs its issuing CA and perhaps an intermediate or two; more is a mistake (a whole trust store pasted in).
MAX_CA_CERTIFICATES = 8


def ca_certificates_problem(text: str) -> str | None:
    """Why ca_certificate_content cannot go into a bundle or chain file; None when it is 1 to 8 PEM certificates and nothing else."""
    labels = block_labels(text)
    if any("PRIVATE KEY" in label for label in labels):
        return "ca_certificate_content holds a private key: give only the CA's certificate (PEM); nothing was asked of ESA"
    if labels - {"CERTIFICATE"}:
        return f"ca_certificate_content holds PEM blocks other than certificates ({', '.join(sorted(labels - {'CERTIFICATE'}))}); nothing was asked of ESA"
    blocks = certificate_blocks(text)
    if not blocks:
        return "ca_certificate_content holds no PEM certificate (-----BEGIN CERTIFICATE-----); nothing was asked of ESA"
    if len(blocks) > MAX_CA_CERTIFICATES:
        return f"ca_certificate_content holds {len(blocks)} certificates, at most {MAX_CA_CERTIFICATES} are taken; nothing was asked of ESA"
    for index, block in enumerate(blocks, start=1):
        try:
            x509.load_pem_x509_certificate(block.encode("ascii"), **backend_kwargs())
        except ValueError:
            return f"ca_certificate_content: certificate {index} of {len(blocks)} does not parse as X.509; nothing was asked of ESA"
    return None


def bundle_bytes(private_key: t.Any, certificate_pem: bytes, passphrase: str, friendly_name: str | None, ca_pem: str | None) -> bytes:
    """The PKCS#12 (DER) of the key, its certificate and the CA certificates, encrypted with the passphrase."""
    certificate = x509.load_pem_x509_certificate(certificate_pem, **backend_kwargs())
    cas = [x509.load_pem_x509_certificate(block.encode("ascii"), **backend_kwargs()) for block in certificate_blocks(ca_pem or "")]
    if not hasattr(_pkcs12, "serialize_key_and_certificates"):  # 2.5 to 2.9 have the module, for loading only
        raise ValueError("this cryptography cannot write PKCS#12 (it needs 3.0 or later)")
    return _pkcs12.serialize_key_and_certificates(
        friendly_name.encode("utf-8") if friendly_name else None,
        private_key,
        certificate,
        cas or None,
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    )
