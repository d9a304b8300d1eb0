# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which proxy the real SDK takes: never one for plain http to loopback, the standard variables for https (emulator behind both)."""

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

PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy")
SITE_ID = 1234567890123  # a site of the emulator's built-in config
MISSING_ID = "0" * 32


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


def client_for(endpoint, credentials=None):
    params = {"endpoint": endpoint, "access_key_id": "AKID", "access_key_secret": "proxy-test-secret", "api_retries": 0, "api_timeout": 5,
              **(credentials or {})}
    return EsaClient(resolve_connection_settings(params, {}), retry_policy=RetryPolicy(0, sleep=lambda _seconds: None))


def answered_directly(emu):
    """One real read from the emulator: None is its Certificate.NotFound answer, so the request got there."""
    return client_for(emu.url, emu.credentials).get_client_certificate(SITE_ID, MISSING_ID) is None


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
def test_plain_http_to_loopback_never_reaches_a_proxy(variable, proxy, esa_emulator, monkeypatch):
    monkeypatch.setenv(variable, proxy.url)

    assert answered_directly(esa_emulator)

    assert proxy.connections == 0
    assert esa_emulator.stats()["calls"] == {"GetClientCertificate": 1}


def test_plain_http_stays_direct_without_the_prepared_adapters(proxy, esa_emulator, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setattr(_sdk_transport, "_ADAPTERS", {})

    assert answered_directly(esa_emulator)

    assert proxy.connections == 0
    assert esa_emulator.stats()["calls"] == {"GetClientCertificate": 1}


def test_a_session_the_sdk_built_itself_is_replaced_for_plain_http(proxy, esa_emulator, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    key = _sdk_transport.session_key("http", esa_emulator.endpoint)
    DaraCore._sessions[key] = requests.Session()  # as if an earlier call had let the SDK build its own

    assert answered_directly(esa_emulator)

    assert isinstance(DaraCore._sessions[key], _sdk_transport.DirectSession)
    assert proxy.connections == 0


def test_a_redirect_from_the_loopback_endpoint_stays_direct(proxy, esa_emulator, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("ALL_PROXY", proxy.url)
    esa_emulator.set_faults([{"type": "redirect", "times": 1}])  # a 307 back to the same loopback URL

    assert answered_directly(esa_emulator)

    assert proxy.connections == 0
    assert esa_emulator.stats()["answers_by_action"] == {"GetClientCertificate": {"Redirected": 1, "Certificate.NotFound": 1}}


def test_https_still_goes_through_the_https_proxy(proxy, esa_emulator_tls, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)

    with pytest.raises(EsaApiError):
        client_for(esa_emulator_tls.url).get_client_certificate(SITE_ID, MISSING_ID)

    assert proxy.connections == 1
    assert esa_emulator_tls.connections == 0


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "localhost,127.0.0.1", "*"])
def test_https_honours_no_proxy(no_proxy, proxy, esa_emulator_tls, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", no_proxy)

    with pytest.raises(EsaApiError) as raised:
        client_for(esa_emulator_tls.url).get_client_certificate(SITE_ID, MISSING_ID)

    assert raised.value.transport_kind == "tls_verify"  # it reached the emulator itself, whose CA nobody here trusts
    assert proxy.connections == 0
    assert esa_emulator_tls.connections == 1
