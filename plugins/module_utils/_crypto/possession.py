# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Proof that a managed host holds the private key of a certificate, before the controller revokes or deletes it.

The controller holds site-wide credentials; a host holds one certificate. A host's files (a planted bookkeeping
record, a copied public certificate) must never choose what the controller revokes. So the controller picks a
fresh random nonce, the host signs it with the private key it has, and the controller verifies the signature
against the public key in the certificate ESA itself returns for the id. A copy of a public certificate, or an
id written into a file, proves nothing; only the key does.

The signed message binds the nonce to this collection, its purpose and the site, so a proof can be replayed
neither into another protocol nor onto another site.
"""

from __future__ import annotations

import base64
import os
import typing as t

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
except ImportError:  # pragma: no cover - the module reports a missing cryptography before any proof is asked
    pass

_DOMAIN = b"alibabacloud.esa proof of possession v1\0"
NONCE_BYTES = 32


def new_nonce() -> str:
    """A fresh controller-chosen challenge (hex), one per task."""
    return os.urandom(NONCE_BYTES).hex()


def proof_message(nonce: str, site_id: int) -> bytes:
    return _DOMAIN + f"site={int(site_id)}\0nonce={nonce}".encode("ascii")


def sign(private_key: t.Any, message: bytes) -> str | None:
    """The host's signature over message with its key (base64), or None for a key type that cannot sign."""
    if isinstance(private_key, rsa.RSAPrivateKey):
        signature = private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    elif isinstance(private_key, ec.EllipticCurvePrivateKey):
        signature = private_key.sign(message, ec.ECDSA(hashes.SHA256()))
    else:
        return None
    return base64.b64encode(signature).decode("ascii")


def verify(public_key: t.Any, message: bytes, signature_b64: t.Any) -> bool:
    """Whether signature_b64 is a signature over message by the private half of public_key; never raises."""
    if not isinstance(signature_b64, str) or not signature_b64 or len(signature_b64) > 4096:
        return False
    try:
        signature = base64.b64decode(signature_b64.encode("ascii"), validate=True)
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except (InvalidSignature, ValueError, TypeError, UnicodeError):
        return False
    return True
