# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The prepared SDK sessions: the SDK really uses them, builds no SSL context of its own, and still verifies https."""

from __future__ import annotations

import ssl

import pytest
from darabonba.core import DaraCore

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa import client as _esa_client
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa import transport as _sdk_transport
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import EsaClient
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import resolve_connection_settings


@pytest.fixture(autouse=True)
def empty_session_cache(monkeypatch):
    """Each test starts as a freshly forked worker does: the SDK has no session yet."""
    monkeypatch.setattr(DaraCore, "_sessions", {})


@pytest.fixture
def ssl_contexts_made(monkeypatch):
    """Counts the SSL contexts created from now on (each one loads a CA store: the cost being avoided)."""
    made = []
    real = ssl.create_default_context

    def counting(*args, **kwargs):
        made.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counting)
    return made


def client_for(endpoint, credentials=None, retries=0):
    params = dict(credentials or {"access_key_id": "AKID", "access_key_secret": "transport-test-secret"}, endpoint=endpoint, api_retries=retries)
    return EsaClient(resolve_connection_settings(params, {}), retry_policy=RetryPolicy(retries, sleep=lambda _seconds: None))


def test_adapters_are_prepared_at_import_for_both_protocols():
    assert set(_sdk_transport._ADAPTERS) == {"https", "http"}


def test_the_sdk_uses_the_prepared_session_for_a_real_call(esa_emulator, ssl_contexts_made):
    client = client_for(esa_emulator.url, esa_emulator.credentials)
    prepared = dict(DaraCore._sessions)
    assert list(prepared) == [_sdk_transport.session_key("http", esa_emulator.endpoint)]

    assert client.get_client_certificate(1234567890123, "0" * 32) is None  # a real round trip: Certificate.NotFound

    # The SDK found its session under the prepared key: it added none and built no SSL context.
    assert DaraCore._sessions == prepared
    assert ssl_contexts_made == []
    assert esa_emulator.stats()["calls"].get("GetClientCertificate") == 1


def test_without_the_prepared_session_the_sdk_builds_the_same_key_itself(esa_emulator, ssl_contexts_made, monkeypatch):
    monkeypatch.setattr(_esa_client, "share_prepared_session", lambda _protocol, _endpoint_host: False)
    client = client_for(esa_emulator.url, esa_emulator.credentials)
    assert DaraCore._sessions == {}

    assert client.get_client_certificate(1234567890123, "0" * 32) is None

    # This pins the key format to the SDK in use: an SDK that names sessions otherwise fails here, not silently.
    assert list(DaraCore._sessions) == [_sdk_transport.session_key("http", esa_emulator.endpoint)]
    assert len(ssl_contexts_made) == 1


def test_https_key_matches_and_certificates_are_still_verified(esa_emulator_tls, ssl_contexts_made):
    # The HTTPS emulator's certificate comes from its own CA, which the SDK's trust store does not hold.
    endpoint = esa_emulator_tls.endpoint
    client = client_for(endpoint)
    prepared = dict(DaraCore._sessions)
    assert list(prepared) == [_sdk_transport.session_key("https", endpoint)]

    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(1, "0" * 32)

    assert raised.value.transport_kind == "tls_verify"
    assert DaraCore._sessions == prepared
    assert ssl_contexts_made == []
    context = prepared[_sdk_transport.session_key("https", endpoint)].adapters["https://"].ssl_context
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


@pytest.mark.parametrize("protocol, session_class", [("https", _sdk_transport.ProxyAwareSession), ("http", _sdk_transport.DirectSession)])
def test_a_session_of_ours_is_left_alone_and_any_other_replaced(protocol, session_class):
    key = _sdk_transport.session_key(protocol, "127.0.0.1:8443")
    DaraCore._sessions[key] = ours = session_class()
    assert _sdk_transport.share_prepared_session(protocol, "127.0.0.1:8443") is False
    assert DaraCore._sessions[key] is ours

    DaraCore._sessions[key] = object()
    assert _sdk_transport.share_prepared_session(protocol, "127.0.0.1:8443") is True
    assert isinstance(DaraCore._sessions[key], session_class)


def test_https_is_left_to_the_sdk_when_no_adapter_could_be_prepared(monkeypatch):
    monkeypatch.setattr(_sdk_transport, "_ADAPTERS", {})
    assert _sdk_transport.share_prepared_session("https", "esa.cn-hangzhou.aliyuncs.com") is False
    assert DaraCore._sessions == {}


def test_plain_http_gets_a_direct_session_even_without_a_prepared_adapter(monkeypatch):
    monkeypatch.setattr(_sdk_transport, "_ADAPTERS", {})
    assert _sdk_transport.share_prepared_session("http", "127.0.0.1:8080") is True
    assert isinstance(DaraCore._sessions[_sdk_transport.session_key("http", "127.0.0.1:8080")], _sdk_transport.DirectSession)
