#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Change ESA behind the collection's back, through the official SDK, as another operator would."""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from esa_test_support import all_certificates, read_config, sdk_client  # noqa: E402  pylint: disable=wrong-import-position


def _create(client, site_id: int, common_name: str, validity_days: int) -> str:
    from alibabacloud_esa20240910 import models  # pylint: disable=import-outside-toplevel
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
    from alibabacloud_esa20240910 import models  # pylint: disable=import-outside-toplevel

    client = sdk_client(read_config(config_path))
    if action == "revoke":
        body = client.revoke_client_certificate(models.RevokeClientCertificateRequest(site_id=site_id, id=cert_id)).body
    elif action == "delete":
        client.revoke_client_certificate(models.RevokeClientCertificateRequest(site_id=site_id, id=cert_id))
        body = client.delete_client_certificate(models.DeleteClientCertificateRequest(site_id=site_id, id=cert_id)).body
    elif action == "active-count":
        common_name = sys.argv[4]
        count = sum(1 for item in all_certificates(client, site_id) if item.common_name == common_name and item.status == "active")
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
