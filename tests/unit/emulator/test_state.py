"""Paging, persistence across restarts, the QPS limit, and many concurrent clients."""

from __future__ import annotations

import concurrent.futures
import json
import os
import stat
import time

import pytest
from alibabacloud_esa20240910 import models
from alibabacloud_esa20240910.client import Client
from alibabacloud_tea_openapi.exceptions import ThrottlingException
from alibabacloud_tea_openapi.utils_models import Config
from esa_emulator import EmulatorServer

SITE_ID = 1234567890123


def _list(client, **fields):
    return client.list_client_certificates(models.ListClientCertificatesRequest(site_id=SITE_ID, **fields)).body


def _sdk(emu):
    return Client(Config(**emu.credentials, endpoint=emu.endpoint, protocol='http'))


def test_paging_is_complete_and_stable(esa_emulator, client, create):
    created = []
    for batch in range(3):  # three creation times, so the order by creation time is visible
        esa_emulator.set_clock_offset(batch * 60 - 120)
        created += [create(f'host-{batch}-{n}.example.com').id for n in range(15)]
    esa_emulator.set_clock_offset(0)

    everything = _list(client, page_size=100)
    ordered = [(item.create_time, item.id) for item in everything.result]
    assert everything.total_count == 45
    assert ordered == sorted(ordered)
    assert sorted(item.id for item in everything.result) == sorted(created)

    pages = [_list(client, page_number=n) for n in (1, 2, 3)]  # default PageSize 20
    assert [len(page.result) for page in pages] == [20, 20, 5]
    assert all(page.total_count == 45 for page in pages)
    assert all(page.page_size == 20 for page in pages)
    assert [item.id for page in pages for item in page.result] == [item.id for item in everything.result]

    beyond = _list(client, page_number=4)
    assert beyond.result == []
    assert beyond.total_count == 45
    assert beyond.page_number == 4
    assert [item.id for item in _list(client, page_number=2, page_size=7).result] == [item.id for item in everything.result][7:14]


def test_state_survives_a_restart_and_keeps_no_private_key(tmp_path, make_csr, keys):
    state_file = tmp_path / 'esa-state.json'
    with EmulatorServer(state_file=state_file) as emu:
        sdk = _sdk(emu)
        kept = sdk.create_client_certificate(models.CreateClientCertificateRequest(site_id=SITE_ID, csr=make_csr(keys['p256']), validity_days=10)).body
        gone = sdk.create_client_certificate(models.CreateClientCertificateRequest(site_id=SITE_ID, pkey_type='ECDSA', validity_days=10)).body
        sdk.revoke_client_certificate(models.RevokeClientCertificateRequest(site_id=SITE_ID, id=kept.id))
        sdk.revoke_client_certificate(models.RevokeClientCertificateRequest(site_id=SITE_ID, id=gone.id))
        sdk.delete_client_certificate(models.DeleteClientCertificateRequest(site_id=SITE_ID, id=gone.id))
        ca_pem = emu.ca_pem

    text = state_file.read_text(encoding='utf-8')
    assert 'PRIVATE KEY' not in text
    assert [record['id'] for record in json.loads(text)['certificates']] == [kept.id]
    ca_file = tmp_path / 'esa-state.json.ca.pem'
    assert stat.S_IMODE(os.stat(ca_file).st_mode) == 0o600
    assert 'PRIVATE KEY' in ca_file.read_text(encoding='utf-8')
    assert sorted(os.listdir(tmp_path)) == ['esa-state.json', 'esa-state.json.ca.pem']  # no temporary file left behind

    with EmulatorServer(state_file=state_file) as emu:
        assert emu.ca_pem == ca_pem
        sdk = _sdk(emu)
        listed = _list(sdk)
        assert [(item.id, item.status) for item in listed.result] == [(kept.id, 'revoked')]
        got = sdk.get_client_certificate(models.GetClientCertificateRequest(site_id=SITE_ID, id=kept.id)).body
        assert got.certificate == kept.certificate
        sdk.activate_client_certificate(models.ActivateClientCertificateRequest(site_id=SITE_ID, id=kept.id))

    with EmulatorServer(state_file=state_file) as emu:
        assert _list(_sdk(emu)).result[0].status == 'active'


def test_qps_limit_throttles_then_lets_through(esa_emulator, client):
    esa_emulator.set_faults([], qps_limit=3)
    answers = []
    while len(answers) < 6:
        try:
            _list(client)
            answers.append('OK')
        except ThrottlingException as error:
            assert (error.code, error.status_code) == ('Throttling.User', 429)
            assert 0 < error.retry_after <= 1000
            answers.append(error.retry_after)
    waits = [answer for answer in answers if answer != 'OK']
    # Four calls take far less than a second, so the fourth is over the limit; later ones may see a slot free up.
    assert answers[:3] == ['OK'] * 3
    assert answers[3] != 'OK'
    assert esa_emulator.stats()['throttled'] == len(waits)
    time.sleep(max(waits) / 1000 + 0.05)
    _list(client)


def test_fifty_concurrent_clients(esa_emulator, make_csr, keys):
    csr = make_csr(keys['p256'], 'fleet.example.com')

    def one_client(number):
        sdk = _sdk(esa_emulator)
        created = sdk.create_client_certificate(models.CreateClientCertificateRequest(site_id=SITE_ID, csr=csr, validity_days=5)).body
        got = sdk.get_client_certificate(models.GetClientCertificateRequest(site_id=SITE_ID, id=created.id)).body
        return number, got.result.id

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        results = dict(pool.map(one_client, range(50)))
    assert sorted(results) == list(range(50))
    assert len(set(results.values())) == 50
    assert _list(_sdk(esa_emulator), page_size=100).total_count == 50
    stats = esa_emulator.stats()
    assert stats['calls'] == {'CreateClientCertificate': 50, 'GetClientCertificate': 50, 'ListClientCertificates': 1}
    assert stats['answers'] == {'OK': 101}


@pytest.mark.parametrize('bad', ['not json', '{"format": 99}'])
def test_unreadable_state_file_is_refused(tmp_path, bad):
    state_file = tmp_path / 'state.json'
    state_file.write_text(bad, encoding='utf-8')
    with pytest.raises(ValueError):
        EmulatorServer(state_file=state_file)
