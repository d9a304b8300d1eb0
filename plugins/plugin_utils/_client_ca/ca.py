# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A user's own client CA on ESA: the PEM checks made before any upload, finding it by fingerprint, its facts, and an upload without duplicates."""

from __future__ import annotations

import datetime as _dt
import re
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.facts import HAS_CRYPTOGRAPHY, certificate_facts, load_pem_certificate
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import parse_esa_time
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.facts import flatten_record, pem_facts, record_facts
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import (
    CERTIFICATE_NOT_FOUND,
    INVALID_PARAMETER,
    MAX_CLIENT_CAS_PER_PLAN,
    PLAN_LACKS_FEATURE,
    AmbiguousCreateError,
    EsaApiError,
)
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy, create_without_duplicates

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
except ImportError:  # pragma: no cover - reported through HAS_CRYPTOGRAPHY
    x509 = serialization = None  # type: ignore[assignment]

CA_FACT_NAMES = (
    "id",
    "site_id",
    "name",
    "status",
    "common_name",
    "issuer",
    "serial_number",
    "fingerprint_sha256",
    "signature_algorithm",
    "not_before",
    "not_after",
    "validity_days",
    "remaining_days",
)
_PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


class CaCertificate(t.NamedTuple):
    pem: str
    """The one certificate block of the input, normalised (what is sent to ESA)."""
    facts: dict[str, t.Any]
    """certificate_facts() of it: fingerprint_sha256, serial_number, common_name, not_before, ..."""


def read_ca_certificate(text: str, *, now: _dt.datetime, require_ca: bool = True, option: str = "certificate") -> CaCertificate:
    """The client CA in ``text``, after the checks ESA makes on an upload; ValueError with one line naming ``option`` otherwise.

    ``require_ca=False`` only reads it (state=absent: an expired CA, or one ESA would refuse today, can still be found and deleted).
    """
    if not HAS_CRYPTOGRAPHY:
        raise ValueError("the Python library cryptography is required on the controller to read the client CA certificate")
    if "PRIVATE KEY" in text:
        # Never echo it: the value holds a key.
        raise ValueError(f"{option} holds a private key: pass the CA certificate alone (PEM); the CA's private key never goes to ESA")
    blocks = _PEM_CERTIFICATE.findall(text)
    if not blocks:
        hint = ""
        if text.strip() and "\n" not in text.strip():
            hint = f" ({option} takes the PEM itself; to read a file on the controller, use lookup('ansible.builtin.file', path))"
        raise ValueError(f"{option} is not a PEM certificate: no -----BEGIN CERTIFICATE----- block found{hint}")
    if len(blocks) > 1:
        raise ValueError(f"{option} holds {len(blocks)} certificates: pass exactly one, the CA certificate that signs the client certificates")
    certificate = load_pem_certificate(blocks[0].encode("ascii", errors="replace"))
    if certificate is None:
        raise ValueError(f"{option} is not a valid PEM certificate: its -----BEGIN CERTIFICATE----- block does not decode")
    facts = certificate_facts(certificate)
    if require_ca:
        if not _is_ca(certificate):
            raise ValueError(
                f"{option} is not a CA certificate (its basicConstraints do not say CA:TRUE): upload the CA that signs the client "
                f"certificates, not a client certificate (subject CN {facts['common_name']!r})"
            )
        if parse_esa_time(facts["not_after"]) < now:
            raise ValueError(f"{option} expired on {facts['not_after']}: ESA accepts only a CA certificate within its validity period")
        if parse_esa_time(facts["not_before"]) > now:
            raise ValueError(f"{option} is not valid before {facts['not_before']}: ESA accepts only a CA certificate within its validity period")
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
    return CaCertificate(pem=pem, facts=facts)


def _is_ca(certificate: t.Any) -> bool:
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def same_fingerprint(record: dict[str, t.Any], fingerprint_sha256: str) -> bool:
    """Whether an ESA record is the certificate with this fingerprint (ESA writes lower-case hex; compare without case or colons)."""
    recorded = _plain(record.get("FingerprintSha256"))
    return bool(recorded) and recorded == _plain(fingerprint_sha256)


def find_by_fingerprint(records: t.Iterable[dict[str, t.Any]], fingerprint_sha256: str) -> dict[str, t.Any] | None:
    """The first record of that certificate (the oldest, in ESA's order), or None."""
    return next((flatten_record(record) for record in records if same_fingerprint(record, fingerprint_sha256)), None)


def client_ca_listing(client: t.Any, site_id: int) -> list[dict[str, t.Any]]:
    """Every client CA record of the site (all pages)."""
    return list(client.iter_client_ca_certificates(site_id))


def find_client_ca(client: t.Any, site_id: int, fingerprint_sha256: str, listing: list[dict[str, t.Any]] | None = None) -> dict[str, t.Any] | None:
    """One paginated search of the site's client CAs (or of ``listing``, already walked); ESA has no lookup by fingerprint.

    A listed CA whose FingerprintSha256 is empty (the GetClientCaCertificate example answers "") is fetched and
    its fingerprint computed from the PEM, so such an answer never makes the task upload the CA again.
    """
    records = client_ca_listing(client, site_id) if listing is None else listing
    found = find_by_fingerprint(records, fingerprint_sha256)
    if found is not None:
        return found
    for record in records:
        if _plain(record.get("FingerprintSha256")) or not record.get("Id"):
            continue
        body = client.get_client_ca_certificate(site_id, record["Id"])
        if body and pem_fingerprint(body) == _plain(fingerprint_sha256):
            return flatten_record(body)
    return None


def pem_fingerprint(record: dict[str, t.Any]) -> str | None:
    """The SHA-256 fingerprint computed from the PEM an ESA answer carries, else ESA's field (never an empty one)."""
    facts = pem_facts(record)
    if facts:
        return facts["fingerprint_sha256"]
    return _plain(flatten_record(record).get("FingerprintSha256")) or None


def _plain(fingerprint: t.Any) -> str:
    return re.sub(r"[\s:]", "", str(fingerprint or "")).lower()


def ca_facts(record: dict[str, t.Any], site_id: int, now: _dt.datetime, *, name: str | None = None) -> dict[str, t.Any]:
    """Facts of an ESA client CA record (Upload's flat answer, Get's body or a List item): snake_case, times YYYY-MM-DDTHH:MM:SSZ."""
    flat = flatten_record(record)
    facts = record_facts(flat, site_id, now)
    facts["name"] = flat.get("Name") or name
    return {key: facts.get(key) for key in CA_FACT_NAMES}


def planned_ca_facts(certificate: CaCertificate, site_id: int, now: _dt.datetime, *, name: str | None) -> dict[str, t.Any]:
    """What ESA will report once the certificate is uploaded (check mode): its own facts, no id or status yet."""
    own = certificate.facts
    facts = dict.fromkeys(CA_FACT_NAMES)
    facts.update({key: own.get(key) for key in CA_FACT_NAMES if key in own})
    facts.update(site_id=site_id, name=name or own.get("common_name"))
    facts["remaining_days"] = (parse_esa_time(own["not_after"]) - now) // _dt.timedelta(days=1)
    return facts


def upload_client_ca(
    client: t.Any, site_id: int, certificate: CaCertificate, *, name: str | None, retry_policy: RetryPolicy, listed: int = 0
) -> dict[str, t.Any]:
    """Upload once: after a failure that may have taken effect, adopt the copy ESA now lists, or upload again.

    ``retry_policy`` (the client's) bounds the uploads to ``retries + 1`` and spaces them with its backoff; ``listed``
    (how many client CAs the site already holds) lets a refusal say which limit it met.
    """
    fingerprint = certificate.facts["fingerprint_sha256"]

    def describe_exhausted(error: AmbiguousCreateError) -> EsaApiError:
        return error.reworded(
            f"UploadClientCaCertificate failed {retry_policy.retries + 1} times in a way that may have taken effect, yet ESA lists no client CA with "
            f"fingerprint {fingerprint}: nothing was uploaded; try again later ({error.failure})"
        )

    return create_without_duplicates(
        lambda: flatten_record(client.upload_client_ca_certificate(site_id, certificate.pem, name=name)),
        lambda _error: find_client_ca(client, site_id, fingerprint),
        policy=retry_policy,
        explain_refusal=lambda error: explain_upload_error(error, listed=listed),
        describe_exhausted=describe_exhausted,
    )


def too_many_client_cas(site_id: int, listed: int) -> str | None:
    """The refusal, before any upload, when the site alone already holds ESA's limit of client CAs per plan."""
    if listed < MAX_CLIENT_CAS_PER_PLAN:
        return None
    return (
        f"site {site_id} already holds {listed} client CA certificates and ESA allows at most {MAX_CLIENT_CAS_PER_PLAN} per plan: nothing was "
        "uploaded; delete one you no longer need with alibabacloud.esa.esa_client_ca_certificate state=absent, then upload again"
    )


def explain_upload_error(exc: EsaApiError, *, listed: int = 0) -> EsaApiError:
    """InvalidParameter from an upload is about the certificate or the name, not about an id; QuotaCheckFailed.Function on a
    site that already holds client CAs cannot mean the plan lacks the feature, so it is the per-plan limit."""
    if exc.code == PLAN_LACKS_FEATURE and listed > 0:
        return exc.reworded(
            f"ESA refused the upload with {PLAN_LACKS_FEATURE}, although this site already holds {listed} client CA certificate(s), so its plan has "
            f"the feature: the plan's limit of {MAX_CLIENT_CAS_PER_PLAN} client CAs is probably used up (sites of one plan share it); delete one "
            "with alibabacloud.esa.esa_client_ca_certificate state=absent, then upload again."
        )
    if exc.code != INVALID_PARAMETER:
        return exc
    return exc.reworded(
        f"ESA refused the client CA certificate (InvalidParameter: {exc.service_message or 'no details'}): check certificate (one PEM CA certificate "
        "with basicConstraints CA:TRUE, within its validity period) and name."
    )


def delete_client_ca(client: t.Any, site_id: int, ca_id: str) -> None:
    """Delete; Certificate.NotFound means someone (or a retried call) deleted it first, which is what we wanted."""
    client.delete_client_ca_certificate(site_id, ca_id, accept=(CERTIFICATE_NOT_FOUND,))
