# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One ESA read when the bookkeeping file is there; one fingerprint search when it is not."""

from __future__ import annotations

import datetime as dt

from ansible_collections.alibabacloud.esa.plugins.module_utils._keys import build_csr_pem, generate_private_key
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate_lookup import find_record, find_record_by_id
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils.fake_esa_client import FakeEsaClient


def client_with_certificates(count=3):
    client = FakeEsaClient()
    records = [client._issue(build_csr_pem(generate_private_key("ECDSA"), f"h{i}"), dt.datetime.now(dt.timezone.utc))  # pylint: disable=protected-access
               for i in range(count)]
    return client, records


def test_bookkeeping_costs_exactly_one_get():
    client, records = client_with_certificates(50)
    target = records[-1]
    lookup = find_record(client, 1, target["FingerprintSha256"], {"site_id": 1, "id": target["Id"], "fingerprint_sha256": target["FingerprintSha256"]})
    assert client.calls == ["Get"]
    assert lookup.record["Id"] == target["Id"] and not lookup.recovered


def test_bookkeeping_pointing_at_a_deleted_record_means_not_found_without_a_search():
    client, records = client_with_certificates()
    target = records[0]
    del client.records[target["Id"]]
    lookup = find_record(client, 1, target["FingerprintSha256"], {"site_id": 1, "id": target["Id"], "fingerprint_sha256": target["FingerprintSha256"]})
    assert lookup.record is None and client.calls == ["Get"]


def test_lost_bookkeeping_falls_back_to_one_fingerprint_search():
    client, records = client_with_certificates()
    lookup = find_record(client, 1, records[1]["FingerprintSha256"].upper(), None)
    assert lookup.recovered and lookup.record["Id"] == records[1]["Id"]
    assert client.calls == ["List"]


def test_bookkeeping_of_another_site_or_another_file_is_not_trusted():
    client, records = client_with_certificates()
    target = records[2]
    find_record(client, 1, target["FingerprintSha256"], {"site_id": 2, "id": target["Id"]})
    find_record(client, 1, target["FingerprintSha256"], {"site_id": 1, "id": records[0]["Id"], "fingerprint_sha256": records[0]["FingerprintSha256"]})
    assert client.calls == ["List", "List"]


def test_unknown_fingerprint_is_not_found():
    client, _records = client_with_certificates()
    assert find_record(client, 1, "00" * 32, None).record is None


def test_find_by_id_for_state_absent():
    client, records = client_with_certificates()
    assert find_record_by_id(client, 1, {"site_id": 1, "id": records[0]["Id"]})["Id"] == records[0]["Id"]
    assert find_record_by_id(client, 1, None) is None
    assert find_record_by_id(client, 1, {"site_id": 9, "id": records[0]["Id"]}) is None
