# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PKCS#12 and full-chain options are refused on the controller, before any ESA call, unless each has what it needs."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import client_certificate_argument_spec, client_certificate_input_errors

CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def params(**overrides):
    values = {"site_id": 1, "state": "present", "path": "/etc/pki/c.crt", "privatekey_path": "/etc/pki/c.key", "csr_path": None,
              "csr_content": None, "key_source": "local", "pkey_type": "RSA", "common_name": None, "validity_days": 365,
              "remaining_days": None, "revoke_replaced": False, "pkcs12_path": None, "pkcs12_passphrase": None,
              "pkcs12_friendly_name": None, "ca_certificate_content": None, "fullchain_path": None}
    values.update(overrides)
    return values


def test_the_passphrase_is_no_log():
    assert client_certificate_argument_spec()["pkcs12_passphrase"]["no_log"] is True


def test_a_bundle_with_its_passphrase_ca_and_chain_passes():
    assert client_certificate_input_errors(params(pkcs12_path="/etc/pki/c.p12", pkcs12_passphrase="p", ca_certificate_content=CA,
                                                  fullchain_path="/etc/pki/chain.pem")) == []


@pytest.mark.parametrize("overrides, fragment", [
    ({"pkcs12_path": "/etc/pki/c.p12"}, "pkcs12_path needs pkcs12_passphrase"),
    ({"pkcs12_path": "/etc/pki/c.p12", "pkcs12_passphrase": ""}, "pkcs12_path needs pkcs12_passphrase"),
    ({"pkcs12_path": "/etc/pki/c.p12", "pkcs12_passphrase": "p", "privatekey_path": None, "csr_content": "CSR"}, "pkcs12_path needs privatekey_path"),
    ({"pkcs12_passphrase": "p"}, "pkcs12_passphrase applies only with pkcs12_path"),
    ({"pkcs12_friendly_name": "n"}, "pkcs12_friendly_name applies only with pkcs12_path"),
    ({"fullchain_path": "/etc/pki/chain.pem"}, "fullchain_path needs ca_certificate_content"),
    ({"ca_certificate_content": CA}, "ca_certificate_content applies only with pkcs12_path or fullchain_path"),
    ({"pkcs12_path": "/etc/pki/c.key", "pkcs12_passphrase": "p"}, "pkcs12_path and privatekey_path name the same file"),
    ({"fullchain_path": "/etc/pki/c.crt", "ca_certificate_content": CA}, "fullchain_path and path name the same file"),
    ({"pkcs12_path": "/etc/pki/c.crt.esa.json", "pkcs12_passphrase": "p"}, "pkcs12_path names the bookkeeping file of path"),
])
def test_a_derived_file_without_what_it_needs_is_refused(overrides, fragment):
    errors = client_certificate_input_errors(params(**overrides))
    assert [error for error in errors if fragment in error] != [], errors


def test_state_absent_needs_no_passphrase_to_remove_a_bundle():
    assert client_certificate_input_errors(params(state="absent", pkcs12_path="/etc/pki/c.p12")) == []
