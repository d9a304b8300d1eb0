# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Times as ESA writes them and as this collection returns them."""

from __future__ import annotations

import datetime as _dt
import re
import typing as t

# Create answers ISO 8601 with a Z; Get and List answer "YYYY-MM-DD HH:MM:SS" in UTC.
_ESA_TIME_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
RETURN_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# RFC 5280 4.1.2.5: a notAfter of 99991231235959Z means "no well-defined expiration date"; one step later is past
# what datetime can hold, so arithmetic near it goes through shifted() and first_of_next_month().
NO_EXPIRY = _dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=_dt.timezone.utc)
_LATEST = _dt.datetime.max.replace(tzinfo=_dt.timezone.utc)
_EARLIEST = _dt.datetime.min.replace(tzinfo=_dt.timezone.utc)


def utc_now() -> _dt.datetime:
    """The clock seam: callers pass its value on, so the decision itself stays pure."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)


def parse_esa_time(value: str) -> _dt.datetime:
    """Parse either ESA time format (or this collection's own) into an aware UTC datetime."""
    text = str(value).strip()
    if text.endswith("+00:00"):
        text = text[:-6] + "Z"
    if "." in text:
        # Drop fractional seconds: ESA's certificates carry whole seconds.
        head, _sep, tail = text.partition(".")
        text = head + ("Z" if tail.endswith("Z") else "")
    for fmt in _ESA_TIME_FORMATS:
        try:
            return _dt.datetime.strptime(text, fmt).replace(tzinfo=_dt.timezone.utc)
        except ValueError:
            continue
    raise ValueError(f"unrecognised ESA time {value!r}")


# This collection's own format, parsed without strptime: its first use costs a target's no-op run a few milliseconds.
_RETURNED_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$")


def parse_returned_time(value: str) -> _dt.datetime:
    """Parse ``YYYY-MM-DDTHH:MM:SSZ`` (what format_time writes) into an aware UTC datetime; ValueError otherwise."""
    match = _RETURNED_TIME.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"not a time in the form YYYY-MM-DDTHH:MM:SSZ: {value!r}")
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    return _dt.datetime(year, month, day, hour, minute, second, tzinfo=_dt.timezone.utc)


def as_utc(value: _dt.datetime) -> _dt.datetime:
    """Give naive datetimes (older cryptography) the UTC zone they are in; an aware one whose UTC time is past the
    calendar's end (9999-12-31 in a zone west of UTC) is held at its first or last moment."""
    if value.tzinfo is None:
        return value.replace(tzinfo=_dt.timezone.utc)
    try:
        return value.astimezone(_dt.timezone.utc)
    except OverflowError:
        return _LATEST if value.year == _dt.MAXYEAR else _EARLIEST


def format_time(value: _dt.datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``, with four-digit years also before 1000 (strftime's %Y writes ``999``)."""
    moment = as_utc(value)
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z"


_Moment = t.TypeVar("_Moment", _dt.date, _dt.datetime)


def shifted(value: _Moment, delta: _dt.timedelta) -> _Moment:
    """``value + delta`` (a date or a datetime), held at the calendar's first or last day or moment instead of raising
    OverflowError: a certificate valid until 9999-12-31 has no day after its expiry."""
    try:
        return value + delta
    except OverflowError:
        forward = delta > _dt.timedelta(0)
        if isinstance(value, _dt.datetime):
            return (_dt.datetime.max if forward else _dt.datetime.min).replace(tzinfo=value.tzinfo)
        return _dt.date.max if forward else _dt.date.min


def first_of_next_month(day: _dt.date) -> _dt.date | None:
    """The first day of the month after ``day``'s, or None after December 9999 (the calendar's last month)."""
    if day.month == 12:
        return _dt.date(day.year + 1, 1, 1) if day.year < _dt.MAXYEAR else None
    return _dt.date(day.year, day.month + 1, 1)


def remaining_whole_days(not_after: _dt.datetime, now: _dt.datetime) -> int:
    """Whole days left before expiry, negative once expired (floor, like a calendar countdown); about 2.9 million for
    NO_EXPIRY (a difference of two datetimes always fits a timedelta)."""
    return (as_utc(not_after) - as_utc(now)) // _dt.timedelta(days=1)


def lifetime_days(not_before: _dt.datetime, not_after: _dt.datetime) -> int:
    return round((as_utc(not_after) - as_utc(not_before)) / _dt.timedelta(days=1))
