# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real SDK over real loopback sockets, against the emulator and its faults: how each failure is classified, retried or reported."""

from __future__ import annotations

import sys

import pytest
from alibabacloud_credentials.utils import auth_util
from darabonba.core import DaraCore

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa import transport as _sdk_transport
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import EsaClient
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import AmbiguousCreateError, EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import resolve_connection_settings
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.transport_failure import classify_transport_failure

SITE_ID = 1234567890123  # a site of the emulator's built-in config
MISSING_ID = "0" * 32
OTHER_KEYS = {"access_key_id": "AKID", "access_key_secret": "loopback-test-secret-value"}


@pytest.fixture(autouse=True)
def no_pooled_connections(monkeypatch):
    """Each test opens its own connections, so the emulator's connection count is this test's alone: no SDK session,
    and no keep-alive connection left in the shared prepared adapters by an earlier test."""
    monkeypatch.setattr(DaraCore, "_sessions", {})
    for adapter in _sdk_transport._ADAPTERS.values():
        adapter.close()


def make_client(endpoint, credentials=None, retries=2, timeout=5, keys=True):
    params = {"endpoint": endpoint, "api_timeout": timeout, "api_retries": retries}
    if keys:
        params.update(credentials or OTHER_KEYS)
    sleeps = []
    client = EsaClient(resolve_connection_settings(params, {}), retry_policy=RetryPolicy(retries, sleep=sleeps.append))
    return client, sleeps


def emulator_client(emu, retries=2, timeout=5):
    return make_client(emu.url, emu.credentials, retries=retries, timeout=timeout)


def create(client):
    return client.create_client_certificate(SITE_ID, validity_days=30, pkey_type="ECDSA")


def test_refused_port_is_not_sent_and_create_is_retried(closed_port):
    client, sleeps = make_client(f"http://127.0.0.1:{closed_port}", retries=2)
    with pytest.raises(EsaApiError) as raised:
        create(client)
    error = raised.value
    assert not isinstance(error, AmbiguousCreateError)
    assert error.transport_kind == "refused"
    assert f"http://127.0.0.1:{closed_port}" in error.message
    assert "refused" in error.message
    assert len(sleeps) == 2
    assert client.retry_policy.retries_performed == 2
    transport = classify_transport_failure(error.__cause__)
    assert transport is not None
    assert transport.request_not_sent


def test_reset_after_the_request_makes_create_ambiguous(esa_emulator):
    esa_emulator.set_faults([{"type": "reset_before_effect"}])
    client, sleeps = emulator_client(esa_emulator, retries=3)
    with pytest.raises(AmbiguousCreateError) as raised:
        create(client)
    assert esa_emulator.stats()["calls"] == {"CreateClientCertificate": 1}
    assert sleeps == []
    assert raised.value.transport_kind == "connection_dropped"
    transport = classify_transport_failure(raised.value.__cause__)
    assert transport is not None
    assert not transport.request_not_sent


def test_reset_after_the_request_is_retried_for_reads(esa_emulator):
    esa_emulator.set_faults([{"type": "reset_before_effect"}])
    client, sleeps = emulator_client(esa_emulator, retries=2)
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(SITE_ID, MISSING_ID)
    assert not isinstance(raised.value, AmbiguousCreateError)
    assert esa_emulator.stats()["calls"] == {"GetClientCertificate": 3}
    assert len(sleeps) == 2
    assert "broke during GetClientCertificate" in raised.value.message


def test_read_timeout_makes_create_ambiguous(esa_emulator):
    esa_emulator.set_faults([{"type": "silent"}])
    client, sleeps = emulator_client(esa_emulator, retries=3, timeout=1)
    with pytest.raises(AmbiguousCreateError) as raised:
        create(client)
    assert esa_emulator.stats()["calls"] == {"CreateClientCertificate": 1}
    assert sleeps == []
    assert raised.value.transport_kind == "read_timeout"
    assert "api_timeout" in raised.value.message


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a full listen backlog drops SYNs on Linux; other systems may refuse")
def test_connect_timeout_is_not_sent_and_create_is_retried(full_backlog_port):
    client, sleeps = make_client(f"http://127.0.0.1:{full_backlog_port}", retries=1, timeout=1)
    with pytest.raises(EsaApiError) as raised:
        create(client)
    assert not isinstance(raised.value, AmbiguousCreateError)
    assert raised.value.transport_kind == "connect_timeout"
    assert len(sleeps) == 1


def test_tls_verification_failure_is_reported_and_not_retried(esa_emulator_tls):
    client, sleeps = make_client(esa_emulator_tls.url, retries=3)
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(SITE_ID, MISSING_ID)
    assert raised.value.transport_kind == "tls_verify"
    assert "TLS verification" in raised.value.message
    assert esa_emulator_tls.connections == 1
    assert sleeps == []


# --- issue 24: an endpoint without http:// in front of the plain-HTTP emulator, which answers the TLS ClientHello with HTTP 400 ---


def test_a_plain_http_server_gets_exactly_one_connection_for_a_read(esa_emulator):
    client, _sleeps = make_client(esa_emulator.endpoint, esa_emulator.credentials, retries=8)
    with pytest.raises(EsaApiError):
        client.get_client_certificate(SITE_ID, MISSING_ID)
    assert esa_emulator.connections == 1


def test_a_plain_http_server_gets_exactly_one_connection_for_a_create(esa_emulator):
    client, _sleeps = make_client(esa_emulator.endpoint, esa_emulator.credentials, retries=8)
    with pytest.raises(EsaApiError):
        create(client)
    assert esa_emulator.connections == 1


def test_a_plain_http_server_is_not_waited_for(esa_emulator):
    client, sleeps = make_client(esa_emulator.endpoint, esa_emulator.credentials, retries=8)
    with pytest.raises(EsaApiError):
        client.get_client_certificate(SITE_ID, MISSING_ID)
    assert sleeps == []


def test_a_plain_http_create_is_not_ambiguous(esa_emulator):
    client, _sleeps = make_client(esa_emulator.endpoint, esa_emulator.credentials, retries=8)
    with pytest.raises(EsaApiError) as raised:
        create(client)
    assert not isinstance(raised.value, AmbiguousCreateError)


def test_a_plain_http_server_is_named_as_such(esa_emulator):
    client, _sleeps = make_client(esa_emulator.endpoint, esa_emulator.credentials, retries=8)
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(SITE_ID, MISSING_ID)
    assert raised.value.transport_kind == "tls_plain_http"


def test_a_plain_http_server_message_gives_the_http_endpoint(esa_emulator):
    client, sleeps = make_client(esa_emulator.endpoint, esa_emulator.credentials, retries=8)
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(SITE_ID, MISSING_ID)
    assert f"for a local emulator write the endpoint as {esa_emulator.url}" in raised.value.message


def test_a_plain_http_server_message_is_one_line(esa_emulator):
    client, _sleeps = make_client(esa_emulator.endpoint, esa_emulator.credentials, retries=8)
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(SITE_ID, MISSING_ID)
    assert "\n" not in raised.value.message


def test_a_plain_http_server_message_does_not_claim_retries(esa_emulator):
    client, _sleeps = make_client(esa_emulator.endpoint, esa_emulator.credentials, retries=8)
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(SITE_ID, MISSING_ID)
    assert "attempts" not in raised.value.message


def test_a_plain_http_server_is_tried_once(esa_emulator):
    client, _sleeps = make_client(esa_emulator.endpoint, esa_emulator.credentials, retries=8)
    with pytest.raises(EsaApiError):
        client.get_client_certificate(SITE_ID, MISSING_ID)
    assert client.retry_policy.retries_performed == 0


def test_a_reset_connection_is_still_retried_for_reads(esa_emulator):
    esa_emulator.set_faults([{"type": "reset_before_effect"}])
    client, _sleeps = emulator_client(esa_emulator, retries=2)
    with pytest.raises(EsaApiError):
        client.get_client_certificate(SITE_ID, MISSING_ID)
    assert esa_emulator.connections == 3


def test_throttled_create_waits_for_retry_after_then_succeeds(esa_emulator):
    esa_emulator.set_faults([{"type": "throttle", "status": 400, "retry_after_ms": 2500, "times": 1}])
    client, sleeps = emulator_client(esa_emulator, retries=3)
    created = create(client)
    assert created["Id"] == esa_emulator.state()[0]["id"]
    assert esa_emulator.stats()["calls"] == {"CreateClientCertificate": 2}
    assert len(sleeps) == 1
    assert 2.5 <= sleeps[0] <= 3.0


def test_server_error_makes_create_ambiguous_but_reads_retry(esa_emulator):
    client, sleeps = emulator_client(esa_emulator, retries=3)
    existing = create(client)["Id"]
    esa_emulator.set_faults([{"type": "server_error", "code": "InternalError", "action": "CreateClientCertificate", "times": 1},
                             {"type": "server_error", "code": "BadGateway", "status": 502, "action": "GetClientCertificate", "times": 1}])
    with pytest.raises(AmbiguousCreateError) as raised:
        create(client)
    assert raised.value.code == "InternalError"
    assert raised.value.request_id == esa_emulator.request_ids()[1]
    assert client.get_client_certificate(SITE_ID, existing)["Result"]["Id"] == existing
    assert esa_emulator.stats()["calls"] == {"CreateClientCertificate": 2, "GetClientCertificate": 2}
    assert len(sleeps) == 1


def test_not_found_is_a_value_and_other_answers_are_errors(esa_emulator):
    esa_emulator.set_faults([{"type": "server_error", "code": "QuotaCheckFailed.Function", "action": "CreateClientCertificate"}])
    client, sleeps = emulator_client(esa_emulator)
    assert client.get_client_certificate(SITE_ID, MISSING_ID) is None
    with pytest.raises(EsaApiError) as raised:
        create(client)
    assert raised.value.to_fail_kwargs() == {
        "msg": raised.value.message,
        "code": "QuotaCheckFailed.Function",
        "request_id": esa_emulator.request_ids()[1],
    }
    assert f"site {SITE_ID}" in raised.value.message
    assert sleeps == []


def test_html_answer_to_create_is_ambiguous(esa_emulator):
    esa_emulator.set_faults([{"type": "html_error", "status": 502}])
    client, sleeps = emulator_client(esa_emulator)
    with pytest.raises(AmbiguousCreateError) as raised:
        create(client)
    assert "JSON" in raised.value.message
    assert sleeps == []


def test_missing_credentials_fail_before_any_request(esa_emulator, monkeypatch, tmp_path):
    # Point every link of the default chain at nothing (the chain reads these once, at import).
    for name in ("environment_access_key_id", "environment_access_key_secret", "environment_security_token", "environment_credentials_uri"):
        monkeypatch.setattr(auth_util, name, None)
    monkeypatch.setattr(auth_util, "enable_oidc_credential", False)
    monkeypatch.setattr(auth_util, "environment_cli_profile_disabled", "true")
    monkeypatch.setattr(auth_util, "environment_credentials_file", str(tmp_path / "absent.ini"))
    client, sleeps = make_client(esa_emulator.url, keys=False)
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(SITE_ID, MISSING_ID)
    assert "access_key_id" in raised.value.message
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in raised.value.message
    assert esa_emulator.stats()["requests_total"] == 0
    assert sleeps == []


def test_sdk_debug_output_never_shows_the_security_token(esa_emulator, monkeypatch, capfd):
    # darabonba-core dumps request headers to stderr when DEBUG=sdk; the client silences that logger.
    monkeypatch.setenv("DEBUG", "sdk")
    credentials = esa_emulator.sts_credentials
    settings = resolve_connection_settings({"endpoint": esa_emulator.url, **credentials}, {})
    client = EsaClient(settings, retry_policy=RetryPolicy(0))
    assert client.get_client_certificate(SITE_ID, MISSING_ID) is None  # answered: the token was sent and accepted
    captured = capfd.readouterr()
    assert credentials["security_token"] not in captured.out + captured.err
    assert "x-acs-security-token" not in captured.out + captured.err
