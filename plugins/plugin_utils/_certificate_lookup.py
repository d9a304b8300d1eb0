# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which ESA record a certificate file belongs to: one ESA read when the bookkeeping file is right.

The bookkeeping file lives on the managed host, so its id is a hint, never an authorisation: a record counts
as the file's only when the certificate ESA returns for it has the file's fingerprint, computed here from
ESA's PEM (ESA's own FingerprintSha256 field can be empty). A recorded id that leads elsewhere is resolved
again by fingerprint.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._time import parse_esa_time
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa_facts import flatten_record, pem_facts


@dataclasses.dataclass
class Lookup:
    record: dict[str, t.Any] | None
    """ESA's record of the file's certificate (flat, with its PEM under Certificate), or None."""
    recovered: bool = False
    """The id differs from the bookkeeping's: write it there for next time."""
    pem_facts: dict[str, t.Any] | None = None
    """certificate_facts() of ESA's PEM for the record: what ESA's copy of the certificate says."""
    other_id: str | None = None
    """The bookkeeping's id, when ESA's certificate under it is not the file's (stale, copied or planted)."""


def find_record(
    client: t.Any, site_id: int, fingerprint_sha256: str | None, bookkeeping: dict[str, t.Any] | None, expected: dict[str, t.Any] | None = None
) -> Lookup:
    """The ESA record of the certificate on disk, or Lookup(None) when ESA does not know it.

    With a bookkeeping record for this file and site: one Get, accepted only if ESA's PEM has the file's
    fingerprint. Otherwise one paginated search by fingerprint (the id then is 'recovered' for next time).
    """
    wanted = _plain(fingerprint_sha256)
    other_id = None
    known = _usable_bookkeeping(bookkeeping, site_id, wanted)
    if known:
        body = client.get_client_certificate(site_id, known)
        if body:
            found = _verified(flatten_record(body), wanted)
            if found is not None:
                return found
            other_id = known  # a live record, of another certificate
    if not wanted:
        return Lookup(None, other_id=other_id)
    found = search_by_fingerprint(client, site_id, wanted, expected)
    if found is not None and found.record is not None:
        found.recovered = found.record["Id"] != (bookkeeping or {}).get("id")
        found.other_id = other_id
        return found
    return Lookup(None, other_id=other_id)


def record_by_bookkeeping(client: t.Any, site_id: int, bookkeeping: dict[str, t.Any] | None) -> Lookup:
    """ESA's record for the bookkeeping's id when no certificate file is left to compare with (state=absent).

    Whatever certificate it is: the caller must have the host prove possession of its key before acting on it.
    """
    known = _usable_bookkeeping(bookkeeping, site_id, "")
    body = client.get_client_certificate(site_id, known) if known else None
    if not body:
        return Lookup(None)
    record = flatten_record(body)
    return Lookup(record, pem_facts=pem_facts(record))


def search_by_fingerprint(client: t.Any, site_id: int, wanted: str, expected: dict[str, t.Any] | None = None) -> Lookup | None:
    """One walk over the site's listing; each candidate is confirmed with a Get, from ESA's PEM.

    List entries whose FingerprintSha256 is empty (older API versions answer none) are narrowed by the
    ``expected`` facts of the file (common name, not_after) where the listing has them, then confirmed the same way.
    """
    for item in client.iter_client_certificates(site_id):
        listed = _plain(item.get("FingerprintSha256"))
        if listed and listed != wanted:
            continue
        if not listed and not _could_be(item, expected):
            continue
        body = client.get_client_certificate(site_id, item["Id"]) if item.get("Id") else None
        found = _verified(flatten_record(body), wanted) if body else None
        if found is not None:
            return found
    return None


def _verified(record: dict[str, t.Any], wanted: str) -> Lookup | None:
    facts = pem_facts(record)
    # ESA's PEM is the truth; its FingerprintSha256 field only when no PEM came back, and never when empty.
    actual = facts["fingerprint_sha256"] if facts else _plain(record.get("FingerprintSha256"))
    if not actual or actual != wanted:
        return None
    return Lookup(record, pem_facts=facts)


def _could_be(item: dict[str, t.Any], expected: dict[str, t.Any] | None) -> bool:
    """Whether a list entry without a fingerprint may be the file's certificate, by what the listing does say."""
    if not expected:
        return True
    listed_name = (item.get("CommonName") or "").strip()
    if listed_name and expected.get("common_name") is not None and listed_name != expected["common_name"]:
        return False
    listed_end, expected_end = item.get("NotAfter"), expected.get("not_after")
    if listed_end and expected_end:
        try:
            return parse_esa_time(listed_end) == parse_esa_time(expected_end)
        except ValueError:
            return True
    return True


# ESA ids are short tokens (32 hex digits in every answer seen); anything else in the bookkeeping is garbage, not sent to ESA.
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


def _usable_bookkeeping(bookkeeping: dict[str, t.Any] | None, site_id: int, wanted: str) -> str | None:
    if not bookkeeping or not isinstance(bookkeeping.get("id"), str) or not _ID_PATTERN.match(bookkeeping["id"]):
        return None
    if _site_of(bookkeeping, site_id) != site_id:
        return None
    # A file replaced behind our back no longer belongs to the recorded id: search straight away.
    recorded = _plain(bookkeeping.get("fingerprint_sha256"))
    if wanted and recorded and recorded != wanted:
        return None
    return bookkeeping["id"]


def _plain(fingerprint: t.Any) -> str:
    return str(fingerprint or "").replace(":", "").strip().lower()


def _site_of(bookkeeping: dict[str, t.Any], default: int) -> int:
    try:
        return int(bookkeeping.get("site_id", default))
    except (TypeError, ValueError):
        return -1
