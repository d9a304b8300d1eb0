#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Change ESA behind the collection's back, through the official SDK, as another operator would.

Credentials are read from the integration config file, never from the command line, so that
`-vvv` output (which shows command lines) never carries the secret.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")

from alibabacloud_esa20240910 import models  # noqa: E402  pylint: disable=wrong-import-position
from alibabacloud_esa20240910.client import Client  # noqa: E402  pylint: disable=wrong-import-position
from alibabacloud_tea_openapi import models as openapi_models  # noqa: E402  pylint: disable=wrong-import-position


def _config(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    try:
        return json.loads(text)
    except ValueError:
        import yaml  # pylint: disable=import-outside-toplevel

        return yaml.safe_load(text)


def _create(client: Client, site_id: int, common_name: str, validity_days: int) -> str:
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes, serialization  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric import ec  # pylint: disable=import-outside-toplevel
    from cryptography.x509.oid import NameOID  # pylint: disable=import-outside-toplevel

    key = ec.generate_private_key(ec.SECP256R1())
    csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
    pem = csr.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode("ascii")
    request = models.CreateClientCertificateRequest(site_id=site_id, csr=pem, validity_days=validity_days)
    return client.create_client_certificate(request).body.id


def main() -> int:
    config_path, action, site_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
    cert_id = sys.argv[4] if len(sys.argv) > 4 else None
    config = _config(config_path)
    client = Client(openapi_models.Config(access_key_id=config["esa_access_key_id"], access_key_secret=config["esa_access_key_secret"],
                                          endpoint=config["esa_endpoint"], protocol="http"))
    if action == "revoke":
        body = client.revoke_client_certificate(models.RevokeClientCertificateRequest(site_id=site_id, id=cert_id)).body
    elif action == "delete":
        client.revoke_client_certificate(models.RevokeClientCertificateRequest(site_id=site_id, id=cert_id))
        body = client.delete_client_certificate(models.DeleteClientCertificateRequest(site_id=site_id, id=cert_id)).body
    elif action == "active-count":
        common_name = sys.argv[4]
        count, page = 0, 1
        while True:
            listing = client.list_client_certificates(models.ListClientCertificatesRequest(site_id=site_id, page_number=page, page_size=100)).body
            count += sum(1 for item in listing.result or [] if item.common_name == common_name and item.status == "active")
            if page * 100 >= (listing.total_count or 0):
                break
            page += 1
        print(json.dumps({"active": count}))
        return 0
    elif action == "bulk-create":
        # Many certificates fast (more than one page of ListClientCertificates), each with its own CSR.
        count, prefix, validity = int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
        ids = [_create(client, site_id, f"{prefix}-{index}.example.com", validity) for index in range(count)]
        print(json.dumps({"ids": ids}))
        return 0
    else:
        raise SystemExit(f"unknown action {action}")
    print(json.dumps(body.to_map()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
