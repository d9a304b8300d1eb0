# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One ESA read when the bookkeeping file is right; its id is a hint that ESA's PEM must confirm, never an authorisation."""

from __future__ import annotations

import datetime as dt

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.facts import certificate_facts, load_pem_certificate
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import build_csr_pem, generate_private_key
from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import TaskStopped
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.lookup import MAX_LOOKUP_GETS, find_record, record_by_bookkeeping
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
    assert lookup.record["Id"] == target["Id"]
    assert not lookup.recovered
    assert lookup.other_id is None
    assert lookup.pem_facts["fingerprint_sha256"] == target["FingerprintSha256"]


def test_a_deleted_record_is_searched_for_once_then_not_found():
    client, records = client_with_certificates()
    target = records[0]
    del client.records[target["Id"]]
    lookup = find_record(client, 1, target["FingerprintSha256"], bookkeeping_of(target))
    assert lookup.record is None
    assert lookup.other_id is None
    assert client.calls == ["Get", "List"]


def test_lost_bookkeeping_falls_back_to_one_fingerprint_search_confirmed_by_get():
    client, records = client_with_certificates()
    lookup = find_record(client, 1, records[1]["FingerprintSha256"].upper(), None)
    assert lookup.recovered
    assert lookup.record["Id"] == records[1]["Id"]
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
    assert lookup.record["Id"] == own["Id"]
    assert lookup.recovered
    assert lookup.other_id == victim["Id"]


def test_a_planted_id_never_becomes_the_files_record_even_when_its_own_is_unknown():
    client, records = client_with_certificates()
    victim = records[0]
    lookup = find_record(client, 1, "ab" * 32, bookkeeping_of(victim, fingerprint_sha256="ab" * 32))
    assert lookup.record is None
    assert lookup.other_id == victim["Id"]


@pytest.mark.parametrize("garbage", ["", "../../etc", "x" * 500, 12345, None, "id with spaces"])
def test_a_garbage_id_is_never_sent_to_esa(garbage):
    client, records = client_with_certificates()
    lookup = find_record(client, 1, records[2]["FingerprintSha256"], {"site_id": 1, "id": garbage})
    assert lookup.record["Id"] == records[2]["Id"]
    assert lookup.recovered
    assert client.calls == ["List", "Get"]


def test_blank_fingerprints_from_esa_are_computed_from_the_pem():
    client, records = client_with_certificates(5)
    client.blank_fingerprints = True
    target = records[3]
    lookup = find_record(client, 1, target["FingerprintSha256"], bookkeeping_of(target))
    assert lookup.record["Id"] == target["Id"]
    assert client.calls == ["Get"]
    assert lookup.pem_facts["fingerprint_sha256"] == target["FingerprintSha256"]


def test_the_recovery_search_gets_list_entries_without_a_fingerprint_narrowed_by_common_name():
    client, records = client_with_certificates(5)
    client.blank_fingerprints = True
    target = records[3]
    lookup = find_record(client, 1, target["FingerprintSha256"], None, expected={"common_name": "h3", "not_after": None})
    assert lookup.record["Id"] == target["Id"]
    assert lookup.recovered
    # Only the entry whose common name matches was fetched.
    assert client.calls == ["List", "Get"]


def test_unknown_fingerprint_is_not_found():
    client, _records = client_with_certificates()
    assert find_record(client, 1, "00" * 32, None).record is None


def test_record_by_bookkeeping_for_state_absent():
    client, records = client_with_certificates()
    found = record_by_bookkeeping(client, 1, {"site_id": 1, "id": records[0]["Id"]})
    assert found.record["Id"] == records[0]["Id"]
    assert found.pem_facts["fingerprint_sha256"] == records[0]["FingerprintSha256"]
    assert record_by_bookkeeping(client, 1, None).record is None
    assert record_by_bookkeeping(client, 1, {"site_id": 9, "id": records[0]["Id"]}).record is None
    assert record_by_bookkeeping(client, 1, {"site_id": 1, "id": "../x"}).record is None


# What one host's answer can cost in ESA calls (issue 6): ESA's rate limit is the account's, shared by the fleet.

def site_of_strangers(count, *, not_after=None, fingerprinted=False):
    """A site of ``count`` certificates whose listing tells nothing: no fingerprint (unless ``fingerprinted``), no common
    name, no dates unless ``not_after`` gives them (PEM-less records: a Get of one confirms nothing)."""
    client = FakeEsaClient()
    client.blank_fingerprints = not fingerprinted
    for index in range(count):
        fingerprint = f"{index:064x}" if fingerprinted else ""
        record = {"Id": f"{index:032x}", "Status": "active", "CommonName": "", "Certificate": "", "FingerprintSha256": fingerprint}
        if not_after is not None:
            record["NotAfter"] = not_after(index)
        client.records[record["Id"]] = record
    return client


def gets(client):
    return client.calls.count("Get")


def lists(client):
    return client.calls.count("List")


def stopped_search(client, *args, **kwargs):
    with pytest.raises(TaskStopped) as caught:
        find_record(client, 1, *args, **kwargs)
    return str(caught.value)


UNKNOWN = "ee" * 32
# What the host of the report answered: an unknown fingerprint, no common name, an empty not_after.
CLAIMED = {"common_name": None, "not_after": ""}


def test_an_unknown_fingerprint_on_a_307_certificate_site_costs_no_get_past_the_bound():
    client = site_of_strangers(307)
    stopped_search(client, UNKNOWN, None, expected=CLAIMED)
    assert gets(client) <= MAX_LOOKUP_GETS


def test_an_unknown_fingerprint_on_a_307_certificate_site_stops_with_searched_no_further():
    client = site_of_strangers(307)
    assert "searched no further" in stopped_search(client, UNKNOWN, None, expected=CLAIMED)


def test_the_search_stops_before_any_get_once_the_candidates_outnumber_the_bound():
    client = site_of_strangers(307)
    stopped_search(client, UNKNOWN, None, expected=CLAIMED)
    assert gets(client) == 0


def test_the_search_stops_on_the_first_page_that_outnumbers_the_bound():
    client = site_of_strangers(307)
    stopped_search(client, UNKNOWN, None, expected=CLAIMED)
    assert lists(client) == 1


def test_the_stop_names_the_bookkeeping_file_to_write_in_one_line():
    message = stopped_search(site_of_strangers(307), UNKNOWN, None, expected={"common_name": "web01", "not_after": ""}, path="/etc/pki/web01.pem")
    assert "write the record's id into /etc/pki/web01.pem.esa.json" in message
    assert "esa_client_certificate_info with common_name 'web01'" in message
    assert "\n" not in message


def test_as_many_candidates_as_the_bound_are_all_confirmed():
    client = site_of_strangers(MAX_LOOKUP_GETS - 1)
    record = client._issue(build_csr_pem(generate_private_key("ECDSA"), "h"), dt.datetime.now(dt.timezone.utc))  # pylint: disable=protected-access
    lookup = find_record(client, 1, record["FingerprintSha256"], None, expected={"common_name": None, "not_after": None})
    assert lookup.record["Id"] == record["Id"]
    assert gets(client) == MAX_LOOKUP_GETS


def test_one_candidate_past_the_bound_stops_the_search():
    client = site_of_strangers(MAX_LOOKUP_GETS + 1)
    assert "searched no further" in stopped_search(client, UNKNOWN, None)


def test_the_get_of_a_planted_bookkeeping_id_counts_within_the_bound():
    client = site_of_strangers(MAX_LOOKUP_GETS)
    planted = next(iter(client.records))
    stopped_search(client, UNKNOWN, {"site_id": 1, "id": planted})
    assert gets(client) == 1


def test_entries_whose_listed_dates_are_not_the_files_cost_no_get():
    client = site_of_strangers(307, not_after=lambda index: f"2027-01-01 00:{index // 60:02d}:{index % 60:02d}")
    lookup = find_record(client, 1, UNKNOWN, None, expected={"common_name": None, "not_after": "2030-06-01T00:00:00Z"})
    assert lookup.record is None
    assert gets(client) == 0


def test_an_entry_with_the_files_not_after_is_fetched_at_once_among_many_without_fingerprints():
    client = site_of_strangers(306, not_after=lambda index: f"2027-01-01 00:{index // 60:02d}:{index % 60:02d}")
    record = client._issue(build_csr_pem(generate_private_key("ECDSA"), "h"), dt.datetime.now(dt.timezone.utc))  # pylint: disable=protected-access
    expected = certificate_facts(load_pem_certificate(record["Certificate"].encode()))
    record["NotAfter"] = expected["not_after"].replace("T", " ").rstrip("Z")
    lookup = find_record(client, 1, expected["fingerprint_sha256"], None, expected=expected)
    assert lookup.record["Id"] == record["Id"]
    assert client.calls == ["List", "List", "List", "List", "Get"]


def test_a_listed_fingerprint_is_fetched_at_once_among_thousands():
    client = site_of_strangers(1000, fingerprinted=True)
    record = client._issue(build_csr_pem(generate_private_key("ECDSA"), "h"), dt.datetime.now(dt.timezone.utc))  # pylint: disable=protected-access
    lookup = find_record(client, 1, record["FingerprintSha256"], None)
    assert lookup.record["Id"] == record["Id"]
    assert gets(client) == 1


@pytest.mark.parametrize("garbage", ["", "ee" * 31, "EE" * 32 + "x", "not a fingerprint"])
def test_a_fingerprint_no_certificate_can_have_is_never_searched_for(garbage):
    client = site_of_strangers(3)
    assert find_record(client, 1, garbage, None).record is None
    assert client.calls == []
