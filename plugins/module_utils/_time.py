# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Times as ESA writes them and as this collection returns them."""

from __future__ import annotations

import datetime as _dt
import re

# Create answers ISO 8601 with a Z; Get and List answer "YYYY-MM-DD HH:MM:SS" in UTC.
_ESA_TIME_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
RETURN_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


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
    """Give naive datetimes (older cryptography) the UTC zone they are in."""
    if value.tzinfo is None:
        return value.replace(tzinfo=_dt.timezone.utc)
    return value.astimezone(_dt.timezone.utc)


def format_time(value: _dt.datetime) -> str:
    return as_utc(value).strftime(RETURN_TIME_FORMAT)


def remaining_whole_days(not_after: _dt.datetime, now: _dt.datetime) -> int:
    """Whole days left before expiry, negative once expired (floor, like a calendar countdown)."""
    return (as_utc(not_after) - as_utc(now)) // _dt.timedelta(days=1)


def lifetime_days(not_before: _dt.datetime, not_after: _dt.datetime) -> int:
    return round((as_utc(not_after) - as_utc(not_before)) / _dt.timedelta(days=1))
