# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The page is parsed as a browser's tokenizer would: what came from hosts or ESA must stay text."""

from __future__ import annotations

import collections
import html.parser

import pytest

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report_html import fleet_report_html
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils.fleet_report_cases import HOSTILE_CN, NOW, SITE, fleet


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
    assert page.tags["script"] == 0 and page.tags["img"] == 0 and page.tags["marquee"] == 0
    text = "".join(page.text)
    assert HOSTILE_CN in text and "<img src=x onerror=alert(1)>" in text


def test_self_contained_no_script_no_load(page):
    values = [value or "" for _name, value in page.attributes]
    assert not [name for name, _value in page.attributes if name in ("src", "href") or name.startswith("on")]
    assert not [value for value in values if "http" in value and value != "http://www.w3.org/2000/svg"]
    assert "default-src 'none'" in page.csp and "script-src" not in page.csp


def test_sections_and_timeline(page):
    text = "".join(page.text)
    for heading in ("Expiry timeline", "Hosts (8)", "Certificates no host holds (2)", "Hosts without a certificate (1)", "Hosts not checked (2)"):
        assert heading in text
    assert page.tags["svg"] == 1 and page.tags["rect"] >= 4 + 5  # the legend's four, then bars
    assert "alibabacloud.esa.esa_client_certificate_revoke:" in text
    assert "web-04: Failed to import the required Python library" in text


def test_an_empty_fleet_still_renders():
    page = Page(fleet_report_html(fleet_report({}, [], now=NOW)))
    text = "".join(page.text)
    assert "No host in the run." in text and "No certificate with an expiry date to show." in text
