# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API gateway's answers, sent by a loopback server exactly as the gateway sends them, through the installed official SDK.

The 2.19 unit run pins tea-openapi 0.4.5 and the 2.21 run 0.4.6 (tests/requirements/), so these run under both releases.
"""

from __future__ import annotations

import datetime as dt
import itertools

import alibabacloud_tea_openapi
import pytest
from alibabacloud_esa20240910 import models as esa_models
from alibabacloud_esa20240910.client import Client as SdkEsaClient
from alibabacloud_tea_openapi.utils_models import Config
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from darabonba.runtime import RuntimeOptions

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import build_csr_pem, generate_private_key
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.issuance import issue
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._client_ca.ca import read_ca_certificate, upload_client_ca
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import EsaClient
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import AmbiguousCreateError, EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import resolve_connection_settings
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils import loopback_servers as servers
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils import sdk_fakes

KEY_ID = "LTAI5tLoopbackKeyId"
SECRET = "loopback-gateway-secret-value"
INSTALLED_RELEASE = alibabacloud_tea_openapi.__version__
THROTTLE_CODES = ["Throttling.User", "Throttling.user", "Throttling.Api", "Throttling.ConcurrentLimitExceeded", "Rejected.Throttling", "ServiceUnavailable"]
SHAPES = list(itertools.product(THROTTLE_CODES, [400, 429, 503], [None, "1200"]))
SHAPE_IDS = [f"{code}-{status}-{'retry-after' if header else 'no-header'}" for code, status, header in SHAPES]
CREATED = {"RequestId": "R-ok", "Id": "cert-9", "Status": "active"}
LISTED = {"RequestId": "R-ok", "TotalCount": 0, "PageNumber": 1, "PageSize": 100, "Result": []}


@pytest.fixture
def server_factory():
    opened = []

    def start(*answers):
        server = servers.ScriptedHttpServer(*answers)
        opened.append(server)
        return server

    yield start
    for server in opened:
        server.close()


def make_client(server, retries=8, **params):
    settings = resolve_connection_settings(
        {"endpoint": f"http://127.0.0.1:{server.port}", "access_key_id": KEY_ID, "access_key_secret": SECRET, "api_retries": retries, **params}, {}
    )
    sleeps = []
    client = EsaClient(settings, retry_policy=RetryPolicy(retries, sleep=sleeps.append, random=lambda: 0.5))
    return client, sleeps


def answer(code, status, header, message="Request was denied due to flow control."):
    headers = {"x-acs-retry-after": header} if header is not None else {}
    return servers.error_answer(status, code, message, **headers)


def test_the_installed_release_is_one_the_fakes_model():
    assert INSTALLED_RELEASE in sdk_fakes.TEA_OPENAPI_RELEASES


@pytest.mark.parametrize("code, status, header", SHAPES, ids=SHAPE_IDS)
def test_the_sdk_raises_what_the_fakes_say_for_the_installed_release(server_factory, code, status, header):
    server = server_factory(answer(code, status, header))
    sdk = SdkEsaClient(Config(access_key_id=KEY_ID, access_key_secret=SECRET, endpoint=f"127.0.0.1:{server.port}", protocol="http"))
    with pytest.raises(Exception) as raised:
        sdk.list_client_certificates_with_options(esa_models.ListClientCertificatesRequest(site_id=1), RuntimeOptions())
    expected = sdk_fakes.answer_error_from(INSTALLED_RELEASE, status, code, retry_after_header=header)
    real = raised.value
    assert type(real) is type(expected)
    assert (real.code, real.status_code, getattr(real, "retry_after", None)) == (expected.code, expected.status_code, expected.retry_after)


@pytest.mark.parametrize("code, status, header", SHAPES, ids=SHAPE_IDS)
def test_two_throttles_in_a_row_then_the_read_succeeds(server_factory, code, status, header):
    server = server_factory(answer(code, status, header), answer(code, status, header), servers.json_answer(200, LISTED))
    client, sleeps = make_client(server)
    assert client.list_client_certificates(1)["TotalCount"] == 0
    assert server.actions == ["ListClientCertificates"] * 3
    assert len(sleeps) == 2
    if header is not None and (INSTALLED_RELEASE != "0.4.5" or "Throttling" in code):
        assert sleeps == [pytest.approx(1.2 * 1.1)] * 2  # x-acs-retry-after, plus half its 20 % jitter


@pytest.mark.parametrize("code, status, header", SHAPES, ids=SHAPE_IDS)
def test_two_throttles_in_a_row_then_the_create_succeeds_or_is_reconciled(server_factory, code, status, header):
    server = server_factory(answer(code, status, header), answer(code, status, header), servers.json_answer(200, CREATED))
    client, sleeps = make_client(server)
    if code == "ServiceUnavailable" and status == 503:
        # A 5xx may have taken effect: never a blind repeat; issue() searches ESA before creating again.
        with pytest.raises(AmbiguousCreateError):
            client.create_client_certificate(1, validity_days=30, csr="CSR")
        assert server.actions == ["CreateClientCertificate"]
        assert sleeps == []
    else:
        assert client.create_client_certificate(1, validity_days=30, csr="CSR") == CREATED
        assert server.actions == ["CreateClientCertificate"] * 3
        assert len(sleeps) == 2


def test_signature_nonce_used_is_retried_twice_for_reads_then_reported(server_factory):
    nonce = servers.error_answer(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
    server = server_factory(nonce, nonce, servers.json_answer(200, LISTED), nonce, nonce, nonce, servers.json_answer(200, LISTED))
    client, sleeps = make_client(server)
    assert client.list_client_certificates(1)["TotalCount"] == 0
    assert len(sleeps) == 2
    with pytest.raises(EsaApiError) as raised:
        client.list_client_certificates(1)
    assert server.actions == ["ListClientCertificates"] * 6
    assert raised.value.code == "SignatureNonceUsed"
    assert "gave up after 3 attempts" in raised.value.message
    assert "nonce" in raised.value.message


def test_signature_nonce_used_on_create_is_reconciled_not_repeated_blindly(server_factory):
    server = server_factory(servers.error_answer(400, "SignatureNonceUsed", "Specified signature nonce was used already."))
    client, sleeps = make_client(server)
    with pytest.raises(AmbiguousCreateError):
        client.create_client_certificate(1, validity_days=30, csr="CSR")
    assert server.actions == ["CreateClientCertificate"]


@pytest.mark.parametrize(
    "status, code, words",
    [
        (400, "InvalidTimeStamp.Expired", ["clock", "NTP"]),
        (400, "SignatureDoesNotMatch", [f"access key {KEY_ID}", "access_key_secret"]),
        (404, "InvalidAccessKeyId.NotFound", [f"access key {KEY_ID}", "access_key_id"]),
        (400, "IncompleteSignature", ["access_key_id", "access_key_secret", "proxy"]),
        (404, "InvalidApi.NotFound", ["endpoint", "alibabacloud-esa20240910"]),
        (404, "SiteNotFound", ["Site 1", "site_id", "esa.cn-hangzhou.aliyuncs.com", "esa.ap-southeast-1.aliyuncs.com"]),
        (400, "InvalidParameter.SiteId", ["Site 1", "site_id", "esa.cn-hangzhou.aliyuncs.com", "esa.ap-southeast-1.aliyuncs.com"]),
        (403, "Unauthorized.InvalidTime", ["clock", "NTP"]),
        (403, "Unauthorized.InvalidToken", ["access_key_id", "security_token"]),
    ],
)
def test_gateway_refusals_are_one_line_not_retried_and_keep_code_and_request_id(server_factory, status, code, words):
    server = server_factory(servers.error_answer(status, code, "gateway says no"))
    client, sleeps = make_client(server)
    with pytest.raises(EsaApiError) as raised:
        client.list_client_certificates(1)
    error = raised.value
    assert server.actions == ["ListClientCertificates"]
    assert sleeps == []
    assert error.to_fail_kwargs() == {"msg": error.message, "code": code, "request_id": f"REQ-{code}"}
    assert "\n" not in error.message
    assert SECRET not in error.message
    for word in words:
        assert word in error.message


def test_site_not_found_names_the_endpoint_used(server_factory):
    server = server_factory(servers.error_answer(400, "InvalidParameter.SiteId", "The specified site does not exist."))
    client, _sleeps = make_client(server)
    with pytest.raises(EsaApiError) as raised:
        client.list_client_certificates(77)
    assert f"at ESA endpoint http://127.0.0.1:{server.port}" in raised.value.message


def test_a_full_client_ca_quota_says_how_to_free_a_slot(server_factory):
    server = server_factory(servers.error_answer(400, "ClientCaCertificate.QuotaExceeded", "The number of client CA certificates exceeds the quota."))
    client, sleeps = make_client(server)
    with pytest.raises(EsaApiError) as raised:
        upload_client_ca(client, 1, read_ca_certificate(_ca_pem(), now=_now()), name=None, retry_policy=client.retry_policy)
    message = raised.value.message
    assert "at most 5 client CA certificates per plan" in message
    assert "alibabacloud.esa.esa_client_ca_certificate state=absent" in message
    assert (raised.value.code, raised.value.request_id) == ("ClientCaCertificate.QuotaExceeded", "REQ-ClientCaCertificate.QuotaExceeded")
    assert server.actions == ["UploadClientCaCertificate"]
    assert sleeps == []


@pytest.mark.parametrize("pkey_type", ["ECDSA", "RSA"])
def test_a_refused_generated_key_names_the_pkey_type_and_suggests_a_csr(server_factory, pkey_type):
    server = server_factory(servers.error_answer(400, "InvalidParameter", "The specified parameter PkeyType is invalid."))
    client, sleeps = make_client(server)
    with pytest.raises(EsaApiError) as raised:
        issue(client, 1, 30, _now, pkey_type=pkey_type, retry_policy=client.retry_policy)
    message = raised.value.message
    assert f"PkeyType {pkey_type}" in message
    assert "key_source=local" in message
    assert "CSR" in message
    assert "The specified parameter PkeyType is invalid." in message
    assert (raised.value.code, raised.value.request_id) == ("InvalidParameter", "REQ-InvalidParameter")
    assert server.actions == ["CreateClientCertificate"]
    assert sleeps == []


def test_a_refused_csr_keeps_the_generic_parameter_message(server_factory):
    server = server_factory(servers.error_answer(400, "InvalidParameter", "The CSR is invalid."))
    client, _sleeps = make_client(server)
    csr_pem = build_csr_pem(generate_private_key("ECDSA"), "web01.example.com")
    with pytest.raises(EsaApiError) as raised:
        issue(client, 1, 30, _now, csr_pem=csr_pem, pkey_type="ECDSA", retry_policy=client.retry_policy)
    assert "PkeyType" not in raised.value.message
    assert "csr_path" in raised.value.message


def _now():
    return dt.datetime.now(dt.timezone.utc)


def _ca_pem():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Partner Client CA")])
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(0xC0FFEE)
                   .not_valid_before(_now() - dt.timedelta(days=1)).not_valid_after(_now() + dt.timedelta(days=365))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
