# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report's expiry timeline: an inline SVG bar chart of certificates by expiry date, no script, no asset."""

from __future__ import annotations

import collections
import datetime as _dt
import html
import math
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._time import parse_esa_time

# Stacking order, bottom up, with the colour and the legend's words for each.
CATEGORIES = {
    "problem": ("#c62828", "held: expired, revoked or mismatched"),
    "due": ("#ef8f00", "held: renewal due"),
    "ok": ("#2e7d32", "held: ok"),
    "orphan": ("#7b1fa2", "no host holds it"),
}
_HOST_CATEGORY = {"ok": "ok", "due": "due", "expired": "problem", "mismatch": "problem", "revoked": "problem", "not_on_esa": "problem"}
_BUCKET_DAYS = (1, 7, 14, 30, 91, 182, 365)
_MAX_BUCKETS = 60
_WIDTH, _HEIGHT = 960, 250
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 20, 44, 42
_NAMES_IN_TOOLTIP = 15
_HEADROOM = 16  # above the tallest bar, for its count, clear of the "today" label
# ESA issues for at most 3650 days: an expiry further from today (9999-12-31, RFC 5280's "no expiry") is drawn at this
# edge, and the chart keeps its few bars and its month ticks within the calendar (year 10000 does not exist).
_HORIZON_DAYS = 3660


class Point(t.NamedTuple):
    day: _dt.date
    category: str
    name: str


def timeline_points(report: t.Mapping[str, t.Any]) -> list[Point]:
    """One point per certificate with an expiry date: every host's (by its status) and every orphan's."""
    points = []
    for row in report.get("hosts") or []:
        category = _HOST_CATEGORY.get(row.get("status"))
        day = _day(row.get("not_after"))
        if category and day:
            points.append(Point(day, category, str(row.get("host"))))
    for orphan in report.get("orphans") or []:
        day = _day(orphan.get("not_after"))
        if day:
            claimed_by = ", ".join(orphan.get("claimed_by") or [])
            holder = f"claimed without proof by {claimed_by}" if claimed_by else "no host"
            points.append(Point(day, "orphan", f"{orphan.get('common_name') or '?'} ({orphan.get('id')}, {holder})"))
    return points


def bucket_days(first: _dt.date, last: _dt.date) -> int:
    """The narrowest bar width, in days, that keeps the chart within _MAX_BUCKETS bars."""
    span = (last - first).days + 1
    return next((size for size in _BUCKET_DAYS if math.ceil(span / size) <= _MAX_BUCKETS), _BUCKET_DAYS[-1])


def timeline_svg(report: t.Mapping[str, t.Any]) -> str:
    today = parse_esa_time(report["generated_at"]).date()
    points = _within_horizon(timeline_points(report), today)
    title = "Expiry timeline: certificates by the date they expire"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" width="{_WIDTH}" height="{_HEIGHT}" '
        f'role="img" aria-labelledby="timeline-title" class="timeline"><title id="timeline-title">{title}</title>'
    )
    if not points:
        return f'{head}<text x="{_WIDTH // 2}" y="{_HEIGHT // 2}" text-anchor="middle">No certificate with an expiry date to show.</text></svg>'
    first = min([today] + [point.day for point in points])
    last = max([_add_days(today, 30)] + [point.day for point in points])
    size = bucket_days(first, last)
    buckets = (last - first).days // size + 1
    grouped: dict[int, list[Point]] = collections.defaultdict(list)
    for point in points:
        grouped[(point.day - first).days // size].append(point)
    plot_width, plot_height = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM
    slot = plot_width / buckets
    tallest = max(len(group) for group in grouped.values())

    def x_of(day: _dt.date) -> float:
        return _LEFT + (day - first).days / (size * buckets) * plot_width

    parts = [head, _legend(), _axis(first, last, x_of, plot_height)]
    for index, group in sorted(grouped.items()):
        parts.append(_bar(index, group, first, size, slot, tallest, plot_height))
    today_x = x_of(today)
    parts.append(
        f'<line x1="{today_x:.1f}" y1="{_TOP - 6}" x2="{today_x:.1f}" y2="{_TOP + plot_height}" stroke="#1565c0" stroke-dasharray="4 3"/>'
        f'<text x="{today_x + 3:.1f}" y="{_TOP - 8}" class="today">today {today.isoformat()}</text>'
    )
    width_words = "1 day" if size == 1 else f"{size} days"
    parts.append(f'<text x="{_WIDTH - _RIGHT}" y="{_HEIGHT - 4}" text-anchor="end" class="note">one bar: {width_words}</text></svg>')
    return "".join(parts)


def _bar(index: int, group: list[Point], first: _dt.date, size: int, slot: float, tallest: int, plot_height: int) -> str:
    start = _add_days(first, index * size)
    end = _add_days(start, size - 1)
    x = _LEFT + index * slot + (0.5 if slot > 3 else 0)
    width = max(slot - 1, 1.0)
    counts = collections.Counter(point.category for point in group)
    names = sorted(point.name for point in group)
    shown = ", ".join(names[:_NAMES_IN_TOOLTIP]) + (f" and {len(names) - _NAMES_IN_TOOLTIP} more" if len(names) > _NAMES_IN_TOOLTIP else "")
    period = start.isoformat() if size == 1 else f"{start.isoformat()} to {end.isoformat()}"
    breakdown = ", ".join(f"{counts[name]} {CATEGORIES[name][1]}" for name in CATEGORIES if counts[name])
    tooltip = html.escape(f"expire {period}: {len(group)} ({breakdown}): {shown}")
    parts = [f"<g><title>{tooltip}</title>"]
    bottom = float(_TOP + plot_height)
    for category, (colour, _label) in CATEGORIES.items():
        if not counts[category]:
            continue
        height = counts[category] / tallest * (plot_height - _HEADROOM)
        bottom -= height
        parts.append(f'<rect x="{x:.1f}" y="{bottom:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{colour}" class="bar-{category}"/>')
    if width >= 12:
        parts.append(f'<text x="{x + width / 2:.1f}" y="{bottom - 3:.1f}" text-anchor="middle" class="count">{len(group)}</text>')
    parts.append("</g>")
    return "".join(parts)


def _legend() -> str:
    parts, x = [], _LEFT
    for colour, label in CATEGORIES.values():
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{colour}"/><text x="{x + 16}" y="18" class="legend">{html.escape(label)}</text>')
        x += 24 + 7 * len(label)
    return "".join(parts)


def _axis(first: _dt.date, last: _dt.date, x_of: t.Callable[[_dt.date], float], plot_height: int) -> str:
    baseline = _TOP + plot_height
    parts = [f'<line x1="{_LEFT}" y1="{baseline}" x2="{_WIDTH - _RIGHT}" y2="{baseline}" stroke="#555"/>']
    months = []
    day = _dt.date(first.year, first.month, 1)
    while day <= last:
        if day >= first:
            months.append(day)
        if (day.year, day.month) == (_dt.MAXYEAR, 12):
            break
        day = _dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    step = max(1, math.ceil(len(months) / 12))
    for number, month in enumerate(months):
        x = x_of(month)
        parts.append(f'<line x1="{x:.1f}" y1="{baseline}" x2="{x:.1f}" y2="{baseline + 4}" stroke="#555"/>')
        if number % step == 0:
            parts.append(f'<text x="{x:.1f}" y="{baseline + 17}" text-anchor="middle" class="axis">{month.strftime("%Y-%m")}</text>')
    return "".join(parts)


def _within_horizon(points: list[Point], today: _dt.date) -> list[Point]:
    """Points further than _HORIZON_DAYS from today moved to that edge; their names say when they really expire."""
    low, high = _add_days(today, -_HORIZON_DAYS), _add_days(today, _HORIZON_DAYS)
    return [
        point if low <= point.day <= high else Point(min(max(point.day, low), high), point.category, f"{point.name}, expires {point.day.isoformat()}")
        for point in points
    ]


def _add_days(day: _dt.date, days: int) -> _dt.date:
    """day + days, held within the calendar (date.min to date.max) instead of raising OverflowError."""
    try:
        return day + _dt.timedelta(days=days)
    except OverflowError:
        return _dt.date.max if days > 0 else _dt.date.min


def _day(value: t.Any) -> _dt.date | None:
    if not value:
        return None
    try:
        return parse_esa_time(str(value)).date()
    except (ValueError, OverflowError):
        return None
