# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small fleet as the report's filters receive it: check-mode results per host and ESA's list."""

from __future__ import annotations

NOW = "2026-12-01T00:00:00Z"
SITE = 1234567890123
HOSTILE_CN = '<script>alert("cn")</script>&<marquee>x</marquee>'


def certificate(cert_id, common_name, not_after, days, fingerprint, status="active"):
    return {
        "id": cert_id,
        "common_name": common_name,
        "not_after": not_after,
        "remaining_days": days,
        "fingerprint_sha256": fingerprint,
        "status": status,
    }


def fleet():
    """Host results (as registered in check mode) and the site's list of active certificates."""
    hosts = {
        "web-01": {"changed": False, "reasons": [], "certificate": certificate("id01", "web-01", "2027-12-01T00:00:00Z", 365, "a1" * 32)},
        "web-02": {"changed": True, "reasons": ["expiring"], "certificate": certificate("id02", "web-02", "2026-12-20T00:00:00Z", 19, "a2" * 32)},
        "web-03": {"changed": True, "reasons": ["missing"]},
        "web-04": {"failed": True, "msg": "Failed to import\n the required Python library"},
        "web-05": {},
        "web-06": {"changed": True, "reasons": ["revoked"], "certificate": certificate("id06", "web-06", "2027-06-01T00:00:00Z", 182, "a6" * 32, "revoked")},
        # no bookkeeping id: ESA's record is found by fingerprint
        "web-07": {"changed": False, "reasons": [], "certificate": certificate(None, "web-07", "2027-12-01T00:00:00Z", 365, "A7" * 32)},
    }
    listing = [
        certificate("id01", "web-01", "2027-12-01T00:00:00Z", 365, "a1" * 32),
        certificate("id02", "web-02", "2026-12-20T00:00:00Z", 19, "a2" * 32),
        certificate("id07", "web-07", "2027-12-01T00:00:00Z", 365, "a7" * 32),
        certificate("gone", HOSTILE_CN, "2027-03-01T00:00:00Z", 90, "0f" * 32),
        certificate("id05", "WEB-05.example.com", "2027-05-01T00:00:00Z", 151, "a5" * 32),
        certificate("old", "web-09", "2027-02-01T00:00:00Z", 62, "09" * 32, "revoked"),
    ]
    return hosts, listing
