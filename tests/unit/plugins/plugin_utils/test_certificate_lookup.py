# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One ESA read when the bookkeeping file is right; its id is a hint that ESA's PEM must confirm, never an authorisation."""

from __future__ import annotations

import datetime as dt

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._keys import build_csr_pem, generate_private_key
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate_lookup import find_record, record_by_bookkeeping
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils.fake_esa_client import FakeEsaClient


def client_with_certificates(count=3):
    client = FakeEsaClient()
    records = [client._issue(build_csr_pem(generate_private_key("ECDSA"), f"h{i}"), dt.datetime.now(dt.timezone.utc))  # pylint: disable=protected-access
               for i in range(count)]
    return client, records


def bookkeeping_of(record, **changes):
    return dict({"site_id": 1, "id": record["Id"], "fingerprint_sha256": record["FingerprintSha256"]}, **changes)


def test_bookkeeping_costs_exactly_one_get():
    client, records = client_with_certificates(50)
    target = records[-1]
    lookup = find_record(client, 1, target["FingerprintSha256"], bookkeeping_of(target))
    assert client.calls == ["Get"]
    assert lookup.record["Id"] == target["Id"] and not lookup.recovered and lookup.other_id is None
    assert lookup.pem_facts["fingerprint_sha256"] == target["FingerprintSha256"]


def test_a_deleted_record_is_searched_for_once_then_not_found():
    client, records = client_with_certificates()
    target = records[0]
    del client.records[target["Id"]]
    lookup = find_record(client, 1, target["FingerprintSha256"], bookkeeping_of(target))
    assert lookup.record is None and lookup.other_id is None
    assert client.calls == ["Get", "List"]


def test_lost_bookkeeping_falls_back_to_one_fingerprint_search_confirmed_by_get():
    client, records = client_with_certificates()
    lookup = find_record(client, 1, records[1]["FingerprintSha256"].upper(), None)
    assert lookup.recovered and lookup.record["Id"] == records[1]["Id"]
    assert client.calls == ["List", "Get"]


def test_bookkeeping_of_another_site_or_another_file_is_not_trusted():
    client, records = client_with_certificates()
    target = records[2]
    find_record(client, 1, target["FingerprintSha256"], {"site_id": 2, "id": target["Id"]})
    find_record(client, 1, target["FingerprintSha256"], bookkeeping_of(records[0]))
    assert client.calls == ["List", "Get", "List", "Get"]


def test_a_planted_id_of_another_certificate_is_ignored_and_the_files_own_is_found():
    """The attack of issue 12: a host writes a victim's id into its bookkeeping file, with its own fingerprint."""
    client, records = client_with_certificates()
    victim, own = records[0], records[1]
    lookup = find_record(client, 1, own["FingerprintSha256"], bookkeeping_of(victim, fingerprint_sha256=own["FingerprintSha256"]))
    assert lookup.record["Id"] == own["Id"] and lookup.recovered
    assert lookup.other_id == victim["Id"]


def test_a_planted_id_never_becomes_the_files_record_even_when_its_own_is_unknown():
    client, records = client_with_certificates()
    victim = records[0]
    lookup = find_record(client, 1, "ab" * 32, bookkeeping_of(victim, fingerprint_sha256="ab" * 32))
    assert lookup.record is None and lookup.other_id == victim["Id"]


@pytest.mark.parametrize("garbage", ["", "../../etc", "x" * 500, 12345, None, "id with spaces"])
def test_a_garbage_id_is_never_sent_to_esa(garbage):
    client, records = client_with_certificates()
    lookup = find_record(client, 1, records[2]["FingerprintSha256"], {"site_id": 1, "id": garbage})
    assert lookup.record["Id"] == records[2]["Id"] and lookup.recovered
    assert client.calls == ["List", "Get"]


def test_blank_fingerprints_from_esa_are_computed_from_the_pem():
    client, records = client_with_certificates(5)
    client.blank_fingerprints = True
    target = records[3]
    lookup = find_record(client, 1, target["FingerprintSha256"], bookkeeping_of(target))
    assert lookup.record["Id"] == target["Id"] and client.calls == ["Get"]
    assert lookup.pem_facts["fingerprint_sha256"] == target["FingerprintSha256"]


def test_the_recovery_search_gets_list_entries_without_a_fingerprint_narrowed_by_common_name():
    client, records = client_with_certificates(5)
    client.blank_fingerprints = True
    target = records[3]
    lookup = find_record(client, 1, target["FingerprintSha256"], None, expected={"common_name": "h3", "not_after": None})
    assert lookup.record["Id"] == target["Id"] and lookup.recovered
    # Only the entry whose common name matches was fetched.
    assert client.calls == ["List", "Get"]


def test_unknown_fingerprint_is_not_found():
    client, _records = client_with_certificates()
    assert find_record(client, 1, "00" * 32, None).record is None


def test_record_by_bookkeeping_for_state_absent():
    client, records = client_with_certificates()
    found = record_by_bookkeeping(client, 1, {"site_id": 1, "id": records[0]["Id"]})
    assert found.record["Id"] == records[0]["Id"] and found.pem_facts["fingerprint_sha256"] == records[0]["FingerprintSha256"]
    assert record_by_bookkeeping(client, 1, None).record is None
    assert record_by_bookkeeping(client, 1, {"site_id": 9, "id": records[0]["Id"]}).record is None
    assert record_by_bookkeeping(client, 1, {"site_id": 1, "id": "../x"}).record is None
