# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way text from outside (ESA, the SDK, the OS) is made safe to repeat: no secret, no private key, one line."""

from __future__ import annotations

import re
import typing as t
import urllib.parse

REDACTED = "********"
# Long enough for ESA's own messages, short enough for a one-line task failure.
MAX_QUOTED = 300
# A block cut short (a shortened or truncated answer) is removed up to the end of the text.
_PRIVATE_KEY_BLOCK = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.DOTALL)


def redact(text: str, secrets: t.Iterable[str | None] = ()) -> str:
    """``text`` without any of ``secrets`` (nor their URL-encoded forms) and without any private key PEM block."""
    for secret in _variants(secrets):
        text = text.replace(secret, REDACTED)
    return _PRIVATE_KEY_BLOCK.sub(REDACTED, text)


def quote(text: str, secrets: t.Iterable[str | None] = (), *, limit: int | None = MAX_QUOTED) -> str:
    """``text`` redacted, on one line, and shortened to ``limit`` characters; redacted first, so no prefix of a secret survives."""
    flat = " ".join(redact(str(text), secrets).split())
    if limit is not None and len(flat) > limit:
        flat = flat[: limit - 3].rstrip() + "..."
    return flat


def _variants(secrets: t.Iterable[str | None]) -> list[str]:
    # Also the URL-encoded forms, in case a secret ever travels in a URL a message repeats; longest first.
    variants: set[str] = set()
    for secret in secrets:
        if secret:
            variants.update({secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)})
    return sorted(variants, key=len, reverse=True)
