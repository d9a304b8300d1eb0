# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ESA's certificate records turned into the facts every module of the collection returns."""

from __future__ import annotations

import datetime as _dt
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.facts import certificate_facts, load_pem_certificate, load_pem_csr, public_key_sha256
from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import CollectionError
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import (
    format_time,
    lifetime_days,
    parse_esa_time,
    remaining_whole_days,
)

FACT_NAMES = (
    "id",
    "site_id",
    "status",
    "common_name",
    "serial_number",
    "fingerprint_sha256",
    "not_before",
    "not_after",
    "signature_algorithm",
    "issuer",
    "ca_certificate_id",
    "validity_days",
    "remaining_days",
)


def flatten_record(body: dict[str, t.Any]) -> dict[str, t.Any]:
    """One flat PascalCase record from any ESA answer: Create's flat body, Get's body with Result, or a List item."""
    result = body.get("Result")
    if isinstance(result, dict):
        flat = dict(result)
        for key in ("Certificate", "SiteId", "SiteName"):
            if body.get(key) is not None:
                flat.setdefault(key, body[key])
        if body.get("Status") and not flat.get("Status"):
            flat["Status"] = body["Status"]
        return flat
    return dict(body)


def pem_facts(record: dict[str, t.Any]) -> dict[str, t.Any] | None:
    """certificate_facts() of the PEM an ESA answer carries (Get, Create, Upload), or None without a readable one."""
    pem = flatten_record(record).get("Certificate")
    if not isinstance(pem, str) or "BEGIN CERTIFICATE" not in pem:
        return None
    certificate = load_pem_certificate(pem.encode("ascii", "replace"))
    return certificate_facts(certificate) if certificate is not None else None


def record_facts(record: dict[str, t.Any], site_id: int, now: _dt.datetime) -> dict[str, t.Any]:
    """Facts of an ESA record, snake_case, times as YYYY-MM-DDTHH:MM:SSZ; never a private key.

    Where the answer carries the PEM, what the certificate itself says (fingerprint, serial, validity) wins
    over ESA's derived fields, which some answers leave empty.
    """
    flat = flatten_record(record)
    own = pem_facts(flat) or {}
    not_before = _time_or_none(own.get("not_before") or flat.get("NotBefore"))
    not_after = _time_or_none(own.get("not_after") or flat.get("NotAfter"))
    validity = flat.get("ValidityDays")
    if validity is None and not_before and not_after:
        validity = lifetime_days(not_before, not_after)
    return {
        "id": flat.get("Id"),
        "site_id": int(flat.get("SiteId") or site_id),
        "status": flat.get("Status"),
        "common_name": (flat.get("CommonName") or "").strip() or own.get("common_name"),
        "serial_number": own.get("serial_number") or (flat.get("SerialNumber") or "").replace(":", "").lower() or None,
        "fingerprint_sha256": own.get("fingerprint_sha256") or (flat.get("FingerprintSha256") or "").replace(":", "").lower() or None,
        "not_before": format_time(not_before) if not_before else None,
        "not_after": format_time(not_after) if not_after else None,
        "signature_algorithm": flat.get("SignatureAlgorithm"),
        "issuer": flat.get("Issuer"),
        "ca_certificate_id": flat.get("CACertificateId"),
        "validity_days": int(validity) if validity is not None else None,
        "remaining_days": remaining_whole_days(not_after, now) if not_after else None,
    }


def merge_file_and_record(
    file_facts: dict[str, t.Any] | None, record: dict[str, t.Any] | None, site_id: int, known_id: str | None, now: _dt.datetime
) -> dict[str, t.Any] | None:
    """The certificate facts a task returns: the file is the truth for what is on disk, ESA for id and status."""
    if not file_facts and not record:
        return None
    facts = dict.fromkeys(FACT_NAMES)
    facts["site_id"] = site_id
    if record:
        facts.update(record_facts(record, site_id, now))
    if file_facts:
        for name in ("common_name", "serial_number", "fingerprint_sha256", "not_before", "not_after", "issuer", "validity_days"):
            facts[name] = file_facts.get(name)
        facts["signature_algorithm"] = facts["signature_algorithm"] or file_facts.get("signature_algorithm")
        facts["remaining_days"] = remaining_whole_days(parse_esa_time(file_facts["not_after"]), now)
    facts["id"] = facts["id"] or known_id
    return facts


def _time_or_none(value: t.Any) -> _dt.datetime | None:
    if not value:
        return None
    try:
        return parse_esa_time(value)
    except ValueError:
        return None


class IssuedForAnotherKey(CollectionError, ValueError):
    """ESA's certificate cannot be installed with the host's key: nothing may be written."""


def facts_for_install(certificate_pem: str, csr_pem: str) -> dict[str, t.Any]:
    """The facts of the files an install of a key made on the host leaves behind, worked out on the controller.

    The controller holds everything the target would check (the CSR the host made, ESA's certificate), so it checks that
    the certificate carries the CSR's public key and parses it; the target then checks with hashlib alone that the key
    file is still the one that signed the CSR and that the PEM it writes is the one these facts describe
    (_target.phases.install), and needs no cryptography. Returns the parsed facts (module_utils._parse_cache) of the
    certificate, the key that signed ``csr_pem`` and no CSR file, as the target's own parse would give them.
    """
    facts = pem_facts({"Certificate": certificate_pem})
    if facts is None:
        raise IssuedForAnotherKey("ESA returned a certificate that is not PEM; nothing was written")
    csr = load_pem_csr(csr_pem.encode("ascii", "replace"))
    if csr is None or facts["public_key_sha256"] != public_key_sha256(csr.public_key()):
        raise IssuedForAnotherKey("the issued certificate does not match the CSR's public key; nothing was written")
    return {"certificate": facts, "privatekey": {"public_key_sha256": facts["public_key_sha256"], "key_type": facts["key_type"]}, "csr": None}
