# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import ssl

import pytest
import requests.exceptions
from urllib3 import exceptions as urllib3_exceptions

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.transport_failure import classify_transport_failure
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils import sdk_fakes


@pytest.mark.parametrize(
    "make_error, kind, not_sent",
    [
        (sdk_fakes.connection_refused, "refused", True),
        (sdk_fakes.network_unreachable, "unreachable", True),
        (sdk_fakes.name_not_resolved, "dns", True),
        (sdk_fakes.connect_timeout, "connect_timeout", True),
        (sdk_fakes.tls_verification_failed, "tls_verify", True),
        (sdk_fakes.read_timeout, "read_timeout", False),
        (sdk_fakes.reset_after_send, "connection_dropped", False),
    ],
)
def test_kinds_and_whether_the_request_was_sent(make_error, kind, not_sent):
    transport = classify_transport_failure(make_error())
    assert transport is not None
    assert transport.kind == kind
    assert transport.request_not_sent is not_sent
    assert not transport.through_proxy


def test_detail_is_the_operating_system_text():
    assert classify_transport_failure(sdk_fakes.connection_refused()).detail == "[Errno 111] Connection refused"


@pytest.mark.parametrize(
    "error",
    [
        sdk_fakes.answer_error(503, "ServiceUnavailable"),
        sdk_fakes.credentials_missing(),
        sdk_fakes.unparseable_answer(),
        ValueError("not a network problem"),
    ],
    ids=["answer", "credentials", "not-json", "other"],
)
def test_non_transport_failures_are_not_classified(error):
    assert classify_transport_failure(error) is None


def test_unknown_socket_error_may_have_been_sent():
    transport = classify_transport_failure(sdk_fakes.transport_error(OSError("something odd")))
    assert transport is not None
    assert transport.kind == "other"
    assert not transport.request_not_sent


def test_proxy_failures_are_flagged():
    refused = sdk_fakes.connection_refused().inner_exception.__context__.args[0].reason
    proxy_error = urllib3_exceptions.ProxyError("Unable to connect to proxy", refused)
    error = sdk_fakes.transport_error(requests.exceptions.ProxyError(urllib3_exceptions.MaxRetryError(None, "/", proxy_error)))
    transport = classify_transport_failure(error)
    assert transport.through_proxy
    assert transport.request_not_sent


def test_unrelated_implicit_context_is_ignored():
    # An earlier refused attempt must not make a later reset look "not sent" just because it was being handled.
    earlier = sdk_fakes.connection_refused()
    later = sdk_fakes.reset_after_send()
    later.__context__ = earlier
    later.inner_exception.__context__.__context__ = earlier
    assert classify_transport_failure(later).kind == "connection_dropped"


def _tls_failure(ssl_error: ssl.SSLError):
    reason = urllib3_exceptions.SSLError(ssl_error)
    return sdk_fakes.transport_error(requests.exceptions.SSLError(urllib3_exceptions.MaxRetryError(None, "/", reason)))


def _ssl_error(reason: str, text: str) -> ssl.SSLError:
    error = ssl.SSLError(1, f"[SSL: {reason}] {text} (_ssl.c:1020)")
    error.reason = reason
    return error


@pytest.mark.parametrize(
    "reason, text",
    [
        ("WRONG_VERSION_NUMBER", "wrong version number"),  # OpenSSL 1.1 to 3.1
        ("RECORD_LAYER_FAILURE", "record layer failure"),  # OpenSSL 3.2 and later
        ("HTTP_REQUEST", "http request"),
    ],
)
def test_a_plain_http_answer_to_the_handshake_is_its_own_kind(reason, text):
    transport = classify_transport_failure(_tls_failure(_ssl_error(reason, text)))
    assert transport is not None
    assert transport.kind == "tls_plain_http"


def test_a_plain_http_answer_is_permanent():
    transport = classify_transport_failure(_tls_failure(_ssl_error("WRONG_VERSION_NUMBER", "wrong version number")))
    assert transport is not None
    assert transport.permanent


def test_a_plain_http_answer_means_the_request_was_not_sent():
    transport = classify_transport_failure(_tls_failure(_ssl_error("WRONG_VERSION_NUMBER", "wrong version number")))
    assert transport is not None
    assert transport.request_not_sent


def test_a_hostname_mismatch_is_a_permanent_verification_failure():
    text = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'esa.example'"
    mismatch = ssl.SSLCertVerificationError(1, text)
    transport = classify_transport_failure(_tls_failure(mismatch))
    assert transport is not None
    assert transport.kind == "tls_verify"


def test_a_verification_failure_is_permanent():
    transport = classify_transport_failure(sdk_fakes.tls_verification_failed())
    assert transport is not None
    assert transport.permanent


@pytest.mark.parametrize("reason, text", [("UNEXPECTED_EOF_WHILE_READING", "EOF occurred in violation of protocol"), ("DECRYPTION_FAILED", "bad decrypt")])
def test_other_tls_failures_may_heal(reason, text):
    transport = classify_transport_failure(_tls_failure(_ssl_error(reason, text)))
    assert transport is not None
    assert not transport.permanent


@pytest.mark.parametrize("make_error", [sdk_fakes.connection_refused, sdk_fakes.read_timeout, sdk_fakes.reset_after_send, sdk_fakes.connect_timeout])
def test_network_failures_are_not_permanent(make_error):
    transport = classify_transport_failure(make_error())
    assert transport is not None
    assert not transport.permanent
