# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""esa_client_certificate_info's common_name filter: DNS names, so case does not matter (against the emulator, through the SDK)."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.esa.plugins.action.esa_client_certificate_info import ActionModule as InfoAction
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import build_csr_pem, generate_private_key
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.filters import same_dns_name
from ansible_collections.alibabacloud.esa.tests.unit.plugins.action.action_runner import run_action

SITE = 1234567890123


@pytest.fixture
def listed(esa_emulator):
    from alibabacloud_esa20240910 import models  # pylint: disable=import-outside-toplevel
    from alibabacloud_esa20240910.client import Client  # pylint: disable=import-outside-toplevel
    from alibabacloud_tea_openapi.utils_models import Config  # pylint: disable=import-outside-toplevel

    client = Client(Config(endpoint=esa_emulator.endpoint, protocol="http", **esa_emulator.credentials))
    for name in ("Web01.Example.COM", "web02.example.com", "web010.example.com"):
        request = models.CreateClientCertificateRequest(site_id=SITE, csr=build_csr_pem(generate_private_key("ECDSA"), name), validity_days=30)
        client.create_client_certificate(request)

    def run(**options):
        args = {"site_id": SITE, "endpoint": esa_emulator.url, "api_retries": 1, **esa_emulator.credentials, **options}
        result, target = run_action(InfoAction, args)
        assert target is None, result
        assert not result.get("failed"), result
        return [facts["common_name"] for facts in result["certificates"]]

    return run


@pytest.mark.parametrize("asked", ["web01.example.com", "WEB01.EXAMPLE.COM", "Web01.Example.COM"])
def test_common_name_matches_in_any_case(listed, asked):
    assert listed(common_name=asked) == ["Web01.Example.COM"]


def test_common_name_still_matches_whole_names_only(listed):
    assert listed(common_name="WEB02.example.com") == ["web02.example.com"]
    assert not listed(common_name="web0")
    assert not listed(common_name="web01.example.com.")


@pytest.mark.parametrize(
    ("found", "wanted", "same"),
    [("a.example.com", "A.EXAMPLE.COM", True), ("A.example.com", "a.example.com", True), ("a.example.com", "b.example.com", False), (None, "a", False)],
)
def test_same_dns_name(found, wanted, same):
    assert same_dns_name(found, wanted) is same
