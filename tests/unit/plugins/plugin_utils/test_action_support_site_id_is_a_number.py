# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 24: site_id given as the site's name is answered in one line that says what a site id is, by every module."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.esa.plugins.action.esa_client_ca_certificate import ActionModule as CaAction
from ansible_collections.alibabacloud.esa.plugins.action.esa_client_certificate import ActionModule as CertificateAction
from ansible_collections.alibabacloud.esa.plugins.action.esa_client_certificate_hostnames import ActionModule as HostnamesAction
from ansible_collections.alibabacloud.esa.plugins.action.esa_client_certificate_info import ActionModule as InfoAction
from ansible_collections.alibabacloud.esa.plugins.action.esa_client_certificate_revoke import ActionModule as RevokeAction
from ansible_collections.alibabacloud.esa.plugins.modules.esa_client_certificate import main as certificate_main
from ansible_collections.alibabacloud.esa.tests.unit.plugins.action.action_runner import run_action

ACTIONS = {
    "esa_client_certificate": (CertificateAction, {"path": "/nonexistent/client.crt", "privatekey_path": "/nonexistent/client.key"}),
    "esa_client_certificate_info": (InfoAction, {}),
    "esa_client_certificate_hostnames": (HostnamesAction, {"hostnames": ["api.example.com"]}),
    "esa_client_ca_certificate": (CaAction, {"id": "babaded901474b9693acf530e0fb1d95", "state": "absent"}),
    "esa_client_certificate_revoke": (RevokeAction, {"common_name": ["a.example.com"]}),
}


def attempt(esa_emulator, name, site_id):
    action_class, options = ACTIONS[name]
    args = {"site_id": site_id, "endpoint": esa_emulator.url, "api_retries": 0, **esa_emulator.credentials, **options}
    module_main = certificate_main if action_class is CertificateAction else None
    result, target = run_action(action_class, args, module_main=module_main)
    if site_id == "example.com" and target is not None:
        assert target.phases == [], "the refusal comes before the host is asked anything"
    return result


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_a_site_name_fails(esa_emulator, name):
    assert attempt(esa_emulator, name, "example.com")["failed"] is True


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_a_site_name_is_answered_with_what_a_site_id_is(esa_emulator, name):
    assert attempt(esa_emulator, name, "example.com")["msg"].startswith(
        "site_id must be the numeric ESA site id (for example 1234567890123), not a site name: got 'example.com'"
    )


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_a_site_name_message_says_where_to_find_the_id(esa_emulator, name):
    assert "ListSites" in attempt(esa_emulator, name, "example.com")["msg"]


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_a_site_name_message_is_one_line(esa_emulator, name):
    assert "\n" not in attempt(esa_emulator, name, "example.com")["msg"]


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_a_site_name_calls_no_esa(esa_emulator, name):
    attempt(esa_emulator, name, "example.com")
    assert sum(esa_emulator.stats()["calls"].values()) == 0


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_a_numeric_string_is_still_a_site_id(esa_emulator, name):
    assert "site_id" not in (attempt(esa_emulator, name, "1234567890123").get("msg") or "")


def test_a_site_name_does_not_hide_other_errors(esa_emulator):
    action_class, options = ACTIONS["esa_client_certificate_info"]
    args = {"site_id": "example.com", "endpoint": esa_emulator.url, "no_such_option": 1, **esa_emulator.credentials, **options}
    result, _target = run_action(action_class, args)
    assert "no_such_option" in result["msg"]
