"""Bulk seeding: a site that already holds thousands of client certificates, made in seconds instead of hours of Creates.

Each seeded certificate is a real leaf of the emulator's CA, as Create would issue it (clientAuth, SAN = CN), created in
the past at a fixed spacing, oldest first, so that every certificate issued afterwards is newer than all of them. They
share one public key (nobody holds a seeded certificate's key: they stand for other hosts' certificates, and what a
listing, a fingerprint search or a Get reads from them is the certificate itself, whose serial makes each one unique).
"""

from __future__ import annotations

import dataclasses
import datetime
import secrets
import typing as t

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .ca import CertificateAuthority
from .config import EmulatorConfig
from .state import ACTIVE, REVOKED, CertificateRecord, CertificateStore

MAX_SEED = 100_000  # far beyond what a site holds in practice; beyond it a seeding is a mistake


@dataclasses.dataclass(frozen=True)
class SeedRequest:
    """What POST /_emulator/seed takes: {"site_id", "count", "common_name_prefix", "spacing_seconds", "validity_days", "revoked_every"}."""

    site_id: int
    count: int
    common_name_prefix: str = 'seeded'
    spacing_seconds: int = 60
    validity_days: int = 365
    revoked_every: int = 0  # every Nth seeded certificate is revoked (0: none)

    @classmethod
    def from_json(cls, document: t.Any, config: EmulatorConfig) -> SeedRequest:
        if not isinstance(document, dict) or not {'site_id', 'count'} <= set(document):
            raise ValueError('seed needs {"site_id": <a configured site>, "count": <1..100000>}')
        unknown = set(document) - {field.name for field in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f'seed does not take {", ".join(sorted(unknown))}')
        request = cls(**document)
        integers = ('site_id', 'count', 'spacing_seconds', 'validity_days', 'revoked_every')
        if any(isinstance(getattr(request, name), bool) or not isinstance(getattr(request, name), int) for name in integers):
            raise ValueError(f'seed: {", ".join(integers)} must be integers')
        if config.site(request.site_id) is None:
            raise ValueError(f'seed: no configured site {request.site_id}')
        if not 1 <= request.count <= MAX_SEED:
            raise ValueError(f'seed: count must be 1..{MAX_SEED}, got {request.count}')
        if request.spacing_seconds < 1 or not 1 <= request.validity_days <= 3650 or request.revoked_every < 0:
            raise ValueError('seed: spacing_seconds must be 1 or more, validity_days 1..3650, revoked_every 0 or more')
        if not isinstance(request.common_name_prefix, str) or not request.common_name_prefix.strip():
            raise ValueError('seed: common_name_prefix must be a non-empty string')
        return request


def seed_certificates(store: CertificateStore, ca: CertificateAuthority, request: SeedRequest, now: datetime.datetime) -> int:
    """Add request.count certificates to the site, the newest `spacing_seconds` before `now`; one save; the site's total after."""
    public_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    width = len(str(request.count))
    oldest = now - datetime.timedelta(seconds=request.spacing_seconds * request.count)
    records = []
    for index in range(request.count):
        created = oldest + datetime.timedelta(seconds=request.spacing_seconds * index)
        certificate = ca.issue(public_key, f'{request.common_name_prefix}-{index + 1:0{width}d}.example.com', request.validity_days, created)
        revoked = request.revoked_every > 0 and (index + 1) % request.revoked_every == 0
        records.append(CertificateRecord(
            id=secrets.token_hex(16),
            site_id=request.site_id,
            status=REVOKED if revoked else ACTIVE,
            certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode('ascii'),
            ca_certificate_id=ca.id,
            create_time=created,
            update_time=created,
        ))
    store.add_many(records)
    return len(store.ordered(request.site_id))
