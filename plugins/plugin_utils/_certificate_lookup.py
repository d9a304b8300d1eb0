# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which ESA record a certificate file belongs to, in one ESA read when the bookkeeping file is there."""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa_facts import flatten_record


@dataclasses.dataclass
class Lookup:
    record: dict[str, t.Any] | None
    recovered: bool = False
    """True when the id was found by fingerprint search and should be written to the bookkeeping file."""


def find_record(client: t.Any, site_id: int, fingerprint_sha256: str | None, bookkeeping: dict[str, t.Any] | None) -> Lookup:
    """The ESA record of the certificate on disk, or Lookup(None) when ESA does not know it.

    With a bookkeeping record for this file, site and fingerprint: one Get. Otherwise one paginated
    search by fingerprint (the id then is 'recovered' for next time).
    """
    known = _usable_bookkeeping(bookkeeping, site_id, fingerprint_sha256)
    if known:
        body = client.get_client_certificate(site_id, known)
        return Lookup(flatten_record(body) if body else None)
    if not fingerprint_sha256:
        return Lookup(None)
    wanted = fingerprint_sha256.lower()
    for item in client.iter_client_certificates(site_id):
        if (item.get("FingerprintSha256") or "").lower() == wanted:
            return Lookup(flatten_record(item), recovered=True)
    return Lookup(None)


def find_record_by_id(client: t.Any, site_id: int, bookkeeping: dict[str, t.Any] | None) -> dict[str, t.Any] | None:
    """For state=absent when the certificate file is gone but its bookkeeping remains."""
    if not bookkeeping or not bookkeeping.get("id") or _site_of(bookkeeping, site_id) != site_id:
        return None
    body = client.get_client_certificate(site_id, bookkeeping["id"])
    return flatten_record(body) if body else None


def _usable_bookkeeping(bookkeeping: dict[str, t.Any] | None, site_id: int, fingerprint_sha256: str | None) -> str | None:
    if not bookkeeping or not bookkeeping.get("id") or _site_of(bookkeeping, site_id) != site_id:
        return None
    # A file replaced behind our back no longer belongs to the recorded id.
    recorded = (bookkeeping.get("fingerprint_sha256") or "").lower()
    if fingerprint_sha256 and recorded and recorded != fingerprint_sha256.lower():
        return None
    return bookkeeping["id"]


def _site_of(bookkeeping: dict[str, t.Any], default: int) -> int:
    try:
        return int(bookkeeping.get("site_id", default))
    except (TypeError, ValueError):
        return -1
