"""Revoke one client certificate on ESA with the official SDK, as an operator would in the ESA console.

    ALIBABA_CLOUD_ACCESS_KEY_ID=... ALIBABA_CLOUD_ACCESS_KEY_SECRET=... \
        python scripts/demo_esa_revoke.py --endpoint http://127.0.0.1:PORT --site-id 1234567890123 CERT.pem

The certificate is found by the SHA-256 fingerprint of its DER encoding (ListClientCertificates, every
page), then revoked (RevokeClientCertificate). Credentials come from the environment, never from the
command line. Prints {"id", "common_name", "serial_number", "fingerprint_sha256", "status"} as JSON.
Plain http is used only for a loopback endpoint (the local emulator).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import urllib.parse

os.environ.setdefault("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")

from cryptography import x509  # noqa: E402  pylint: disable=wrong-import-position
from cryptography.hazmat.primitives import serialization  # noqa: E402  pylint: disable=wrong-import-position
from alibabacloud_esa20240910 import models  # noqa: E402  pylint: disable=wrong-import-position
from alibabacloud_esa20240910.client import Client  # noqa: E402  pylint: disable=wrong-import-position
from alibabacloud_tea_openapi import models as openapi_models  # noqa: E402  pylint: disable=wrong-import-position

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _client(endpoint: str) -> Client:
    parsed = urllib.parse.urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
    if parsed.scheme == "http" and parsed.hostname not in LOOPBACK:
        raise SystemExit("plain http only to a loopback endpoint")
    config = openapi_models.Config(access_key_id=os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
                                   access_key_secret=os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
                                   endpoint=parsed.netloc, protocol=parsed.scheme)
    return Client(config)


def _find(client: Client, site_id: int, fingerprint: str):
    page = 1
    while True:
        body = client.list_client_certificates(models.ListClientCertificatesRequest(site_id=site_id, page_number=page, page_size=100)).body
        for item in body.result or []:
            if (item.fingerprint_sha_256 or "").lower().replace(":", "") == fingerprint:
                return item
        if page * 100 >= (body.total_count or 0):
            return None
        page += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--endpoint", required=True, help="ESA endpoint, e.g. http://127.0.0.1:PORT for the emulator")
    parser.add_argument("--site-id", type=int, required=True)
    parser.add_argument("certificate", help="the certificate file (PEM) to revoke")
    args = parser.parse_args(argv)

    with open(args.certificate, "rb") as handle:
        der = x509.load_pem_x509_certificate(handle.read()).public_bytes(serialization.Encoding.DER)
    fingerprint = hashlib.sha256(der).hexdigest()
    client = _client(args.endpoint)
    item = _find(client, args.site_id, fingerprint)
    if item is None:
        raise SystemExit(f"ESA does not know {args.certificate} (SHA-256 {fingerprint})")
    client.revoke_client_certificate(models.RevokeClientCertificateRequest(site_id=args.site_id, id=item.id))
    record = client.get_client_certificate(models.GetClientCertificateRequest(site_id=args.site_id, id=item.id)).body
    print(json.dumps({"id": item.id, "common_name": item.common_name, "serial_number": item.serial_number,
                      "fingerprint_sha256": fingerprint, "status": (record.result.status if record.result else None) or record.status}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
