"""Client CA certificates a user uploads: Upload, Get, List, Delete, through the official SDK, with ESA's refusals."""

from __future__ import annotations

import concurrent.futures
import datetime
import hashlib

import pytest
from alibabacloud_esa20240910 import models
from alibabacloud_esa20240910.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils_models import Config
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from esa_emulator import EmulatorServer

SITE_ID = 1234567890123
BASIC_SITE_ID = 2222222222222
UNKNOWN_ID = '0123456789abcdef0123456789abcdef'

# Documented answer fields (ESA API reference), written out rather than read from the SDK models.
CA_RESULT_FIELDS = {'Id', 'Name', 'Status', 'Type', 'CommonName', 'NotBefore', 'NotAfter', 'Issuer', 'SAN', 'SignatureAlgorithm',
                    'PubkeyAlgorithm', 'CreateTime', 'UpdateTime', 'SerialNumber', 'FingerprintSha256'}
DOCUMENTED = {
    'UploadClientCaCertificate': {'RequestId', 'Id', 'Status', 'CommonName', 'NotBefore', 'NotAfter', 'Issuer', 'SerialNumber',
                                  'FingerprintSha256', 'SignatureAlgorithm', 'ValidityDays'},
    'GetClientCaCertificate': {'RequestId', 'SiteId', 'SiteName', 'Status', 'Certificate', 'Result'},
    'ListClientCaCertificates': {'RequestId', 'SiteId', 'SiteName', 'TotalCount', 'PageNumber', 'PageSize', 'Result'},
    'DeleteClientCaCertificate': {'RequestId', 'SiteId', 'SiteName', 'Id'},
}
NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def _upload(client, pem, name=None, site_id=SITE_ID):
    return client.upload_client_ca_certificate(models.UploadClientCaCertificateRequest(site_id=site_id, certificate=pem, name=name))


def _get(client, ca_id, site_id=SITE_ID):
    return client.get_client_ca_certificate(models.GetClientCaCertificateRequest(site_id=site_id, id=ca_id))


def _list(client, site_id=SITE_ID, **fields):
    return client.list_client_ca_certificates(models.ListClientCaCertificatesRequest(site_id=site_id, **fields))


def _delete(client, ca_id, site_id=SITE_ID):
    return client.delete_client_ca_certificate(models.DeleteClientCaCertificateRequest(site_id=site_id, id=ca_id))


def _check(client, response, action):
    raw = client.raw_answers[-1]['body']
    assert response.body.to_map() == raw  # the model loses, renames and retypes nothing
    assert set(raw) == DOCUMENTED[action]
    results = raw.get('Result')
    for item in results if isinstance(results, list) else [results] if results else []:
        assert set(item) == CA_RESULT_FIELDS
        assert all(value is not None for value in item.values())
    return raw


def _refused(call, code='InvalidParameter', status=400):
    with pytest.raises(ClientException) as caught:
        call()
    assert (caught.value.status_code, caught.value.code) == (status, code)
    return caught.value


@pytest.mark.parametrize(('key_name', 'digest', 'algorithm', 'pubkey'), [
    ('rsa2048', hashes.SHA256(), 'SHA256-RSA', 'RSA'),
    ('p384', hashes.SHA384(), 'SHA384-ECDSA', 'ECDSA'),
])
def test_upload_get_list_delete_answer_every_documented_field(client, keys, make_ca_pem, key_name, digest, algorithm, pubkey):
    pem = make_ca_pem(keys[key_name], 'Fleet Client CA', digest=digest)
    certificate = x509.load_pem_x509_certificate(pem.encode('ascii'))

    uploaded = _upload(client, pem, name='fleet-ca')
    raw = _check(client, uploaded, 'UploadClientCaCertificate')
    assert raw['Status'] == 'OK'
    assert len(raw['Id']) == 32
    assert raw['FingerprintSha256'] == hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()
    assert raw['SerialNumber'] == format(certificate.serial_number, 'x')
    assert (raw['CommonName'], raw['Issuer'], raw['SignatureAlgorithm']) == ('Fleet Client CA', 'Fleet Client CA', algorithm)
    assert raw['ValidityDays'] == '3650'  # a string, as the API reference types it
    assert raw['NotBefore'] == certificate.not_valid_before_utc.strftime('%Y-%m-%dT%H:%M:%SZ')
    assert raw['NotAfter'] == certificate.not_valid_after_utc.strftime('%Y-%m-%dT%H:%M:%SZ')

    got = _get(client, uploaded.body.id)
    raw_get = _check(client, got, 'GetClientCaCertificate')
    assert raw_get['Status'] == 'OK'
    assert raw_get['SiteId'] == SITE_ID
    assert raw_get['SiteName'] == 'example.com'
    assert x509.load_pem_x509_certificate(raw_get['Certificate'].encode('ascii')) == certificate
    result = raw_get['Result']
    assert (result['Id'], result['Name'], result['Status'], result['PubkeyAlgorithm']) == (uploaded.body.id, 'fleet-ca', 'OK', pubkey)
    assert result['NotAfter'] == certificate.not_valid_after_utc.strftime('%Y-%m-%d %H:%M:%S')  # Get answers the plain format
    assert result['FingerprintSha256'] == raw['FingerprintSha256']

    listed = _list(client)
    raw_list = _check(client, listed, 'ListClientCaCertificates')
    assert (raw_list['TotalCount'], raw_list['PageNumber'], raw_list['PageSize']) == (1, 1, 20)
    assert raw_list['Result'] == [result]

    deleted = _delete(client, uploaded.body.id)
    assert _check(client, deleted, 'DeleteClientCaCertificate')['Id'] == uploaded.body.id
    _refused(lambda: _get(client, uploaded.body.id), 'Certificate.NotFound', 404)
    assert _list(client).body.total_count == 0


def test_name_defaults_to_the_common_name(client, keys, make_ca_pem):
    uploaded = _upload(client, make_ca_pem(keys['p256'], 'Unnamed CA'))
    assert _get(client, uploaded.body.id).body.result.name == 'Unnamed CA'


def test_listing_pages_like_client_certificates(esa_emulator, client, keys, make_ca_pem):
    esa_emulator.update_settings(client_ca_limit={'max': None})  # more than a plan holds, to fill three pages
    ids = []
    for index in range(25):
        esa_emulator.set_clock_offset(index)  # distinct creation times make the order visible
        ids.append(_upload(client, make_ca_pem(keys['p256'], f'CA {index}')).body.id)
    esa_emulator.set_clock_offset(0)
    pages = [_list(client, page_number=n).body for n in (1, 2, 3)]
    assert [len(page.result) for page in pages] == [20, 5, 0]
    assert all(page.total_count == 25 for page in pages)
    assert [item.id for page in pages for item in page.result] == ids
    assert [item.id for item in _list(client, page_size=7, page_number=2).body.result] == ids[7:14]
    _refused(lambda: _list(client, page_size=101))
    _refused(lambda: _list(client, page_number=0))


def test_the_same_certificate_may_be_uploaded_twice(client, keys, make_ca_pem):
    # ESA keys uploads by Id, not by content: idempotence is the collection's job, so the emulator must not hide duplicates.
    pem = make_ca_pem(keys['p256'])
    first, second = _upload(client, pem).body, _upload(client, pem).body
    assert first.id != second.id
    assert first.fingerprint_sha_256 == second.fingerprint_sha_256
    assert _list(client).body.total_count == 2


@pytest.mark.parametrize('case', ['garbage', 'empty', 'private-key', 'leaf', 'no-basic-constraints', 'expired', 'not-yet-valid', 'long-name'])
def test_upload_refuses_what_esa_refuses(esa_emulator, client, keys, make_ca_pem, case):
    key = keys['p256']
    pem = {
        'garbage': '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n',
        'empty': '',
        'private-key': key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()).decode('ascii'),
        'leaf': make_ca_pem(key, ca=False),
        'no-basic-constraints': make_ca_pem(key, basic_constraints=False),
        'expired': make_ca_pem(key, days=10, starts=NOW - datetime.timedelta(days=30)),
        'not-yet-valid': make_ca_pem(key, starts=NOW + datetime.timedelta(days=2)),
        'long-name': make_ca_pem(key),
    }[case]
    name = 'n' * 129 if case == 'long-name' else None
    error = _refused(lambda: _upload(client, pem, name=name))
    assert error.data['Message'] == 'The specified parameter is invalid.'
    assert esa_emulator.client_cas() == []


def test_a_plan_without_the_feature_refuses_uploads_and_answers_the_rest(client, keys, make_ca_pem):
    """Only UploadClientCaCertificate documents QuotaCheckFailed.Function; Get, List and Delete answer as for any site."""
    _refused(lambda: _upload(client, make_ca_pem(keys['p256']), site_id=BASIC_SITE_ID), 'QuotaCheckFailed.Function')
    assert _list(client, site_id=BASIC_SITE_ID).body.total_count == 0
    _refused(lambda: _get(client, UNKNOWN_ID, site_id=BASIC_SITE_ID), 'Certificate.NotFound', 404)
    _refused(lambda: _delete(client, UNKNOWN_ID, site_id=BASIC_SITE_ID), 'Certificate.NotFound', 404)


def test_the_sixth_client_ca_of_a_site_is_refused(esa_emulator, client, keys, make_ca_pem):
    """The ESA user guide allows 5 client CA certificates per plan; the answer to the 6th is not documented (see README)."""
    kept = [_upload(client, make_ca_pem(keys['p256'], f'CA {n}')).body.id for n in range(5)]
    error = _refused(lambda: _upload(client, make_ca_pem(keys['p256'], 'CA 5')), 'QuotaCheckFailed.Function')
    assert error.data['Message'] == 'The feature is unavailable in your plan. Upgrade the plan or contact your account manager to request the feature.'
    assert sorted(record['id'] for record in esa_emulator.client_cas()) == sorted(kept)
    _delete(client, kept[0])  # a freed slot takes an upload again
    _upload(client, make_ca_pem(keys['p256'], 'CA 6'))
    _refused(lambda: _upload(client, make_ca_pem(keys['p256'], 'CA 7')), 'QuotaCheckFailed.Function')
    assert _list(client).body.total_count == 5


def test_concurrent_uploads_never_pass_the_limit(esa_emulator, keys, make_ca_pem, make_client):
    pems = [make_ca_pem(keys['p256'], f'CA {n}') for n in range(10)]

    def upload(pem):
        try:
            return _upload(make_client(), pem).body.id
        except ClientException as error:
            return error.code

    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(upload, pems))
    assert sorted(outcome == 'QuotaCheckFailed.Function' for outcome in outcomes) == [False] * 5 + [True] * 5
    assert len(esa_emulator.client_cas()) == 5


def test_the_client_ca_limit_and_its_answer_are_settings(esa_emulator, client, keys, make_ca_pem):
    settings = esa_emulator.update_settings(client_ca_limit={'max': 1, 'code': 'QuotaExceeded.ClientCaCertificate', 'status': 409,
                                                             'message': 'At most 1 client CA certificate.'})
    assert settings['client_ca_limit'] == {'max': 1, 'code': 'QuotaExceeded.ClientCaCertificate', 'status': 409,
                                           'message': 'At most 1 client CA certificate.'}
    _upload(client, make_ca_pem(keys['p256']))
    error = _refused(lambda: _upload(client, make_ca_pem(keys['p256'])), 'QuotaExceeded.ClientCaCertificate', 409)
    assert error.data['Message'] == 'At most 1 client CA certificate.'
    esa_emulator.update_settings(client_ca_limit={'code': 'InvalidParameter'})  # a known code brings its status and message
    error = _refused(lambda: _upload(client, make_ca_pem(keys['p256'])), 'InvalidParameter', 400)
    assert error.data['Message'] == 'The specified parameter is invalid.'
    esa_emulator.update_settings(client_ca_limit={'max': None})
    _upload(client, make_ca_pem(keys['p256']))
    assert len(esa_emulator.client_cas()) == 2


def test_the_client_ca_limit_counts_per_site(keys, make_ca_pem):
    config = {'sites': [
        {'site_id': 1, 'site_name': 'one.example', 'client_certificates': True, 'hostnames': ['one.example']},
        {'site_id': 2, 'site_name': 'two.example', 'client_certificates': True, 'hostnames': ['two.example']},
    ], 'client_ca_limit': {'max': 2}}
    with EmulatorServer(config=config) as emu:
        sdk = Client(Config(**emu.credentials, endpoint=emu.endpoint, protocol='http'))
        for name in ('CA 1', 'CA 2'):
            _upload(sdk, make_ca_pem(keys['p256'], name), site_id=1)
        _refused(lambda: _upload(sdk, make_ca_pem(keys['p256']), site_id=1), 'QuotaCheckFailed.Function')
        _upload(sdk, make_ca_pem(keys['p256']), site_id=2)
        assert emu.settings()['client_ca_limit']['max'] == 2


@pytest.mark.parametrize('mode', ['empty', 'absent'])
def test_derived_fields_of_client_cas_can_come_back_empty_or_absent(esa_emulator, client, keys, make_ca_pem, mode):
    esa_emulator.update_settings(derived_fields={'client_ca_certificates': mode})
    uploaded = _upload(client, make_ca_pem(keys['p256']))
    got = _get(client, uploaded.body.id)
    listed = _list(client)
    answers = [client.raw_answers[-3]['body'], client.raw_answers[-2]['body']['Result'], client.raw_answers[-1]['body']['Result'][0]]
    for answer in answers:
        if mode == 'empty':
            assert (answer['SerialNumber'], answer['FingerprintSha256']) == ('', '')
        else:
            assert 'SerialNumber' not in answer
            assert 'FingerprintSha256' not in answer
        assert answer['CommonName'] == 'Example Client CA'  # everything else as usual
    expected = '' if mode == 'empty' else None
    assert (uploaded.body.fingerprint_sha_256, got.body.result.fingerprint_sha_256, listed.body.result[0].fingerprint_sha_256) == (expected,) * 3
    assert esa_emulator.client_cas()[0]['fingerprint_sha256']  # the emulator's own view keeps the facts


@pytest.mark.parametrize('action', ['get', 'delete'])
def test_unknown_or_missing_id(client, action):
    call = _get if action == 'get' else _delete
    _refused(lambda: call(client, UNKNOWN_ID), 'Certificate.NotFound', 404)
    _refused(lambda: call(client, None), 'Id.MissingParameter')


def test_client_cas_survive_a_restart(tmp_path, keys, make_ca_pem):
    state_file = tmp_path / 'esa-state.json'
    pem = make_ca_pem(keys['rsa2048'])
    with EmulatorServer(state_file=state_file) as emu:
        sdk = Client(Config(**emu.credentials, endpoint=emu.endpoint, protocol='http'))
        kept = _upload(sdk, pem, name='kept').body
        gone = _upload(sdk, pem, name='gone').body
        _delete(sdk, gone.id)
    assert 'PRIVATE' not in state_file.read_text(encoding='utf-8')
    with EmulatorServer(state_file=state_file) as emu:
        sdk = Client(Config(**emu.credentials, endpoint=emu.endpoint, protocol='http'))
        assert [item.id for item in _list(sdk).body.result] == [kept.id]
        assert _get(sdk, kept.id).body.result.name == 'kept'
        assert [record['id'] for record in emu.client_cas()] == [kept.id]
