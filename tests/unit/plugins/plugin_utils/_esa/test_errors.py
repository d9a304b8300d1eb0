# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from alibabacloud_credentials.exceptions import CredentialException
from alibabacloud_tea_openapi.exceptions import ClientException

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.classification import (
    is_quota_exceeded_code,
    is_server_failure,
    is_throttling,
    retry_after_seconds,
)
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import AmbiguousCreateError, EsaApiError, is_sdk_error
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.messages import describe_sdk_error, explain_generated_key_refusal, other_endpoint_hint
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils import sdk_shapes

ENDPOINT = "https://esa.cn-hangzhou.aliyuncs.com"
KEY_ID = "LTAI5tExampleKeyId"
CONTEXT = {"site_id": 1234, "cert_id": "cert-77", "endpoint": ENDPOINT, "timeout": 30, "access_key_id": KEY_ID}
OTHER_ENDPOINT = "esa.ap-southeast-1.aliyuncs.com (region ap-southeast-1)"

# (HTTP status, ESA code, action, words the message must contain: the cause and the option to fix)
DOCUMENTED_CODES = [
    (400, "InvalidParameter.SiteId", "GetClientCertificate", ["Site 1234", "site_id", f"at ESA endpoint {ENDPOINT}", OTHER_ENDPOINT, "region"]),
    (404, "SiteNotFound", "GetClientCertificate", ["Site 1234", "site_id", f"at ESA endpoint {ENDPOINT}", OTHER_ENDPOINT, "region"]),
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
    (404, "InvalidAccessKeyId.NotFound", "GetClientCertificate", [f"ESA does not know access key {KEY_ID}", "access_key_id"]),
    (403, "InvalidAccessKeyId.Inactive", "GetClientCertificate", [f"Access key {KEY_ID}", "access_key_id"]),
    (400, "SignatureDoesNotMatch", "GetClientCertificate", [f"access_key_secret is not the secret of access key {KEY_ID}", "access_key_id"]),
    (400, "InvalidTimeStamp.Expired", "ListClientCertificates", ["clock", "NTP", "controller"]),
    (400, "IncompleteSignature", "GetClientCertificate", ["access_key_id", "access_key_secret", "spaces", "proxy", ENDPOINT]),
    (400, "SignatureNonceUsed", "GetClientCertificate", ["nonce", "replays", "proxy", ENDPOINT]),
    (404, "InvalidApi.NotFound", "GetClientCertificate", [f"ESA endpoint {ENDPOINT} does not know the action GetClientCertificate", "check endpoint",
                                                          "esa.ap-southeast-1.aliyuncs.com", "alibabacloud-esa20240910"]),
    (400, "InvalidSecurityToken.Expired", "GetClientCertificate", ["security_token"]),
    (400, "InvalidSecurityToken.MismatchWithAccessKey", "GetClientCertificate", ["security_token", "access_key_id"]),
    (403, "Forbidden.RAM", "DeleteClientCertificate", ["esa:DeleteClientCertificate", "RAM", "site 1234"]),
    (403, "NoPermission", "DeleteClientCertificate", ["esa:DeleteClientCertificate", "RAM"]),
    (400, "InvalidCredentials", "GetClientCertificate", ["access_key_id", "access_key_secret", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"]),
]


@pytest.mark.parametrize("status, code, action, words", DOCUMENTED_CODES, ids=[f"{row[1]}-{row[2]}" for row in DOCUMENTED_CODES])
def test_every_documented_code_has_a_one_line_message(sdk_errors, status, code, action, words):
    answer = sdk_errors.answer(status, code)
    error = describe_sdk_error(answer, action=action, **CONTEXT)
    assert isinstance(error, EsaApiError)
    assert "\n" not in error.message
    assert code in error.message
    for word in words:
        assert word in error.message
    assert error.code == code
    assert error.request_id == answer.request_id
    assert error.status_code == status
    assert error.to_fail_kwargs() == {"msg": error.message, "code": code, "request_id": answer.request_id}


def test_throttling_exception_with_unknown_code_is_described_as_throttling(sdk_errors):
    error = describe_sdk_error(sdk_errors.answer(400, "Throttling.Concurrency", retry_after_ms=500), action="GetClientCertificate")
    assert "Throttling.Concurrency" in error.message
    assert "api_retries" in error.message


def test_unknown_code_gives_code_status_and_service_message(sdk_errors):
    error = describe_sdk_error(sdk_errors.answer(409, "Something.New", "the service\nexplains"), action="GetClientCertificate", site_id=5)
    assert error.message == "ESA refused GetClientCertificate for site 5 (Something.New, HTTP 409: the service explains)."
    assert error.code == "Something.New"


def test_server_error_without_code_or_request_id():
    # The SDK turns a missing Code/RequestId into the string 'None'; neither reaches the user. ESA's gateway and the
    # emulator always send both, so this answer is built by hand.
    error = describe_sdk_error(sdk_shapes.answer_error(500, None, message=None, request_id=None), action="ListClientCertificates", site_id=5)
    assert error.code is None
    assert error.request_id is None
    assert error.to_fail_kwargs() == {"msg": error.message}
    assert "HTTP 500" in error.message
    assert "try again later" in error.message
    assert "None" not in error.message


@pytest.mark.parametrize(
    "failure, words, kind",
    [
        ("refused", [ENDPOINT, "refused", "endpoint"], "refused"),
        ("network_unreachable", [ENDPOINT, "unreachable", "endpoint"], "unreachable"),
        ("name_not_resolved", [ENDPOINT, "resolve", "endpoint", "region"], "dns"),
        ("connect_timeout", [ENDPOINT, "30s", "api_timeout"], "connect_timeout"),
        ("read_timeout", [ENDPOINT, "30s", "api_timeout", "GetClientCertificate"], "read_timeout"),
        ("reset_after_send", [ENDPOINT, "broke", "Connection reset by peer"], "connection_dropped"),
        ("tls_verification_failed", [ENDPOINT, "TLS verification", "CERTIFICATE_VERIFY_FAILED", "endpoint"], "tls_verify"),
    ],
)
def test_transport_failures_name_endpoint_or_timeout(sdk_errors, failure, words, kind):
    error = describe_sdk_error(getattr(sdk_errors, failure)(), action="GetClientCertificate", **CONTEXT)
    assert "\n" not in error.message
    for word in words:
        assert word in error.message
    assert error.code is None
    assert error.transport_kind == kind
    assert error.to_fail_kwargs() == {"msg": error.message}


def test_missing_credentials_name_options_and_environment(sdk_errors):
    error = describe_sdk_error(sdk_errors.credentials_missing(), action="GetClientCertificate", **CONTEXT)
    for word in ("credentials", "access_key_id", "access_key_secret", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_SECRET_KEY", "default credential chain"):
        assert word in error.message


def test_missing_credentials_from_the_installed_sdk_keep_its_code(sdk_errors):
    # The installed SDK raises ClientException InvalidCredentials before sending anything.
    assert describe_sdk_error(sdk_errors.credentials_missing(), action="GetClientCertificate", **CONTEXT).code == "InvalidCredentials"


def test_a_bare_credential_exception_has_no_code():
    # alibabacloud_credentials' own CredentialException, as darabonba wraps it when a provider fails during the call: built
    # by hand, as the installed SDK turns an empty chain into InvalidCredentials first.
    error = describe_sdk_error(sdk_shapes.wrapped(CredentialException("unable to load credentials from any of the providers in the chain: []")),
                               action="GetClientCertificate", **CONTEXT)
    assert "default credential chain" in error.message
    assert error.code is None


def test_unparseable_answer_names_endpoint(sdk_errors):
    error = describe_sdk_error(sdk_errors.unparseable_answer(), action="ListClientCertificates", **CONTEXT)
    assert ENDPOINT in error.message
    assert "JSON" in error.message
    assert "<html>" not in error.message


@pytest.mark.parametrize("padding", [0, 280, 295])
def test_secret_and_token_are_never_echoed(sdk_errors, padding):
    secret, token = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRET", "CAIS-sts-token-VALUE/xyz=="
    text = f"{'x' * padding} signature of {secret} with token {token} failed"
    exceptions = [
        sdk_errors.answer(400, "SignatureDoesNotMatch", text),
        sdk_errors.answer(400, "Unknown.Code", text),
        sdk_errors.answer(500, "InternalError", text),
        # Failures below the answer never carry a caller's text on loopback, so these three are built by hand.
        sdk_shapes.wrapped(RuntimeError(text)),
        sdk_shapes.transport_error(OSError(text)),
        sdk_shapes.wrapped(CredentialException(text)),
    ]
    for exc in exceptions:
        error = describe_sdk_error(exc, action="GetClientCertificate", secrets=[secret, token, None], **CONTEXT)
        for value in (secret, token, secret[:12], "wJalrXUtnFEMI%2FK7MDENG%2BbPxRfiCYSECRET"):
            assert value not in error.message
            assert value not in str(error)
            assert value not in repr(error.to_fail_kwargs())


def test_long_service_messages_are_shortened_to_one_line(sdk_errors):
    error = describe_sdk_error(sdk_errors.answer(400, "Unknown.Code", "word\n" * 500), action="GetClientCertificate")
    assert "\n" not in error.message
    assert len(error.message) < 450


def test_ambiguous_create_error_keeps_code_and_says_to_reconcile(sdk_errors):
    answer = sdk_errors.answer(503, "ServiceUnavailable")
    base = describe_sdk_error(answer, action="CreateClientCertificate", site_id=1)
    ambiguous = AmbiguousCreateError.from_error(base)
    assert isinstance(ambiguous, EsaApiError)
    assert ambiguous.code == "ServiceUnavailable"
    assert ambiguous.request_id == answer.request_id
    assert "may have been issued" in ambiguous.message
    assert "\n" not in ambiguous.message


def test_extend_message_stays_one_sentence():
    error = EsaApiError("Something failed: try again later.")
    error.extend_message("(gave up after 3 attempts)")
    assert error.message == "Something failed: try again later (gave up after 3 attempts)."
    assert str(error) == error.message


def test_classification_helpers(sdk_errors):
    # A retry-after on a 5xx with another code is not flow control (tea-openapi 0.4.5 would not even show the header).
    assert not is_throttling(sdk_errors.answer(500, "Whatever", retry_after_ms=10))
    assert is_server_failure(sdk_errors.answer(500, "Whatever", retry_after_ms=10))
    assert is_throttling(sdk_errors.answer(400, "Throttling.User"))
    assert is_throttling(sdk_errors.answer(429, "ServiceUnavailable"))
    assert not is_throttling(sdk_errors.answer(503, "ServiceUnavailable"))
    assert is_server_failure(sdk_errors.answer(503, "ServiceUnavailable"))
    assert is_server_failure(sdk_errors.answer(400, "InternalException"))
    assert not is_server_failure(sdk_errors.answer(400, "InvalidParameter"))
    assert retry_after_seconds(sdk_errors.answer(400, "Throttling.User", retry_after_ms=1500)) == 1.5
    assert retry_after_seconds(sdk_errors.answer(400, "Throttling.User")) is None
    assert is_sdk_error(sdk_errors.refused())
    assert is_sdk_error(ClientException(code="X"))
    assert not is_sdk_error(TypeError("bug"))


@pytest.fixture
def describe(sdk_errors):
    """describe_sdk_error of a real answer with this code (and status, message), for this action and context."""

    def described(code, status=400, action="GetClientCertificate", message="details", **context):
        return describe_sdk_error(sdk_errors.answer(status, code, message), action=action, **{**CONTEXT, **context})

    return described


@pytest.mark.parametrize("code", ["InvalidAccessKeyId.NotFound", "SignatureDoesNotMatch", "InvalidAccessKeyId.Inactive"])
def test_a_key_id_that_may_be_the_secret_is_never_shown(describe, code):
    # access_key_id and access_key_secret swapped: the "key id" is the secret, so it must not be repeated.
    secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETKEY"
    error = describe(code, access_key_id=secret, secrets=["LTAI5tExampleKeyId"])
    assert secret not in error.message
    assert secret[:8] not in error.message
    assert "swapped" in error.message
    assert error.code == code


def test_a_key_from_the_default_chain_is_named_as_such(describe):
    error = describe("InvalidAccessKeyId.NotFound", 404, access_key_id=None)
    assert "the access key id from the default credential chain" in error.message


def test_sts_key_ids_are_named(describe):
    assert "access key STS.NUexample" in describe("SignatureDoesNotMatch", access_key_id="STS.NUexample").message


@pytest.mark.parametrize(
    "endpoint, words",
    [
        ("https://esa.cn-hangzhou.aliyuncs.com", ["international accounts use esa.ap-southeast-1.aliyuncs.com (region ap-southeast-1)"]),
        ("esa.ap-southeast-1.aliyuncs.com", ["China-site accounts use esa.cn-hangzhou.aliyuncs.com (region cn-hangzhou)"]),
        ("https://esa-vpc.cn-hangzhou.aliyuncs.com:443", ["international accounts use esa-vpc.ap-southeast-1.aliyuncs.com (region ap-southeast-1)"]),
        ("http://127.0.0.1:8080", ["esa.cn-hangzhou.aliyuncs.com (region cn-hangzhou)", "esa.ap-southeast-1.aliyuncs.com (region ap-southeast-1)"]),
        (None, ["esa.cn-hangzhou.aliyuncs.com (region cn-hangzhou)", "esa.ap-southeast-1.aliyuncs.com (region ap-southeast-1)"]),
    ],
)
def test_an_unknown_site_points_at_the_other_endpoint(describe, endpoint, words):
    hint = other_endpoint_hint(endpoint)
    assert hint.startswith("the site may belong to the other endpoint")
    assert hint.endswith("set region or endpoint")
    for word in words:
        assert word in hint
    for code in ("InvalidParameter.SiteId", "SiteNotFound"):
        message = describe(code, endpoint=endpoint).message
        assert hint in message
        assert (f"at ESA endpoint {endpoint} " if endpoint else "at the ESA endpoint ") in message


@pytest.mark.parametrize(
    "code, expected",
    [
        ("ClientCaCertificate.QuotaExceeded", True),
        ("QuotaExceed.ClientCaCertificate", True),
        ("ClientCa.CountLimit", True),
        ("Certificate.ExceedLimit", True),
        ("QuotaCheckFailed.Function", False),
        ("Throttling.ConcurrentLimitExceeded", False),
        ("InvalidParameter", False),
        (None, False),
    ],
)
def test_quota_codes(code, expected):
    assert is_quota_exceeded_code(code) is expected


@pytest.mark.parametrize("code", ["ClientCaCertificate.QuotaExceeded", "QuotaExceed.ClientCaCertificate", "ClientCa.CountLimit"])
def test_a_full_client_ca_quota_says_how_to_free_a_slot(sdk_errors, describe, code):
    error = describe(code, action="UploadClientCaCertificate", message="The number of client CA certificates exceeds the quota.")
    assert error.message == (
        f"The plan of site 1234 already holds as many client CA certificates as it allows ({code}: The number of client CA certificates exceeds the "
        "quota.): ESA allows at most 5 client CA certificates per plan; delete one with alibabacloud.esa.esa_client_ca_certificate state=absent, then "
        "upload again."
    )
    assert (error.code, error.request_id) == (code, sdk_errors.last_request_id())


def test_quota_wording_is_only_for_uploads_and_never_for_throttling_or_a_missing_feature(describe):
    assert "at most 5" not in describe("ClientCaCertificate.QuotaExceeded", action="CreateClientCertificate").message
    throttled = describe("Throttling.ConcurrentLimitExceeded", action="UploadClientCaCertificate").message
    assert throttled.startswith("ESA kept throttling UploadClientCaCertificate")
    plan = describe("QuotaCheckFailed.Function", action="UploadClientCaCertificate").message
    assert "does not include client certificates" in plan
    assert "at most 5" not in plan


@pytest.mark.parametrize("pkey_type", ["ECDSA", "RSA", None])
def test_a_refused_generated_key_names_the_pkey_type_and_suggests_a_csr(sdk_errors, describe, pkey_type):
    base = describe("InvalidParameter", action="CreateClientCertificate", message="The specified parameter PkeyType is invalid.")
    explained = explain_generated_key_refusal(base, pkey_type)
    assert explained.message == (
        f"ESA rejected CreateClientCertificate with PkeyType {pkey_type or '(none)'} and no CSR (InvalidParameter: The specified parameter PkeyType is "
        "invalid.): ESA documents only RSA for keys it generates (ECDSA is unverified); use key_source=local, which sends a CSR, or pkey_type=RSA, and "
        "check validity_days."
    )
    assert (explained.code, explained.request_id, explained.status_code, explained.action) == ("InvalidParameter", sdk_errors.last_request_id(), 400,
                                                                                               "CreateClientCertificate")
    other = describe("QuotaCheckFailed.Function", action="CreateClientCertificate")
    assert explain_generated_key_refusal(other, pkey_type) is other


def test_reworded_keeps_every_fact_of_the_failure_and_its_cause(sdk_errors, describe):
    base = describe("InvalidParameter", message="The specified parameter is invalid.")
    sdk_exception = base.__cause__
    reworded = base.reworded("In this task's terms.")
    assert isinstance(reworded, EsaApiError)
    assert reworded.message == str(reworded) == "In this task's terms."
    assert (reworded.code, reworded.request_id, reworded.status_code, reworded.action, reworded.service_message) == (
        "InvalidParameter", sdk_errors.last_request_id(), 400, "GetClientCertificate", "The specified parameter is invalid.")
    assert reworded.__cause__ is sdk_exception  # the SDK's exception, for the -vvv report
    assert reworded.reworded("Again.").__cause__ is sdk_exception
    transport = describe_sdk_error(sdk_errors.reset_after_send(), action="CreateClientCertificate")
    assert transport.reworded("x").transport_kind == "connection_dropped"
    bare = EsaApiError("no cause", code="X")
    assert bare.reworded("y").__cause__ is bare


def test_an_ambiguous_error_carries_what_failed_apart_from_the_advice(sdk_errors):
    base = describe_sdk_error(sdk_errors.reset_after_send(), action="CreateClientCertificate", site_id=1)
    ambiguous = AmbiguousCreateError.from_error(base)
    assert ambiguous.failure == base.message
    assert ambiguous.message == f"{base.message} {AmbiguousCreateError.ADVICE}"
    assert ambiguous.transport_kind == "connection_dropped"
    assert ambiguous.__cause__ is base.__cause__
    assert not isinstance(ambiguous.reworded("Nothing was created."), AmbiguousCreateError)  # a reworded failure is no longer ambiguous


def test_service_message_is_esas_own_words_without_secrets_and_only_for_answers(sdk_errors, describe):
    secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRET"
    error = describe_sdk_error(sdk_errors.answer(400, "Unknown.Code", f"signed with {secret}\nthen refused"), action="GetClientCertificate",
                               secrets=[secret])
    assert error.service_message == "signed with ******** then refused"
    assert describe("InvalidParameter", message="").service_message is None
    assert describe_sdk_error(sdk_errors.refused(), action="GetClientCertificate").service_message is None
