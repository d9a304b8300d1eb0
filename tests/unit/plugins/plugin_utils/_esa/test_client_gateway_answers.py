# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API gateway's answers, sent by the emulator's faults exactly as the gateway sends them, through the installed official SDK.

The 2.19 unit run pins tea-openapi 0.4.5 and the 2.21 run 0.4.6 (tests/requirements/), so these run under both releases.
"""

from __future__ import annotations

import datetime as dt
import itertools

import alibabacloud_tea_openapi
import pytest
from alibabacloud_esa20240910 import models as esa_models
from alibabacloud_esa20240910.client import Client as SdkEsaClient
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
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

SITE_ID = 1234567890123  # a site of the emulator's built-in config
INSTALLED_RELEASE = alibabacloud_tea_openapi.__version__
# The two tea-openapi releases requirements.txt allows, which choose the exception class for an answer differently.
TEA_OPENAPI_RELEASES = ("0.4.5", "0.4.6")
THROTTLE_CODES = ["Throttling.User", "Throttling.user", "Throttling.Api", "Throttling.ConcurrentLimitExceeded", "Rejected.Throttling", "ServiceUnavailable"]
SHAPES = list(itertools.product(THROTTLE_CODES, [400, 429, 503], [None, 1200]))
SHAPE_IDS = [f"{code}-{status}-{'retry-after' if header else 'no-header'}" for code, status, header in SHAPES]


def make_client(emu, retries=8):
    settings = resolve_connection_settings({"endpoint": emu.url, **emu.credentials, "api_retries": retries}, {})
    sleeps = []
    client = EsaClient(settings, retry_policy=RetryPolicy(retries, sleep=sleeps.append, random=lambda: 0.5))
    return client, sleeps


def throttle(code, status, retry_after_ms, times=None):
    return {"type": "throttle", "code": code, "status": status, "retry_after_ms": retry_after_ms, "times": times,
            "message": "Request was denied due to flow control."}


def refusal(status, code, message, times=None):
    return {"type": "server_error", "code": code, "status": status, "message": message, "times": times}


def calls(emu):
    return emu.stats()["calls"]


def expected_exception(status, code, retry_after_ms):
    """The class tea-openapi raises for this answer: 0.4.5 goes by the code ("Throttling" in it), 0.4.6 by x-acs-retry-after."""
    throttled = "Throttling" in code if INSTALLED_RELEASE == "0.4.5" else retry_after_ms is not None
    if throttled:
        return ThrottlingException
    return ClientException if status < 500 else ServerException


def test_the_installed_release_is_one_of_the_two_allowed():
    assert INSTALLED_RELEASE in TEA_OPENAPI_RELEASES


@pytest.mark.parametrize("code, status, header", SHAPES, ids=SHAPE_IDS)
def test_the_sdk_raises_the_class_its_release_chooses(esa_emulator, code, status, header):
    esa_emulator.set_faults([throttle(code, status, header)])
    sdk = SdkEsaClient(Config(**esa_emulator.credentials, endpoint=esa_emulator.endpoint, protocol="http"))
    with pytest.raises(Exception) as raised:
        sdk.list_client_certificates_with_options(esa_models.ListClientCertificatesRequest(site_id=SITE_ID), RuntimeOptions())
    # The three classes are siblings (AlibabaCloudException's subclasses), so isinstance names exactly one.
    assert isinstance(raised.value, expected_exception(status, code, header))


@pytest.mark.parametrize("code, status, header", SHAPES, ids=SHAPE_IDS)
def test_the_sdk_keeps_code_status_and_retry_after(esa_emulator, code, status, header):
    esa_emulator.set_faults([throttle(code, status, header)])
    sdk = SdkEsaClient(Config(**esa_emulator.credentials, endpoint=esa_emulator.endpoint, protocol="http"))
    with pytest.raises(Exception) as raised:
        sdk.list_client_certificates_with_options(esa_models.ListClientCertificatesRequest(site_id=SITE_ID), RuntimeOptions())
    kept = expected_exception(status, code, header) is ThrottlingException
    assert (raised.value.code, raised.value.status_code, getattr(raised.value, "retry_after", None)) == (code, status, header if kept else None)


@pytest.mark.parametrize("code, status, header", SHAPES, ids=SHAPE_IDS)
def test_two_throttles_in_a_row_then_the_read_succeeds(esa_emulator, code, status, header):
    esa_emulator.set_faults([throttle(code, status, header, times=2)])
    client, sleeps = make_client(esa_emulator)
    assert client.list_client_certificates(SITE_ID)["TotalCount"] == 0
    assert calls(esa_emulator) == {"ListClientCertificates": 3}
    assert len(sleeps) == 2
    if header is not None and (INSTALLED_RELEASE != "0.4.5" or "Throttling" in code):
        assert sleeps == [pytest.approx(1.2 * 1.1)] * 2  # x-acs-retry-after, plus half its 20 % jitter


@pytest.mark.parametrize("code, status, header", SHAPES, ids=SHAPE_IDS)
def test_two_throttles_in_a_row_then_the_create_succeeds_or_is_reconciled(esa_emulator, code, status, header):
    esa_emulator.set_faults([throttle(code, status, header, times=2)])
    client, sleeps = make_client(esa_emulator)
    if code == "ServiceUnavailable" and status == 503:
        # A 5xx may have taken effect: never a blind repeat; issue() searches ESA before creating again.
        with pytest.raises(AmbiguousCreateError):
            client.create_client_certificate(SITE_ID, validity_days=30, pkey_type="ECDSA")
        assert calls(esa_emulator) == {"CreateClientCertificate": 1}
        assert sleeps == []
    else:
        assert client.create_client_certificate(SITE_ID, validity_days=30, pkey_type="ECDSA")["Id"] == esa_emulator.state()[0]["id"]
        assert calls(esa_emulator) == {"CreateClientCertificate": 3}
        assert len(sleeps) == 2


def test_signature_nonce_used_is_retried_twice_for_reads_then_reported(esa_emulator):
    client, sleeps = make_client(esa_emulator)
    esa_emulator.set_faults([refusal(400, "SignatureNonceUsed", "Specified signature nonce was used already.", times=2)])
    assert client.list_client_certificates(SITE_ID)["TotalCount"] == 0
    assert len(sleeps) == 2
    esa_emulator.set_faults([refusal(400, "SignatureNonceUsed", "Specified signature nonce was used already.", times=3)])
    with pytest.raises(EsaApiError) as raised:
        client.list_client_certificates(SITE_ID)
    assert calls(esa_emulator) == {"ListClientCertificates": 6}
    assert raised.value.code == "SignatureNonceUsed"
    assert "gave up after 3 attempts" in raised.value.message
    assert "nonce" in raised.value.message


def test_signature_nonce_used_on_create_is_reconciled_not_repeated_blindly(esa_emulator):
    esa_emulator.set_faults([refusal(400, "SignatureNonceUsed", "Specified signature nonce was used already.")])
    client, _sleeps = make_client(esa_emulator)
    with pytest.raises(AmbiguousCreateError):
        client.create_client_certificate(SITE_ID, validity_days=30, pkey_type="ECDSA")
    assert calls(esa_emulator) == {"CreateClientCertificate": 1}


@pytest.mark.parametrize(
    "status, code, words",
    [
        (400, "InvalidTimeStamp.Expired", ["clock", "NTP"]),
        (400, "SignatureDoesNotMatch", ["access key {key_id}", "access_key_secret"]),
        (404, "InvalidAccessKeyId.NotFound", ["access key {key_id}", "access_key_id"]),
        (400, "IncompleteSignature", ["access_key_id", "access_key_secret", "proxy"]),
        (404, "InvalidApi.NotFound", ["endpoint", "alibabacloud-esa20240910"]),
        (404, "SiteNotFound", ["Site {site_id}", "site_id", "esa.cn-hangzhou.aliyuncs.com", "esa.ap-southeast-1.aliyuncs.com"]),
        (400, "InvalidParameter.SiteId", ["Site {site_id}", "site_id", "esa.cn-hangzhou.aliyuncs.com", "esa.ap-southeast-1.aliyuncs.com"]),
        (403, "Unauthorized.InvalidTime", ["clock", "NTP"]),
        (403, "Unauthorized.InvalidToken", ["access_key_id", "security_token"]),
    ],
)
def test_gateway_refusals_are_one_line_not_retried_and_keep_code_and_request_id(esa_emulator, status, code, words):
    esa_emulator.set_faults([refusal(status, code, "gateway says no")])
    client, sleeps = make_client(esa_emulator)
    with pytest.raises(EsaApiError) as raised:
        client.list_client_certificates(SITE_ID)
    error = raised.value
    assert calls(esa_emulator) == {"ListClientCertificates": 1}
    assert sleeps == []
    assert error.to_fail_kwargs() == {"msg": error.message, "code": code, "request_id": esa_emulator.request_ids()[0]}
    assert "\n" not in error.message
    assert esa_emulator.credentials["access_key_secret"] not in error.message
    for word in words:
        assert word.format(key_id=esa_emulator.credentials["access_key_id"], site_id=SITE_ID) in error.message


def test_site_not_found_names_the_endpoint_used(esa_emulator):
    client, _sleeps = make_client(esa_emulator)
    with pytest.raises(EsaApiError) as raised:
        client.list_client_certificates(77)  # no such site: the emulator answers InvalidParameter.SiteId itself
    assert raised.value.code == "InvalidParameter.SiteId"
    assert f"at ESA endpoint {esa_emulator.url}" in raised.value.message


def test_a_full_client_ca_quota_says_how_to_free_a_slot(esa_emulator):
    esa_emulator.set_faults([refusal(400, "ClientCaCertificate.QuotaExceeded", "The number of client CA certificates exceeds the quota.")])
    client, sleeps = make_client(esa_emulator)
    with pytest.raises(EsaApiError) as raised:
        upload_client_ca(client, SITE_ID, read_ca_certificate(_ca_pem(), now=_now()), name=None, retry_policy=client.retry_policy)
    message = raised.value.message
    assert "at most 5 client CA certificates per plan" in message
    assert "alibabacloud.esa.esa_client_ca_certificate state=absent" in message
    assert (raised.value.code, raised.value.request_id) == ("ClientCaCertificate.QuotaExceeded", esa_emulator.request_ids()[0])
    assert calls(esa_emulator) == {"UploadClientCaCertificate": 1}
    assert sleeps == []


@pytest.mark.parametrize("pkey_type", ["ECDSA", "RSA"])
def test_a_refused_generated_key_names_the_pkey_type_and_suggests_a_csr(esa_emulator, pkey_type):
    esa_emulator.set_faults([refusal(400, "InvalidParameter", "The specified parameter PkeyType is invalid.")])
    client, sleeps = make_client(esa_emulator)
    with pytest.raises(EsaApiError) as raised:
        issue(client, SITE_ID, 30, _now, pkey_type=pkey_type, retry_policy=client.retry_policy)
    message = raised.value.message
    assert f"PkeyType {pkey_type}" in message
    assert "key_source=local" in message
    assert "CSR" in message
    assert "The specified parameter PkeyType is invalid." in message
    assert (raised.value.code, raised.value.request_id) == ("InvalidParameter", esa_emulator.request_ids()[0])
    assert calls(esa_emulator) == {"CreateClientCertificate": 1}
    assert sleeps == []


def test_a_refused_csr_keeps_the_generic_parameter_message(esa_emulator):
    esa_emulator.set_faults([refusal(400, "InvalidParameter", "The CSR is invalid.")])
    client, _sleeps = make_client(esa_emulator)
    csr_pem = build_csr_pem(generate_private_key("ECDSA"), "web01.example.com")
    with pytest.raises(EsaApiError) as raised:
        issue(client, SITE_ID, 30, _now, csr_pem=csr_pem, pkey_type="ECDSA", retry_policy=client.retry_policy)
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
