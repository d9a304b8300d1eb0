# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import datetime as dt

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._time import (
    format_time,
    lifetime_days,
    parse_esa_time,
    remaining_whole_days,
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
