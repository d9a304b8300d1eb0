# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report.report import fleet_report
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report.timeline import bucket_days, timeline_points, timeline_svg
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils.fleet_report_cases import (
    FOREVER,
    HOSTILE_CN,
    NOW,
    SITE,
    copied_fleet,
    fleet,
    forever_fleet,
)

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
    assert HOSTILE_CN in tooltips
    assert "web-01, web-07" in tooltips
    assert any((text.text or "").startswith("today 2026-12-01") for text in svg.iter(f"{SVG}text"))


def test_bars_stay_inside_the_chart(report):
    svg = timeline_svg(report)
    for x, y, width, height in re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="#[0-9a-f]+" class="bar', svg):
        assert float(x) >= 44
        assert float(x) + float(width) <= 940
        assert float(y) >= 44 + 16 - 0.1
        assert float(y) + float(height) <= 208.1


def test_an_expired_certificate_widens_the_chart_to_the_past():
    expired = {"changed": True, "reasons": ["expiring"], "certificate": {"remaining_days": -40, "not_after": "2026-10-22T00:00:00Z"}}
    report = fleet_report({"h": expired}, [], now=NOW)
    svg = ET.fromstring(timeline_svg(report))
    labels = [text.text for text in svg.iter(f"{SVG}text")]
    assert "2026-11" in labels
    assert "2026-12" in labels


@pytest.fixture
def forever_svg():
    hosts, listing = forever_fleet()
    return ET.fromstring(timeline_svg(fleet_report(hosts, listing, site_id=SITE, now=NOW)))


def test_an_expiry_in_9999_is_drawn_at_the_edge_with_its_real_date(forever_svg):
    tooltips = " ".join(title.text or "" for title in forever_svg.iter(f"{SVG}title"))
    assert f"web-01, expires {FOREVER[:10]}" in tooltips


def test_an_expiry_in_9999_keeps_the_chart_to_few_bars(forever_svg):
    ticks = [line for line in forever_svg.iter(f"{SVG}line") if line.get("y2") == str(44 + 164 + 4)]
    assert len(ticks) <= 12 * 11


def test_a_report_made_at_the_end_of_the_calendar_still_draws():
    hosts, listing = forever_fleet()
    svg = ET.fromstring(timeline_svg(fleet_report(hosts, listing, site_id=SITE, now=FOREVER)))
    assert any((text.text or "").startswith("today 9999-12-31") for text in svg.iter(f"{SVG}text"))


@pytest.mark.parametrize("not_after", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_expiries_at_either_end_of_the_calendar_draw(not_after):
    row = {"changed": False, "reasons": [], "possession_proven": True, "certificate": {"remaining_days": 0, "not_after": not_after}}
    svg = ET.fromstring(timeline_svg(fleet_report({"h": row}, [], now=NOW)))
    assert len([rect for rect in svg.iter(f"{SVG}rect") if rect.get("class", "").startswith("bar-")]) == 1


def test_an_orphan_claimed_without_proof_is_a_point_that_names_the_claim():
    hosts, listing = copied_fleet()
    points = {(point.name, point.category) for point in timeline_points(fleet_report(hosts, listing, site_id=SITE, now=NOW))}
    assert ("gone-01 (gone, claimed without proof by copycat)", "orphan") in points
