# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EsaClient's client-CA and hostname-binding calls, through the real SDK against the emulator."""

from __future__ import annotations

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa import client as _esa_client
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import EsaClient
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import AmbiguousCreateError, EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import resolve_connection_settings

SITE_ID = 1234567890123  # a site of the emulator's built-in config
MISSING_ID = "0" * 32


def emulator_client(emu, retries=3, timeout=5):
    """EsaClient through the real SDK to the emulator; the sleeps it would have taken are recorded, not slept."""
    sleeps = []
    settings = resolve_connection_settings({**emu.credentials, "endpoint": emu.url, "api_retries": retries, "api_timeout": timeout}, {})
    client = EsaClient(settings, retry_policy=RetryPolicy(retries, sleep=sleeps.append, random=lambda: 0.5))
    return client, sleeps


@pytest.fixture
def emulated(esa_emulator):
    client, _sleeps = emulator_client(esa_emulator, retries=2)
    return client


def calls(emu):
    return emu.stats()["calls"]


def _ca_pem(common_name="Unit Client CA"):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=365))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def test_hostname_calls_without_a_ca_bind_the_esa_managed_ca(esa_emulator, emulated):
    emulated.set_client_ca_certificate_hostnames(SITE_ID, ["www.example.com"])
    assert esa_emulator.hostname_bindings() == [{"site_id": SITE_ID, "ca_id": None, "hostnames": ["www.example.com"]}]
    assert emulated.get_client_ca_certificate_hostnames(SITE_ID)["Hostnames"] == ["www.example.com"]


def test_hostname_calls_with_a_ca_bind_that_ca(esa_emulator, emulated):
    ca_id = emulated.upload_client_ca_certificate(SITE_ID, _ca_pem())["Id"]
    emulated.set_client_ca_certificate_hostnames(SITE_ID, ["www.example.com"], ca_id)
    assert esa_emulator.hostname_bindings() == [{"site_id": SITE_ID, "ca_id": ca_id, "hostnames": ["www.example.com"]}]
    assert emulated.get_client_ca_certificate_hostnames(SITE_ID, ca_id)["Hostnames"] == ["www.example.com"]


def test_setting_hostnames_is_retried_like_a_read(esa_emulator):
    # Setting the same set twice leaves the same set: a reset after sending is safe to repeat.
    esa_emulator.set_faults([{"type": "reset_before_effect", "times": 1}, {"type": "server_error", "code": "ServiceUnavailable", "times": 1}])
    client, sleeps = emulator_client(esa_emulator)
    assert client.set_client_ca_certificate_hostnames(SITE_ID, ["www.example.com"])["Hostnames"] == ["www.example.com"]
    assert calls(esa_emulator) == {"SetClientCaCertificateHostnames": 3}
    assert len(sleeps) == 2


def test_hostname_errors_name_the_ca_and_site(esa_emulator, emulated):
    with pytest.raises(EsaApiError) as raised:
        emulated.get_client_ca_certificate_hostnames(SITE_ID, "ca-404")
    assert raised.value.code == "Certificate.NotFound"
    assert raised.value.request_id == esa_emulator.request_ids()[0]
    assert "ca-404" in raised.value.message
    assert f"site {SITE_ID}" in raised.value.message.lower()


def test_upload_sends_the_name_and_answers_flat(esa_emulator, emulated):
    answer = emulated.upload_client_ca_certificate(SITE_ID, _ca_pem(), name="partner")
    assert answer["Status"] == "OK"
    assert esa_emulator.client_cas()[0]["name"] == "partner"


def test_upload_without_a_name_sends_none(esa_emulator, emulated):
    emulated.upload_client_ca_certificate(SITE_ID, _ca_pem("Partner CA"))
    assert esa_emulator.client_cas()[0]["name"] == "Partner CA"  # ESA's default: the common name


def test_upload_is_retried_after_throttling(esa_emulator):
    esa_emulator.set_faults([{"type": "throttle", "retry_after_ms": 100, "times": 2}])
    client, _sleeps = emulator_client(esa_emulator)
    assert client.upload_client_ca_certificate(SITE_ID, _ca_pem())["Id"] == esa_emulator.client_cas()[0]["id"]
    assert calls(esa_emulator) == {"UploadClientCaCertificate": 3}


@pytest.mark.parametrize("fault", [
    {"type": "reset_before_effect"},
    {"type": "server_error", "code": "InternalError"},
    {"type": "silent"},
], ids=["reset", "server-error", "read-timeout"])
def test_upload_is_not_repeated_when_it_may_have_taken_effect(esa_emulator, fault):
    esa_emulator.set_faults([{**fault, "times": 1}])
    client, _sleeps = emulator_client(esa_emulator, timeout=1)
    with pytest.raises(AmbiguousCreateError):
        client.upload_client_ca_certificate(SITE_ID, _ca_pem())
    assert calls(esa_emulator) == {"UploadClientCaCertificate": 1}


def test_get_answers_the_body(esa_emulator, emulated):
    ca_id = emulated.upload_client_ca_certificate(SITE_ID, _ca_pem(), name="partner")["Id"]
    body = emulated.get_client_ca_certificate(SITE_ID, ca_id)
    assert body["Result"]["Id"] == ca_id
    assert body["Result"]["Name"] == "partner"


def test_get_answers_none_when_not_found(emulated):
    assert emulated.get_client_ca_certificate(SITE_ID, MISSING_ID) is None


def test_get_raises_any_other_refusal(esa_emulator, emulated):
    esa_emulator.set_faults([{"type": "server_error", "code": "QuotaCheckFailed.Function"}])
    with pytest.raises(EsaApiError) as raised:
        emulated.get_client_ca_certificate(SITE_ID, MISSING_ID)
    assert raised.value.code == "QuotaCheckFailed.Function"


def test_delete_calls_its_action(esa_emulator, emulated):
    ca_id = emulated.upload_client_ca_certificate(SITE_ID, _ca_pem())["Id"]
    assert emulated.delete_client_ca_certificate(SITE_ID, ca_id)["RequestId"] == esa_emulator.request_ids()[-1]
    assert esa_emulator.client_cas() == []


def test_delete_of_what_is_already_gone_answers_none_when_accepted(emulated):
    assert emulated.delete_client_ca_certificate(SITE_ID, MISSING_ID, accept=("Certificate.NotFound",)) is None
    with pytest.raises(EsaApiError) as raised:
        emulated.delete_client_ca_certificate(SITE_ID, MISSING_ID)
    assert raised.value.code == "Certificate.NotFound"


def test_iteration_walks_every_page(esa_emulator, emulated):
    uploaded = [emulated.upload_client_ca_certificate(SITE_ID, _ca_pem(f"CA {number}"))["Id"] for number in range(5)]
    esa_emulator.service.stats.reset()
    assert sorted(record["Id"] for record in emulated.iter_client_ca_certificates(SITE_ID, page_size=2)) == sorted(uploaded)
    assert calls(esa_emulator) == {"ListClientCaCertificates": 3}  # pages 1, 2 and 3 of 2 each: PageSize and PageNumber were sent


def test_iteration_goes_through_the_one_paging_rule(monkeypatch, emulated):
    # The rule itself (a capped PageSize, no TotalCount, an empty page) is tested on walk_listing in _esa/test_client.py.
    walked = []
    monkeypatch.setattr(_esa_client, "walk_listing", lambda list_page, action, site_id, page_size: walked.append((action, site_id, page_size)) or iter(()))
    assert not list(emulated.iter_client_ca_certificates(SITE_ID, page_size=3))
    assert walked == [("ListClientCaCertificates", SITE_ID, 3)]


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
