# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report's content: each certificate a host holds, as a check-mode run saw it, and what ESA lists that no host holds.

A host may hold several certificates (the example's path, the role's, a service's own): its entry is one check-mode
result, a list of them, or what a loop registered (``results``, one per path). A path that holds no certificate file is
simply not held; a host with none at any path is listed once, without a certificate.

A host holds a certificate only when its check proved possession (``possession_proven``: it signed the controller's
challenge with the key of ESA's record). A claim without that proof (a copy of another host's certificate file and its
bookkeeping file claims as much as the real thing) never hides a certificate from the orphans: it is shown as a claim.

Pure functions over plain data (registered results and esa_client_certificate_info's list), so the renderers
(html_page, csv_export) and the filter plugins take the same dict back from Ansible.
"""

from __future__ import annotations

import json
import re
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._time import format_time, parse_esa_time, utc_now

# Most urgent first: the order of the hosts table, and the words each status is shown with.
STATUS_LABELS = {
    "not_checked": "not checked",
    "missing": "no certificate",
    "revoked": "revoked on ESA",
    "not_on_esa": "unknown to ESA",
    "mismatch": "mismatch",
    "expired": "expired",
    "due": "renewal due",
    "ok": "ok",
}
# The words for a certificate that ESA lists as active and no host holds: the CSV's status, the page's tile and badge.
ORPHAN_LABEL = "held by no host"
_MISMATCH_REASONS = frozenset({"key_mismatch", "csr_mismatch", "common_name_changed", "key_type_changed", "fingerprint_mismatch"})
_NO_CERTIFICATE_REASONS = frozenset({"missing", "unreadable"})
# What a revoke task may carry: anything else could be YAML or Jinja2 that the operator would run.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class HostRow(t.TypedDict):
    host: str
    path: str | None
    status: str
    certificate_id: str | None
    common_name: str | None
    days_left: int | None
    not_after: str | None
    fingerprint_sha256: str | None
    possession_proven: bool
    reasons: list[str]
    note: str


class Orphan(t.TypedDict):
    id: str | None
    common_name: str | None
    fingerprint_sha256: str | None
    not_before: str | None
    not_after: str | None
    days_left: int | None
    possibly_held_by: list[str]
    claimed_by: list[str]
    revoke_task: str | None
    note: str


class Report(t.TypedDict):
    site_id: int | None
    generated_at: str
    hosts: list[HostRow]
    orphans: list[Orphan]
    without_certificate: list[str]
    not_checked: list[str]
    counts: dict[str, int]


def fleet_report(
    hosts: t.Mapping[str, t.Any], certificates: t.Iterable[t.Mapping[str, t.Any]], *, site_id: int | None = None, now: str | None = None
) -> Report:
    """``hosts``: host name -> its registered check-mode result(s) of esa_client_certificate (see host_rows; a failed
    one, or empty when the host was never reached); ``certificates``: esa_client_certificate_info's list for the site."""
    rows = sorted((row for name, entry in hosts.items() for row in host_rows(str(name), entry)), key=_urgency)
    not_checked = _unique(row["host"] for row in rows if row["status"] == "not_checked")
    orphans = find_orphans(rows, certificates, not_checked, site_id)
    counts = {status: sum(1 for row in rows if row["status"] == status) for status in STATUS_LABELS}
    counts.update(
        hosts=len(hosts),
        certificates=sum(1 for row in rows if row["certificate_id"] or row["fingerprint_sha256"]),
        orphans=len(orphans),
        unproven=sum(1 for row in rows if _claims_without_proof(row)),
    )
    statuses_by_host: dict[str, set[str]] = {}
    for row in rows:
        statuses_by_host.setdefault(row["host"], set()).add(row["status"])
    return {
        "site_id": site_id,
        "generated_at": format_time(parse_esa_time(now) if now else utc_now()),
        "hosts": rows,
        "orphans": orphans,
        "without_certificate": sorted(host for host, statuses in statuses_by_host.items() if statuses == {"missing"}),
        "not_checked": not_checked,
        "counts": counts,
    }


def host_rows(host: str, entry: t.Any) -> list[HostRow]:
    """A host's lines, one per certificate file it holds or claims (or one saying it has none, or was not checked).

    ``entry`` is one check-mode result, a list of them, or a loop's registered result (``results``); an item that a loop
    skipped (the file is not there) holds nothing, as does a result whose reasons say ``missing`` (no file at its path:
    the new host's shape too, ``certificate`` null). A failed item is a path that was not checked."""
    if isinstance(entry, t.Mapping) and isinstance(entry.get("results"), list):
        results: list[t.Any] = entry["results"]
    elif isinstance(entry, list):
        results = entry
    elif isinstance(entry, t.Mapping) and entry:
        results = [entry]
    else:
        return [host_row(host, {})]
    rows, absent = [], []
    for result in results:
        if not isinstance(result, t.Mapping):
            continue
        path = _path_of(result)
        if result.get("skipped") and not result.get("failed"):
            absent.append(path)
            continue
        row = host_row(host, result, path=path)
        if row["status"] == "missing" and "missing" in row["reasons"] and not _claims_without_proof(row):
            absent.append(path)
            continue
        rows.append(row)
    if rows:
        return rows
    if isinstance(entry, t.Mapping) and (entry.get("failed") or entry.get("unreachable")):
        return [host_row(host, entry)]  # failed before any file was looked at
    paths = [path for path in absent if path]
    row = host_row(host, {"changed": True, "reasons": ["missing"]})
    row["note"] = f"no certificate at {', '.join(paths)}" if paths else ""
    return [row]


def host_row(host: str, entry: t.Any, *, path: str | None = None) -> HostRow:
    """One line: a certificate file's facts and the status its check-mode run implies (``certificate`` may be null)."""
    entry = entry if isinstance(entry, t.Mapping) else {}
    certificate = entry.get("certificate") if isinstance(entry.get("certificate"), t.Mapping) else {}
    given = entry.get("reasons")
    reasons = [str(reason) for reason in given] if isinstance(given, list) else []
    status, note = _status(entry, certificate, reasons)
    row: HostRow = {
        "host": host,
        "path": path if path is not None else _path_of(entry),
        "status": status,
        "certificate_id": _text(certificate.get("id")),
        "common_name": _text(certificate.get("common_name")),
        "days_left": _int(certificate.get("remaining_days")),
        "not_after": _text(certificate.get("not_after")),
        "fingerprint_sha256": _fingerprint(certificate.get("fingerprint_sha256")),
        # Only a boolean true counts: a missing key (a real run's result, an older collection) is no proof.
        "possession_proven": status != "not_checked" and entry.get("possession_proven") is True,
        "reasons": reasons,
        "note": note,
    }
    if _claims_without_proof(row):
        row["note"] = f"claims certificate {row['certificate_id'] or row['fingerprint_sha256']} without proof of possession: not counted as held"
    return row


def find_orphans(rows: list[HostRow], certificates: t.Iterable[t.Mapping[str, t.Any]], not_checked: list[str], site_id: int | None) -> list[Orphan]:
    """Active certificates on ESA that no checked host proved it holds, by ESA id or by fingerprint; the hosts that claim
    one without proof, or could not be checked and are named by its common name, are listed as possibly holding it."""
    proven = [row for row in rows if row["possession_proven"]]
    held_ids = {row["certificate_id"] for row in proven if row["certificate_id"]}
    held_fingerprints = {row["fingerprint_sha256"] for row in proven if row["fingerprint_sha256"]}
    claims = [row for row in rows if _claims_without_proof(row)]
    orphans: list[Orphan] = []
    for certificate in certificates:
        if str(certificate.get("status") or "").lower() != "active":
            continue
        cert_id = _text(certificate.get("id"))
        fingerprint = _fingerprint(certificate.get("fingerprint_sha256"))
        if cert_id in held_ids or (fingerprint and fingerprint in held_fingerprints):
            continue
        common_name = _text(certificate.get("common_name"))
        claimed_by = [row["host"] for row in claims if _same_certificate(row, cert_id, fingerprint)]
        unchecked = [host for host in not_checked if _names_host(common_name, host)]
        possibly_held_by = claimed_by + [host for host in unchecked if host not in claimed_by]
        task, note = _revoke_offer(site_id, cert_id, fingerprint, common_name, claimed_by, unchecked)
        orphans.append(
            {
                "id": cert_id,
                "common_name": common_name,
                "fingerprint_sha256": fingerprint,
                "not_before": _text(certificate.get("not_before")),
                "not_after": _text(certificate.get("not_after")),
                "days_left": _int(certificate.get("remaining_days")),
                "possibly_held_by": possibly_held_by,
                "claimed_by": claimed_by,
                "revoke_task": task,
                "note": note,
            }
        )
    return sorted(orphans, key=lambda orphan: (orphan["not_after"] or "", orphan["id"] or ""))


def revoke_task_text(site_id: int | None, cert_id: str, fingerprint: str | None, common_name: str | None) -> str:
    """The YAML task that revokes one orphan, by id and fingerprint. Every value is checked or quoted: nothing from ESA
    can add a key, a task or a Jinja2 expression (the common name, free text, is only a JSON-quoted comment)."""
    lines = [
        f"- name: Revoke {cert_id}, the client certificate that no host holds",
        f"  # common name on ESA: {json.dumps(common_name)}",
        "  alibabacloud.esa.esa_client_certificate_revoke:",
        f"    site_id: {int(site_id) if site_id is not None else json.dumps('{{ esa_site_id }}')}",
        f"    id: [{json.dumps(cert_id)}]",
    ]
    if fingerprint:
        lines.append(f"    fingerprint_sha256: [{json.dumps(fingerprint)}]")
    return "\n".join(lines) + "\n"


def _revoke_offer(
    site_id: int | None, cert_id: str | None, fingerprint: str | None, common_name: str | None, claimed_by: list[str], unchecked: list[str]
) -> tuple[str | None, str]:
    # A claim without proof keeps nothing alive, yet it earns no ready revoke task either: a copy of the file proves
    # nothing, but neither can a host that really uses the certificate with no key to sign with (a CSR only, its key
    # kept elsewhere), whose service a revoke would break. The careful choice: name the hosts, and let someone look first.
    why = []
    if claimed_by:
        why.append(f"{', '.join(claimed_by)} {'claims' if len(claimed_by) == 1 else 'claim'} it without proof of possession")
    if unchecked:
        why.append(f"its common name names {', '.join(unchecked)}, which could not be checked")
    if why:
        return None, f"no revoke task: {'; '.join(why)}"
    if not cert_id or not _SAFE_ID.match(cert_id):
        return None, "no revoke task: ESA's id for it is not a plain id"
    if fingerprint and not _HEX64.match(fingerprint):
        return None, "no revoke task: ESA's fingerprint for it is not 64 hex digits"
    note = "" if fingerprint else "ESA listed no fingerprint: the task selects by id only"
    return revoke_task_text(site_id, cert_id, fingerprint, common_name), note


def _status(entry: t.Mapping[str, t.Any], certificate: t.Mapping[str, t.Any], reasons: list[str]) -> tuple[str, str]:
    if not entry:
        return "not_checked", "no result: unreachable, or stopped before the check"
    if entry.get("failed") or entry.get("unreachable"):
        return "not_checked", " ".join(str(entry.get("msg") or "the check failed").split())[:300]
    given = set(reasons)
    if given & _NO_CERTIFICATE_REASONS:
        return "missing", ""
    if "revoked" in given or str(certificate.get("status") or "").lower() == "revoked":
        return "revoked", ""
    if "not_found_remote" in given:
        return "not_on_esa", ""
    if given & _MISMATCH_REASONS:
        return "mismatch", ""
    days_left = _int(certificate.get("remaining_days"))
    if days_left is not None and days_left < 0:
        return "expired", ""
    # any other reason (expiring, forced) means a run would reissue; changed alone may be file attributes only
    return ("due", "") if given else ("ok", "")


def _urgency(row: HostRow) -> tuple[int, int, str, str]:
    days = row["days_left"]
    return list(STATUS_LABELS).index(row["status"]), days if days is not None else 1 << 30, row["host"], row["path"] or ""


def _path_of(result: t.Mapping[str, t.Any]) -> str | None:
    """The certificate file a result is about: the module's filename, its path argument, or the loop's item."""
    invocation = result.get("invocation")
    arguments = invocation.get("module_args") if isinstance(invocation, t.Mapping) else None
    arguments = arguments if isinstance(arguments, t.Mapping) else {}
    item = result.get("item")
    for candidate in (result.get("filename"), arguments.get("path"), item.get("path") if isinstance(item, t.Mapping) else item):
        if isinstance(candidate, str) and candidate:
            return candidate
    return None


def _unique(values: t.Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _claims_without_proof(row: HostRow) -> bool:
    """A checked host that reports a certificate (an id or a fingerprint) and did not prove it holds its key."""
    has_claim = bool(row["certificate_id"] or row["fingerprint_sha256"])
    return has_claim and row["status"] != "not_checked" and not row["possession_proven"]


def _same_certificate(row: HostRow, cert_id: str | None, fingerprint: str | None) -> bool:
    return bool((cert_id and row["certificate_id"] == cert_id) or (fingerprint and row["fingerprint_sha256"] == fingerprint))


def _names_host(common_name: str | None, host: str) -> bool:
    """A common name that is the host's name, or its FQDN (DNS names: case does not matter)."""
    if not common_name:
        return False
    name, host = common_name.lower(), host.lower()
    return name == host or name.startswith(f"{host}.")


def _text(value: t.Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _fingerprint(value: t.Any) -> str | None:
    """Hex digits in lower case, without colons, as ESA and the module may write them either way."""
    return (_text(value) or "").replace(":", "").lower() or None


def _int(value: t.Any) -> int | None:
    try:
        return None if value is None or value == "" else int(value)
    except (TypeError, ValueError):
        return None
