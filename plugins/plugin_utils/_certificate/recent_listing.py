# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The certificates a site created since a moment, reading only the pages of the listing that can hold them.

After a create whose answer was lost, the certificate it may have issued is at most minutes old. ListClientCertificates
takes no filter and no order, and its documentation does not say in which order it lists; so the first page says it:
its CreateTimes ascending (oldest first, as the emulator lists) mean the recent ones are on the last pages, read
backwards; descending (newest first) mean they are on the first pages, read forwards. Either way the walk stops at the
first page older than the moment: O(recent certificates) instead of O(site). A page without usable CreateTimes, or a
listing in no order, is read whole, as before.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._time import parse_esa_time
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import PageWalk

PAGE_SIZE = 100


def recent_client_certificates(client: t.Any, site_id: int, since: _dt.datetime, *, page_size: int = PAGE_SIZE) -> t.Iterator[dict[str, t.Any]]:
    """List entries of certificates created at or after ``since`` (and any whose CreateTime cannot be read).

    Every page goes through one PageWalk: a repeated page, or more than MAX_LISTING_PAGES of them, ends the search with
    EsaApiError. Each certificate comes once, even when a create during the walk shifts it onto the next page as well.
    """
    seen: set[str] = set()
    for item in _entries(client, site_id, since, page_size):
        cert_id = item.get("Id")
        if cert_id in seen:
            continue
        if cert_id:
            seen.add(cert_id)
        yield item


def _entries(client: t.Any, site_id: int, since: _dt.datetime, page_size: int) -> t.Iterator[dict[str, t.Any]]:
    size = page_size
    walk = PageWalk(lambda number: client.list_client_certificates(site_id, page_number=number, page_size=size), "ListClientCertificates", site_id)
    first = walk.read(1)
    records = first.get("Result") or []
    total = first.get("TotalCount")
    answered_size = first.get("PageSize")
    size = answered_size if isinstance(answered_size, int) and answered_size > 0 else page_size
    pages = -(-total // size) if isinstance(total, int) and total >= 0 else None
    if pages is not None and pages > walk.max_pages:
        pages = None  # a TotalCount past what one walk reads is not believed: forwards to a short page, as without one
    order = _order(records)
    if pages is None or pages <= 1 or order is None:
        yield from _recent(records, since)
        if pages is None or pages > 1:  # no TotalCount, or no readable order: every page, as a plain walk would
            yield from _recent(_pages_after_first(walk, size, pages), since)
        return
    if order == "newest first":
        numbers: t.Iterable[int] = range(1, pages + 1)
    else:
        numbers = range(pages, 0, -1)
    for number in numbers:
        page = records if number == 1 else walk.read(number).get("Result") or []
        yield from _recent(page, since)
        if page and all(_older(item, since) for item in page):
            return
        if not page and order == "newest first":
            return  # read forwards, an empty page is the listing's end


def _pages_after_first(walk: PageWalk, size: int, pages: int | None) -> t.Iterator[dict[str, t.Any]]:
    number = 2
    while pages is None or number <= pages:
        page = walk.read(number).get("Result") or []
        if not page:
            return
        yield from page
        if pages is None and len(page) < size:
            return
        number += 1


def _order(records: list[dict[str, t.Any]]) -> str | None:
    """``oldest first`` or ``newest first`` by the page's CreateTimes; None when they do not tell (unreadable, one entry, mixed)."""
    times = [moment for moment in (_created(item) for item in records) if moment is not None]
    if len(times) < 2 or len(times) != len(records):
        return None
    pairs = list(itertools.pairwise(times))
    if all(earlier <= later for earlier, later in pairs):
        return "oldest first"
    if all(earlier >= later for earlier, later in pairs):
        return "newest first"
    return None


def _recent(records: t.Iterable[dict[str, t.Any]], since: _dt.datetime) -> t.Iterator[dict[str, t.Any]]:
    return (item for item in records if not _older(item, since))


def _older(item: dict[str, t.Any], since: _dt.datetime) -> bool:
    created = _created(item)
    return created is not None and created < since


def _created(item: dict[str, t.Any]) -> _dt.datetime | None:
    try:
        return parse_esa_time(item["CreateTime"]) if item.get("CreateTime") else None
    except ValueError:
        return None
