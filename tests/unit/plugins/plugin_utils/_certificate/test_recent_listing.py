# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""After a lost create, only the listing's pages that can hold recent certificates are read, whichever order ESA lists in."""

from __future__ import annotations

import datetime as dt

import pytest

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.recent_listing import recent_client_certificates
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import MAX_LISTING_PAGES
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import EsaApiError

START = dt.datetime(2026, 12, 1, 12, 0, 0, tzinfo=dt.timezone.utc)


class Listing:
    """A site of ``count`` certificates, one a minute, listed in ``order`` (or with no CreateTime); counts the pages read."""

    def __init__(self, count, order="oldest first", with_times=True):
        entries = [{"Id": f"c{index}", "CreateTime": (START + dt.timedelta(minutes=index)).strftime("%Y-%m-%d %H:%M:%S")} for index in range(count)]
        if not with_times:
            entries = [{"Id": entry["Id"]} for entry in entries]
        self.entries = entries if order == "oldest first" else list(reversed(entries))
        self.pages_read = []

    def list_client_certificates(self, site_id, *, page_number=1, page_size=100):
        self.pages_read.append(page_number)
        start = (page_number - 1) * page_size
        return {"Result": self.entries[start:start + page_size], "TotalCount": len(self.entries), "PageNumber": page_number, "PageSize": page_size}


@pytest.mark.parametrize("order", ["oldest first", "newest first"])
def test_ten_thousand_certificates_cost_two_pages_for_the_last_minutes(order):
    listing = Listing(10000, order)
    since = START + dt.timedelta(minutes=9990)
    found = sorted(entry["Id"] for entry in recent_client_certificates(listing, 7, since))
    assert found == sorted(f"c{index}" for index in range(9990, 10000))
    # Page 1 tells the order. Oldest first: the last page, then the one before it, all older than the moment: stop.
    # Newest first: page 1 holds them, page 2 is all older: stop.
    assert listing.pages_read == ([1, 100, 99] if order == "oldest first" else [1, 2])


def test_a_recent_run_that_spans_pages_reads_them_all_and_no_more():
    listing = Listing(1000, "oldest first")
    since = START + dt.timedelta(minutes=750)
    assert len(list(recent_client_certificates(listing, 7, since))) == 250
    assert sorted(set(listing.pages_read)) == [1, 7, 8, 9, 10]


def test_without_create_times_every_page_is_read():
    listing = Listing(250, with_times=False)
    assert len(list(recent_client_certificates(listing, 7, START))) == 250
    assert listing.pages_read == [1, 2, 3]


def test_one_page_is_one_read():
    listing = Listing(40)
    assert [entry["Id"] for entry in recent_client_certificates(listing, 7, START + dt.timedelta(minutes=38))] == ["c38", "c39"]
    assert listing.pages_read == [1]


class EndlessListing:
    """A listing whose every page is full of new certificates, under a hostile TotalCount (or the same page again)."""

    def __init__(self, total=10**9, *, same_page=False, with_times=True):
        self.total, self.same_page, self.with_times = total, same_page, with_times
        self.pages_read = []

    def list_client_certificates(self, site_id, *, page_number=1, page_size=100):
        self.pages_read.append(page_number)
        first = 0 if self.same_page else (page_number - 1) * page_size
        entries = [{"Id": f"c{index}"} for index in range(first, first + page_size)]
        if self.with_times:
            for index, entry in enumerate(entries):
                entry["CreateTime"] = (START + dt.timedelta(minutes=first + index)).strftime("%Y-%m-%d %H:%M:%S")
        return {"Result": entries, "TotalCount": self.total, "PageNumber": page_number, "PageSize": page_size}


def test_a_total_count_of_a_billion_stops_at_the_page_cap():
    listing = EndlessListing()
    with pytest.raises(EsaApiError, match=f"goes on past {MAX_LISTING_PAGES} pages"):
        list(recent_client_certificates(listing, 7, START, page_size=2))
    assert len(listing.pages_read) == MAX_LISTING_PAGES


def test_a_total_count_past_the_cap_is_not_walked_backwards_from_its_last_page():
    listing = EndlessListing()
    with pytest.raises(EsaApiError):
        list(recent_client_certificates(listing, 7, START, page_size=2))
    assert max(listing.pages_read) == MAX_LISTING_PAGES


def test_a_listing_that_answers_the_same_page_again_stops_at_once():
    listing = EndlessListing(total=250, same_page=True, with_times=False)
    with pytest.raises(EsaApiError, match="answered page 2 with the same certificates as page 1"):
        list(recent_client_certificates(listing, 7, START))
    assert listing.pages_read == [1, 2]


def test_a_total_count_past_the_cap_over_a_short_listing_ends_at_its_short_page():
    listing = Listing(250, with_times=False)
    listing.list_client_certificates = overstating(listing.list_client_certificates, 10**9)
    assert len(list(recent_client_certificates(listing, 7, START))) == 250
    assert listing.pages_read == [1, 2, 3]


def overstating(list_page, total):
    def listed(site_id, **kwargs):
        return dict(list_page(site_id, **kwargs), TotalCount=total)
    return listed


def test_a_certificate_shifted_onto_the_next_page_by_a_create_comes_once():
    listing = Listing(150, "newest first")
    since = START
    read = listing.list_client_certificates

    def with_a_create_after_page_one(site_id, *, page_number=1, page_size=100):
        if page_number == 2:  # a certificate created meanwhile pushes the listing down by one
            newest = {"Id": "c150", "CreateTime": (START + dt.timedelta(minutes=150)).strftime("%Y-%m-%d %H:%M:%S")}
            listing.entries.insert(0, newest)
        return read(site_id, page_number=page_number, page_size=page_size)

    listing.list_client_certificates = with_a_create_after_page_one
    found = [entry["Id"] for entry in recent_client_certificates(listing, 7, since)]
    assert len(found) == len(set(found))
