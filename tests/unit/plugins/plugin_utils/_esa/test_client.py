# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from alibabacloud_credentials.client import Client as CredentialClient
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import build_csr_pem, generate_private_key
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa import client as _esa_client
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import EsaClient, missing_sdk_message
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import AmbiguousCreateError, EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import resolve_connection_settings
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.version import COLLECTION_VERSION, USER_AGENT

SECRET = "s3cr3t-Access-Key-Secret-value"
TOKEN = "sts-token-value-CAIS"
SITE_ID = 1234567890123  # a site of the emulator's built-in config
MISSING_ID = "0" * 32


def settings(**params):
    base = {"access_key_id": "AKID", "access_key_secret": SECRET, "security_token": TOKEN, "endpoint": "http://127.0.0.1:9"}
    return resolve_connection_settings({**base, **params}, {})


def emulator_client(emu, retries=3, credentials=None, endpoint=None):
    """EsaClient through the real SDK to the emulator; the sleeps it would have taken are recorded, not slept."""
    sleeps = []
    params = {**(credentials or emu.credentials), "endpoint": endpoint or emu.url, "api_retries": retries}
    client = EsaClient(resolve_connection_settings(params, {}), retry_policy=RetryPolicy(retries, sleep=sleeps.append, random=lambda: 0.5))
    return client, sleeps


def answers(emu, *rules):
    """Script ESA's next answers: each rule a server_error fault (code, status, times) on any action, in order."""
    emu.set_faults([{"type": "server_error", **rule} for rule in rules])


def calls(emu):
    return emu.stats()["calls"]


def created(client):
    return client.create_client_certificate(SITE_ID, validity_days=30, pkey_type="ECDSA")["Id"]


def test_get_returns_the_body_as_esa_spells_it(esa_emulator):
    client, _sleeps = emulator_client(esa_emulator)
    cert_id = created(client)
    body = client.get_client_certificate(SITE_ID, cert_id)
    assert body["RequestId"] == esa_emulator.request_ids()[-1]
    assert body["Result"]["Id"] == cert_id
    assert body["Result"]["Status"] == "active"
    assert body["Certificate"].startswith("-----BEGIN CERTIFICATE-----")


def test_get_answers_none_when_not_found(esa_emulator):
    client, sleeps = emulator_client(esa_emulator)
    assert client.get_client_certificate(SITE_ID, MISSING_ID) is None
    assert sleeps == []


@pytest.mark.parametrize(("method", "code", "status"), [
    ("revoke_client_certificate", "Certificate.StatusError", 400),
    ("revoke_client_certificate", "Certificate.NotFound", 404),
    ("delete_client_certificate", "Certificate.NotFound", 404),
])
def test_an_accepted_code_answers_none_and_any_other_still_raises(esa_emulator, method, code, status):
    answers(esa_emulator, {"code": code, "status": status, "times": 2}, {"code": "Forbidden.RAM", "status": 403})
    client, sleeps = emulator_client(esa_emulator)
    assert getattr(client, method)(SITE_ID, MISSING_ID, accept=("Certificate.StatusError", "Certificate.NotFound")) is None
    with pytest.raises(EsaApiError) as raised:
        getattr(client, method)(SITE_ID, MISSING_ID)
    assert raised.value.code == code
    with pytest.raises(EsaApiError) as raised:
        getattr(client, method)(SITE_ID, MISSING_ID, accept=(code,))
    assert raised.value.code == "Forbidden.RAM"
    assert esa_emulator.stats()["requests_total"] == 3
    assert sleeps == []


def test_a_get_told_to_accept_nothing_raises_not_found(esa_emulator):
    client, _sleeps = emulator_client(esa_emulator)
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(SITE_ID, MISSING_ID, accept=())
    assert (raised.value.code, raised.value.request_id) == ("Certificate.NotFound", esa_emulator.request_ids()[0])


def test_get_retries_server_errors_then_answers(esa_emulator):
    client, sleeps = emulator_client(esa_emulator)
    cert_id = created(client)
    esa_emulator.set_faults([{"type": "server_error", "code": "ServiceUnavailable", "times": 1}, {"type": "reset_before_effect", "times": 1}])
    assert client.get_client_certificate(SITE_ID, cert_id)["Result"]["Id"] == cert_id
    assert calls(esa_emulator)["GetClientCertificate"] == 3
    assert len(sleeps) == 2
    assert client.retry_policy.retries_performed == 2


def test_errors_name_site_and_certificate(esa_emulator):
    answers(esa_emulator, {"code": "Certificate.StatusError"})
    client, _sleeps = emulator_client(esa_emulator)
    with pytest.raises(EsaApiError) as raised:
        client.revoke_client_certificate(SITE_ID, "cert-1")
    assert f"certificate cert-1 on site {SITE_ID}" in raised.value.message
    assert raised.value.to_fail_kwargs() == {"msg": raised.value.message, "code": "Certificate.StatusError", "request_id": esa_emulator.request_ids()[0]}


def test_errors_name_the_endpoint_and_the_attempts(esa_emulator, closed_port):
    client, _sleeps = emulator_client(esa_emulator, endpoint=f"http://127.0.0.1:{closed_port}")
    with pytest.raises(EsaApiError) as raised:
        client.list_client_certificates(SITE_ID)
    assert f"http://127.0.0.1:{closed_port}" in raised.value.message
    assert "gave up after 4 attempts" in raised.value.message


def test_messages_never_echo_secret_or_token(esa_emulator):
    sts = esa_emulator.sts_credentials
    leaky = f"expected string was signed with {sts['access_key_secret']} and {sts['security_token']}"
    answers(esa_emulator, {"code": "SignatureDoesNotMatch", "message": leaky})
    client, _sleeps = emulator_client(esa_emulator, credentials=sts)
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(SITE_ID, MISSING_ID)
    assert sts["access_key_secret"] not in raised.value.message
    assert sts["security_token"] not in raised.value.message


def test_create_with_a_key_type_returns_the_private_key_once(esa_emulator):
    client, _sleeps = emulator_client(esa_emulator)
    answer = client.create_client_certificate(SITE_ID, validity_days=30, pkey_type="RSA")
    assert "PRIVATE KEY" in answer["PrivateKey"]
    assert "PrivateKey" not in client.get_client_certificate(SITE_ID, answer["Id"])


def test_create_sends_the_key_type_it_was_given(esa_emulator):
    client, _sleeps = emulator_client(esa_emulator)
    client.create_client_certificate(SITE_ID, validity_days=30, pkey_type="RSA")
    issued = x509.load_pem_x509_certificate(esa_emulator.state()[0]["certificate_pem"].encode("ascii"))
    assert isinstance(issued.public_key(), rsa.RSAPublicKey)


def test_create_sends_the_csr_it_was_given(esa_emulator):
    key = generate_private_key("ECDSA")
    client, _sleeps = emulator_client(esa_emulator)
    answer = client.create_client_certificate(SITE_ID, validity_days=30, csr=build_csr_pem(key, "client-a.example.com"))
    assert esa_emulator.state()[0]["common_name"] == "client-a.example.com"
    assert not answer.get("PrivateKey")


def test_create_is_retried_after_throttling(esa_emulator):
    esa_emulator.set_faults([{"type": "throttle", "status": 400, "retry_after_ms": 100, "times": 2}])
    client, _sleeps = emulator_client(esa_emulator)
    assert created(client) == esa_emulator.state()[0]["id"]
    assert calls(esa_emulator) == {"CreateClientCertificate": 3}


def test_create_is_not_repeated_after_a_server_error(esa_emulator):
    answers(esa_emulator, {"code": "InternalError", "times": 1})
    client, _sleeps = emulator_client(esa_emulator)
    with pytest.raises(AmbiguousCreateError) as raised:
        created(client)
    assert calls(esa_emulator) == {"CreateClientCertificate": 1}
    assert f"site {SITE_ID}" in raised.value.message


def test_revoke_revokes_at_esa_and_returns_the_answer(esa_emulator):
    client, _sleeps = emulator_client(esa_emulator)
    cert_id = created(client)
    answer = client.revoke_client_certificate(SITE_ID, cert_id)
    assert answer["RequestId"] == esa_emulator.request_ids()[-1]
    assert esa_emulator.state()[0]["status"] == "revoked"


def test_delete_deletes_at_esa(esa_emulator):
    client, _sleeps = emulator_client(esa_emulator)
    cert_id = created(client)
    client.revoke_client_certificate(SITE_ID, cert_id)  # ESA deletes only a revoked certificate
    answer = client.delete_client_certificate(SITE_ID, cert_id)
    assert answer["RequestId"] == esa_emulator.request_ids()[-1]
    assert esa_emulator.state() == []


def test_iteration_walks_every_page_by_total_count(esa_emulator):
    esa_emulator.seed_certificates(SITE_ID, 5)
    client, _sleeps = emulator_client(esa_emulator)
    assert len(list(client.iter_client_certificates(SITE_ID, page_size=2))) == 5
    assert calls(esa_emulator) == {"ListClientCertificates": 3}  # pages 1, 2 and 3 of 2 each: PageSize and PageNumber were sent


# --- walk_listing, the paging rule alone: ESA answers that the emulator never gives (a capped PageSize, a lying TotalCount) ---


class Pages:
    """list_page for walk_listing: answers the scripted pages in order and records the page numbers asked for."""

    def __init__(self, *pages):
        self.pages = list(pages)
        self.asked = []

    def __call__(self, page_number):
        self.asked.append(page_number)
        return self.pages.pop(0)


def walked(pages, page_size=_esa_client.MAX_PAGE_SIZE):
    return list(_esa_client.walk_listing(pages, "ListClientCertificates", 7, page_size))


def page(records, total=None, page_size=None):
    body = {"Result": records}
    if total is not None:
        body["TotalCount"] = total
    if page_size is not None:
        body["PageSize"] = page_size
    return body


def records(start, count):
    return [{"Id": f"cert-{number}"} for number in range(start, start + count)]


def test_iteration_asks_for_the_pages_in_order():
    pages = Pages(page(records(0, 2), 5), page(records(2, 2), 5), page(records(4, 1), 5))
    assert [record["Id"] for record in walked(pages, page_size=2)] == [f"cert-{n}" for n in range(5)]
    assert pages.asked == [1, 2, 3]


def test_iteration_trusts_total_count_when_esa_caps_the_page_size():
    pages = Pages(page(records(0, 20), 45, 20), page(records(20, 20), 45, 20), page(records(40, 5), 45, 20))
    assert len(walked(pages)) == 45
    assert len(pages.asked) == 3


def test_iteration_without_total_count_stops_at_a_short_page():
    pages = Pages(page(records(0, 3)), page(records(3, 1)))
    assert len(walked(pages, page_size=3)) == 4
    assert len(pages.asked) == 2


def test_iteration_stops_at_an_empty_page():
    pages = Pages(page([], 10))
    assert not walked(pages)
    assert len(pages.asked) == 1


def listing_error(pages, **kwargs):
    listed = []
    with pytest.raises(EsaApiError) as caught:
        listed.extend(_esa_client.walk_listing(pages, "ListClientCertificates", 7, **kwargs))
    return caught.value, listed


def test_a_page_that_repeats_an_earlier_one_stops_the_walk():
    pages = Pages(page(records(0, 2), 10**9), page(records(2, 2), 10**9), page(records(0, 2), 10**9))
    error, _listed = listing_error(pages, page_size=2)
    assert str(error).startswith("ListClientCertificates of site 7 answered page 3 with the same certificates as page 1 (TotalCount 1000000000)")
    assert len(pages.asked) == 3


def test_a_repeated_page_is_refused_in_one_line():
    error, _listed = listing_error(Pages(page(records(0, 2), 10**9), page(records(0, 2), 10**9)), page_size=2)
    assert "\n" not in str(error)


def test_a_total_count_of_a_billion_stops_at_the_page_cap():
    pages = Pages(*[page(records(number, 1), 10**9) for number in range(_esa_client.MAX_LISTING_PAGES + 1)])
    error, listed = listing_error(pages, page_size=1)
    assert len(pages.asked) == _esa_client.MAX_LISTING_PAGES
    assert len(listed) == _esa_client.MAX_LISTING_PAGES
    assert str(error).startswith(f"ListClientCertificates of site 7 goes on past {_esa_client.MAX_LISTING_PAGES} pages (TotalCount 1000000000)")


def test_the_page_cap_holds_a_site_of_many_thousands():
    assert _esa_client.MAX_LISTING_PAGES * _esa_client.MAX_PAGE_SIZE >= 100_000


def test_real_sdk_client_is_configured_from_settings():
    client = EsaClient(settings(api_timeout=12))
    sdk = client._sdk  # pylint: disable=protected-access
    assert isinstance(sdk, _esa_client.SdkEsaClient)
    assert (sdk._endpoint, sdk._protocol, sdk._region_id) == ("127.0.0.1:9", "http", "cn-hangzhou")  # pylint: disable=protected-access
    assert (sdk._read_timeout, sdk._connect_timeout) == (12000, 12000)  # pylint: disable=protected-access
    assert sdk._user_agent == USER_AGENT == f"AlibabaCloud-Ansible/alibabacloud.esa/{COLLECTION_VERSION}"  # pylint: disable=protected-access
    credential = sdk._credential.get_credential()  # pylint: disable=protected-access
    assert (credential.access_key_id, credential.access_key_secret, credential.security_token) == ("AKID", SECRET, TOKEN)
    assert client.retry_policy.retries == 8


def test_real_sdk_client_uses_default_chain_without_keys():
    client = EsaClient(resolve_connection_settings({}, {}))
    sdk = client._sdk  # pylint: disable=protected-access
    assert isinstance(sdk._credential, CredentialClient)  # pylint: disable=protected-access
    assert (sdk._endpoint, sdk._protocol) == ("esa.cn-hangzhou.aliyuncs.com", "https")  # pylint: disable=protected-access


def test_missing_sdk_message_names_packages_and_controller(monkeypatch):
    monkeypatch.setattr(_esa_client, "ESA_SDK_IMPORT_ERROR", "Traceback...\nModuleNotFoundError: No module named 'alibabacloud_esa20240910'\n")
    message = missing_sdk_message()
    assert "alibabacloud-esa20240910" in message
    assert "alibabacloud-credentials" in message
    assert "controller" in message
    assert "No module named 'alibabacloud_esa20240910'" in message
    assert "\n" not in message
    monkeypatch.setattr(_esa_client, "HAS_ESA_SDK", False)
    with pytest.raises(EsaApiError, match="alibabacloud-esa20240910"):
        EsaClient(settings())
