"""The faults a client meets below ESA's JSON answers: silence, an HTML error page, a redirect, an untrusted TLS certificate."""

from __future__ import annotations

import http.client
import ssl
import time

import pytest
from alibabacloud_esa20240910 import models
from alibabacloud_esa20240910.client import Client
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.exceptions import UnretryableException

from esa_emulator import EmulatorServer

SITE_ID = 1234567890123


def _list(client):
    return client.list_client_certificates(models.ListClientCertificatesRequest(site_id=SITE_ID)).body


def test_silent_holds_the_answer_until_the_read_times_out(esa_emulator, make_client):
    esa_emulator.set_faults([{'type': 'silent', 'times': 1}])
    started = time.monotonic()
    with pytest.raises(UnretryableException) as caught:
        _list(make_client(read_timeout=300))
    assert time.monotonic() - started >= 0.3
    assert 'timed out' in str(caught.value.inner_exception).lower()


def test_silent_changes_nothing_and_counts_as_no_answer(esa_emulator, make_client, client):
    esa_emulator.set_faults([{'type': 'silent', 'times': 1}])
    with pytest.raises(UnretryableException):
        _list(make_client(read_timeout=200))
    assert _list(client).total_count == 0
    assert esa_emulator.stats()['answers']['NoAnswer'] == 1


def test_html_error_answers_a_page_the_sdk_cannot_parse(esa_emulator, client):
    esa_emulator.set_faults([{'type': 'html_error', 'times': 1}])
    with pytest.raises(UnretryableException) as caught:
        _list(client)
    assert 'json' in str(caught.value.inner_exception).lower()
    assert esa_emulator.stats()['answers'] == {'HtmlAnswer': 1}


def test_html_error_defaults_to_502(esa_emulator):
    esa_emulator.set_faults([{'type': 'html_error'}])
    assert esa_emulator.service.faults.to_json()['rules'][0]['status'] == 502


def test_html_error_takes_its_status(esa_emulator):
    esa_emulator.set_faults([{'type': 'html_error', 'status': 504}])
    assert esa_emulator.service.faults.to_json()['rules'][0]['status'] == 504


def test_redirect_sends_the_request_back_and_the_repeat_is_answered(esa_emulator, client):
    esa_emulator.set_faults([{'type': 'redirect', 'times': 1}])
    assert _list(client).total_count == 0
    assert esa_emulator.stats()['calls'] == {'ListClientCertificates': 2}
    assert esa_emulator.stats()['answers'] == {'Redirected': 1, 'OK': 1}


def test_redirect_comes_before_the_gateway_so_the_nonce_is_not_spent(esa_emulator, client):
    esa_emulator.set_faults([{'type': 'redirect', 'times': 1}])
    _list(client)
    assert 'SignatureNonceUsed' not in esa_emulator.stats()['answers']


def test_request_ids_are_the_ones_answered(esa_emulator, client):
    answer = _list(client)
    assert esa_emulator.request_ids() == [answer.request_id]


def _one_connection(emu):
    connection = http.client.HTTPConnection(emu.host, emu.port, timeout=5)
    connection.request('GET', '/_emulator/stats')
    connection.getresponse().read()
    connection.close()


def test_connections_counts_each_accepted_connection(esa_emulator):
    _one_connection(esa_emulator)
    _one_connection(esa_emulator)
    assert esa_emulator.connections == 2


def test_reset_zeroes_the_connection_count(esa_emulator):
    _one_connection(esa_emulator)
    esa_emulator.reset()
    assert esa_emulator.connections == 0


def test_tls_mode_serves_https_to_a_client_that_trusts_its_ca():
    with EmulatorServer(tls=True) as emu:
        context = ssl.create_default_context(cadata=emu.ca_pem)
        connection = http.client.HTTPSConnection(emu.host, emu.port, context=context, timeout=5)
        connection.request('GET', '/_emulator/stats')
        assert connection.getresponse().status == 200
        connection.close()
    assert emu.url.startswith('https://')


def test_tls_mode_is_refused_by_the_sdk_which_does_not_trust_the_emulator_ca(esa_emulator_tls):
    client_config = Config(**esa_emulator_tls.credentials, endpoint=esa_emulator_tls.endpoint, protocol='https', read_timeout=5000)
    with pytest.raises(UnretryableException) as caught:
        _list(Client(client_config))
    assert 'CERTIFICATE_VERIFY_FAILED' in str(caught.value.inner_exception)
    assert esa_emulator_tls.connections == 1
    assert esa_emulator_tls.stats()['requests_total'] == 0


@pytest.mark.parametrize('rule', [
    {'type': 'html_error', 'status': 200},
    {'type': 'html_error', 'status': 502.5},
    {'type': 'silent', 'latency_ms': 'x'},
])
def test_new_fault_types_refuse_bad_input(esa_emulator, rule):
    with pytest.raises(ValueError):
        esa_emulator.set_faults([rule])


@pytest.mark.parametrize('header', ['', '-5', 'soon', '1.5'])
def test_retry_after_header_is_sent_verbatim(esa_emulator, signed_call, header):
    esa_emulator.set_faults([{'type': 'throttle', 'retry_after_header': header}])
    assert signed_call().headers.get('x-acs-retry-after') == header


def test_retry_after_header_reads_back_and_round_trips(esa_emulator, signed_call):
    esa_emulator.set_faults([{'type': 'server_error', 'retry_after_header': 'soon'}])
    shown = esa_emulator.service.faults.to_json()['rules'][0]
    assert shown['retry_after_header'] == 'soon'
    esa_emulator.set_faults([shown])
    assert signed_call().headers.get('x-acs-retry-after') == 'soon'


def test_retry_after_header_must_be_a_string(esa_emulator):
    with pytest.raises(ValueError):
        esa_emulator.set_faults([{'type': 'throttle', 'retry_after_header': 5}])
