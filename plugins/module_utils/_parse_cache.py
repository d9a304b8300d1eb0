# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the certificate, key and CSR files said when last parsed, remembered in the bookkeeping record.

Parsing needs the cryptography library, whose import alone costs a no-op run more CPU on the target than
everything else the module does. The facts parsed from the files are a pure function of their bytes, so the
record keeps them under a digest of those bytes: while the files are byte for byte the ones parsed, the facts
are reused, and any change to any of them (a single byte, a file appearing or vanishing) parses them again.

The digest covers the private key's bytes, so that a replaced key is noticed, and is stored in a file that
others may read: SHA-256 reveals nothing usable about an input that holds at least 256 secret bits, and the
key file stays the only place the key is.
"""

from __future__ import annotations

import hashlib
import typing as t

VERSION = 1
_DOMAIN = b"alibabacloud.esa parsed files v1\0"

# The parsed facts, by part, with the fields each must have; anything else in a record is not trusted.
_FIELDS = {
    "certificate": {"fingerprint_sha256": str, "public_key_sha256": str, "key_type": str, "not_before": str, "not_after": str},
    "privatekey": {"public_key_sha256": str, "key_type": str},
    "csr": {"public_key_sha256": str, "key_type": str, "signature_valid": bool},
}


def files_digest(certificate: bytes | None, privatekey: bytes | None, csr: bytes | None) -> str:
    """One digest of the three inputs, each length-prefixed, so no two different sets share it."""
    digest = hashlib.sha256(_DOMAIN)
    for part in (certificate, privatekey, csr):
        if part is None:
            digest.update(b"-")
        else:
            digest.update(b"+%d:" % len(part))
            digest.update(part)
    return digest.hexdigest()


def entry(digest: str, facts: dict[str, t.Any]) -> dict[str, t.Any]:
    """The value kept in the record's ``parsed`` field."""
    return {"version": VERSION, "digest": digest, "facts": facts}


def cached_facts(record: dict[str, t.Any] | None, digest: str) -> dict[str, t.Any] | None:
    """The remembered facts when the record holds some for exactly these bytes and they are well formed."""
    parsed = (record or {}).get("parsed")
    if not isinstance(parsed, dict) or parsed.get("version") != VERSION or parsed.get("digest") != digest:
        return None
    facts = parsed.get("facts")
    if not isinstance(facts, dict) or set(facts) - set(_FIELDS):
        return None
    for part, fields in _FIELDS.items():
        value = facts.get(part)
        if value is None:
            continue
        if not isinstance(value, dict) or any(not isinstance(value.get(name), kind) for name, kind in fields.items()):
            return None
    return facts
