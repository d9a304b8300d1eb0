"""Fault injection as the SDK sees it, and the emulator-only control routes."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import alibabacloud_tea_openapi
import pytest
from alibabacloud_esa20240910 import models
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
from darabonba.exceptions import UnretryableException

SITE_ID = 1234567890123


def _list(client):
    return client.list_client_certificates(models.ListClientCertificatesRequest(site_id=SITE_ID)).body


def _control(emu, method, route, document=None):
    data = json.dumps(document).encode('utf-8') if document is not None else None
    request = urllib.request.Request(f'{emu.url}/_emulator/{route}', data=data, method=method, headers={'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _outcomes(client, count):
    outcomes = []
    while len(outcomes) < count:
        try:
            _list(client)
            outcomes.append('OK')
        except ThrottlingException as error:
            outcomes.append(error.code)
    return outcomes


def test_reset_after_effect_raises_yet_the_certificate_exists(esa_emulator, client, create):
    esa_emulator.set_faults([{'type': 'reset_after_effect', 'action': 'CreateClientCertificate', 'times': 1}])
    with pytest.raises(UnretryableException) as caught:
        create('lost-answer.example.com')
    assert 'reset' in str(caught.value.inner_exception).lower()
    listed = _list(client)
    assert [item.common_name for item in listed.result] == ['lost-answer.example.com']
    assert esa_emulator.stats()['answers']['ConnectionReset'] == 1
    create('second.example.com')  # times: 1, so the next call is answered
    assert _list(client).total_count == 2


def test_reset_before_effect_changes_nothing(esa_emulator, client, create):
    esa_emulator.set_faults([{'type': 'reset_before_effect', 'times': 1}])
    with pytest.raises(UnretryableException):
        create()
    assert _list(client).total_count == 0


def test_times_and_action_filter(esa_emulator, client, create):
    esa_emulator.set_faults([{'type': 'throttle', 'action': ['ListClientCertificates'], 'times': 2, 'retry_after_ms': 7}])
    create()  # another action: untouched
    assert _outcomes(client, 3) == ['Throttling.User', 'Throttling.User', 'OK']
    rules = esa_emulator.service.faults.to_json()['rules']
    assert rules == [{'type': 'throttle', 'action': ['ListClientCertificates'], 'times': 0, 'probability': 1.0,
                      'code': 'Throttling.User', 'status': 429, 'retry_after_ms': 7}]


def test_probability_is_seeded_and_replays(esa_emulator, client):
    rules = [{'type': 'throttle', 'probability': 0.5}]
    esa_emulator.set_faults(rules)
    first = _outcomes(client, 16)
    esa_emulator.set_faults(rules)
    assert _outcomes(client, 16) == first
    assert 'OK' in first
    assert 'Throttling.User' in first


def test_latency_delays_and_a_short_read_timeout_fails(esa_emulator, client, make_client):
    esa_emulator.set_faults([{'type': 'latency', 'latency_ms': 300}])
    started = time.monotonic()
    _list(client)
    assert time.monotonic() - started >= 0.3
    with pytest.raises(UnretryableException) as caught:
        _list(make_client(read_timeout=100))
    assert 'timed out' in str(caught.value.inner_exception).lower()


def test_rules_apply_in_order(esa_emulator, client):
    esa_emulator.set_faults([{'type': 'latency', 'latency_ms': 150}, {'type': 'server_error', 'times': 1}, {'type': 'throttle'}])
    started = time.monotonic()
    with pytest.raises(ServerException) as caught:
        _list(client)
    assert time.monotonic() - started >= 0.15
    assert (caught.value.code, caught.value.status_code) == ('ServiceUnavailable', 503)
    with pytest.raises(ThrottlingException):  # the server error is used up, the throttle rule is next
        _list(client)
    assert esa_emulator.stats()['faults_injected'] == {'latency': 2, 'server_error': 1, 'throttle': 1}


def test_control_routes(esa_emulator, client, create):
    create()
    status, faults = _control(esa_emulator, 'POST', 'faults', {'rules': [{'type': 'throttle', 'times': 1}], 'qps_limit': 50})
    assert status == 200
    assert faults['qps_limit'] == 50
    assert faults['rules'][0]['code'] == 'Throttling.User'
    assert _control(esa_emulator, 'POST', 'faults', [{'type': 'latency', 'latency_ms': 1}])[1]['qps_limit'] is None
    assert _control(esa_emulator, 'DELETE', 'faults') == (200, {'rules': [], 'qps_limit': None})
    assert _control(esa_emulator, 'GET', 'faults') == (200, {'rules': [], 'qps_limit': None})

    status, clock = _control(esa_emulator, 'POST', 'clock', {'offset_seconds': 90})
    assert status == 200
    assert clock['offset_seconds'] == 90
    _control(esa_emulator, 'POST', 'clock', {'offset_seconds': 0})

    status, state = _control(esa_emulator, 'GET', 'state')
    assert status == 200
    assert len(state['certificates']) == 1
    assert {'id', 'site_id', 'status', 'certificate_pem', 'fingerprint_sha256', 'serial_number'} <= set(state['certificates'][0])

    status, stats = _control(esa_emulator, 'GET', 'stats')
    assert status == 200
    assert stats['calls'] == {'CreateClientCertificate': 1}
    assert stats['answers'] == {'OK': 1}
    assert stats['requests_total'] == 1
    assert _control(esa_emulator, 'POST', 'stats/reset')[1]['requests_total'] == 0

    assert _control(esa_emulator, 'POST', 'reset') == (200, {'reset': True})
    assert _list(client).total_count == 0


@pytest.mark.parametrize(('route', 'document'), [
    ('faults', [{'type': 'explode'}]),
    ('faults', [{'type': 'throttle', 'colour': 'red'}]),
    ('faults', [{'type': 'throttle', 'probability': 2}]),
    ('faults', [{'type': 'server_error', 'code': 'Made.Up'}]),
    ('faults', {'rules': [], 'qps_limit': 0}),
    ('faults', [{'type': 'throttle', 'retry_after_ms': -1}]),
    ('faults', [{'type': 'throttle', 'code': 'Throttling.user', 'status': 429.5}]),
    ('faults', {'rulez': []}),
    ('clock', {'offset': 5}),
])
def test_control_routes_refuse_bad_input(esa_emulator, route, document):
    status, answer = _control(esa_emulator, 'POST', route, document)
    assert status == 400
    assert answer['error']
    assert esa_emulator.service.faults.to_json() == {'rules': [], 'qps_limit': None}


@pytest.mark.parametrize(('rule', 'status', 'code', 'header'), [
    ({'type': 'throttle'}, 429, 'Throttling.User', '100'),
    ({'type': 'throttle', 'status': 400, 'retry_after_ms': 2500}, 400, 'Throttling.User', '2500'),
    ({'type': 'throttle', 'code': 'Throttling.user', 'retry_after_ms': None}, 400, 'Throttling.user', None),
    ({'type': 'throttle', 'code': 'Throttling.ConcurrentLimitExceeded', 'status': 429, 'retry_after_ms': None}, 429,
     'Throttling.ConcurrentLimitExceeded', None),
    ({'type': 'throttle', 'code': 'Rejected.Throttling', 'status': 503}, 503, 'Rejected.Throttling', '100'),
    ({'type': 'throttle', 'code': 'ServiceUnavailable', 'retry_after_ms': 0}, 503, 'ServiceUnavailable', '0'),
])
def test_throttle_shapes_on_the_wire(esa_emulator, signed_call, rule, status, code, header):
    esa_emulator.set_faults([rule])
    answer = signed_call()
    assert (answer.status, answer.body['Code']) == (status, code)
    assert answer.headers.get('x-acs-retry-after') == header
    assert esa_emulator.stats()['throttled'] == 1  # flow control, with or without the header
    shown = esa_emulator.service.faults.to_json()['rules'][0]
    assert shown['retry_after_ms'] == (int(header) if header is not None else None)  # null reads back as null
    esa_emulator.set_faults([{key: value for key, value in shown.items() if key != 'times'}])  # and round-trips
    assert signed_call().headers.get('x-acs-retry-after') == header


def test_qps_limit_answers_can_take_the_gateway_shapes(esa_emulator, client, signed_call):
    esa_emulator.set_faults([], qps_limit=1, qps_throttle={'code': 'Throttling.user', 'retry_after_ms': None})
    _list(client)
    # No x-acs-retry-after: tea-openapi 0.4.6 raises by status (ClientException), 0.4.5 by the code (ThrottlingException).
    with pytest.raises(ThrottlingException if alibabacloud_tea_openapi.__version__ == '0.4.5' else ClientException) as caught:
        _list(client)
    assert (caught.value.code, caught.value.status_code) == ('Throttling.user', 400)
    assert esa_emulator.service.faults.to_json()['qps_throttle'] == {'code': 'Throttling.user', 'status': 400, 'retry_after_ms': None}

    esa_emulator.set_faults([], qps_limit=1, qps_throttle={'code': 'ServiceUnavailable', 'retry_after_ms': 1500})
    signed_call()
    answer = signed_call()
    assert (answer.status, answer.body['Code'], answer.headers['x-acs-retry-after']) == (503, 'ServiceUnavailable', '1500')

    esa_emulator.set_faults([], qps_limit=1, qps_throttle={'status': 400})  # computed wait, as without a shape
    signed_call()
    answer = signed_call()
    assert (answer.status, answer.body['Code']) == (400, 'Throttling.User')
    assert 0 < int(answer.headers['x-acs-retry-after']) <= 1000
    assert esa_emulator.stats()['throttled'] == 3


def test_qps_throttle_through_the_control_route(esa_emulator):
    document = {'rules': [], 'qps_limit': 5, 'qps_throttle': {'code': 'Rejected.Throttling', 'status': 503, 'retry_after_ms': None}}
    assert _control(esa_emulator, 'POST', 'faults', document) == (200, {
        'rules': [], 'qps_limit': 5, 'qps_throttle': {'code': 'Rejected.Throttling', 'status': 503, 'retry_after_ms': None}})
    assert _control(esa_emulator, 'POST', 'faults', {'rules': [], 'qps_throttle': {'code': 'Made.Up'}})[0] == 400
    assert _control(esa_emulator, 'POST', 'faults', {'rules': [], 'qps_throttle': {'colour': 'red'}})[0] == 400
    assert _control(esa_emulator, 'GET', 'faults')[1]['qps_throttle']['code'] == 'Rejected.Throttling'  # refused input changed nothing
    assert _control(esa_emulator, 'DELETE', 'faults') == (200, {'rules': [], 'qps_limit': None})


def test_unknown_control_route(esa_emulator):
    assert _control(esa_emulator, 'GET', 'nothing-here')[0] == 404
