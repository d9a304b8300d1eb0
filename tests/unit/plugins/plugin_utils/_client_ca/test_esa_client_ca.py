# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EsaClient's client-CA and hostname-binding calls: at the SDK boundary (fakes), and through the real SDK against the emulator."""

from __future__ import annotations

import pytest
from alibabacloud_esa20240910 import models as esa_models

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import EsaClient
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import AmbiguousCreateError, EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import resolve_connection_settings
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils import sdk_fakes

SECRET = "s3cr3t-Access-Key-Secret-value"
SITE_ID = 1234567890123

RESPONSES = {
    "get_client_ca_certificate_hostnames": esa_models.GetClientCaCertificateHostnamesResponse,
    "set_client_ca_certificate_hostnames": esa_models.SetClientCaCertificateHostnamesResponse,
    "upload_client_ca_certificate": esa_models.UploadClientCaCertificateResponse,
    "get_client_ca_certificate": esa_models.GetClientCaCertificateResponse,
    "list_client_ca_certificates": esa_models.ListClientCaCertificatesResponse,
    "delete_client_ca_certificate": esa_models.DeleteClientCaCertificateResponse,
}


def client_with(retries=3, **scripts):
    sleeps = []
    fake = sdk_fakes.FakeSdk(RESPONSES, **scripts)
    settings = resolve_connection_settings({"access_key_id": "AKID", "access_key_secret": SECRET, "endpoint": "http://127.0.0.1:9"}, {})
    client = EsaClient(settings, retry_policy=RetryPolicy(retries, sleep=sleeps.append, random=lambda: 0.5), sdk_client=fake)
    return client, fake, sleeps


BINDING = {"RequestId": "R", "SiteId": 7, "SiteName": "example.com", "Id": "ca-1", "Hostnames": ["www.example.com"]}


@pytest.mark.parametrize("family", ["client_ca_certificate"])
def test_hostname_calls_send_the_ca_only_when_given(family):
    client, fake, _sleeps = client_with(**{f"get_{family}_hostnames": [BINDING, BINDING], f"set_{family}_hostnames": [BINDING, BINDING]})
    assert getattr(client, f"get_{family}_hostnames")(7) == BINDING
    getattr(client, f"get_{family}_hostnames")(7, "ca-1")
    assert getattr(client, f"set_{family}_hostnames")(7, ["www.example.com"]) == BINDING
    getattr(client, f"set_{family}_hostnames")(7, [], "ca-1")
    assert fake.requests == [
        (f"get_{family}_hostnames", {"SiteId": 7}),
        (f"get_{family}_hostnames", {"SiteId": 7, "Id": "ca-1"}),
        (f"set_{family}_hostnames", {"SiteId": 7, "Hostnames": ["www.example.com"]}),
        (f"set_{family}_hostnames", {"SiteId": 7, "Hostnames": [], "Id": "ca-1"}),
    ]


def test_setting_hostnames_is_retried_like_a_read():
    # Setting the same set twice leaves the same set: a reset after sending is safe to repeat.
    outcomes = [sdk_fakes.reset_after_send(), sdk_fakes.answer_error(503, "ServiceUnavailable"), BINDING]
    client, fake, sleeps = client_with(set_client_ca_certificate_hostnames=outcomes)
    assert client.set_client_ca_certificate_hostnames(7, ["www.example.com"], "ca-1") == BINDING
    assert len(fake.requests) == 3
    assert len(sleeps) == 2


def test_hostname_errors_name_the_ca_and_site():
    client, _fake, _sleeps = client_with(get_client_ca_certificate_hostnames=[sdk_fakes.answer_error(404, "Certificate.NotFound", request_id="R-9")])
    with pytest.raises(EsaApiError) as raised:
        client.get_client_ca_certificate_hostnames(7, "ca-404")
    assert raised.value.code == "Certificate.NotFound"
    assert raised.value.request_id == "R-9"
    assert "ca-404" in raised.value.message
    assert "site 7" in raised.value.message.lower()


def test_upload_sends_certificate_and_name_and_answers_flat():
    answer = {"RequestId": "R", "Id": "ca-1", "Status": "OK", "FingerprintSha256": "ab" * 32, "ValidityDays": "3650"}
    client, fake, _sleeps = client_with(upload_client_ca_certificate=[answer, answer])
    assert client.upload_client_ca_certificate(7, "PEM", name="partner") == answer
    client.upload_client_ca_certificate(7, "PEM")
    assert fake.requests == [
        ("upload_client_ca_certificate", {"SiteId": 7, "Certificate": "PEM", "Name": "partner"}),
        ("upload_client_ca_certificate", {"SiteId": 7, "Certificate": "PEM"}),
    ]


def test_upload_is_retried_only_when_it_surely_did_not_take_effect():
    client, fake, _sleeps = client_with(
        upload_client_ca_certificate=[sdk_fakes.answer_error(429, "Throttling.User", retry_after_ms=100), sdk_fakes.connection_refused(), {"Id": "ca-3"}]
    )
    assert client.upload_client_ca_certificate(7, "PEM") == {"Id": "ca-3"}
    assert len(fake.requests) == 3

    for failure in (sdk_fakes.reset_after_send(), sdk_fakes.answer_error(500, "InternalError"), sdk_fakes.read_timeout()):
        client, fake, _sleeps = client_with(upload_client_ca_certificate=[failure, {"Id": "never"}])
        with pytest.raises(AmbiguousCreateError):
            client.upload_client_ca_certificate(7, "PEM")
        assert len(fake.requests) == 1


def test_get_answers_none_when_not_found_and_raises_otherwise():
    body = {"RequestId": "R", "SiteId": 7, "Status": "OK", "Certificate": "PEM", "Result": {"Id": "ca-1", "Name": "partner"}}
    client, fake, _sleeps = client_with(get_client_ca_certificate=[body, sdk_fakes.answer_error(404, "Certificate.NotFound"),
                                                                   sdk_fakes.answer_error(400, "QuotaCheckFailed.Function")])
    assert client.get_client_ca_certificate(7, "ca-1") == body
    assert client.get_client_ca_certificate(7, "ca-404") is None
    with pytest.raises(EsaApiError) as raised:
        client.get_client_ca_certificate(7, "ca-1")
    assert raised.value.code == "QuotaCheckFailed.Function"
    assert fake.requests[0] == ("get_client_ca_certificate", {"SiteId": 7, "Id": "ca-1"})


def test_delete_calls_its_action():
    client, fake, _sleeps = client_with(delete_client_ca_certificate=[{"RequestId": "R", "SiteId": 7, "Id": "ca-1"}])
    assert client.delete_client_ca_certificate(7, "ca-1")["Id"] == "ca-1"
    assert fake.requests == [("delete_client_ca_certificate", {"SiteId": 7, "Id": "ca-1"})]


def test_delete_of_what_is_already_gone_answers_none_when_accepted():
    client, _fake, _sleeps = client_with(delete_client_ca_certificate=[sdk_fakes.answer_error(404, "Certificate.NotFound")] * 2)
    assert client.delete_client_ca_certificate(7, "ca-404", accept=("Certificate.NotFound",)) is None
    with pytest.raises(EsaApiError) as raised:
        client.delete_client_ca_certificate(7, "ca-404")
    assert raised.value.code == "Certificate.NotFound"


def _page(start, count, total=None, page_size=None):
    body = {"Result": [{"Id": f"ca-{number}"} for number in range(start, start + count)]}
    if total is not None:
        body["TotalCount"] = total
    if page_size is not None:
        body["PageSize"] = page_size
    return body


def test_iteration_walks_every_page():
    client, fake, _sleeps = client_with(list_client_ca_certificates=[_page(0, 2, 5), _page(2, 2, 5), _page(4, 1, 5)])
    assert [record["Id"] for record in client.iter_client_ca_certificates(7, page_size=2)] == [f"ca-{n}" for n in range(5)]
    assert [request for _operation, request in fake.requests] == [{"SiteId": 7, "PageNumber": n, "PageSize": 2} for n in (1, 2, 3)]

    client, fake, _sleeps = client_with(list_client_ca_certificates=[_page(0, 20, 45, 20), _page(20, 20, 45, 20), _page(40, 5, 45, 20)])
    assert len(list(client.iter_client_ca_certificates(7))) == 45  # ESA capped PageSize at 20: TotalCount decides

    client, fake, _sleeps = client_with(list_client_ca_certificates=[_page(0, 3), _page(3, 1)])
    assert len(list(client.iter_client_ca_certificates(7, page_size=3))) == 4
    client, fake, _sleeps = client_with(list_client_ca_certificates=[_page(0, 0, 10)])
    assert not list(client.iter_client_ca_certificates(7))
    assert len(fake.requests) == 1


# --- the real SDK against the emulator -------------------------------------------------------------


@pytest.fixture
def emulated(esa_emulator):
    settings = resolve_connection_settings({**esa_emulator.credentials, "endpoint": esa_emulator.url, "api_retries": 2}, {})
    return EsaClient(settings, retry_policy=RetryPolicy(2, sleep=lambda _seconds: None))


def _ca_pem():
    import datetime  # pylint: disable=import-outside-toplevel

    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes, serialization  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric import ec  # pylint: disable=import-outside-toplevel
    from cryptography.x509.oid import NameOID  # pylint: disable=import-outside-toplevel

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Unit Client CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=365))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def test_against_the_emulator_every_new_call_round_trips(esa_emulator, emulated):
    uploaded = emulated.upload_client_ca_certificate(SITE_ID, _ca_pem(), name="unit-ca")
    assert uploaded["Status"] == "OK"
    assert uploaded["ValidityDays"] == "366"
    assert emulated.get_client_ca_certificate(SITE_ID, uploaded["Id"])["Result"]["Name"] == "unit-ca"
    assert [record["Id"] for record in emulated.iter_client_ca_certificates(SITE_ID, page_size=1)] == [uploaded["Id"]]

    managed = emulated.get_client_ca_certificate_hostnames(SITE_ID)
    assert (managed["Hostnames"], managed["Id"], managed["SiteName"]) == ([], esa_emulator.service.ca.id, "example.com")
    assert emulated.set_client_ca_certificate_hostnames(SITE_ID, ["www.example.com"], uploaded["Id"])["Hostnames"] == ["www.example.com"]
    assert emulated.get_client_ca_certificate_hostnames(SITE_ID, uploaded["Id"])["Hostnames"] == ["www.example.com"]
    emulated.set_client_ca_certificate_hostnames(SITE_ID, ["api.example.com"])
    assert emulated.get_client_ca_certificate_hostnames(SITE_ID)["Hostnames"] == ["api.example.com"]

    emulated.delete_client_ca_certificate(SITE_ID, uploaded["Id"])
    assert emulated.get_client_ca_certificate(SITE_ID, uploaded["Id"]) is None
    with pytest.raises(EsaApiError) as raised:
        emulated.set_client_ca_certificate_hostnames(SITE_ID, ["shop.example.net"])
    assert raised.value.code == "InvalidParameter"
    assert "shop.example.net" in raised.value.message


def test_against_the_emulator_an_upload_reset_after_effect_is_ambiguous(esa_emulator, emulated):
    esa_emulator.set_faults([{"type": "reset_after_effect", "action": "UploadClientCaCertificate", "times": 1}])
    with pytest.raises(AmbiguousCreateError):
        emulated.upload_client_ca_certificate(SITE_ID, _ca_pem())
    assert len(esa_emulator.client_cas()) == 1  # it took effect once, and was not repeated
