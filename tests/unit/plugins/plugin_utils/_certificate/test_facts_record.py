# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import datetime as dt

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.facts import (
    FACT_NAMES,
    flatten_record,
    merge_file_and_record,
    record_facts,
)

NOW = dt.datetime(2026, 11, 28, tzinfo=dt.timezone.utc)
CREATE_ANSWER = {
    "RequestId": "r", "Id": "babaded901474b9693acf530e0fb1d95", "Status": "active", "Certificate": "PEM",
    "PrivateKey": "-----BEGIN PRIVATE KEY-----", "CommonName": "www.example.com ", "NotBefore": "2026-11-28T00:00:00Z",
    "NotAfter": "2027-11-28T00:00:00Z", "Issuer": "ESA CA", "SerialNumber": "BABADED9", "FingerprintSha256": "1DC5" + "0" * 60,
    "SignatureAlgorithm": "SHA256-RSA", "ValidityDays": 365, "CACertificateId": "ca",
}
GET_ANSWER = {
    "RequestId": "r", "SiteId": 7, "SiteName": "example.com", "Status": "revoked", "Certificate": "PEM",
    "Result": {"Id": "babaded901474b9693acf530e0fb1d95", "Status": "revoked", "CommonName": "www.example.com",
               "NotBefore": "2026-11-28 00:00:00", "NotAfter": "2027-11-28 00:00:00", "Issuer": "ESA CA", "SerialNumber": "babaded9",
               "FingerprintSha256": "1dc5" + "0" * 60, "SignatureAlgorithm": "SHA256-RSA", "CACertificateId": "ca"},
}


def test_create_and_get_answers_give_the_same_facts_apart_from_status():
    created = record_facts(CREATE_ANSWER, 7, NOW)
    got = record_facts(GET_ANSWER, 7, NOW)
    assert set(created) == set(FACT_NAMES)
    assert {k: v for k, v in created.items() if k != "status"} == {k: v for k, v in got.items() if k != "status"}
    assert created["not_after"] == "2027-11-28T00:00:00Z"
    assert created["common_name"] == "www.example.com"
    assert created["fingerprint_sha256"] == "1dc5" + "0" * 60
    assert created["serial_number"] == "babaded9"
    assert got["validity_days"] == 365
    assert got["remaining_days"] == 365
    assert (created["status"], got["status"]) == ("active", "revoked")


def test_facts_never_carry_a_private_key():
    assert "PRIVATE" not in repr(record_facts(CREATE_ANSWER, 7, NOW))


def test_flatten_keeps_the_pem_and_the_site():
    flat = flatten_record(GET_ANSWER)
    assert flat["Certificate"] == "PEM"
    assert flat["SiteId"] == 7
    assert flat["Id"].startswith("babaded")


def test_file_facts_win_for_what_is_on_disk():
    file_facts = {"common_name": "disk", "serial_number": "01", "fingerprint_sha256": "ff" * 32, "not_before": "2026-11-01T00:00:00Z",
                  "not_after": "2026-12-01T00:00:00Z", "issuer": "X", "validity_days": 30, "signature_algorithm": "SHA256-ECDSA"}
    merged = merge_file_and_record(file_facts, GET_ANSWER, 7, None, NOW)
    assert merged["common_name"] == "disk"
    assert merged["remaining_days"] == 3
    assert merged["id"] == "babaded901474b9693acf530e0fb1d95"
    assert merged["status"] == "revoked"
    assert merged["signature_algorithm"] == "SHA256-RSA"
    alone = merge_file_and_record(file_facts, None, 7, "known", NOW)
    assert alone["id"] == "known"
    assert alone["status"] is None
    assert alone["signature_algorithm"] == "SHA256-ECDSA"
    assert merge_file_and_record(None, None, 7, None, NOW) is None
