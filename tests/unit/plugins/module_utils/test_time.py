# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import datetime as dt

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._time import (
    NO_EXPIRY,
    as_utc,
    first_of_next_month,
    format_time,
    lifetime_days,
    parse_esa_time,
    parse_returned_time,
    remaining_whole_days,
    shifted,
)

UTC = dt.timezone.utc


@pytest.mark.parametrize("text", ["2023-12-01T02:12:49Z", "2023-12-01 02:12:49", "2023-12-01T02:12:49+00:00", "2023-12-01T02:12:49.123Z"])
def test_both_esa_formats_parse_to_the_same_instant(text):
    assert parse_esa_time(text) == dt.datetime(2023, 12, 1, 2, 12, 49, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "yesterday", "2023-13-01 00:00:00", "01/12/2023"])
def test_garbage_is_refused(text):
    with pytest.raises(ValueError):
        parse_esa_time(text)


def test_format_is_iso_with_z():
    assert format_time(dt.datetime(2023, 12, 1, 2, 12, 49)) == "2023-12-01T02:12:49Z"
    assert format_time(dt.datetime(2023, 12, 1, 10, 12, 49, tzinfo=dt.timezone(dt.timedelta(hours=8)))) == "2023-12-01T02:12:49Z"


def test_remaining_days_floors_and_goes_negative():
    now = dt.datetime(2026, 1, 1, tzinfo=UTC)
    assert remaining_whole_days(now + dt.timedelta(days=2, hours=23), now) == 2
    assert remaining_whole_days(now - dt.timedelta(hours=1), now) == -1


def test_lifetime_days():
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    assert lifetime_days(start, start + dt.timedelta(days=365)) == 365


# RFC 5280's "no expiry" (99991231235959Z): nothing that computes days left, shifts or formats it may raise.
def test_the_no_expiry_time_parses_and_formats_back():
    assert format_time(parse_esa_time("9999-12-31T23:59:59Z")) == "9999-12-31T23:59:59Z"


def test_the_no_expiry_time_is_the_constant():
    assert parse_esa_time("9999-12-31 23:59:59") == NO_EXPIRY


def test_days_left_until_no_expiry_are_counted():
    assert remaining_whole_days(NO_EXPIRY, dt.datetime(2026, 1, 1, tzinfo=UTC)) == 2912442


def test_the_lifetime_up_to_no_expiry_is_counted():
    assert lifetime_days(dt.datetime(2026, 1, 1, tzinfo=UTC), NO_EXPIRY) == 2912443


def test_no_expiry_in_a_zone_west_of_utc_is_held_at_the_calendars_end():
    late = dt.datetime(9999, 12, 31, 23, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert as_utc(late) == dt.datetime.max.replace(tzinfo=UTC)


def test_the_calendars_start_in_a_zone_east_of_utc_is_held_at_its_first_moment():
    early = dt.datetime(1, 1, 1, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    assert format_time(early) == "0001-01-01T00:00:00Z"


def test_a_day_after_no_expiry_is_the_last_day():
    assert shifted(NO_EXPIRY.date(), dt.timedelta(days=1)) == dt.date.max


def test_a_moment_after_no_expiry_is_the_last_moment():
    assert shifted(NO_EXPIRY, dt.timedelta(days=30)) == dt.datetime.max.replace(tzinfo=UTC)


def test_a_day_before_the_calendar_is_its_first_day():
    assert shifted(dt.date.min, dt.timedelta(days=-1)) == dt.date.min


def test_shifted_within_the_calendar_is_plain_addition():
    assert shifted(dt.date(2026, 12, 31), dt.timedelta(days=1)) == dt.date(2027, 1, 1)


@pytest.mark.parametrize(("day", "first"), [
    (dt.date(2026, 1, 31), dt.date(2026, 2, 1)),
    (dt.date(2026, 12, 5), dt.date(2027, 1, 1)),
    (dt.date(9999, 11, 30), dt.date(9999, 12, 1)),
    (dt.date(9999, 12, 5), None),
])
def test_the_first_of_next_month_ends_with_the_calendar(day, first):
    assert first_of_next_month(day) == first


def test_years_before_1000_keep_four_digits_and_parse_back():
    text = format_time(dt.datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert text == "0999-01-02T03:04:05Z"
    assert parse_returned_time(text) == dt.datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC)
