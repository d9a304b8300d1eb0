# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa_errors import (
    AmbiguousCreateError,
    EsaApiError,
    describe_sdk_error,
    is_sdk_error,
    is_server_failure,
    is_throttling,
    retry_after_seconds,
)
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils import sdk_fakes
from alibabacloud_credentials.exceptions import CredentialException
from alibabacloud_tea_openapi.exceptions import ClientException

ENDPOINT = "https://esa.cn-hangzhou.aliyuncs.com"
CONTEXT = {"site_id": 1234, "cert_id": "cert-77", "endpoint": ENDPOINT, "timeout": 30}

# (HTTP status, ESA code, action, words the message must contain: the cause and the option to fix)
DOCUMENTED_CODES = [
    (400, "InvalidParameter.SiteId", "GetClientCertificate", ["Site 1234", "site_id"]),
    (400, "MissingSiteId", "ListClientCertificates", ["SiteId", "site_id"]),
    (400, "InvalidParameter", "CreateClientCertificate", ["csr_path", "csr_content", "pkey_type", "validity_days", "details"]),
    (400, "InvalidParameter", "GetClientCertificate", ["site_id and id", "details"]),
    (400, "InternalException", "RevokeClientCertificate", ["internally", "try again later"]),
    (400, "QuotaCheckFailed.Function", "CreateClientCertificate", ["plan", "site 1234", "site_id"]),
    (400, "Certificate.StatusError", "RevokeClientCertificate", ["certificate cert-77", "status", "RevokeClientCertificate"]),
    (400, "Id.MissingParameter", "GetClientCertificate", ["Id", "set id"]),
    (404, "Certificate.NotFound", "GetClientCertificate", ["cert-77", "Site 1234", "check id", "site_id"]),
    (403, "Unauthorized.InvalidTime", "ListClientCertificates", ["clock", "NTP", "controller"]),
    (403, "Unauthorized.InvalidToken", "ListClientCertificates", ["access_key_id", "access_key_secret", "security_token"]),
    (400, "Throttling.User", "CreateClientCertificate", ["throttling", "api_retries", "forks"]),
    (429, "Throttling.Api", "GetClientCertificate", ["throttling", "api_retries"]),
    (400, "ServiceUnavailable", "GetClientCertificate", ["unavailable", "api_retries"]),
    # The gateway's common authentication and authorisation codes.
    (404, "InvalidAccessKeyId.NotFound", "GetClientCertificate", ["access_key_id"]),
    (403, "InvalidAccessKeyId.Inactive", "GetClientCertificate", ["access_key_id"]),
    (400, "SignatureDoesNotMatch", "GetClientCertificate", ["access_key_secret"]),
    (400, "InvalidSecurityToken.Expired", "GetClientCertificate", ["security_token"]),
    (400, "InvalidSecurityToken.MismatchWithAccessKey", "GetClientCertificate", ["security_token", "access_key_id"]),
    (403, "Forbidden.RAM", "DeleteClientCertificate", ["esa:DeleteClientCertificate", "RAM", "site 1234"]),
    (403, "NoPermission", "DeleteClientCertificate", ["esa:DeleteClientCertificate", "RAM"]),
    (400, "InvalidCredentials", "GetClientCertificate", ["access_key_id", "access_key_secret", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"]),
]


@pytest.mark.parametrize("status, code, action, words", DOCUMENTED_CODES, ids=[f"{row[1]}-{row[2]}" for row in DOCUMENTED_CODES])
def test_every_documented_code_has_a_one_line_message(status, code, action, words):
    error = describe_sdk_error(sdk_fakes.answer_error(status, code, request_id="REQ-42"), action=action, **CONTEXT)
    assert isinstance(error, EsaApiError)
    assert "\n" not in error.message
    assert code in error.message
    for word in words:
        assert word in error.message
    assert error.code == code
    assert error.request_id == "REQ-42"
    assert error.status_code == status
    assert error.to_fail_kwargs() == {"msg": error.message, "code": code, "request_id": "REQ-42"}


def test_throttling_exception_with_unknown_code_is_described_as_throttling():
    error = describe_sdk_error(sdk_fakes.answer_error(400, "Throttling.Concurrency", retry_after_ms=500), action="GetClientCertificate")
    assert "Throttling.Concurrency" in error.message
    assert "api_retries" in error.message


def test_unknown_code_gives_code_status_and_service_message():
    error = describe_sdk_error(sdk_fakes.answer_error(409, "Something.New", "the service\nexplains"), action="GetClientCertificate", site_id=5)
    assert error.message == "ESA refused GetClientCertificate for site 5 (Something.New, HTTP 409: the service explains)."
    assert error.code == "Something.New"


def test_server_error_without_code_or_request_id():
    # The SDK turns a missing Code/RequestId into the string 'None'; neither reaches the user.
    error = describe_sdk_error(sdk_fakes.answer_error(500, None, message=None, request_id=None), action="ListClientCertificates", site_id=5)
    assert error.code is None
    assert error.request_id is None
    assert error.to_fail_kwargs() == {"msg": error.message}
    assert "HTTP 500" in error.message
    assert "try again later" in error.message
    assert "None" not in error.message


@pytest.mark.parametrize(
    "make_error, words, kind",
    [
        (sdk_fakes.connection_refused, [ENDPOINT, "refused", "endpoint"], "refused"),
        (sdk_fakes.network_unreachable, [ENDPOINT, "unreachable", "endpoint"], "unreachable"),
        (sdk_fakes.name_not_resolved, [ENDPOINT, "resolve", "endpoint", "region"], "dns"),
        (sdk_fakes.connect_timeout, [ENDPOINT, "30s", "api_timeout"], "connect_timeout"),
        (sdk_fakes.read_timeout, [ENDPOINT, "30s", "api_timeout", "GetClientCertificate"], "read_timeout"),
        (sdk_fakes.reset_after_send, [ENDPOINT, "broke", "Connection reset by peer"], "connection_dropped"),
        (sdk_fakes.tls_verification_failed, [ENDPOINT, "TLS verification", "CERTIFICATE_VERIFY_FAILED", "endpoint"], "tls_verify"),
    ],
)
def test_transport_failures_name_endpoint_or_timeout(make_error, words, kind):
    error = describe_sdk_error(make_error(), action="GetClientCertificate", **CONTEXT)
    assert "\n" not in error.message
    for word in words:
        assert word in error.message
    assert error.code is None
    assert error.transport_kind == kind
    assert error.to_fail_kwargs() == {"msg": error.message}


def test_missing_credentials_name_options_and_environment():
    error = describe_sdk_error(sdk_fakes.credentials_missing(), action="GetClientCertificate", **CONTEXT)
    for word in ("credentials", "access_key_id", "access_key_secret", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_SECRET_KEY", "default credential chain"):
        assert word in error.message
    assert error.code is None


def test_unparseable_answer_names_endpoint():
    error = describe_sdk_error(sdk_fakes.unparseable_answer(), action="ListClientCertificates", **CONTEXT)
    assert ENDPOINT in error.message
    assert "JSON" in error.message
    assert "<html>" not in error.message


@pytest.mark.parametrize("padding", [0, 280, 295])
def test_secret_and_token_are_never_echoed(padding):
    secret, token = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRET", "CAIS-sts-token-VALUE/xyz=="
    text = f"{'x' * padding} signature of {secret} with token {token} failed"
    exceptions = [
        sdk_fakes.answer_error(400, "SignatureDoesNotMatch", text),
        sdk_fakes.answer_error(400, "Unknown.Code", text),
        sdk_fakes.answer_error(500, "InternalError", text),
        sdk_fakes.wrapped(RuntimeError(text)),
        sdk_fakes.transport_error(OSError(text)),
        sdk_fakes.wrapped(CredentialException(text)),
    ]
    for exc in exceptions:
        error = describe_sdk_error(exc, action="GetClientCertificate", secrets=[secret, token, None], **CONTEXT)
        for value in (secret, token, secret[:12], "wJalrXUtnFEMI%2FK7MDENG%2BbPxRfiCYSECRET"):
            assert value not in error.message
            assert value not in str(error)
            assert value not in repr(error.to_fail_kwargs())


def test_long_service_messages_are_shortened_to_one_line():
    error = describe_sdk_error(sdk_fakes.answer_error(400, "Unknown.Code", "word\n" * 500), action="GetClientCertificate")
    assert "\n" not in error.message
    assert len(error.message) < 450


def test_ambiguous_create_error_keeps_code_and_says_to_reconcile():
    base = describe_sdk_error(sdk_fakes.answer_error(503, "ServiceUnavailable", request_id="REQ-9"), action="CreateClientCertificate", site_id=1)
    ambiguous = AmbiguousCreateError.from_error(base)
    assert isinstance(ambiguous, EsaApiError)
    assert ambiguous.code == "ServiceUnavailable"
    assert ambiguous.request_id == "REQ-9"
    assert "may have been issued" in ambiguous.message
    assert "\n" not in ambiguous.message


def test_extend_message_stays_one_sentence():
    error = EsaApiError("Something failed: try again later.")
    error.extend_message("(gave up after 3 attempts)")
    assert error.message == "Something failed: try again later (gave up after 3 attempts)."
    assert str(error) == error.message


def test_classification_helpers():
    assert is_throttling(sdk_fakes.answer_error(500, "Whatever", retry_after_ms=10))
    assert is_throttling(sdk_fakes.answer_error(400, "Throttling.User"))
    assert is_throttling(sdk_fakes.answer_error(429, "ServiceUnavailable"))
    assert not is_throttling(sdk_fakes.answer_error(503, "ServiceUnavailable"))
    assert is_server_failure(sdk_fakes.answer_error(503, "ServiceUnavailable"))
    assert is_server_failure(sdk_fakes.answer_error(400, "InternalException"))
    assert not is_server_failure(sdk_fakes.answer_error(400, "InvalidParameter"))
    assert retry_after_seconds(sdk_fakes.answer_error(400, "Throttling.User", retry_after_ms=1500)) == 1.5
    assert retry_after_seconds(sdk_fakes.answer_error(400, "Throttling.User")) is None
    assert is_sdk_error(sdk_fakes.connection_refused())
    assert is_sdk_error(ClientException(code="X"))
    assert not is_sdk_error(TypeError("bug"))
