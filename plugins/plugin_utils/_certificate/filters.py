# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters of esa_client_certificate_info, as pure functions over certificate facts."""

from __future__ import annotations

import datetime as _dt
import re
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._time import parse_esa_time

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def normalize_fingerprint(value: str) -> str:
    """Accept upper case, colons and spaces, even openssl's whole "SHA256 Fingerprint=..." line; return ESA's lower-case hex."""
    cleaned = re.sub(r"[\s:]", "", value.rpartition("=")[2]).lower()
    if not _HEX64.match(cleaned):
        raise ValueError(f"fingerprint_sha256 must be 64 hex digits (colons allowed), got {value!r}")
    return cleaned


def same_dns_name(found: str | None, wanted: str) -> bool:
    """Common names are DNS names, whose case does not matter (RFC 4343)."""
    return found is not None and found.casefold() == wanted.casefold()


def matches(
    facts: dict[str, t.Any], *, status: str | None, common_name: str | None, fingerprint_sha256: str | None, expires_within_days: int | None, now: _dt.datetime
) -> bool:
    if status is not None and (facts.get("status") or "").lower() != status:
        return False
    if common_name is not None and not same_dns_name(facts.get("common_name"), common_name):
        return False
    if fingerprint_sha256 is not None and facts.get("fingerprint_sha256") != fingerprint_sha256:
        return False
    if expires_within_days is not None:
        if not facts.get("not_after"):
            return False
        # timedelta holds at most 999,999,999 days; more is "whenever it expires" (9999-12-31 included).
        if parse_esa_time(facts["not_after"]) - now > _dt.timedelta(days=min(expires_within_days, _dt.timedelta.max.days)):
            return False
    return True
