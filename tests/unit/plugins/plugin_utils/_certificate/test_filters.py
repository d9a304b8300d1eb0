# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import datetime as dt

import pytest

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.filters import matches, normalize_fingerprint

NOW = dt.datetime(2026, 11, 28, tzinfo=dt.timezone.utc)
FACTS = {"status": "active", "common_name": "a.example.com", "fingerprint_sha256": "ab" * 32, "not_after": "2026-12-10T00:00:00Z"}


def keep(**filters):
    options = {"status": None, "common_name": None, "fingerprint_sha256": None, "expires_within_days": None}
    options.update(filters)
    return matches(FACTS, now=NOW, **options)


@pytest.mark.parametrize("text", ["ab" * 32, "AB" * 32, ":".join(["AB"] * 32), "sha256 Fingerprint=" + ":".join(["AB"] * 32)])
def test_fingerprint_forms(text):
    assert normalize_fingerprint(text) == "ab" * 32


@pytest.mark.parametrize("text", ["", "abc", "zz" * 32, "ab" * 33])
def test_bad_fingerprints_are_refused(text):
    with pytest.raises(ValueError, match="fingerprint_sha256"):
        normalize_fingerprint(text)


def test_each_filter():
    assert keep()
    assert keep(status="active")
    assert not keep(status="revoked")
    assert keep(common_name="a.example.com")
    assert not keep(common_name="b.example.com")
    assert keep(fingerprint_sha256="ab" * 32)
    assert not keep(fingerprint_sha256="cd" * 32)
    assert keep(expires_within_days=12)
    assert not keep(expires_within_days=11)
    assert keep(expires_within_days=0) is False


def test_a_certificate_that_never_expires_is_within_any_number_of_days():
    forever = dict(FACTS, not_after="9999-12-31T23:59:59Z")
    assert matches(forever, now=NOW, status=None, common_name=None, fingerprint_sha256=None, expires_within_days=10**12)
