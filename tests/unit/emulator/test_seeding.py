"""Bulk seeding: a site with many certificates in seconds, each one as ESA would list, get and revoke it."""

from __future__ import annotations

import datetime
import hashlib
import json
import urllib.error
import urllib.request

import pytest
from alibabacloud_esa20240910 import models
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from esa_emulator import EmulatorServer

SITE_ID = 1234567890123
BASIC_SITE_ID = 2222222222222


def _list(client, page_number=1, page_size=100):
    return client.list_client_certificates(models.ListClientCertificatesRequest(site_id=SITE_ID, page_number=page_number, page_size=page_size)).body


def _post_seed(emu, document):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(f'{emu.url}/_emulator/seed', data=json.dumps(document).encode(), method='POST')
    try:
        with opener.open(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_seeded_certificates_are_listed_oldest_first_and_older_than_anything_created_later(esa_emulator, client, create):
    assert esa_emulator.seed_certificates(SITE_ID, 250, revoked_every=50) == 250
    fresh = create('fresh.example.com')

    pages = [_list(client, number) for number in (1, 2, 3)]
    listed = [item for page in pages for item in page.result]
    assert [page.total_count for page in pages] == [251, 251, 251]
    assert [len(page.result) for page in pages] == [100, 100, 51]
    assert [(item.create_time, item.id) for item in listed] == sorted((item.create_time, item.id) for item in listed)
    assert listed[-1].id == fresh.id  # the one created after the seeding is the newest
    assert len({item.id for item in listed}) == 251
    assert len({item.serial_number for item in listed}) == 251
    assert sum(1 for item in listed if item.status == 'revoked') == 5  # every 50th of 250
    assert listed[0].common_name == 'seeded-001.example.com'
    assert listed[249].common_name == 'seeded-250.example.com'
    # Seeding touches no counter: the ESA calls of a benchmark are the ones it made itself.
    assert esa_emulator.stats()['calls'] == {'CreateClientCertificate': 1, 'ListClientCertificates': 3}


def test_a_seeded_certificate_is_a_real_leaf_of_the_emulator_ca_that_get_and_revoke_know(esa_emulator, client):
    esa_emulator.seed_certificates(SITE_ID, 3, common_name_prefix='fleet', spacing_seconds=3600, validity_days=30)
    item = _list(client).result[0]
    answer = client.get_client_certificate(models.GetClientCertificateRequest(site_id=SITE_ID, id=item.id)).body
    certificate = x509.load_pem_x509_certificate(answer.certificate.encode('ascii'))
    ca = x509.load_pem_x509_certificate(esa_emulator.ca_pem.encode('ascii'))
    certificate.verify_directly_issued_by(ca)
    assert hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest() == answer.result.fingerprint_sha_256
    assert answer.result.common_name == 'fleet-1.example.com'
    assert answer.result.san == 'fleet-1.example.com'
    created = datetime.datetime.strptime(answer.result.create_time, '%Y-%m-%d %H:%M:%S')
    not_after = datetime.datetime.strptime(answer.result.not_after, '%Y-%m-%d %H:%M:%S')
    assert not_after - created == datetime.timedelta(days=30)
    # 3 certificates an hour apart, the newest an hour ago: the first listed is the oldest, 3 hours old.
    assert datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - created >= datetime.timedelta(hours=3)
    client.revoke_client_certificate(models.RevokeClientCertificateRequest(site_id=SITE_ID, id=item.id))
    assert client.get_client_certificate(models.GetClientCertificateRequest(site_id=SITE_ID, id=item.id)).body.result.status == 'revoked'


def test_the_control_route_seeds_and_refuses_bad_input_without_seeding(esa_emulator):
    assert _post_seed(esa_emulator, {'site_id': SITE_ID, 'count': 20}) == (200, {'seeded': 20, 'site_id': SITE_ID, 'total': 20})
    assert _post_seed(esa_emulator, {'site_id': SITE_ID, 'count': 5})[1]['total'] == 25
    for bad in ({'count': 5}, {'site_id': 999, 'count': 5}, {'site_id': SITE_ID, 'count': 0}, {'site_id': SITE_ID, 'count': 100_001},
                {'site_id': SITE_ID, 'count': '5'}, {'site_id': SITE_ID, 'count': 5, 'colour': 'red'}, {'site_id': SITE_ID, 'count': 5, 'validity_days': 0},
                [1, 2]):
        status, answer = _post_seed(esa_emulator, bad)
        assert status == 400, bad
        assert answer['error'], bad
    assert len(esa_emulator.state()) == 25


def test_another_site_is_untouched(esa_emulator, client):
    esa_emulator.seed_certificates(BASIC_SITE_ID, 10)
    assert _list(client).total_count == 0


def test_seeded_certificates_are_saved_once_and_survive_a_restart(tmp_path):
    state_file = tmp_path / 'state.json'
    with EmulatorServer(state_file=state_file) as emu:
        emu.seed_certificates(SITE_ID, 40)
        ids = [record['id'] for record in emu.state()]
    with EmulatorServer(state_file=state_file) as emu:
        assert [record['id'] for record in emu.state()] == ids


@pytest.mark.parametrize('options', [{'spacing_seconds': 0}, {'revoked_every': -1}, {'common_name_prefix': ' '}])
def test_bad_options_raise_value_error(esa_emulator, options):
    with pytest.raises(ValueError):
        esa_emulator.seed_certificates(SITE_ID, 5, **options)
    assert esa_emulator.state() == []
