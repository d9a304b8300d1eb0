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
import datetime as _dt
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import TaskStopped
from ansible_collections.alibabacloud.esa.plugins.module_utils._target.contract import FINGERPRINT_PATTERN, ID_PATTERN
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import parse_esa_time
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.facts import flatten_record, pem_facts

# What a host answers (an unknown fingerprint, a lost or planted bookkeeping file) decides whether the controller searches
# the site, and ESA's rate limit is the account's, shared by the fleet: one lookup makes at most this many Gets (a listing
# with fingerprints needs one; without, one per certificate of the file's name and expiry), then searched no further.
MAX_LOOKUP_GETS = 25


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
    client: t.Any,
    site_id: int,
    fingerprint_sha256: str | None,
    bookkeeping: dict[str, t.Any] | None,
    expected: dict[str, t.Any] | None = None,
    *,
    path: str | None = None,
) -> Lookup:
    """The ESA record of the certificate on disk, or Lookup(None) when ESA does not know it.

    With a bookkeeping record for this file and site: one Get, accepted only if ESA's PEM has the file's
    fingerprint. Otherwise one paginated search by fingerprint (the id then is 'recovered' for next time).
    At most MAX_LOOKUP_GETS Gets in all: past them TaskStopped, whose message names ``path``'s bookkeeping file.
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
    if not FINGERPRINT_PATTERN.match(wanted):
        return Lookup(None, other_id=other_id)  # no certificate has that fingerprint: nothing to search for
    budget = MAX_LOOKUP_GETS - (1 if known else 0)
    found = search_by_fingerprint(client, site_id, wanted, expected, max_gets=budget, path=path)
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


def search_by_fingerprint(
    client: t.Any, site_id: int, wanted: str, expected: dict[str, t.Any] | None = None, *, max_gets: int = MAX_LOOKUP_GETS, path: str | None = None
) -> Lookup | None:
    """One walk over the site's listing; each candidate is confirmed with a Get, from ESA's PEM, at most ``max_gets`` in all.

    The listing sorts its entries before any Get (see _candidate): one that names the file's fingerprint, or has its
    NotAfter (``expected``: the file's certificate facts), is fetched at once; one the listing says too little about
    (older API versions answer no FingerprintSha256) waits for the end of the walk. When the candidates outnumber
    ``max_gets`` the walk stops there with TaskStopped, before any Get they would cost.
    """
    gets = 0
    possible: list[str] = []
    for item in client.iter_client_certificates(site_id):
        cert_id = item.get("Id")
        kind = _candidate(item, wanted, expected) if isinstance(cert_id, str) and cert_id else None
        if kind is None:
            continue
        if gets + len(possible) + 1 > max_gets:
            raise TaskStopped(_searched_no_further(site_id, wanted, expected, max_gets, path))
        if kind == "possible":
            possible.append(cert_id)
            continue
        gets += 1
        found = _confirmed(client, site_id, cert_id, wanted)
        if found is not None:
            return found
    for cert_id in possible:
        found = _confirmed(client, site_id, cert_id, wanted)
        if found is not None:
            return found
    return None


def _confirmed(client: t.Any, site_id: int, cert_id: str, wanted: str) -> Lookup | None:
    body = client.get_client_certificate(site_id, cert_id)
    return _verified(flatten_record(body), wanted) if body else None


def _searched_no_further(site_id: int, wanted: str, expected: dict[str, t.Any] | None, max_gets: int, path: str | None) -> str:
    subject = path or "the certificate file"
    bookkeeping = f"{path}.esa.json" if path else "its bookkeeping file (<path>.esa.json)"
    common_name = (expected or {}).get("common_name")
    named = f" with common_name {common_name!r}" if isinstance(common_name, str) and 0 < len(common_name) <= 64 else ""
    listing = f"alibabacloud.esa.esa_client_certificate_info{named} and include_pem: true"
    return (
        f"no usable bookkeeping names the ESA record of {subject}, and more than {max_gets} of site {site_id}'s certificates could be it"
        f" by what ESA's listing shows: searched no further, to spare the account's ESA rate limit; write the record's id into {bookkeeping}"
        f' as {{"site_id": {site_id}, "id": "..."}} ({listing} lists the candidates: it is the one whose PEM has fingerprint {wanted})'
    )


def _verified(record: dict[str, t.Any], wanted: str) -> Lookup | None:
    facts = pem_facts(record)
    # ESA's PEM is the truth; its FingerprintSha256 field only when no PEM came back, and never when empty.
    actual = facts["fingerprint_sha256"] if facts else _plain(record.get("FingerprintSha256"))
    if not actual or actual != wanted:
        return None
    return Lookup(record, pem_facts=facts)


def _candidate(item: dict[str, t.Any], wanted: str, expected: dict[str, t.Any] | None) -> str | None:
    """How far a list entry may be the file's certificate, by what the listing says: ``named`` (its FingerprintSha256 is the
    file's), ``dated`` (no fingerprint, but the file's NotAfter to the second, and no other CommonName), ``possible`` (the
    listing says too little), or None (what it says rules it out)."""
    listed = _plain(item.get("FingerprintSha256"))
    if listed:
        return "named" if listed == wanted else None
    if not expected:
        return "possible"
    listed_name = (item.get("CommonName") or "").strip()
    if listed_name and expected.get("common_name") is not None and listed_name != expected["common_name"]:
        return None
    listed_end, expected_end = _time_or_none(item.get("NotAfter")), _time_or_none(expected.get("not_after"))
    if listed_end is None or expected_end is None:
        return "possible"
    return "dated" if listed_end == expected_end else None


def _time_or_none(value: t.Any) -> _dt.datetime | None:
    try:
        return parse_esa_time(value) if value else None
    except ValueError:
        return None


def _usable_bookkeeping(bookkeeping: dict[str, t.Any] | None, site_id: int, wanted: str) -> str | None:
    if not bookkeeping or not isinstance(bookkeeping.get("id"), str) or not ID_PATTERN.match(bookkeeping["id"]):
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
