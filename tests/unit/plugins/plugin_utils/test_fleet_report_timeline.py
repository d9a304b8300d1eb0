# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report_timeline import bucket_days, timeline_points, timeline_svg
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils.fleet_report_cases import HOSTILE_CN, NOW, SITE, fleet

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def report():
    hosts, listing = fleet()
    return fleet_report(hosts, listing, site_id=SITE, now=NOW)


def test_one_point_per_certificate_with_an_expiry(report):
    points = {(point.name, point.category) for point in timeline_points(report)}
    assert points == {
        ("web-01", "ok"),
        ("web-07", "ok"),
        ("web-02", "due"),
        ("web-06", "problem"),
        (f"{HOSTILE_CN} (gone, no host)", "orphan"),
        ("WEB-05.example.com (id05, no host)", "orphan"),
    }


@pytest.mark.parametrize(("days", "size"), [(0, 1), (59, 1), (60, 7), (400, 7), (421, 14), (3650, 91), (40000, 365)])
def test_bars_stay_few(days, size):
    first = dt.date(2026, 1, 1)
    assert bucket_days(first, first + dt.timedelta(days=days)) == size


def test_the_svg_is_well_formed_and_its_text_escaped(report):
    svg = ET.fromstring(timeline_svg(report))  # raises on any unescaped markup
    bars = [rect for rect in svg.iter(f"{SVG}rect") if rect.get("class", "").startswith("bar-")]
    assert sorted(rect.get("class") for rect in bars) == ["bar-due", "bar-ok", "bar-orphan", "bar-orphan", "bar-problem"]
    tooltips = " ".join(title.text or "" for title in svg.iter(f"{SVG}title"))
    assert HOSTILE_CN in tooltips and "web-01, web-07" in tooltips
    assert any((text.text or "").startswith("today 2026-12-01") for text in svg.iter(f"{SVG}text"))


def test_bars_stay_inside_the_chart(report):
    svg = timeline_svg(report)
    for x, y, width, height in re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="#[0-9a-f]+" class="bar', svg):
        assert 44 <= float(x) and float(x) + float(width) <= 940 and float(y) >= 44 + 16 - 0.1 and float(y) + float(height) <= 208.1


def test_an_expired_certificate_widens_the_chart_to_the_past():
    expired = {"changed": True, "reasons": ["expiring"], "certificate": {"remaining_days": -40, "not_after": "2026-10-22T00:00:00Z"}}
    report = fleet_report({"h": expired}, [], now=NOW)
    svg = ET.fromstring(timeline_svg(report))
    labels = [text.text for text in svg.iter(f"{SVG}text")]
    assert "2026-11" in labels and "2026-12" in labels
