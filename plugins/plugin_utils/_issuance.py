# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CreateClientCertificate without duplicates.

Create has no idempotency token. The retry policy retries it only when the request surely did not
take effect; when it may have (5xx, reset or timeout after sending), this module looks on ESA for a
certificate of our public key before creating again, so a run never leaves a second live certificate.
"""

from __future__ import annotations

import datetime as _dt
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._certificate_facts import (
    common_name_of,
    load_pem_certificate,
    load_pem_csr,
    public_key_sha256,
)
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import parse_esa_time
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa_errors import AmbiguousCreateError, EsaApiError, explain_generated_key_refusal
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa_facts import flatten_record
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa_retry import RetryPolicy

# ESA's CreateTime and the controller's clock may disagree a little; look back this far for our certificate.
_CLOCK_SLACK = _dt.timedelta(minutes=15)
# Without a retry policy (unit tests): 3 creates at most, no wait. With the client's, an ambiguous failure spends one
# of its retries like any other retried failure, so api_retries bounds the rounds and its backoff spaces them.
_DEFAULT_AMBIGUOUS_RETRIES = 2


class Issued(t.NamedTuple):
    record: dict[str, t.Any]
    certificate_pem: str
    private_key_pem: str | None
    adopted: bool


def issue(client: t.Any, site_id: int, validity_days: int, now: t.Callable[[], _dt.datetime], *,
          csr_pem: str | None = None, pkey_type: str | None = None, retry_policy: t.Any = None) -> Issued:
    """Create one certificate; after an ambiguous failure adopt the one that took effect, or create again.

    ``retry_policy`` (the client's) bounds and spaces the rounds: ``retries + 1`` creates at most, with its backoff
    between them. Each round searches before creating again, so the rounds never leave a second certificate.
    """
    started = now()
    identity = csr_identity(csr_pem) if csr_pem else None
    policy = retry_policy or RetryPolicy(_DEFAULT_AMBIGUOUS_RETRIES, sleep=lambda _seconds: None)
    for round_number in policy.attempts():
        try:
            body = client.create_client_certificate(site_id, validity_days=validity_days, csr=csr_pem, pkey_type=None if csr_pem else pkey_type)
        except AmbiguousCreateError as exc:
            if identity is None:
                raise EsaApiError(
                    f"{exc.message} With key_source=esa the private key was only in that lost answer, so the run stops "
                    "instead of creating a second certificate; run again, and revoke the orphan esa_client_certificate_info lists.",
                    code=exc.code, request_id=exc.request_id, status_code=exc.status_code, action=exc.action,
                ) from exc
            adopted = find_issued_for_key(client, site_id, identity, started - _CLOCK_SLACK)
            if adopted is not None:
                return adopted
            if round_number == policy.retries + 1:
                raise
            continue
        except EsaApiError as exc:
            if csr_pem is None and exc.code == "InvalidParameter":
                raise explain_generated_key_refusal(exc, pkey_type) from exc
            raise
        flat = flatten_record(body)
        return Issued(flat, flat.get("Certificate") or "", flat.get("PrivateKey"), adopted=False)
    raise AssertionError("unreachable: the last round returns or raises")


def csr_identity(csr_pem: str) -> tuple[str, str | None]:
    csr = load_pem_csr(csr_pem.encode("ascii"))
    if csr is None:
        raise ValueError("the CSR to send is not PEM")
    return public_key_sha256(csr.public_key()), common_name_of(csr.subject)


def find_issued_for_key(client: t.Any, site_id: int, identity: tuple[str, str | None], since: _dt.datetime) -> Issued | None:
    """An active certificate of this public key created since `since`; duplicates beyond the first are revoked."""
    key_sha256, common_name = identity
    matches = []
    for item in client.iter_client_certificates(site_id):
        if (item.get("Status") or "").lower() != "active" or not _created_since(item, since):
            continue
        if common_name is not None and (item.get("CommonName") or "").strip() != common_name:
            continue
        body = client.get_client_certificate(site_id, item["Id"])
        if not body:
            continue
        flat = flatten_record(body)
        certificate = load_pem_certificate((flat.get("Certificate") or "").encode("ascii"))
        if certificate is not None and public_key_sha256(certificate.public_key()) == key_sha256:
            matches.append(flat)
    if not matches:
        return None
    keep, extra = matches[0], matches[1:]
    for duplicate in extra:
        client.revoke_client_certificate(site_id, duplicate["Id"])
    return Issued(keep, keep["Certificate"], None, adopted=True)


def _created_since(item: dict[str, t.Any], since: _dt.datetime) -> bool:
    created = item.get("CreateTime")
    if not created:
        return True
    try:
        return parse_esa_time(created) >= since
    except ValueError:
        return True
