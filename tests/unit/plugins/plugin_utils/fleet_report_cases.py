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


def checked(reasons, cert=None, *, proven=True):
    """A check-mode result; proven: the host signed the controller's challenge with the key of ESA's record."""
    result = {"changed": bool(reasons), "reasons": list(reasons), "possession_proven": proven}
    if cert is not None:
        result["certificate"] = cert
    return result


def fleet():
    """Host results (as registered in check mode) and the site's list of active certificates."""
    hosts = {
        "web-01": checked([], certificate("id01", "web-01", "2027-12-01T00:00:00Z", 365, "a1" * 32)),
        "web-02": checked(["expiring"], certificate("id02", "web-02", "2026-12-20T00:00:00Z", 19, "a2" * 32)),
        "web-03": checked(["missing"], proven=False),
        "web-04": {"failed": True, "msg": "Failed to import\n the required Python library"},
        "web-05": {},
        "web-06": checked(["revoked"], certificate("id06", "web-06", "2027-06-01T00:00:00Z", 182, "a6" * 32, "revoked")),
        # no bookkeeping id: ESA's record is found by fingerprint
        "web-07": checked([], certificate(None, "web-07", "2027-12-01T00:00:00Z", 365, "A7" * 32)),
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


def copied_fleet():
    """The copy attack: copycat holds a copy of retired gone-01's certificate file and its bookkeeping file, not its key,
    so its check finds ESA's record (id "gone") and cannot prove possession; web-01 proves its own."""
    gone = certificate("gone", "gone-01", "2027-03-01T00:00:00Z", 90, "0f" * 32)
    hosts = {
        "web-01": checked([], certificate("id01", "web-01", "2027-12-01T00:00:00Z", 365, "a1" * 32)),
        "copycat": checked(["key_mismatch"], dict(gone), proven=False),
    }
    listing = [certificate("id01", "web-01", "2027-12-01T00:00:00Z", 365, "a1" * 32), gone]
    return hosts, listing


# RFC 5280's "no well-defined expiration date": 9999-12-31T23:59:59Z, 2912108 whole days after NOW.
FOREVER = "9999-12-31T23:59:59Z"
FOREVER_DAYS = 2912108


def forever_fleet():
    """A host whose certificate never expires, and an orphan that never expires either."""
    hosts = {"web-01": checked([], certificate("id01", "web-01", FOREVER, FOREVER_DAYS, "a1" * 32))}
    listing = [certificate("id01", "web-01", FOREVER, FOREVER_DAYS, "a1" * 32), certificate("eternal", "gone-01", FOREVER, FOREVER_DAYS, "0e" * 32)]
    return hosts, listing


EXAMPLE_PATH = "/etc/pki/esa-mtls/client.crt"
ROLE_PATH = "/etc/pki/esa-mtls/role/client.crt"


def inspected(path, result):
    """One item of a loop's registered result: the check of the certificate file at path."""
    return {**result, "item": {"path": path}, "ansible_loop_var": "item", "filename": path if result.get("certificate") else None}


def absent(path):
    """A loop item skipped because the file is not there (examples/fleet_report.yml looks before it checks)."""
    return {"skipped": True, "skip_reason": "Conditional result was False", "item": {"path": path}, "ansible_loop_var": "item"}


def looped(*items, failed=False):
    """What a loop registers: the items' results under results."""
    result = {"changed": False, "msg": "All items completed", "results": list(items)}
    if failed:
        result.update(failed=True, msg="One or more items failed")
    return result


# The shape a check-mode run gives for a host whose certificate directory does not exist yet (a new host).
NEW_HOST = {"changed": True, "reasons": ["missing"], "certificate": None, "possession_proven": None}


def two_certificate_fleet():
    """Each host holds two certificates, the example's and the role's, both proven; one retired certificate left over."""
    hosts, listing = {}, []
    for number in (1, 2):
        name = f"web-0{number}"
        items = []
        for kind, path in (("ex", EXAMPLE_PATH), ("role", ROLE_PATH)):
            cert = certificate(f"{kind}{number}", name, "2027-12-01T00:00:00Z", 365, f"{kind[0]}{number}".encode().hex() * 16)
            listing.append(dict(cert))
            items.append(inspected(path, checked([], cert)))
        hosts[name] = looped(*items)
    listing.append(certificate("gone", "gone-01", "2027-03-01T00:00:00Z", 90, "0f" * 32))
    return hosts, listing
