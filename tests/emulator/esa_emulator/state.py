"""Certificate records, uploaded client CAs, hostname bindings and their persistence: a JSON file, rewritten atomically after every change."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import json
import os
import tempfile
import threading
import typing as t

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from .ca import SIGNATURE_ALGORITHM, public_key_algorithm, signature_algorithm_of
from .clock import from_iso

STATE_FORMAT = 1
ACTIVE = 'active'
REVOKED = 'revoked'
CA_OK = 'OK'  # the only status ESA documents for client CA certificates
MANAGED_CA = ''  # binding key of the ESA-managed CA (requests that omit Id)


@dataclasses.dataclass(frozen=True)
class CertificateFacts:
    """What ESA reports about a certificate, all read from the certificate itself."""

    common_name: str
    serial_number: str
    fingerprint_sha256: str
    not_before: datetime.datetime
    not_after: datetime.datetime
    issuer: str
    san: str
    pubkey_algorithm: str
    signature_algorithm: str


def _validity(certificate: x509.Certificate) -> tuple[datetime.datetime, datetime.datetime]:
    try:
        return certificate.not_valid_before_utc, certificate.not_valid_after_utc
    except AttributeError:  # cryptography < 42 has only the naive UTC properties
        utc = datetime.timezone.utc
        return certificate.not_valid_before.replace(tzinfo=utc), certificate.not_valid_after.replace(tzinfo=utc)


def certificate_facts(certificate: x509.Certificate, signature_algorithm: str = SIGNATURE_ALGORITHM) -> CertificateFacts:
    def common_name(name: x509.Name) -> str:
        attributes = name.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(attributes[0].value) if attributes else ''

    try:
        san = ','.join(certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        san = ''
    not_before, not_after = _validity(certificate)
    return CertificateFacts(
        common_name=common_name(certificate.subject),
        serial_number=format(certificate.serial_number, 'x'),
        fingerprint_sha256=hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest(),
        not_before=not_before,
        not_after=not_after,
        issuer=common_name(certificate.issuer),
        san=san,
        pubkey_algorithm=public_key_algorithm(certificate.public_key()),
        signature_algorithm=signature_algorithm,
    )


@dataclasses.dataclass
class CertificateRecord:
    """One issued certificate as ESA keeps it. Never holds a private key."""

    id: str
    site_id: int
    status: str
    certificate_pem: str
    ca_certificate_id: str
    create_time: datetime.datetime
    update_time: datetime.datetime

    @functools.cached_property
    def facts(self) -> CertificateFacts:
        return certificate_facts(x509.load_pem_x509_certificate(self.certificate_pem.encode('ascii')))

    def to_json(self) -> dict[str, t.Any]:
        return {
            'id': self.id,
            'site_id': self.site_id,
            'status': self.status,
            'certificate_pem': self.certificate_pem,
            'ca_certificate_id': self.ca_certificate_id,
            'create_time': self.create_time.strftime('%Y-%m-%dT%H:%M:%SZ'),
            'update_time': self.update_time.strftime('%Y-%m-%dT%H:%M:%SZ'),
        }

    @classmethod
    def from_json(cls, raw: dict[str, t.Any]) -> CertificateRecord:
        return cls(
            id=raw['id'],
            site_id=int(raw['site_id']),
            status=raw['status'],
            certificate_pem=raw['certificate_pem'],
            ca_certificate_id=raw['ca_certificate_id'],
            create_time=from_iso(raw['create_time']),
            update_time=from_iso(raw['update_time']),
        )


@dataclasses.dataclass
class ClientCaRecord:
    """A client CA certificate a user uploaded; its status is always OK."""

    id: str
    site_id: int
    name: str
    certificate_pem: str
    create_time: datetime.datetime
    update_time: datetime.datetime

    @functools.cached_property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_pem.encode('ascii'))

    @functools.cached_property
    def facts(self) -> CertificateFacts:
        # Uploaded CAs are signed by whoever made them: report their own signature algorithm.
        return certificate_facts(self.certificate, signature_algorithm_of(self.certificate))

    def to_json(self) -> dict[str, t.Any]:
        return {
            'id': self.id,
            'site_id': self.site_id,
            'name': self.name,
            'certificate_pem': self.certificate_pem,
            'create_time': self.create_time.strftime('%Y-%m-%dT%H:%M:%SZ'),
            'update_time': self.update_time.strftime('%Y-%m-%dT%H:%M:%SZ'),
        }

    @classmethod
    def from_json(cls, raw: dict[str, t.Any]) -> ClientCaRecord:
        return cls(
            id=raw['id'],
            site_id=int(raw['site_id']),
            name=raw['name'],
            certificate_pem=raw['certificate_pem'],
            create_time=from_iso(raw['create_time']),
            update_time=from_iso(raw['update_time']),
        )


class CertificateStore:
    """All records, guarded by `lock`; callers hold the lock across read-check-write sequences."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self.lock = threading.RLock()
        self._records: dict[str, CertificateRecord] = {}
        self._client_cas: dict[str, ClientCaRecord] = {}
        # (site_id, client CA id or MANAGED_CA) -> hostnames that require a client certificate from that CA
        self._bindings: dict[tuple[int, str], list[str]] = {}
        if path and os.path.exists(path):
            self._load(path)

    def _load(self, path: str) -> None:
        with open(path, encoding='utf-8') as handle:
            raw = json.load(handle)
        if raw.get('format') != STATE_FORMAT:
            raise ValueError(f'{path}: unknown state format {raw.get("format")!r}')
        records = (CertificateRecord.from_json(item) for item in raw.get('certificates', []))
        self._records = {record.id: record for record in records}
        client_cas = (ClientCaRecord.from_json(item) for item in raw.get('client_ca_certificates', []))
        self._client_cas = {record.id: record for record in client_cas}
        self._bindings = {(int(item['site_id']), item.get('ca_id') or MANAGED_CA): list(item['hostnames'])
                          for item in raw.get('hostname_bindings', [])}

    def save(self) -> None:
        """Write the whole state to a temporary file beside the target, then rename it over the target."""
        if not self.path:
            return
        with self.lock:
            document = {
                'format': STATE_FORMAT,
                'certificates': [r.to_json() for r in self.ordered()],
                'client_ca_certificates': [r.to_json() for r in self.ordered_client_cas()],
                'hostname_bindings': self.bindings(),
            }
            directory = os.path.dirname(os.path.abspath(self.path))
            fd, temp = tempfile.mkstemp(prefix='.esa-state-', suffix='.json', dir=directory)
            try:
                with os.fdopen(fd, 'w', encoding='utf-8') as handle:
                    json.dump(document, handle, indent=1, sort_keys=True)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temp, self.path)
            except BaseException:
                if os.path.exists(temp):
                    os.unlink(temp)
                raise

    def ordered(self, site_id: int | None = None) -> list[CertificateRecord]:
        """Stable order: creation time, then Id."""
        with self.lock:
            records = [r for r in self._records.values() if site_id is None or r.site_id == site_id]
        return sorted(records, key=lambda r: (r.create_time, r.id))

    def get(self, site_id: int, certificate_id: str) -> CertificateRecord | None:
        with self.lock:
            record = self._records.get(certificate_id)
        return record if record is not None and record.site_id == site_id else None

    def add(self, record: CertificateRecord) -> None:
        with self.lock:
            self._records[record.id] = record
            self.save()

    def add_many(self, records: t.Iterable[CertificateRecord]) -> None:
        """Add records with one save (bulk seeding): saving after each would rewrite the file once per record."""
        with self.lock:
            self._records.update((record.id, record) for record in records)
            self.save()

    def set_status(self, record: CertificateRecord, status: str, now: datetime.datetime) -> None:
        with self.lock:
            record.status = status
            record.update_time = now
            self.save()

    def delete(self, record: CertificateRecord) -> None:
        with self.lock:
            del self._records[record.id]
            self.save()

    def ordered_client_cas(self, site_id: int | None = None) -> list[ClientCaRecord]:
        """Stable order: creation time, then Id."""
        with self.lock:
            records = [r for r in self._client_cas.values() if site_id is None or r.site_id == site_id]
        return sorted(records, key=lambda r: (r.create_time, r.id))

    def get_client_ca(self, site_id: int, ca_id: str) -> ClientCaRecord | None:
        with self.lock:
            record = self._client_cas.get(ca_id)
        return record if record is not None and record.site_id == site_id else None

    def add_client_ca(self, record: ClientCaRecord) -> None:
        with self.lock:
            self._client_cas[record.id] = record
            self.save()

    def delete_client_ca(self, record: ClientCaRecord) -> None:
        """Forget the CA and its hostname bindings: no hostname can require a CA that no longer exists."""
        with self.lock:
            del self._client_cas[record.id]
            self._bindings.pop((record.site_id, record.id), None)
            self.save()

    def hostnames(self, site_id: int, ca_key: str) -> list[str]:
        with self.lock:
            return list(self._bindings.get((site_id, ca_key), []))

    def set_hostnames(self, site_id: int, ca_key: str, hostnames: list[str]) -> None:
        with self.lock:
            if hostnames:
                self._bindings[(site_id, ca_key)] = list(hostnames)
            else:
                self._bindings.pop((site_id, ca_key), None)
            self.save()

    def bindings(self) -> list[dict[str, t.Any]]:
        """Every non-empty binding; `ca_id` null for the ESA-managed CA."""
        with self.lock:
            items = sorted(self._bindings.items())
        return [{'site_id': site_id, 'ca_id': ca_key or None, 'hostnames': list(hostnames)} for (site_id, ca_key), hostnames in items]

    def clear(self) -> None:
        with self.lock:
            self._records.clear()
            self._client_cas.clear()
            self._bindings.clear()
            self.save()
