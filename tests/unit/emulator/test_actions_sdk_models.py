"""Every answer loads into the SDK's response model with no field lost and every documented field set."""

from __future__ import annotations

import pytest
from alibabacloud_esa20240910 import models

SITE_ID = 1234567890123

# Documented answer fields (ESA API reference), checked independently of what the SDK models declare.
RESULT_FIELDS = {'Id', 'Name', 'Status', 'Type', 'CommonName', 'NotBefore', 'NotAfter', 'Issuer', 'SAN', 'SignatureAlgorithm',
                 'PubkeyAlgorithm', 'CreateTime', 'UpdateTime', 'CACertificateId', 'SerialNumber', 'FingerprintSha256'}
DOCUMENTED = {
    'CreateClientCertificate': {'RequestId', 'Id', 'Status', 'Certificate', 'PrivateKey', 'CommonName', 'NotBefore', 'NotAfter', 'Issuer',
                                'SerialNumber', 'FingerprintSha256', 'SignatureAlgorithm', 'ValidityDays', 'CACertificateId'},
    'GetClientCertificate': {'RequestId', 'SiteId', 'SiteName', 'Status', 'Certificate', 'Result'},
    'ListClientCertificates': {'RequestId', 'SiteId', 'SiteName', 'TotalCount', 'PageNumber', 'PageSize', 'Result'},
    'RevokeClientCertificate': {'RequestId', 'SiteId', 'SiteName', 'Id'},
    'ActivateClientCertificate': {'RequestId', 'SiteId', 'SiteName', 'Id'},
    'DeleteClientCertificate': {'RequestId', 'SiteId', 'SiteName', 'Id'},
}


def _no_none(value, path='body'):
    if isinstance(value, dict):
        for key, item in value.items():
            _no_none(item, f'{path}.{key}')
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _no_none(item, f'{path}[{index}]')
    else:
        assert value is not None, path


def _check(client, response, action, documented=None):
    raw = client.raw_answers[-1]['body']
    # The model, turned back into a map, equals what the emulator sent: no field dropped, renamed or retyped.
    assert response.body.to_map() == raw
    assert set(raw) == (documented if documented is not None else DOCUMENTED[action])
    _no_none(response.body.to_map())
    results = raw.get('Result')
    for item in results if isinstance(results, list) else [results] if results else []:
        assert set(item) == RESULT_FIELDS
    return raw


@pytest.mark.parametrize('pkey_type', ['RSA', 'ECDSA'])
def test_every_action_answer_survives_the_model(client, pkey_type):
    created = client.create_client_certificate(models.CreateClientCertificateRequest(site_id=SITE_ID, pkey_type=pkey_type, validity_days=7))
    _check(client, created, 'CreateClientCertificate')
    certificate_id = created.body.id

    got = client.get_client_certificate(models.GetClientCertificateRequest(site_id=SITE_ID, id=certificate_id))
    _check(client, got, 'GetClientCertificate')
    assert got.body.result.cacertificate_id == created.body.cacertificate_id

    listed = client.list_client_certificates(models.ListClientCertificatesRequest(site_id=SITE_ID))
    raw = _check(client, listed, 'ListClientCertificates')
    assert raw['Result'][0] == got.body.result.to_map()

    for method, request_class, action in (
        (client.revoke_client_certificate, models.RevokeClientCertificateRequest, 'RevokeClientCertificate'),
        (client.activate_client_certificate, models.ActivateClientCertificateRequest, 'ActivateClientCertificate'),
        (client.revoke_client_certificate, models.RevokeClientCertificateRequest, 'RevokeClientCertificate'),
        (client.delete_client_certificate, models.DeleteClientCertificateRequest, 'DeleteClientCertificate'),
    ):
        _check(client, method(request_class(site_id=SITE_ID, id=certificate_id)), action)


def test_create_from_csr_answers_every_field_but_the_private_key(client, create):
    create()
    raw = client.raw_answers[-1]['body']
    assert set(raw) == DOCUMENTED['CreateClientCertificate'] - {'PrivateKey'}
    _no_none(raw)


def test_answer_types_match_the_documentation(client, create):
    created = create()
    raw_create = client.raw_answers[-1]['body']
    client.list_client_certificates(models.ListClientCertificatesRequest(site_id=SITE_ID))
    raw_list = client.raw_answers[-1]['body']
    assert isinstance(raw_create['ValidityDays'], int)  # the documented example answers the number 365
    assert (raw_list['SiteId'], raw_list['TotalCount'], raw_list['PageNumber'], raw_list['PageSize']) == (SITE_ID, 1, 1, 20)
    assert raw_list['Result'][0]['Id'] == created.id
