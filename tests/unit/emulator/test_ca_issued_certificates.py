"""Issued certificates are real X.509 client certificates from the emulator's CA, reported faithfully."""

from __future__ import annotations

import datetime
import hashlib
import urllib.request

import pytest
from alibabacloud_esa20240910 import models
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import PolicyBuilder, Store

SITE_ID = 1234567890123


def _spki(key):
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _utc(text, layout):
    return datetime.datetime.strptime(text, layout).replace(tzinfo=datetime.timezone.utc)


def _get(client, certificate_id):
    return client.get_client_certificate(models.GetClientCertificateRequest(site_id=SITE_ID, id=certificate_id)).body


def test_ca_route_serves_the_ca_certificate(esa_emulator):
    with urllib.request.urlopen(f'{esa_emulator.url}/_emulator/ca.pem', timeout=5) as answer:
        pem = answer.read().decode('ascii')
    assert pem == esa_emulator.ca_pem
    ca = x509.load_pem_x509_certificate(pem.encode('ascii'))
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


@pytest.mark.parametrize(('key_name', 'is_rsa'), [('rsa2048', True), ('p256', False), ('p384', False)])
def test_csr_certificate_is_a_verifiable_client_certificate(esa_emulator, client, create, keys, key_name, is_rsa):
    created = create('device-7.example.com', validity_days=45, key=key_name)
    leaf = x509.load_pem_x509_certificate(created.certificate.encode('ascii'))
    ca = x509.load_pem_x509_certificate(esa_emulator.ca_pem.encode('ascii'))

    assert _spki(leaf.public_key()) == _spki(keys[key_name].public_key())
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == 'device-7.example.com'
    assert list(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.key_encipherment is is_rsa
    assert not usage.key_cert_sign
    constraints = leaf.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical
    assert not constraints.value.ca
    assert leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName) == ['device-7.example.com']

    leaf.verify_directly_issued_by(ca)
    verifier = PolicyBuilder().store(Store([ca])).time(leaf.not_valid_before_utc + datetime.timedelta(minutes=1)).build_client_verifier()
    assert verifier.verify(leaf, []).chain[-1] == ca

    assert created.fingerprint_sha_256 == hashlib.sha256(leaf.public_bytes(serialization.Encoding.DER)).hexdigest()
    assert created.serial_number == format(leaf.serial_number, 'x')
    assert len(created.serial_number) == 32
    assert created.issuer == ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert created.signature_algorithm == 'SHA256-RSA'
    assert created.validity_days == 45
    assert len(created.id) == 32
    assert int(created.id, 16) >= 0
    assert created.id == created.id.lower()

    got = _get(client, created.id)
    result = got.result
    assert (result.serial_number, result.fingerprint_sha_256, result.cacertificate_id) == (
        created.serial_number, created.fingerprint_sha_256, created.cacertificate_id)
    assert result.pubkey_algorithm == ('RSA' if is_rsa else 'ECDSA')
    assert result.san == 'device-7.example.com'
    # Create answers ISO 8601, Get answers 'YYYY-MM-DD HH:MM:SS' (UTC): the same instants, equal to the certificate's.
    for iso, plain, actual in ((created.not_before, result.not_before, leaf.not_valid_before_utc),
                               (created.not_after, result.not_after, leaf.not_valid_after_utc)):
        assert _utc(iso, '%Y-%m-%dT%H:%M:%SZ') == _utc(plain, '%Y-%m-%d %H:%M:%S') == actual
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc == datetime.timedelta(days=45)


def test_not_before_follows_the_emulator_clock(esa_emulator, create):
    esa_emulator.set_clock_offset(600)
    created = create()
    issued = _utc(created.not_before, '%Y-%m-%dT%H:%M:%SZ')
    expected = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=600)
    assert abs((issued - expected).total_seconds()) < 5


@pytest.mark.parametrize(('pkey_type', 'key_class'), [('RSA', rsa.RSAPrivateKey), ('ECDSA', ec.EllipticCurvePrivateKey)])
def test_generated_key_is_returned_once_and_never_kept(esa_emulator, client, pkey_type, key_class):
    created = client.create_client_certificate(models.CreateClientCertificateRequest(site_id=SITE_ID, pkey_type=pkey_type, validity_days=3)).body
    assert created.private_key.startswith('-----BEGIN PRIVATE KEY-----')  # PKCS#8
    key = serialization.load_pem_private_key(created.private_key.encode('ascii'), password=None)
    assert isinstance(key, key_class)
    assert key.key_size == (2048 if pkey_type == 'RSA' else 256)
    leaf = x509.load_pem_x509_certificate(created.certificate.encode('ascii'))
    assert _spki(leaf.public_key()) == _spki(key.public_key())
    assert created.common_name == created.id  # deterministic from the Id; not a hostname, so no SAN
    with pytest.raises(x509.ExtensionNotFound):
        leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)

    got = _get(client, created.id)
    assert got.result.san == ''
    assert 'PRIVATE KEY' not in repr(got.to_map())
    assert 'PRIVATE KEY' not in repr(esa_emulator.state())


def test_common_name_that_is_no_hostname_gets_no_san(client, create):
    created = create('alice')
    assert _get(client, created.id).result.san == ''


def test_maximum_validity_is_accepted(create):
    created = create(validity_days=3650)
    leaf = x509.load_pem_x509_certificate(created.certificate.encode('ascii'))
    assert (leaf.not_valid_after_utc - leaf.not_valid_before_utc).days == 3650


@pytest.mark.parametrize('mode', ['empty', 'absent'])
def test_derived_fields_of_client_certificates_can_come_back_empty_or_absent(esa_emulator, client, create, mode):
    """The GetClientCaCertificate example answers "" for them and older Get/List pages lack them: a collection must cope."""
    esa_emulator.update_settings(derived_fields={'client_certificates': mode})
    created = create()
    got = _get(client, created.id)
    listed = client.list_client_certificates(models.ListClientCertificatesRequest(site_id=SITE_ID)).body
    answers = [client.raw_answers[-3]['body'], client.raw_answers[-2]['body']['Result'], client.raw_answers[-1]['body']['Result'][0]]
    for answer in answers:
        if mode == 'empty':
            assert (answer['SerialNumber'], answer['FingerprintSha256']) == ('', '')
        else:
            assert 'SerialNumber' not in answer
            assert 'FingerprintSha256' not in answer
        assert answer['CommonName'] == 'client.example.com'
    expected = '' if mode == 'empty' else None
    assert (created.serial_number, got.result.serial_number, listed.result[0].serial_number) == (expected,) * 3
    assert x509.load_pem_x509_certificate(got.certificate.encode('ascii'))  # the PEM still says everything
    assert esa_emulator.state()[0]['fingerprint_sha256']  # the emulator's own view keeps the facts


def test_derived_fields_switch_per_family_and_reset_restores_them(esa_emulator, client, create, keys, make_ca_pem):
    esa_emulator.update_settings(derived_fields={'client_ca_certificates': 'absent'})
    assert create().fingerprint_sha_256  # client certificates keep theirs
    esa_emulator.reset()
    assert esa_emulator.settings()['derived_fields'] == {'client_certificates': 'present', 'client_ca_certificates': 'present'}
    uploaded = client.upload_client_ca_certificate(models.UploadClientCaCertificateRequest(site_id=SITE_ID, certificate=make_ca_pem(keys['p256'])))
    assert uploaded.body.fingerprint_sha_256
