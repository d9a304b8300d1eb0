# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An in-memory stand-in for EsaClient (the client boundary), for controller logic tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import typing as t
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import walk_listing
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import (
    CERTIFICATE_NOT_FOUND,
    CERTIFICATE_STATUS_ERROR,
    AmbiguousCreateError,
    EsaApiError,
)

_CA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeEsaClient:
    """Keeps certificates like ESA; `fail_creates` lists what the next creates do: 'ambiguous_lost' or 'ambiguous_effect'."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, t.Any]] = {}
        self.calls: list[str] = []
        self.fail_creates: list[str] = []
        # Like answers of older API versions (and the GetClientCaCertificate example): no derived fields.
        self.blank_fingerprints = False

    def _issue(self, csr_pem: str, created: dt.datetime) -> dict[str, t.Any]:
        csr = x509.load_pem_x509_csr(csr_pem.encode())
        common_name = csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        cert = (x509.CertificateBuilder().subject_name(csr.subject)
                .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ESA CA")]))
                .public_key(csr.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(created).not_valid_after(created + dt.timedelta(days=30)).sign(_CA_KEY, hashes.SHA256()))
        pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        cert_id = uuid.uuid4().hex
        record = {
            "Id": cert_id, "Status": "active", "CommonName": common_name, "Certificate": pem,
            "FingerprintSha256": hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest(),
            "CreateTime": created.strftime("%Y-%m-%d %H:%M:%S"),
        }
        self.records[cert_id] = record
        return record

    def create_client_certificate(self, site_id, *, validity_days, csr=None, pkey_type=None):
        self.calls.append("Create")
        outcome = self.fail_creates.pop(0) if self.fail_creates else "ok"
        if outcome == "ambiguous_lost":
            raise AmbiguousCreateError("answer lost before effect", code="ServiceUnavailable", status_code=503)
        record = self._issue(csr, dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
        if outcome == "ambiguous_effect":
            raise AmbiguousCreateError("connection reset after effect")
        return dict(record)

    def get_client_certificate(self, site_id, cert_id, *, accept=(CERTIFICATE_NOT_FOUND,)):
        self.calls.append("Get")
        record = self.records.get(cert_id)
        if record is None:
            return _refused(EsaApiError("no such certificate", code=CERTIFICATE_NOT_FOUND, status_code=404), accept)
        return {"Status": record["Status"], "Certificate": record["Certificate"],
                "Result": {k: v for k, v in self._answered(record).items() if k != "Certificate"}}

    def list_client_certificates(self, site_id, *, page_number=1, page_size=100):
        self.calls.append("List")
        records = [{k: v for k, v in self._answered(record).items() if k != "Certificate"} for record in self.records.values()]
        start = (page_number - 1) * page_size
        return {"Result": records[start:start + page_size], "TotalCount": len(records), "PageNumber": page_number, "PageSize": page_size}

    def iter_client_certificates(self, site_id):
        """Page by page through list_client_certificates, as EsaClient walks them (one "List" call per page)."""
        return walk_listing(lambda number: self.list_client_certificates(site_id, page_number=number), "ListClientCertificates", site_id)

    def _answered(self, record):
        return dict(record, FingerprintSha256="") if self.blank_fingerprints else record

    def revoke_client_certificate(self, site_id, cert_id, *, accept=()):
        self.calls.append("Revoke")
        record = self.records.get(cert_id)
        if record is None:
            return _refused(EsaApiError("no such certificate", code=CERTIFICATE_NOT_FOUND, status_code=404), accept)
        if record["Status"] != "active":
            return _refused(EsaApiError("already revoked", code=CERTIFICATE_STATUS_ERROR, status_code=400), accept)
        record["Status"] = "revoked"
        return {"Id": cert_id}

    def delete_client_certificate(self, site_id, cert_id, *, accept=()):
        self.calls.append("Delete")
        record = self.records.get(cert_id)
        if record is None:
            return _refused(EsaApiError("no such certificate", code=CERTIFICATE_NOT_FOUND, status_code=404), accept)
        if record["Status"] == "active":  # ESA deletes only a revoked certificate
            return _refused(EsaApiError("revoke it before deleting", code=CERTIFICATE_STATUS_ERROR, status_code=400), accept)
        del self.records[cert_id]
        return {"Id": cert_id}


def _refused(error: EsaApiError, accept: tuple[str, ...]) -> None:
    """What EsaClient does with ``accept``: None for an expected code, the error otherwise."""
    if error.code in accept:
        return None
    raise error
