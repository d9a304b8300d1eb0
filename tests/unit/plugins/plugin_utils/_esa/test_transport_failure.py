# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import ssl

import pytest
import requests.exceptions
from urllib3 import exceptions as urllib3_exceptions

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.transport_failure import classify_transport_failure
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils import sdk_shapes


@pytest.mark.parametrize(
    "failure, kind, not_sent",
    [
        ("refused", "refused", True),
        ("network_unreachable", "unreachable", True),
        ("name_not_resolved", "dns", True),
        ("connect_timeout", "connect_timeout", True),
        ("tls_verification_failed", "tls_verify", True),
        ("read_timeout", "read_timeout", False),
        ("reset_after_send", "connection_dropped", False),
    ],
)
def test_kinds_and_whether_the_request_was_sent(sdk_errors, failure, kind, not_sent):
    transport = classify_transport_failure(getattr(sdk_errors, failure)())
    assert transport is not None
    assert transport.kind == kind
    assert transport.request_not_sent is not_sent
    assert not transport.through_proxy


def test_detail_is_the_operating_system_text(sdk_errors):
    assert classify_transport_failure(sdk_errors.refused()).detail == "[Errno 111] Connection refused"


@pytest.mark.parametrize(
    "make_error",
    [
        lambda errors: errors.answer(503, "ServiceUnavailable"),
        lambda errors: errors.credentials_missing(),
        lambda errors: errors.unparseable_answer(),
        lambda errors: ValueError("not a network problem"),
    ],
    ids=["answer", "credentials", "not-json", "other"],
)
def test_non_transport_failures_are_not_classified(sdk_errors, make_error):
    assert classify_transport_failure(make_error(sdk_errors)) is None


# --- shapes the installed stack cannot be made to raise on loopback (see sdk_shapes.py) ---


def test_unknown_socket_error_may_have_been_sent():
    transport = classify_transport_failure(sdk_shapes.transport_error(OSError("something odd")))
    assert transport is not None
    assert transport.kind == "other"
    assert not transport.request_not_sent


def test_proxy_failures_are_flagged(sdk_errors):
    refused = sdk_errors.refused().inner_exception.__context__.args[0].reason
    proxy_error = urllib3_exceptions.ProxyError("Unable to connect to proxy", refused)
    error = sdk_shapes.transport_error(requests.exceptions.ProxyError(urllib3_exceptions.MaxRetryError(None, "/", proxy_error)))
    transport = classify_transport_failure(error)
    assert transport.through_proxy
    assert transport.request_not_sent


def test_unrelated_implicit_context_is_ignored(sdk_errors):
    # An earlier refused attempt must not make a later reset look "not sent" just because it was being handled.
    earlier = sdk_errors.refused()
    later = sdk_errors.reset_after_send()
    later.__context__ = earlier
    later.inner_exception.__context__.__context__ = earlier
    assert classify_transport_failure(later).kind == "connection_dropped"


def _tls_failure(ssl_error: ssl.SSLError):
    reason = urllib3_exceptions.SSLError(ssl_error)
    return sdk_shapes.transport_error(requests.exceptions.SSLError(urllib3_exceptions.MaxRetryError(None, "/", reason)))


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


def test_a_verification_failure_is_permanent(sdk_errors):
    transport = classify_transport_failure(sdk_errors.tls_verification_failed())
    assert transport is not None
    assert transport.permanent


@pytest.mark.parametrize("reason, text", [("UNEXPECTED_EOF_WHILE_READING", "EOF occurred in violation of protocol"), ("DECRYPTION_FAILED", "bad decrypt")])
def test_other_tls_failures_may_heal(reason, text):
    transport = classify_transport_failure(_tls_failure(_ssl_error(reason, text)))
    assert transport is not None
    assert not transport.permanent


@pytest.mark.parametrize("failure", ["refused", "read_timeout", "reset_after_send", "connect_timeout"])
def test_network_failures_are_not_permanent(sdk_errors, failure):
    transport = classify_transport_failure(getattr(sdk_errors, failure)())
    assert transport is not None
    assert not transport.permanent
