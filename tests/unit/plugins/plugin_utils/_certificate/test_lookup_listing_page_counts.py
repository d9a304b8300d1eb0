# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a site of 1,000 certificates costs in ESA calls, counted by the emulator through the official SDK (no timing).

scripts/bench_scale.sh times the same paths on 10,000; this test keeps their call counts in CI: a known certificate is
one Get; a lost bookkeeping file costs the listing's pages once (plus the Get of the one candidate, also when the listing has no
fingerprints), and a host's answer the listing cannot narrow stops the search on its first page; the search after a
lost create reads a few pages (the first, which tells the order, and the newest ones, back to the first page older than the
create less 15 minutes); a full listing is every page once.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.facts import certificate_facts, load_pem_certificate
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import build_csr_pem, generate_private_key
from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import TaskStopped
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.issuance import issue
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.lookup import find_record
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import EsaClient
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import resolve_connection_settings

SITE_ID = 1234567890123
SEEDED = 1000
PAGE_SIZE = 100  # what the collection asks for (ESA's maximum)


def now():
    return dt.datetime.now(dt.timezone.utc)


@pytest.fixture
def client(esa_emulator):
    settings = resolve_connection_settings({**esa_emulator.credentials, "endpoint": esa_emulator.url, "api_retries": 2}, {})
    return EsaClient(settings, retry_policy=RetryPolicy(2, sleep=lambda _seconds: None))


@pytest.fixture
def big_site(esa_emulator):
    """The site holds 1,000 certificates, every one older than what the test issues."""
    assert esa_emulator.seed_certificates(SITE_ID, SEEDED, revoked_every=10) == SEEDED
    return esa_emulator


def calls(emu):
    return dict(emu.stats()["calls"])


def issue_one(client, common_name):
    return issue(client, SITE_ID, 30, now, csr_pem=build_csr_pem(generate_private_key("ECDSA"), common_name), retry_policy=client.retry_policy)


def fingerprint_of(issued):
    return certificate_facts(load_pem_certificate(issued.certificate_pem.encode("ascii")))["fingerprint_sha256"]


def test_a_known_certificate_is_one_get_and_a_lost_bookkeeping_file_the_listing_once(big_site, client):
    issued = issue_one(client, "host-01.example.com")
    total = SEEDED + 1
    fingerprint = fingerprint_of(issued)
    big_site.service.stats.reset()

    known = find_record(client, SITE_ID, fingerprint, {"id": issued.record["Id"], "site_id": SITE_ID})
    assert known.record["Id"] == issued.record["Id"]
    assert not known.recovered
    assert calls(big_site) == {"GetClientCertificate": 1}

    big_site.service.stats.reset()
    lost = find_record(client, SITE_ID, fingerprint, None, expected={"common_name": "host-01.example.com"})
    assert lost.record["Id"] == issued.record["Id"]
    assert lost.recovered
    # The newest certificate is on the last page of an oldest-first listing: every page once, one Get to confirm it.
    assert calls(big_site) == {"ListClientCertificates": math.ceil(total / PAGE_SIZE), "GetClientCertificate": 1}


def test_the_search_after_a_lost_create_reads_four_pages_of_eleven(big_site, client):
    big_site.set_faults([{"type": "reset_after_effect", "action": "CreateClientCertificate", "times": 1}])
    issued = issue_one(client, "host-02.example.com")
    state = big_site.state()
    mine = [record for record in state if record["common_name"] == "host-02.example.com"]
    assert len(mine) == 1
    assert mine[0]["id"] == issued.record["Id"]
    assert mine[0]["status"] == "active"  # adopted, not created twice
    pages = math.ceil(len(state) / PAGE_SIZE)
    assert pages == 11
    # Page 1 tells the order (oldest first); then backwards from the last page (the new certificate); page 10 holds the seeded
    # certificates of the last 15 minutes (the search's allowance for clock skew), page 9 none: stop. One Get for the one CN match.
    assert calls(big_site) == {"CreateClientCertificate": 1, "ListClientCertificates": 4, "GetClientCertificate": 1}
    assert big_site.stats()["answers_by_action"]["CreateClientCertificate"] == {"ConnectionReset": 1}


def test_a_full_listing_reads_every_page_once(big_site, client):
    listed = list(client.iter_client_certificates(SITE_ID))
    assert len(listed) == SEEDED
    assert len({item["Id"] for item in listed}) == SEEDED
    assert sum(1 for item in listed if item["Status"] == "revoked") == SEEDED // 10
    assert calls(big_site) == {"ListClientCertificates": math.ceil(SEEDED / PAGE_SIZE)}


def test_without_fingerprints_in_the_listing_a_lost_bookkeeping_file_still_costs_one_get(big_site, client):
    issued = issue_one(client, "host-03.example.com")
    facts = certificate_facts(load_pem_certificate(issued.certificate_pem.encode("ascii")))
    big_site.update_settings(derived_fields={"client_certificates": "empty"})
    big_site.service.stats.reset()
    lost = find_record(client, SITE_ID, facts["fingerprint_sha256"], None, expected=facts)
    assert lost.record["Id"] == issued.record["Id"]
    # The listing's CommonName and NotAfter leave one candidate: every page once (it is on the last), one Get to confirm it.
    assert calls(big_site) == {"ListClientCertificates": math.ceil((SEEDED + 1) / PAGE_SIZE), "GetClientCertificate": 1}


def test_a_host_that_says_nothing_the_listing_could_check_costs_one_page_and_no_get(big_site, client):
    big_site.update_settings(derived_fields={"client_certificates": "empty"})
    with pytest.raises(TaskStopped, match="searched no further"):
        find_record(client, SITE_ID, "ee" * 32, None, expected={"common_name": None, "not_before": "", "not_after": ""})
    assert calls(big_site) == {"ListClientCertificates": 1}
