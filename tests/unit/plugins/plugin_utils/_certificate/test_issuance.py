# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Create without duplicates: adopt what an ambiguous create issued, create again only when nothing was."""

from __future__ import annotations

import datetime as dt

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import build_csr_pem, generate_private_key
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.issuance import csr_identity, find_issued_for_key, issue
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import AmbiguousCreateError, EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils.fake_esa_client import FakeEsaClient


def now():
    return dt.datetime.now(dt.timezone.utc)


def no_wait(retries=2):
    """A client's retry policy that does not sleep: 3 creates at most by default."""
    return RetryPolicy(retries, sleep=lambda _seconds: None)


@pytest.fixture
def csr_pem():
    return build_csr_pem(generate_private_key("ECDSA"), "web01.example.com")


def active(client):
    return [r for r in client.records.values() if r["Status"] == "active"]


def test_plain_create(csr_pem):
    client = FakeEsaClient()
    issued = issue(client, 1, 30, now, csr_pem=csr_pem, retry_policy=no_wait())
    assert issued.certificate_pem.startswith("-----BEGIN CERTIFICATE")
    assert client.calls == ["Create"]


def test_reset_after_effect_adopts_the_certificate_instead_of_creating_another(csr_pem):
    client = FakeEsaClient()
    client.fail_creates = ["ambiguous_effect"]
    issued = issue(client, 1, 30, now, csr_pem=csr_pem, retry_policy=no_wait())
    assert client.calls.index("Get") > client.calls.index("Create")  # adopted: found by the search after the create
    assert len(active(client)) == 1
    assert issued.record["Id"] == active(client)[0]["Id"]
    assert client.calls.count("Create") == 1


def test_ambiguous_failure_without_effect_creates_again(csr_pem):
    client = FakeEsaClient()
    client.fail_creates = ["ambiguous_lost", "ambiguous_lost"]
    issued = issue(client, 1, 30, now, csr_pem=csr_pem, retry_policy=no_wait())
    assert issued.record["Id"] == active(client)[0]["Id"]
    assert client.calls.count("Create") == 3
    assert len(active(client)) == 1


def test_gives_up_after_bounded_rounds(csr_pem):
    client = FakeEsaClient()
    client.fail_creates = ["ambiguous_lost"] * 5
    with pytest.raises(AmbiguousCreateError):
        issue(client, 1, 30, now, csr_pem=csr_pem, retry_policy=no_wait())
    assert client.calls.count("Create") == 3
    assert active(client) == []


@pytest.mark.parametrize("retries", [0, 1, 8])
def test_the_retry_policy_bounds_and_spaces_the_rounds(csr_pem, retries):
    """api_retries counts ambiguous creates like any other retried failure, with the policy's backoff between them."""
    client = FakeEsaClient()
    client.fail_creates = ["ambiguous_lost"] * 20
    slept = []
    policy = RetryPolicy(retries, sleep=slept.append, random=lambda: 1.0)
    with pytest.raises(AmbiguousCreateError):
        issue(client, 1, 30, now, csr_pem=csr_pem, retry_policy=policy)
    assert client.calls.count("Create") == retries + 1
    assert client.calls.count("List") == retries + 1  # a search after every failed create: never a blind repeat
    assert slept == [min(policy.max_delay, policy.base_delay * 2 ** attempt) for attempt in range(retries)]
    assert active(client) == []


def test_a_create_that_succeeds_within_the_retries_makes_one_certificate(csr_pem):
    client = FakeEsaClient()
    client.fail_creates = ["ambiguous_lost"] * 5
    issued = issue(client, 1, 30, now, csr_pem=csr_pem, retry_policy=no_wait(8))
    assert issued.record["Id"] == active(client)[0]["Id"]
    assert client.calls.count("Create") == 6
    assert len(active(client)) == 1


def test_another_hosts_certificate_with_the_same_name_is_never_adopted(csr_pem):
    client = FakeEsaClient()
    other = build_csr_pem(generate_private_key("ECDSA"), "web01.example.com")
    others = client.create_client_certificate(1, validity_days=30, csr=other)
    client.fail_creates = ["ambiguous_lost"]
    issued = issue(client, 1, 30, now, csr_pem=csr_pem, retry_policy=no_wait())
    assert issued.record["Id"] != others["Id"]
    assert len(active(client)) == 2  # the other host's and ours: nothing of the other host was touched


def test_duplicates_of_our_key_beyond_the_first_are_revoked(csr_pem):
    client = FakeEsaClient()
    client.create_client_certificate(1, validity_days=30, csr=csr_pem)
    client.create_client_certificate(1, validity_days=30, csr=csr_pem)
    adopted = find_issued_for_key(client, 1, csr_identity(csr_pem), now() - dt.timedelta(minutes=5))
    assert adopted is not None
    assert len(active(client)) == 1


def test_old_certificates_of_the_same_key_are_not_adopted(csr_pem):
    client = FakeEsaClient()
    record = client._issue(csr_pem, now() - dt.timedelta(hours=2))  # pylint: disable=protected-access
    assert record["Status"] == "active"
    assert find_issued_for_key(client, 1, csr_identity(csr_pem), now() - dt.timedelta(minutes=15)) is None


def test_esa_generated_key_lost_in_an_ambiguous_answer_stops_with_a_clear_message():
    class EsaKeyClient(FakeEsaClient):
        def create_client_certificate(self, site_id, *, validity_days, csr=None, pkey_type=None):
            self.calls.append("Create")
            raise AmbiguousCreateError("connection reset after sending", code=None)

    client = EsaKeyClient()
    with pytest.raises(EsaApiError) as caught:
        issue(client, 1, 30, now, pkey_type="RSA", retry_policy=no_wait())
    assert "key_source=esa" in caught.value.message
    assert "\n" not in caught.value.message
    assert client.calls == ["Create"]
