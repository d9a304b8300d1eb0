# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the certificate, key and CSR files said when last parsed, remembered in the bookkeeping file.

Parsing needs the cryptography library, whose import alone costs a no-op run more CPU on the target than
everything else the module does. The facts parsed from the files are a pure function of their bytes, so the
bookkeeping file keeps them under a digest of those bytes: while the files are byte for byte the ones parsed, the facts
are reused, and any change to any of them (a single byte, a file appearing or vanishing) parses them again.

The digest covers the private key's bytes, so that a replaced key is noticed, and is stored in a file that
others may read: SHA-256 reveals nothing usable about an input that holds at least 256 secret bits, and the
key file stays the only place the key is.
"""

from __future__ import annotations

import hashlib
import re
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._time import parse_returned_time

VERSION = 1
_DOMAIN = b"alibabacloud.esa parsed files v1\0"

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_HEX = re.compile(r"^[0-9a-f]{1,128}$")


def _sha256_hex(value: t.Any) -> bool:
    return isinstance(value, str) and bool(_SHA256_HEX.match(value))


def _time(value: t.Any) -> bool:
    try:
        parse_returned_time(value)
    except ValueError:
        return False
    return True


def _optional(check: t.Callable[[t.Any], bool]) -> t.Callable[[t.Any], bool]:
    return lambda value: value is None or check(value)


def _text(value: t.Any) -> bool:
    return isinstance(value, str) and len(value) <= 1024


def _days(value: t.Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100000


# The parsed facts, by part, with a check for each field; a bookkeeping file whose remembered facts fail any check
# (edited by hand, truncated, from another version) is a cache miss: the files are parsed again.
_FIELDS: dict[str, dict[str, t.Callable[[t.Any], bool]]] = {
    "certificate": {
        "fingerprint_sha256": _sha256_hex,
        "public_key_sha256": _sha256_hex,
        "key_type": _text,
        "not_before": _time,
        "not_after": _time,
        "serial_number": _optional(lambda v: isinstance(v, str) and bool(_HEX.match(v))),
        "common_name": _optional(_text),
        "issuer": _optional(_text),
        "signature_algorithm": _optional(_text),
        "validity_days": _optional(_days),
    },
    "privatekey": {"public_key_sha256": _sha256_hex, "key_type": _text},
    "csr": {"public_key_sha256": _sha256_hex, "key_type": _text, "signature_valid": lambda v: isinstance(v, bool), "common_name": _optional(_text)},
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
    """The value kept in the bookkeeping file's ``parsed`` field."""
    return {"version": VERSION, "digest": digest, "facts": facts}


def cached_facts(bookkeeping: dict[str, t.Any] | None, digest: str) -> dict[str, t.Any] | None:
    """The remembered facts when the bookkeeping file holds some for exactly these bytes and they are well formed."""
    parsed = (bookkeeping or {}).get("parsed")
    if not isinstance(parsed, dict) or parsed.get("version") != VERSION or parsed.get("digest") != digest:
        return None
    facts = parsed.get("facts")
    return facts if well_formed(facts) else None


def well_formed(facts: t.Any) -> bool:
    """Whether facts have every part and field in the shape _parse gives them (None parts allowed)."""
    if not isinstance(facts, dict) or set(facts) - set(_FIELDS):
        return False
    for part, fields in _FIELDS.items():
        value = facts.get(part)
        if value is None:
            continue
        if not isinstance(value, dict) or set(value) - set(fields) or any(not valid(value.get(name)) for name, valid in fields.items()):
            return False
    certificate = facts.get("certificate")
    # Same fixed format: text order is time order.
    return not (certificate and certificate["not_before"] > certificate["not_after"])
