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

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.facts import (
    common_name_of,
    load_pem_certificate,
    load_pem_csr,
    public_key_sha256,
)
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.facts import flatten_record
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.recent_listing import recent_client_certificates
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import AmbiguousCreateError, EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.messages import explain_generated_key_refusal
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy, create_without_duplicates

# ESA's CreateTime and the controller's clock may disagree a little; look back this far for our certificate.
_CLOCK_SLACK = _dt.timedelta(minutes=15)


class Issued(t.NamedTuple):
    record: dict[str, t.Any]
    certificate_pem: str
    private_key_pem: str | None


def issue(
    client: t.Any,
    site_id: int,
    validity_days: int,
    now: t.Callable[[], _dt.datetime],
    *,
    csr_pem: str | None = None,
    pkey_type: str | None = None,
    retry_policy: RetryPolicy,
) -> Issued:
    """Create one certificate; after an ambiguous failure adopt the one that took effect, or create again.

    ``retry_policy`` is the client's: an ambiguous failure spends one of its retries like any other retried failure,
    so api_retries bounds the creates and its backoff spaces them.
    """
    started = now()
    identity = csr_identity(csr_pem) if csr_pem else None

    def create() -> Issued:
        body = client.create_client_certificate(site_id, validity_days=validity_days, csr=csr_pem, pkey_type=None if csr_pem else pkey_type)
        flat = flatten_record(body)
        return Issued(flat, flat.get("Certificate") or "", flat.get("PrivateKey"))

    def find_created(error: AmbiguousCreateError) -> Issued | None:
        if identity is None:
            raise error.reworded(
                f"{error.message} With key_source=esa the private key was only in that lost answer, so the run stops "
                "instead of creating a second certificate; run again, and revoke the orphan esa_client_certificate_info lists."
            )
        return find_issued_for_key(client, site_id, identity, started - _CLOCK_SLACK)

    def explain_refusal(error: EsaApiError) -> EsaApiError:
        return explain_generated_key_refusal(error, pkey_type) if csr_pem is None else error

    return create_without_duplicates(create, find_created, policy=retry_policy, explain_refusal=explain_refusal)


def csr_identity(csr_pem: str) -> tuple[str, str | None]:
    csr = load_pem_csr(csr_pem.encode("ascii"))
    if csr is None:
        raise ValueError("the CSR to send is not PEM")
    return public_key_sha256(csr.public_key()), common_name_of(csr.subject)


def find_issued_for_key(client: t.Any, site_id: int, identity: tuple[str, str | None], since: _dt.datetime) -> Issued | None:
    """An active certificate of this public key created since `since`; duplicates beyond the first are revoked."""
    key_sha256, common_name = identity
    matches = []
    for item in recent_client_certificates(client, site_id, since):
        if (item.get("Status") or "").lower() != "active":
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
    return Issued(keep, keep["Certificate"], None)
