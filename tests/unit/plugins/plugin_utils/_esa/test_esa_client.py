# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from alibabacloud_credentials.client import Client as CredentialClient
from alibabacloud_esa20240910 import models as esa_models

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa import client as _esa_client
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import EsaClient, missing_sdk_message
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import AmbiguousCreateError, EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import resolve_connection_settings
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.version import COLLECTION_VERSION, USER_AGENT
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils import sdk_fakes

SECRET = "s3cr3t-Access-Key-Secret-value"
TOKEN = "sts-token-value-CAIS"

RESPONSES = {
    "create_client_certificate": esa_models.CreateClientCertificateResponse,
    "get_client_certificate": esa_models.GetClientCertificateResponse,
    "list_client_certificates": esa_models.ListClientCertificatesResponse,
    "revoke_client_certificate": esa_models.RevokeClientCertificateResponse,
    "delete_client_certificate": esa_models.DeleteClientCertificateResponse,
}


def settings(**params):
    base = {"access_key_id": "AKID", "access_key_secret": SECRET, "security_token": TOKEN, "endpoint": "http://127.0.0.1:9"}
    return resolve_connection_settings({**base, **params}, {})


def client_with(retries=3, **scripts):
    sleeps = []
    fake = sdk_fakes.FakeSdk(RESPONSES, **scripts)
    client = EsaClient(settings(api_retries=retries), retry_policy=RetryPolicy(retries, sleep=sleeps.append, random=lambda: 0.5), sdk_client=fake)
    return client, fake, sleeps


RECORD = {"Id": "cert-1", "Status": "active", "CommonName": "client-a", "FingerprintSha256": "ab" * 32, "NotAfter": "2026-01-01 00:00:00"}


def test_get_returns_the_body_as_esa_spells_it():
    client, fake, _sleeps = client_with(get_client_certificate=[{"RequestId": "R", "SiteId": 7, "Certificate": "PEM", "Result": RECORD}])
    body = client.get_client_certificate(7, "cert-1")
    assert body == {"RequestId": "R", "SiteId": 7, "Certificate": "PEM", "Result": RECORD}
    assert fake.requests == [("get_client_certificate", {"SiteId": 7, "Id": "cert-1"})]


def test_get_answers_none_when_not_found():
    client, _fake, sleeps = client_with(get_client_certificate=[sdk_fakes.answer_error(404, "Certificate.NotFound")])
    assert client.get_client_certificate(7, "cert-404") is None
    assert sleeps == []


@pytest.mark.parametrize(("method", "code", "status"), [
    ("revoke_client_certificate", "Certificate.StatusError", 400),
    ("revoke_client_certificate", "Certificate.NotFound", 404),
    ("delete_client_certificate", "Certificate.NotFound", 404),
])
def test_an_accepted_code_answers_none_and_any_other_still_raises(method, code, status):
    client, fake, sleeps = client_with(**{method: [sdk_fakes.answer_error(status, code), sdk_fakes.answer_error(status, code),
                                                   sdk_fakes.answer_error(403, "Forbidden.RAM")]})
    assert getattr(client, method)(7, "cert-1", accept=("Certificate.StatusError", "Certificate.NotFound")) is None
    with pytest.raises(EsaApiError) as raised:
        getattr(client, method)(7, "cert-1")
    assert raised.value.code == code
    with pytest.raises(EsaApiError) as raised:
        getattr(client, method)(7, "cert-1", accept=(code,))
    assert raised.value.code == "Forbidden.RAM"
    assert len(fake.requests) == 3
    assert sleeps == []


def test_a_get_told_to_accept_nothing_raises_not_found():
    client, _fake, _sleeps = client_with(get_client_certificate=[sdk_fakes.answer_error(404, "Certificate.NotFound", request_id="R-4")])
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(7, "cert-404", accept=())
    assert (raised.value.code, raised.value.request_id) == ("Certificate.NotFound", "R-4")


def test_get_retries_server_errors_then_answers():
    client, fake, sleeps = client_with(
        get_client_certificate=[sdk_fakes.answer_error(503, "ServiceUnavailable"), sdk_fakes.reset_after_send(), {"Result": RECORD}]
    )
    assert client.get_client_certificate(7, "cert-1") == {"Result": RECORD}
    assert len(fake.requests) == 3
    assert len(sleeps) == 2
    assert client.retry_policy.retries_performed == 2


def test_errors_name_site_certificate_and_endpoint():
    client, _fake, _sleeps = client_with(
        revoke_client_certificate=[sdk_fakes.answer_error(400, "Certificate.StatusError", request_id="R-5")],
        list_client_certificates=[sdk_fakes.connection_refused()] * 4,
    )
    with pytest.raises(EsaApiError) as raised:
        client.revoke_client_certificate(7, "cert-1")
    assert "certificate cert-1 on site 7" in raised.value.message
    assert raised.value.to_fail_kwargs() == {"msg": raised.value.message, "code": "Certificate.StatusError", "request_id": "R-5"}
    with pytest.raises(EsaApiError) as raised:
        client.list_client_certificates(7)
    assert "http://127.0.0.1:9" in raised.value.message
    assert "gave up after 4 attempts" in raised.value.message


def test_messages_never_echo_secret_or_token():
    leaky = sdk_fakes.answer_error(400, "SignatureDoesNotMatch", f"expected string was signed with {SECRET} and {TOKEN}")
    client, _fake, _sleeps = client_with(get_client_certificate=[leaky])
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(7, "cert-1")
    assert SECRET not in raised.value.message
    assert TOKEN not in raised.value.message


def test_create_sends_what_it_was_given_and_returns_the_key_once():
    answer = {"Id": "cert-2", "Certificate": "PEM", "PrivateKey": "KEY", "Status": "active", "ValidityDays": 30}
    client, fake, _sleeps = client_with(create_client_certificate=[answer, answer])
    assert client.create_client_certificate(7, validity_days=30, pkey_type="RSA") == answer
    client.create_client_certificate(7, validity_days=30, csr="CSR-PEM")
    assert fake.requests == [
        ("create_client_certificate", {"SiteId": 7, "ValidityDays": 30, "PkeyType": "RSA"}),
        ("create_client_certificate", {"SiteId": 7, "ValidityDays": 30, "CSR": "CSR-PEM"}),
    ]


def test_create_is_retried_only_when_it_surely_did_not_take_effect():
    client, fake, _sleeps = client_with(
        create_client_certificate=[sdk_fakes.answer_error(400, "Throttling.User", retry_after_ms=100), sdk_fakes.connection_refused(), {"Id": "cert-3"}]
    )
    assert client.create_client_certificate(7, validity_days=30, pkey_type="RSA") == {"Id": "cert-3"}
    assert len(fake.requests) == 3

    client, fake, _sleeps = client_with(create_client_certificate=[sdk_fakes.answer_error(500, "InternalError"), {"Id": "never"}])
    with pytest.raises(AmbiguousCreateError) as raised:
        client.create_client_certificate(7, validity_days=30, pkey_type="RSA")
    assert len(fake.requests) == 1
    assert "site 7" in raised.value.message


@pytest.mark.parametrize("operation", ["revoke_client_certificate", "delete_client_certificate"])
def test_state_changes_call_their_action(operation):
    client, fake, _sleeps = client_with(**{operation: [{"RequestId": "R", "SiteId": 7, "Id": "cert-1"}]})
    assert getattr(client, operation)(7, "cert-1") == {"RequestId": "R", "SiteId": 7, "Id": "cert-1"}
    assert fake.requests == [(operation, {"SiteId": 7, "Id": "cert-1"})]


def page(records, total=None, page_size=None):
    body = {"Result": records}
    if total is not None:
        body["TotalCount"] = total
    if page_size is not None:
        body["PageSize"] = page_size
    return body


def records(start, count):
    return [{"Id": f"cert-{number}"} for number in range(start, start + count)]


def test_iteration_walks_every_page_by_total_count():
    client, fake, _sleeps = client_with(list_client_certificates=[page(records(0, 2), 5), page(records(2, 2), 5), page(records(4, 1), 5)])
    assert [record["Id"] for record in client.iter_client_certificates(7, page_size=2)] == [f"cert-{n}" for n in range(5)]
    assert [request["PageNumber"] for _operation, request in fake.requests] == [1, 2, 3]
    assert all(request["PageSize"] == 2 for _operation, request in fake.requests)


def test_iteration_trusts_total_count_when_esa_caps_the_page_size():
    client, fake, _sleeps = client_with(list_client_certificates=[page(records(0, 20), 45, 20), page(records(20, 20), 45, 20), page(records(40, 5), 45, 20)])
    assert len(list(client.iter_client_certificates(7))) == 45
    assert len(fake.requests) == 3


def test_iteration_without_total_count_stops_at_a_short_or_empty_page():
    client, fake, _sleeps = client_with(list_client_certificates=[page(records(0, 3)), page(records(3, 1))])
    assert len(list(client.iter_client_certificates(7, page_size=3))) == 4
    assert len(fake.requests) == 2
    client, fake, _sleeps = client_with(list_client_certificates=[page([], 10)])
    assert not list(client.iter_client_certificates(7))
    assert len(fake.requests) == 1


def listing_error(client, **kwargs):
    listed = []
    with pytest.raises(EsaApiError) as caught:
        listed.extend(client.iter_client_certificates(7, **kwargs))
    return caught.value, listed


def test_a_page_that_repeats_an_earlier_one_stops_the_walk():
    client, fake, _sleeps = client_with(list_client_certificates=[page(records(0, 2), 10**9), page(records(2, 2), 10**9), page(records(0, 2), 10**9)])
    error, _listed = listing_error(client, page_size=2)
    assert str(error).startswith("ListClientCertificates of site 7 answered page 3 with the same certificates as page 1 (TotalCount 1000000000)")
    assert len(fake.requests) == 3


def test_a_repeated_page_is_refused_in_one_line():
    client, _fake, _sleeps = client_with(list_client_certificates=[page(records(0, 2), 10**9), page(records(0, 2), 10**9)])
    error, _listed = listing_error(client, page_size=2)
    assert "\n" not in str(error)


def test_a_total_count_of_a_billion_stops_at_the_page_cap():
    pages = [page(records(number, 1), 10**9) for number in range(_esa_client.MAX_LISTING_PAGES + 1)]
    client, fake, _sleeps = client_with(list_client_certificates=pages)
    error, listed = listing_error(client, page_size=1)
    assert len(fake.requests) == _esa_client.MAX_LISTING_PAGES
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
