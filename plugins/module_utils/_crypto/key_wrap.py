# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The private key ESA generates (key_source=esa), sealed on the controller for the one target that unseals it.

Module arguments are not a safe channel for a key: without pipelining Ansible writes them into the AnsiballZ
file under the remote temporary directory, where they stay while the module runs (and afterwards with
ANSIBLE_KEEP_REMOTE_FILES=1). So the target first makes a one-time X25519 key pair and keeps its private half
in a 0600 pending file beside the key path; the controller seals ESA's answer to the public half (X25519,
HKDF-SHA256, AES-256-GCM) and only the sealed bytes travel as an argument. Whoever reads the AnsiballZ file
without the pending file learns nothing.
"""

from __future__ import annotations

import base64
import os
import typing as t

try:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
except ImportError:  # pragma: no cover - the module reports a missing cryptography first
    pass

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.support import backend_kwargs

_DOMAIN = b"alibabacloud.esa sealed private key v1\0"


class UnsealError(ValueError):
    """The sealed key does not open with this target's one-time key (tampered, or meant for another run)."""


def new_recipient() -> tuple[bytes, str]:
    """A one-time key pair: its private half (PEM, for the 0600 pending file) and its public half (base64, for the controller)."""
    private_key = X25519PrivateKey.generate()
    private_pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return private_pem, _b64(_raw_public(private_key.public_key()))


def recipient_problem(recipient_public_b64: t.Any) -> str | None:
    """Why the host's one-time public key cannot be sealed to, or None: checked before ESA makes a key that only that
    recipient could open (a bad one would leave an active certificate whose key is lost)."""
    if not isinstance(recipient_public_b64, str) or len(recipient_public_b64) > 64:
        return "it is missing or not a short base64 string"
    try:
        raw = _unb64(recipient_public_b64)
    except ValueError:
        return "it is not base64"
    if len(raw) != 32:
        return f"it has {len(raw)} bytes, an X25519 public key has 32"
    try:
        # A trial exchange also refuses the low-order points whose shared secret is all zeros.
        X25519PrivateKey.generate().exchange(X25519PublicKey.from_public_bytes(raw))
    except Exception:  # a low-order point, or a key cryptography refuses: either way nothing can be sealed to it
        return "it is a point no key can be sealed to"
    return None


def seal(plaintext: bytes, recipient_public_b64: str) -> dict[str, str]:
    """Seal plaintext for the holder of recipient_public_b64 (controller side)."""
    recipient = X25519PublicKey.from_public_bytes(_unb64(recipient_public_b64))
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = _raw_public(ephemeral.public_key())
    key = _derive(ephemeral.exchange(recipient), ephemeral_public, _raw_public(recipient))
    nonce = os.urandom(12)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, _DOMAIN)
    return {"ephemeral_public": _b64(ephemeral_public), "nonce": _b64(nonce), "ciphertext": _b64(ciphertext)}


def unseal(sealed: dict[str, t.Any], recipient_private_pem: bytes) -> bytes:
    """Open what seal() made, with the pending private half (target side)."""
    try:
        recipient = serialization.load_pem_private_key(recipient_private_pem, password=None, **backend_kwargs())
        if not isinstance(recipient, X25519PrivateKey):
            raise UnsealError("the pending one-time key is not an X25519 key")
        ephemeral_public = _unb64(sealed["ephemeral_public"])
        key = _derive(recipient.exchange(X25519PublicKey.from_public_bytes(ephemeral_public)), ephemeral_public, _raw_public(recipient.public_key()))
        return AESGCM(key).decrypt(_unb64(sealed["nonce"]), _unb64(sealed["ciphertext"]), _DOMAIN)
    except UnsealError:
        raise
    except Exception as exc:  # InvalidTag, bad base64, missing field: all mean "not for us"
        raise UnsealError(f"the sealed private key does not open with this run's one-time key ({type(exc).__name__})") from None


def _derive(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DOMAIN + ephemeral_public + recipient_public, **backend_kwargs()).derive(shared)


def _raw_public(public_key: t.Any) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: t.Any) -> bytes:
    return base64.b64decode(str(text).encode("ascii"), validate=True)
