# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's checks of every CSR before a Create, and of every certificate ESA issues before a host gets it."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.facts import public_key_sha256
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.csr_policy import (
    LOCAL_KEY_SIZES,
    MAX_CSR_PEM_BYTES,
    USER_KEY_SIZES,
    IdentityRefused,
    check_csr,
    issued_certificate_problem,
    private_key_public_sha256,
)

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def make_csr(subject=None, key=RSA_KEY, extensions=(), common_name="host-a"):
    name = subject if subject is not None else x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = x509.CertificateSigningRequestBuilder().subject_name(name)
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode("ascii")


def refusal(pem, common_name="host-a", pkey_type="RSA", key_sizes=None, source="csr_path"):
    with pytest.raises(IdentityRefused) as caught:
        check_csr(pem, source=source, common_name=common_name, pkey_type=pkey_type, key_sizes=key_sizes or USER_KEY_SIZES)
    return str(caught.value)


def test_a_csr_of_exactly_the_tasks_name_and_key_passes_with_the_controllers_own_facts():
    checked = check_csr(make_csr(), source="csr_path", common_name="host-a", pkey_type="RSA", key_sizes=LOCAL_KEY_SIZES)
    assert checked.common_name == "host-a"
    assert checked.public_key_sha256 == public_key_sha256(RSA_KEY.public_key())
    assert checked.key_type == "RSA"


def test_without_a_common_name_the_csrs_own_one_cn_is_the_identity():
    checked = check_csr(make_csr(common_name="svc.example.com"), source="csr_content", common_name=None, pkey_type="RSA", key_sizes=USER_KEY_SIZES)
    assert checked.common_name == "svc.example.com"


def test_what_is_sent_is_the_checked_csr_re_encoded_so_nothing_unchecked_travels_with_it():
    pem = make_csr() + "-----BEGIN CERTIFICATE REQUEST-----\nappended\n-----END CERTIFICATE REQUEST-----\n"
    checked = check_csr(pem, source="csr_path", common_name="host-a", pkey_type="RSA", key_sizes=USER_KEY_SIZES)
    assert checked.pem.count("BEGIN CERTIFICATE REQUEST") == 1


def test_another_common_name_is_refused_in_one_line_before_esa():
    message = refusal(make_csr(common_name="host-b"))
    assert "CN='host-b'" in message
    assert message.endswith("nothing was sent to ESA")
    assert "\n" not in message


@pytest.mark.parametrize(
    "attributes",
    [
        [x509.NameAttribute(NameOID.COMMON_NAME, "host-a"), x509.NameAttribute(NameOID.COMMON_NAME, "host-b")],
        [x509.NameAttribute(NameOID.COMMON_NAME, "host-a"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Other Corp")],
        [x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "host-a")],
        [],
    ],
    ids=["two CNs", "CN and O", "no CN", "empty subject"],
)
def test_a_subject_other_than_one_cn_is_refused(attributes):
    assert "not a single common name" in refusal(make_csr(subject=x509.Name(attributes)))


def test_a_san_naming_another_identity_is_refused():
    san = x509.SubjectAlternativeName([x509.DNSName("host-a"), x509.DNSName("host-b")])
    assert "subject alternative names (host-a, host-b)" in refusal(make_csr(extensions=[(san, False)]))


def test_an_ip_or_uri_san_is_refused():
    san = x509.SubjectAlternativeName([x509.UniformResourceIdentifier("spiffe://prod/host-b")])
    assert "spiffe://prod/host-b" in refusal(make_csr(extensions=[(san, False)]))


def test_a_san_equal_to_the_cn_and_client_usages_pass():
    extensions = [
        (x509.SubjectAlternativeName([x509.DNSName("host-a")]), False),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False),
        (x509.BasicConstraints(ca=False, path_length=None), True),
    ]
    checked = check_csr(make_csr(extensions=extensions), source="csr_path", common_name="host-a", pkey_type="RSA", key_sizes=USER_KEY_SIZES)
    assert checked.common_name == "host-a"


def test_a_ca_request_is_refused():
    assert "CA:TRUE" in refusal(make_csr(extensions=[(x509.BasicConstraints(ca=True, path_length=None), True)]))


def test_server_auth_is_refused():
    usage = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH])
    assert "other than clientAuth" in refusal(make_csr(extensions=[(usage, False)]))


def test_an_unknown_extension_is_refused():
    unknown = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00")
    assert "1.3.6.1.4.1.99999.1" in refusal(make_csr(extensions=[(unknown, False)]))


def test_a_key_of_another_type_than_pkey_type_is_refused():
    assert "ECDSA secp256r1" in refusal(make_csr(key=EC_KEY), pkey_type="RSA")


def test_an_ecdsa_csr_passes_with_pkey_type_ecdsa():
    checked = check_csr(make_csr(key=EC_KEY), source="csr_path", common_name="host-a", pkey_type="ECDSA", key_sizes=USER_KEY_SIZES)
    assert checked.key_type == "ECDSA"


def test_another_curve_is_refused():
    assert "secp384r1" in refusal(make_csr(key=ec.generate_private_key(ec.SECP384R1())), pkey_type="ECDSA")


def test_a_host_made_csr_must_carry_exactly_the_key_size_the_collection_makes():
    big = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    assert "RSA 3072" in refusal(make_csr(key=big), key_sizes=LOCAL_KEY_SIZES)


def test_a_user_csr_may_carry_a_larger_rsa_key():
    big = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    assert check_csr(make_csr(key=big), source="csr_path", common_name="host-a", pkey_type="RSA", key_sizes=USER_KEY_SIZES).key_type == "RSA"


def test_a_huge_csr_is_refused_before_it_is_parsed():
    message = refusal(make_csr() + "#" * (1600 * 1024))
    assert f"more than the {MAX_CSR_PEM_BYTES}" in message


def test_a_csr_whose_signature_does_not_verify_is_refused():
    pem = make_csr()
    der = bytearray(x509.load_pem_x509_csr(pem.encode()).public_bytes(serialization.Encoding.DER))
    der[-5] ^= 0xFF  # inside the signature
    body = base64.encodebytes(bytes(der)).decode()
    tampered = f"-----BEGIN CERTIFICATE REQUEST-----\n{body}-----END CERTIFICATE REQUEST-----\n"
    assert "signature does not verify" in refusal(tampered)


def test_not_a_csr_is_refused():
    assert "not a PEM certificate signing request" in refusal("hello")


def make_certificate(common_name="host-a", key=RSA_KEY):
    now = dt.datetime.now(dt.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    issuer_key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA")]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(issuer_key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def test_an_issued_certificate_of_the_tasks_name_and_key_passes():
    assert issued_certificate_problem(make_certificate(), common_name="host-a", public_key_sha256_expected=public_key_sha256(RSA_KEY.public_key())) is None


def test_an_issued_certificate_for_another_name_is_caught():
    problem = issued_certificate_problem(make_certificate("host-b"), common_name="host-a", public_key_sha256_expected=public_key_sha256(RSA_KEY.public_key()))
    assert problem == "the issued certificate's subject is CN=host-b, not CN=host-a"


def test_an_issued_certificate_for_another_key_is_caught():
    expected = public_key_sha256(RSA_KEY.public_key())
    problem = issued_certificate_problem(make_certificate(key=EC_KEY), common_name="host-a", public_key_sha256_expected=expected)
    assert problem == "the issued certificate does not carry the public key that was sent for it"


def test_esa_chooses_the_subject_of_a_generated_key():
    expected = public_key_sha256(RSA_KEY.public_key())
    assert issued_certificate_problem(make_certificate("chosen-by-esa"), common_name=None, public_key_sha256_expected=expected) is None


def test_the_public_half_of_a_generated_key_is_computed_from_its_pem():
    pem = RSA_KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    assert private_key_public_sha256(pem) == public_key_sha256(RSA_KEY.public_key())


def test_a_generated_key_that_does_not_load_has_no_digest():
    assert private_key_public_sha256("not a key") is None
