# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The page is parsed as a browser's tokenizer would: what came from hosts or ESA must stay text."""

from __future__ import annotations

import collections
import html.parser

import pytest

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report.html_page import fleet_report_html
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report.report import fleet_report
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils.fleet_report_cases import (
    FOREVER,
    FOREVER_DAYS,
    HOSTILE_CN,
    NOW,
    SITE,
    copied_fleet,
    fleet,
    forever_fleet,
)


class Page(html.parser.HTMLParser):
    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags = collections.Counter()
        self.attributes = []
        self.csp = None
        self.text = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        self.attributes.extend(attrs)
        if tag == "meta" and dict(attrs).get("http-equiv") == "Content-Security-Policy":
            self.csp = dict(attrs)["content"]

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture
def page():
    hosts, listing = fleet()
    hosts["<img src=x onerror=alert(1)>"] = {"changed": False, "reasons": [], "certificate": {"id": "i", "common_name": HOSTILE_CN}}
    return Page(fleet_report_html(fleet_report(hosts, listing, site_id=SITE, now=NOW)))


def test_markup_from_hosts_and_esa_stays_text(page):
    assert page.tags["script"] == 0
    assert page.tags["img"] == 0
    assert page.tags["marquee"] == 0
    text = "".join(page.text)
    assert HOSTILE_CN in text
    assert "<img src=x onerror=alert(1)>" in text


def test_self_contained_no_script_no_load(page):
    values = [value or "" for _name, value in page.attributes]
    assert not [name for name, _value in page.attributes if name in ("src", "href") or name.startswith("on")]
    assert not [value for value in values if "http" in value and value != "http://www.w3.org/2000/svg"]
    assert "default-src 'none'" in page.csp
    assert "script-src" not in page.csp


def test_sections_and_timeline(page):
    text = "".join(page.text)
    for heading in ("Expiry timeline", "Hosts (8)", "Certificates no host holds (2)", "Hosts without a certificate (1)", "Hosts not checked (2)"):
        assert heading in text
    assert page.tags["svg"] == 1
    assert page.tags["rect"] >= 4 + 5  # the legend's four, then bars
    assert "alibabacloud.esa.esa_client_certificate_revoke:" in text
    assert "web-04: Failed to import the required Python library" in text


def test_an_empty_fleet_still_renders():
    page = Page(fleet_report_html(fleet_report({}, [], now=NOW)))
    text = "".join(page.text)
    assert "No host in the run." in text
    assert "No certificate with an expiry date to show." in text


def test_a_certificate_that_never_expires_renders_its_expiry():
    page = fleet_report_html(fleet_report(*forever_fleet(), site_id=SITE, now=NOW))
    assert page.count(FOREVER) == 2  # the host's row and the orphan's block


def test_a_certificate_that_never_expires_renders_its_days_left():
    page = fleet_report_html(fleet_report(*forever_fleet(), site_id=SITE, now=NOW))
    assert page.count(f' class="num">{FOREVER_DAYS}</td>') == 1  # the host's row


def test_a_certificate_that_never_expires_renders_the_orphans_days_left():
    page = fleet_report_html(fleet_report(*forever_fleet(), site_id=SITE, now=NOW))
    assert page.count(f"({FOREVER_DAYS} days left)") == 1


def test_a_certificate_that_never_expires_is_on_the_timeline():
    page = Page(fleet_report_html(fleet_report(*forever_fleet(), site_id=SITE, now=NOW)))
    assert page.tags["svg"] == 1


@pytest.fixture
def copied_page():
    hosts, listing = copied_fleet()
    return "".join(Page(fleet_report_html(fleet_report(hosts, listing, site_id=SITE, now=NOW))).text)


def test_a_claim_without_proof_is_shown_in_the_hosts_table(copied_page):
    assert "claims certificate gone without proof of possession: not counted as held" in copied_page


def test_the_certificate_claimed_without_proof_is_listed_with_the_orphans(copied_page):
    assert "Certificates no host holds (1)" in copied_page


def test_the_orphans_say_who_claims_it(copied_page):
    assert "no revoke task: copycat claims it without proof of possession" in copied_page


def test_the_orphans_warn_before_revoking_a_claimed_one(copied_page):
    assert "1 of these is claimed by a host that did not prove possession" in copied_page


def test_no_revoke_task_is_offered_for_it(copied_page):
    assert "alibabacloud.esa.esa_client_certificate_revoke:" not in copied_page


class Elements(html.parser.HTMLParser):
    """The class attribute of every element with an id, and the classes of every element."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.by_id = {}
        self.classes = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        self.classes.append((tag, classes))
        if attributes.get("id"):
            self.by_id[attributes["id"]] = classes


@pytest.fixture
def elements():
    hosts, listing = fleet()
    return Elements(fleet_report_html(fleet_report(hosts, listing, site_id=SITE, now=NOW)))


@pytest.mark.parametrize("key", ["not_on_esa", "mismatch", "expired", "unproven"])
def test_a_zero_tile_is_quiet(elements, key):
    assert "zero" in elements.by_id[f"count-{key}"]


@pytest.mark.parametrize("key", ["orphans", "due", "revoked", "missing", "not_checked"])
def test_a_finding_tile_stands_out(elements, key):
    assert "finding" in elements.by_id[f"count-{key}"]


@pytest.mark.parametrize("key", ["hosts", "ok", "certificates"])
def test_a_tile_that_only_counts_is_no_finding(elements, key):
    assert "finding" not in elements.by_id[f"count-{key}"]


def test_the_orphans_tile_says_what_the_csv_says():
    page = fleet_report_html(fleet_report(*fleet(), site_id=SITE, now=NOW))
    assert '<b>2</b>held by no host</div>' in page


def test_each_revoke_task_is_in_its_own_box(elements):
    assert sum(1 for tag, classes in elements.classes if "revoke" in classes) == 1  # "gone" has one; id05 names web-05


def test_every_certificate_id_is_marked_as_one_token(elements):
    # the host lines with an id (web-01, web-02, web-06), then the orphans
    assert sum(1 for tag, classes in elements.classes if tag == "code" and "id" in classes) == 3 + 2


def test_the_hosts_table_scrolls_in_its_box_rather_than_the_page():
    page = fleet_report_html(fleet_report(*fleet(), site_id=SITE, now=NOW))
    assert '<div class="scroll"><table id="hosts">' in page


def test_a_narrow_window_stacks_each_hosts_line_under_its_column_names():
    page = fleet_report_html(fleet_report(*fleet(), site_id=SITE, now=NOW))
    assert '<td data-label="certificate id"><code class="id">id01</code></td>' in page


def test_the_ids_style_never_breaks_them():
    page = fleet_report_html(fleet_report(*fleet(), site_id=SITE, now=NOW))
    assert "word-break:break-all" not in page


def test_a_host_not_checked_at_two_paths_is_one_host_not_checked():
    failed = {"failed": True, "msg": "/nonexistent/python3: not found"}
    hosts = {"web-04": {"failed": True, "results": [{**failed, "item": {"path": "/a.crt"}}, {**failed, "item": {"path": "/b.crt"}}]}}
    page = fleet_report_html(fleet_report(hosts, [], now=NOW))
    assert '<h2>Hosts not checked (1)</h2><ul id="hosts-not-checked"><li>web-04: /nonexistent/python3: not found</li></ul>' in page
