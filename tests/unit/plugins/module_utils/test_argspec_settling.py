# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options that could never settle are refused on the controller, before any ESA call, with one line each."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import (
    client_ca_certificate_input_errors,
    client_certificate_hostnames_input_errors,
    client_certificate_input_errors,
)


def params(**overrides):
    values = {"site_id": 1, "state": "present", "path": "/etc/pki/c.crt", "privatekey_path": "/etc/pki/c.key", "csr_path": None,
              "csr_content": None, "key_source": "local", "pkey_type": "RSA", "common_name": None, "validity_days": 365,
              "remaining_days": None, "revoke_replaced": False}
    values.update(overrides)
    return values


def test_a_usual_configuration_passes():
    assert client_certificate_input_errors(params(common_name="web01.example.com", remaining_days=30)) == []


@pytest.mark.parametrize("overrides, fragment", [
    ({"key_source": "esa", "common_name": "web01"}, "common_name cannot be combined with key_source=esa"),
    ({"remaining_days": 365}, "remaining_days (365) must be below validity_days (365)"),
    ({"remaining_days": 400, "validity_days": 30}, "remaining_days (400) must be below validity_days (30)"),
    ({"privatekey_path": "/etc/pki/c.crt"}, "privatekey_path and path name the same file"),
    ({"privatekey_path": "/etc/pki/./c.crt"}, "privatekey_path and path name the same file"),
    ({"csr_path": "/etc/pki/c.key", "privatekey_path": "/etc/pki/c.key"}, "csr_path and privatekey_path name the same file"),
    ({"privatekey_path": "/etc/pki/c.crt.esa.json"}, "privatekey_path names the bookkeeping file of path"),
    ({"common_name": ""}, "common_name must have 1 to 64 characters"),
    ({"common_name": "   "}, "common_name must have 1 to 64 characters"),
    ({"common_name": "a" * 65}, "common_name must have 1 to 64 characters"),
    ({"common_name": " web01 "}, "leading or trailing spaces"),
    ({"csr_path": "/etc/pki/c.csr", "privatekey_path": None, "revoke_replaced": True}, "revoke_replaced needs privatekey_path"),
])
def test_never_settling_options_are_refused_in_one_line(overrides, fragment):
    errors = client_certificate_input_errors(params(**overrides))
    assert any(fragment in error for error in errors), errors
    assert all("\n" not in error for error in errors)


def test_a_common_name_with_a_csr_is_only_ignored_not_refused():
    assert client_certificate_input_errors(params(csr_content="-----BEGIN CERTIFICATE REQUEST-----", common_name="")) == []


def test_state_absent_is_not_held_to_the_present_rules():
    assert client_certificate_input_errors(params(state="absent", remaining_days=999, key_source="esa", common_name="x")) == []


def test_an_empty_hostname_list_never_unbinds_everything():
    base = {"site_id": 1, "ca_id": None, "append": False}
    assert any("use state=absent without hostnames" in error
               for error in client_certificate_hostnames_input_errors(dict(base, state="present", hostnames=[])))
    assert client_certificate_hostnames_input_errors(dict(base, state="absent", hostnames=None)) == []
    ca = {"site_id": 1, "state": "present", "id": None, "name": None, "certificate": "x", "hostnames": []}
    assert any("hostnames is an empty list" in error for error in client_ca_certificate_input_errors(ca))
