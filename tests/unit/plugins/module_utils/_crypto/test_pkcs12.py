# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ca_certificate_content is checked on the controller before anything is asked of ESA: certificates only, at most 8."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.pkcs12 import ca_certificates_problem
from ansible_collections.alibabacloud.esa.plugins.module_utils._pem import certificate_blocks

KEY = ec.generate_private_key(ec.SECP256R1())


def ca_pem(common_name="ESA CA"):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.timezone.utc)
    ca = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(KEY.public_key()).serial_number(1)
          .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1)).sign(KEY, hashes.SHA256()))
    return ca.public_bytes(serialization.Encoding.PEM).decode("ascii")


def test_one_or_more_certificates_pass():
    assert ca_certificates_problem(ca_pem() + "\n" + ca_pem("Intermediate")) is None


def test_the_blocks_are_found_whatever_surrounds_them():
    assert len(certificate_blocks("subject=CN = ESA CA\n" + ca_pem() + "trailing words\n" + ca_pem())) == 2


@pytest.mark.parametrize("text, fragment", [
    (ca_pem() + KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode(),
     "holds a private key"),
    ("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n", "other than certificates (CERTIFICATE REQUEST)"),
    ("no PEM here", "holds no PEM certificate"),
    (ca_pem() * 9, "holds 9 certificates, at most 8"),
    ("-----BEGIN CERTIFICATE-----\nTUlJQg==\n-----END CERTIFICATE-----\n", "certificate 1 of 1 does not parse"),
])
def test_anything_else_is_refused_in_one_line(text, fragment):
    problem = ca_certificates_problem(text)
    assert fragment in problem
    assert "\n" not in problem
