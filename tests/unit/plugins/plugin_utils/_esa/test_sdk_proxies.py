# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which proxy the real SDK takes: never one for plain http to loopback, the standard variables for https."""

from __future__ import annotations

import socket
import threading

import pytest
import requests
from darabonba.core import DaraCore

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa import transport as _sdk_transport
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import EsaClient
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import resolve_connection_settings
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils import loopback_servers as servers

PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy")
ANSWER = {"RequestId": "R", "Result": {"Id": "cert-1"}}


class CountingProxy:
    """A loopback "proxy" that only counts the connections it gets and closes each at once."""

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.connections = 0
        threading.Thread(target=self._count, daemon=True).start()

    def _count(self) -> None:
        while True:
            try:
                connection, _address = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._listener.close()


@pytest.fixture(autouse=True)
def fresh_worker(monkeypatch):
    """Each test starts as a freshly forked worker does (no SDK session yet), with no proxy variable set."""
    monkeypatch.setattr(DaraCore, "_sessions", {})
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def proxy():
    counting = CountingProxy()
    yield counting
    counting.close()


@pytest.fixture
def opened():
    servers_opened = []
    yield servers_opened
    for server in servers_opened:
        server.close()


def client_for(endpoint):
    params = {"endpoint": endpoint, "access_key_id": "AKID", "access_key_secret": "proxy-test-secret", "api_retries": 0, "api_timeout": 5}
    return EsaClient(resolve_connection_settings(params, {}), retry_policy=RetryPolicy(0, sleep=lambda _seconds: None))


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
def test_plain_http_to_loopback_never_reaches_a_proxy(variable, proxy, opened, monkeypatch):
    monkeypatch.setenv(variable, proxy.url)
    server = servers.ScriptedHttpServer(servers.json_answer(200, ANSWER))
    opened.append(server)

    assert client_for(f"http://127.0.0.1:{server.port}").get_client_certificate(1, "cert-1") == ANSWER

    assert proxy.connections == 0
    assert server.actions == ["GetClientCertificate"]


def test_plain_http_stays_direct_without_the_prepared_adapters(proxy, opened, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setattr(_sdk_transport, "_ADAPTERS", {})
    server = servers.ScriptedHttpServer(servers.json_answer(200, ANSWER))
    opened.append(server)

    assert client_for(f"http://127.0.0.1:{server.port}").get_client_certificate(1, "cert-1") == ANSWER

    assert proxy.connections == 0
    assert server.actions == ["GetClientCertificate"]


def test_a_session_the_sdk_built_itself_is_replaced_for_plain_http(proxy, opened, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    server = servers.ScriptedHttpServer(servers.json_answer(200, ANSWER))
    opened.append(server)
    key = _sdk_transport.session_key("http", f"127.0.0.1:{server.port}")
    DaraCore._sessions[key] = requests.Session()  # as if an earlier call had let the SDK build its own

    assert client_for(f"http://127.0.0.1:{server.port}").get_client_certificate(1, "cert-1") == ANSWER

    assert isinstance(DaraCore._sessions[key], _sdk_transport.DirectSession)
    assert proxy.connections == 0


def test_a_redirect_from_the_loopback_endpoint_stays_direct(proxy, opened, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("ALL_PROXY", proxy.url)
    target = servers.ScriptedHttpServer(servers.json_answer(200, ANSWER))
    opened.append(target)
    first = servers.ScriptedHttpServer(servers.json_answer(307, {}, Location=f"http://127.0.0.1:{target.port}/"))
    opened.append(first)

    assert client_for(f"http://127.0.0.1:{first.port}").get_client_certificate(1, "cert-1") == ANSWER

    assert proxy.connections == 0
    assert (first.actions, target.actions) == (["GetClientCertificate"], ["GetClientCertificate"])


def test_https_still_goes_through_the_https_proxy(proxy, opened, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    server = servers.SelfSignedTlsServer()
    opened.append(server)

    with pytest.raises(EsaApiError):
        client_for(f"https://127.0.0.1:{server.port}").get_client_certificate(1, "cert-1")

    assert proxy.connections == 1
    assert server.connections == 0


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "localhost,127.0.0.1", "*"])
def test_https_honours_no_proxy(no_proxy, proxy, opened, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", no_proxy)
    server = servers.SelfSignedTlsServer()
    opened.append(server)

    with pytest.raises(EsaApiError) as raised:
        client_for(f"https://127.0.0.1:{server.port}").get_client_certificate(1, "cert-1")

    assert raised.value.transport_kind == "tls_verify"  # it reached the server itself, whose certificate nobody vouches for
    assert proxy.connections == 0
    assert server.connections == 1
