# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real SDK over real loopback sockets: how each failure is classified, retried or reported."""

from __future__ import annotations

import sys

import pytest
from alibabacloud_credentials.utils import auth_util

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import EsaClient
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import AmbiguousCreateError, EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import resolve_connection_settings
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.transport_failure import classify_transport_failure
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils import loopback_servers as servers

SECRET = "loopback-test-secret-value"


def make_client(endpoint, retries=2, timeout=5, keys=True):
    params = {"endpoint": endpoint, "api_timeout": timeout, "api_retries": retries}
    if keys:
        params.update(access_key_id="AKID", access_key_secret=SECRET)
    sleeps = []
    client = EsaClient(resolve_connection_settings(params, {}), retry_policy=RetryPolicy(retries, sleep=sleeps.append))
    return client, sleeps


@pytest.fixture
def server_factory():
    opened = []

    def start(kind, *args):
        server = kind(*args)
        opened.append(server)
        return server

    yield start
    for server in opened:
        server.close()


def create(client):
    return client.create_client_certificate(1, validity_days=30, pkey_type="RSA")


def test_refused_port_is_not_sent_and_create_is_retried(server_factory):
    port = server_factory(servers.RefusingPort)
    client, sleeps = make_client(f"http://127.0.0.1:{port.port}", retries=2)
    with pytest.raises(EsaApiError) as raised:
        create(client)
    error = raised.value
    assert not isinstance(error, AmbiguousCreateError)
    assert error.transport_kind == "refused"
    assert f"http://127.0.0.1:{port.port}" in error.message
    assert "refused" in error.message
    assert len(sleeps) == 2
    assert client.retry_policy.retries_performed == 2
    transport = classify_transport_failure(error.__cause__)
    assert transport is not None
    assert transport.request_not_sent


def test_reset_after_the_request_makes_create_ambiguous(server_factory):
    server = server_factory(servers.ResetAfterRequestServer)
    client, sleeps = make_client(f"http://127.0.0.1:{server.port}", retries=3)
    with pytest.raises(AmbiguousCreateError) as raised:
        create(client)
    assert server.requests == 1
    assert sleeps == []
    assert raised.value.transport_kind == "connection_dropped"
    transport = classify_transport_failure(raised.value.__cause__)
    assert transport is not None
    assert not transport.request_not_sent


def test_reset_after_the_request_is_retried_for_reads(server_factory):
    server = server_factory(servers.ResetAfterRequestServer)
    client, sleeps = make_client(f"http://127.0.0.1:{server.port}", retries=2)
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(1, "cert-1")
    assert not isinstance(raised.value, AmbiguousCreateError)
    assert server.requests == 3
    assert len(sleeps) == 2
    assert "broke during GetClientCertificate" in raised.value.message


def test_read_timeout_makes_create_ambiguous(server_factory):
    server = server_factory(servers.SilentServer)
    client, sleeps = make_client(f"http://127.0.0.1:{server.port}", retries=3, timeout=1)
    with pytest.raises(AmbiguousCreateError) as raised:
        create(client)
    assert server.requests == 1
    assert sleeps == []
    assert raised.value.transport_kind == "read_timeout"
    assert "api_timeout" in raised.value.message


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a full listen backlog drops SYNs on Linux; other systems may refuse")
def test_connect_timeout_is_not_sent_and_create_is_retried(server_factory):
    port = server_factory(servers.FullBacklogPort)
    client, sleeps = make_client(f"http://127.0.0.1:{port.port}", retries=1, timeout=1)
    with pytest.raises(EsaApiError) as raised:
        create(client)
    assert not isinstance(raised.value, AmbiguousCreateError)
    assert raised.value.transport_kind == "connect_timeout"
    assert len(sleeps) == 1


def test_tls_verification_failure_is_reported_and_not_retried(server_factory):
    server = server_factory(servers.SelfSignedTlsServer)
    client, sleeps = make_client(f"https://127.0.0.1:{server.port}", retries=3)
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(1, "cert-1")
    assert raised.value.transport_kind == "tls_verify"
    assert "TLS verification" in raised.value.message
    assert server.connections == 1
    assert sleeps == []


# --- issue 24: an endpoint without http:// in front of a plain-HTTP server (the emulator) ----------------------------------


def test_a_plain_http_server_gets_exactly_one_connection_for_a_read(server_factory):
    server = server_factory(servers.PlainHttpServer)
    client, _sleeps = make_client(f"127.0.0.1:{server.port}", retries=8)
    with pytest.raises(EsaApiError):
        client.get_client_certificate(1, "cert-1")
    assert server.connections == 1


def test_a_plain_http_server_gets_exactly_one_connection_for_a_create(server_factory):
    server = server_factory(servers.PlainHttpServer)
    client, _sleeps = make_client(f"127.0.0.1:{server.port}", retries=8)
    with pytest.raises(EsaApiError):
        create(client)
    assert server.connections == 1


def test_a_plain_http_server_is_not_waited_for(server_factory):
    server = server_factory(servers.PlainHttpServer)
    client, sleeps = make_client(f"127.0.0.1:{server.port}", retries=8)
    with pytest.raises(EsaApiError):
        client.get_client_certificate(1, "cert-1")
    assert sleeps == []


def test_a_plain_http_create_is_not_ambiguous(server_factory):
    server = server_factory(servers.PlainHttpServer)
    client, _sleeps = make_client(f"127.0.0.1:{server.port}", retries=8)
    with pytest.raises(EsaApiError) as raised:
        create(client)
    assert not isinstance(raised.value, AmbiguousCreateError)


def test_a_plain_http_server_is_named_as_such(server_factory):
    server = server_factory(servers.PlainHttpServer)
    client, _sleeps = make_client(f"127.0.0.1:{server.port}", retries=8)
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(1, "cert-1")
    assert raised.value.transport_kind == "tls_plain_http"


def test_a_plain_http_server_message_gives_the_http_endpoint(server_factory):
    server = server_factory(servers.PlainHttpServer)
    client, _sleeps = make_client(f"127.0.0.1:{server.port}", retries=8)
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(1, "cert-1")
    assert f"for a local emulator write the endpoint as http://127.0.0.1:{server.port}" in raised.value.message


def test_a_plain_http_server_message_is_one_line(server_factory):
    server = server_factory(servers.PlainHttpServer)
    client, _sleeps = make_client(f"127.0.0.1:{server.port}", retries=8)
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(1, "cert-1")
    assert "\n" not in raised.value.message


def test_a_plain_http_server_message_does_not_claim_retries(server_factory):
    server = server_factory(servers.PlainHttpServer)
    client, _sleeps = make_client(f"127.0.0.1:{server.port}", retries=8)
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(1, "cert-1")
    assert "attempts" not in raised.value.message


def test_the_emulator_without_http_scheme_fails_at_once_with_the_fix(esa_emulator):
    client, sleeps = make_client(esa_emulator.endpoint, retries=8)
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(1234567890123, "0" * 32)
    assert f"write the endpoint as {esa_emulator.url}" in raised.value.message


def test_the_emulator_without_http_scheme_is_tried_once(esa_emulator):
    client, _sleeps = make_client(esa_emulator.endpoint, retries=8)
    with pytest.raises(EsaApiError):
        client.get_client_certificate(1234567890123, "0" * 32)
    assert client.retry_policy.retries_performed == 0


def test_a_reset_connection_is_still_retried_for_reads(server_factory):
    server = server_factory(servers.ResetAfterRequestServer)
    client, _sleeps = make_client(f"http://127.0.0.1:{server.port}", retries=2)
    with pytest.raises(EsaApiError):
        client.get_client_certificate(1, "cert-1")
    assert server.connections == 3


def test_throttled_create_waits_for_retry_after_then_succeeds(server_factory):
    server = server_factory(
        servers.ScriptedHttpServer,
        servers.error_answer(400, "Throttling.User", **{"x-acs-retry-after": "2500"}),
        servers.json_answer(200, {"RequestId": "R", "Id": "cert-9", "Status": "active"}),
    )
    client, sleeps = make_client(f"http://127.0.0.1:{server.port}", retries=3)
    assert create(client) == {"RequestId": "R", "Id": "cert-9", "Status": "active"}
    assert server.actions == ["CreateClientCertificate", "CreateClientCertificate"]
    assert len(sleeps) == 1
    assert 2.5 <= sleeps[0] <= 3.0


def test_server_error_makes_create_ambiguous_but_reads_retry(server_factory):
    server = server_factory(
        servers.ScriptedHttpServer,
        servers.error_answer(500, "InternalError"),
        servers.error_answer(502, "BadGateway"),
        servers.json_answer(200, {"RequestId": "R", "Result": {"Id": "cert-1", "Status": "active"}}),
    )
    client, sleeps = make_client(f"http://127.0.0.1:{server.port}", retries=3)
    with pytest.raises(AmbiguousCreateError) as raised:
        create(client)
    assert raised.value.code == "InternalError"
    assert raised.value.request_id == "REQ-InternalError"
    assert client.get_client_certificate(1, "cert-1") == {"RequestId": "R", "Result": {"Id": "cert-1", "Status": "active"}}
    assert server.actions == ["CreateClientCertificate", "GetClientCertificate", "GetClientCertificate"]
    assert len(sleeps) == 1


def test_not_found_is_a_value_and_other_answers_are_errors(server_factory):
    server = server_factory(
        servers.ScriptedHttpServer,
        servers.error_answer(404, "Certificate.NotFound"),
        servers.error_answer(400, "QuotaCheckFailed.Function"),
    )
    client, sleeps = make_client(f"http://127.0.0.1:{server.port}")
    assert client.get_client_certificate(1, "cert-404") is None
    with pytest.raises(EsaApiError) as raised:
        create(client)
    assert raised.value.to_fail_kwargs() == {
        "msg": raised.value.message,
        "code": "QuotaCheckFailed.Function",
        "request_id": "REQ-QuotaCheckFailed.Function",
    }
    assert "site 1" in raised.value.message
    assert sleeps == []


def test_html_answer_to_create_is_ambiguous(server_factory):
    server = server_factory(servers.ScriptedHttpServer, servers.ScriptedAnswer(502, b"<html>Bad Gateway</html>", {"Content-Type": "text/html"}))
    client, sleeps = make_client(f"http://127.0.0.1:{server.port}")
    with pytest.raises(AmbiguousCreateError) as raised:
        create(client)
    assert "JSON" in raised.value.message
    assert sleeps == []


def test_missing_credentials_fail_before_any_request(server_factory, monkeypatch, tmp_path):
    # Point every link of the default chain at nothing (the chain reads these once, at import).
    for name in ("environment_access_key_id", "environment_access_key_secret", "environment_security_token", "environment_credentials_uri"):
        monkeypatch.setattr(auth_util, name, None)
    monkeypatch.setattr(auth_util, "enable_oidc_credential", False)
    monkeypatch.setattr(auth_util, "environment_cli_profile_disabled", "true")
    monkeypatch.setattr(auth_util, "environment_credentials_file", str(tmp_path / "absent.ini"))
    server = server_factory(servers.ScriptedHttpServer)
    client, sleeps = make_client(f"http://127.0.0.1:{server.port}", keys=False)
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(1, "cert-1")
    assert "access_key_id" in raised.value.message
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in raised.value.message
    assert server.actions == []
    assert sleeps == []


def test_sdk_debug_output_never_shows_the_security_token(server_factory, monkeypatch, capfd):
    # darabonba-core dumps request headers to stderr when DEBUG=sdk; the client silences that logger.
    monkeypatch.setenv("DEBUG", "sdk")
    server = server_factory(servers.ScriptedHttpServer, servers.json_answer(200, {"RequestId": "R", "Result": {"Id": "cert-1"}}))
    settings = resolve_connection_settings(
        {"endpoint": f"http://127.0.0.1:{server.port}", "access_key_id": "AKID", "access_key_secret": SECRET, "security_token": "sts-TOKEN-in-header"}, {}
    )
    client = EsaClient(settings, retry_policy=RetryPolicy(0))
    assert client.get_client_certificate(1, "cert-1") == {"RequestId": "R", "Result": {"Id": "cert-1"}}
    captured = capfd.readouterr()
    assert "sts-TOKEN-in-header" not in captured.out + captured.err
    assert "x-acs-security-token" not in captured.out + captured.err
