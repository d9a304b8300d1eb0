# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The settling rule itself, on recorded results made up here: it must fail where the property is broken."""

from __future__ import annotations

import typing as t

import pytest

from settling_verdict import verdict, write_calls

QUIET = {"calls": {"GetClientCertificate": 3}}
AFTER_READ = {"calls": {"GetClientCertificate": 4, "ListClientCertificates": 1}}
AFTER_CREATE = {"calls": {"GetClientCertificate": 3, "ListClientCertificates": 1, "CreateClientCertificate": 1}}
REFUSED = {"failed": True, "changed": False, "msg": "remaining_days must be below validity_days (30), got 30"}
ISSUED = {"changed": True, "reasons": ["missing"]}
UNCHANGED = {"changed": False, "reasons": []}
REISSUED = {"changed": True, "reasons": ["csr_mismatch"]}


def recorded(first: dict[str, t.Any], second: dict[str, t.Any], after: dict[str, t.Any]) -> dict[str, t.Any]:
    return {"first": first, "second": second, "stats_before": QUIET, "stats_after_first": after}


@pytest.mark.parametrize("first, second, after", [
    (REFUSED, REFUSED, QUIET),
    (REFUSED, REFUSED, AFTER_READ),  # reads are allowed before a refusal
    (ISSUED, UNCHANGED, AFTER_CREATE),
    (UNCHANGED, UNCHANGED, AFTER_READ),
    ({"failed": True, "msg": "QuotaCheckFailed", "changed": False}, UNCHANGED, AFTER_CREATE),  # literally: the second run settled
])
def test_holds(first: dict[str, t.Any], second: dict[str, t.Any], after: dict[str, t.Any]) -> None:
    assert verdict(recorded(first, second, after))[0]


@pytest.mark.parametrize("first, second, after, why", [
    (ISSUED, REISSUED, AFTER_CREATE, "changed: True"),
    (ISSUED, {"failed": True, "msg": "boom", "changed": False}, AFTER_CREATE, "second run failed"),
    ({"failed": True, "msg": "CSR subject needs a common name", "changed": False}, dict(REFUSED), AFTER_CREATE, "after ESA write calls"),
    ({"failed": True, "msg": "MODULE FAILURE\nSee stdout/stderr", "changed": False}, dict(REFUSED), QUIET, "one-line"),
    ({"failed": True, "msg": "", "changed": False}, dict(REFUSED), QUIET, "one-line"),
    (ISSUED, {"changed": None}, AFTER_CREATE, "changed: None"),
])
def test_broken(first: dict[str, t.Any], second: dict[str, t.Any], after: dict[str, t.Any], why: str) -> None:
    holds, explained = verdict(recorded(first, second, after))
    assert not holds
    assert why in explained


def test_write_calls_counts_every_write_action_and_no_read() -> None:
    before = {"calls": {"CreateClientCertificate": 2, "GetClientCertificate": 1}}
    after = {"calls": {"CreateClientCertificate": 3, "GetClientCertificate": 5, "ListClientCertificates": 2,
                       "RevokeClientCertificate": 1, "DeleteClientCertificate": 1}}
    assert write_calls(before, after) == {"CreateClientCertificate": 1, "DeleteClientCertificate": 1, "RevokeClientCertificate": 1}
