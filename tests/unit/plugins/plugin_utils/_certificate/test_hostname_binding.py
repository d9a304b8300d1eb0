# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ensure_hostnames: one read, a write only for a change, none in check mode, and ESA's refusals in the task's terms."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import TaskInputError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.hostname_binding import ensure_hostnames, write_hostnames
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import EsaClient
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import resolve_connection_settings

SITE_ID = 1234567890123
BASIC_SITE_ID = 2222222222222


@pytest.fixture
def client(esa_emulator):
    settings = resolve_connection_settings({**esa_emulator.credentials, "endpoint": esa_emulator.url, "api_retries": 1}, {})
    return EsaClient(settings, retry_policy=RetryPolicy(1, sleep=lambda _seconds: None))


def _calls(emu):
    return {action: count for action, count in emu.stats()["calls"].items() if "Hostnames" in action}


def test_a_change_reads_once_and_writes_once_then_nothing_changes(esa_emulator, client):
    outcome = ensure_hostnames(client, SITE_ID, ca_id=None, requested=["www.example.com", "api.example.com"])
    assert outcome.plan.changed
    assert outcome.plan.before == []
    assert outcome.hostnames == ["api.example.com", "www.example.com"]
    assert outcome.ca_id == esa_emulator.service.ca.id
    assert outcome.site_name == "example.com"
    assert _calls(esa_emulator) == {"GetClientCaCertificateHostnames": 1, "SetClientCaCertificateHostnames": 1}

    again = ensure_hostnames(client, SITE_ID, ca_id=None, requested=["api.example.com", "www.example.com"])
    assert not again.plan.changed
    assert again.hostnames == ["api.example.com", "www.example.com"]
    assert _calls(esa_emulator) == {"GetClientCaCertificateHostnames": 2, "SetClientCaCertificateHostnames": 1}


def test_check_mode_reads_and_never_writes(esa_emulator, client):
    outcome = ensure_hostnames(client, SITE_ID, ca_id=None, requested=["www.example.com"], check_mode=True)
    assert outcome.plan.changed
    assert outcome.hostnames == ["www.example.com"]
    assert esa_emulator.hostname_bindings() == []
    assert "SetClientCaCertificateHostnames" not in _calls(esa_emulator)


def test_append_and_absent(esa_emulator, client):
    ensure_hostnames(client, SITE_ID, ca_id=None, requested=["example.com"])
    assert ensure_hostnames(client, SITE_ID, ca_id=None, requested=["www.example.com"], append=True).hostnames == ["example.com", "www.example.com"]
    removed = ensure_hostnames(client, SITE_ID, ca_id=None, requested=["example.com"], state="absent")
    assert removed.plan.removed == ["example.com"]
    assert removed.hostnames == ["www.example.com"]
    cleared = ensure_hostnames(client, SITE_ID, ca_id=None, requested=None, state="absent")
    assert cleared.hostnames == []
    assert esa_emulator.hostname_bindings() == []


def test_a_known_current_set_skips_the_read(esa_emulator, client):
    # For a CA this very task uploaded: nothing is bound yet, so the read is saved.
    outcome = ensure_hostnames(client, SITE_ID, ca_id=None, requested=["www.example.com"], current=[])
    assert outcome.hostnames == ["www.example.com"]
    assert _calls(esa_emulator) == {"SetClientCaCertificateHostnames": 1}


def test_append_beyond_fifty_is_refused_before_the_write(esa_emulator, client, monkeypatch):
    monkeypatch.setattr(client, "get_client_ca_certificate_hostnames",
                        lambda site_id, ca_id=None: {"Hostnames": [f"h{n}.example.com" for n in range(45)], "SiteName": "example.com"})
    with pytest.raises(TaskInputError, match=r"at most 50 hostnames to a CA, this would bind 51 \(45 bound now, 6 to add\)"):
        ensure_hostnames(client, SITE_ID, ca_id=None, requested=[f"new{n}.example.com" for n in range(6)], append=True)
    assert "SetClientCaCertificateHostnames" not in _calls(esa_emulator)


def test_hostnames_not_on_the_site_are_named(esa_emulator, client):
    with pytest.raises(EsaApiError) as raised:
        ensure_hostnames(client, SITE_ID, ca_id=None, requested=["www.example.com", "shop.example.net", "www.basic-plan.example"])
    message = raised.value.message
    assert raised.value.code == "InvalidParameter"
    assert raised.value.request_id
    assert message.startswith("ESA refused shop.example.net, www.basic-plan.example: not a hostname of site 1234567890123 (example.com)")
    assert message.endswith("remove them from hostnames.")
    assert "\n" not in message
    assert esa_emulator.hostname_bindings() == []


def test_an_unknown_ca_is_named(client):
    with pytest.raises(EsaApiError) as raised:
        ensure_hostnames(client, SITE_ID, ca_id="0123456789abcdef0123456789abcdef", requested=["www.example.com"])
    assert raised.value.code == "Certificate.NotFound"
    assert raised.value.message.startswith("Site 1234567890123 has no client CA certificate 0123456789abcdef0123456789abcdef (Certificate.NotFound): "
                                           "check ca_id")


def test_a_plan_without_the_feature(client):
    with pytest.raises(EsaApiError) as raised:
        ensure_hostnames(client, BASIC_SITE_ID, ca_id=None, requested=["basic-plan.example"])
    assert raised.value.code == "QuotaCheckFailed.Function"
    assert "site_id" in raised.value.message


def refuse_bare(emu):
    """ESA answering InvalidParameter with its bare message, as the API reference documents it."""
    emu.set_faults([{"type": "server_error", "code": "InvalidParameter", "message": "The specified parameter is invalid.",
                     "action": "SetClientCaCertificateHostnames"}])


def test_a_bare_refusal_falls_back_to_the_site_domain(esa_emulator, client):
    refuse_bare(esa_emulator)
    with pytest.raises(EsaApiError) as raised:
        write_hostnames(client, SITE_ID, None, ["api.example.com", "api.example.org"], site_name="example.com")
    assert raised.value.message.startswith("ESA refused api.example.org: not a hostname of site 1234567890123 (example.com)")
    assert raised.value.message.endswith("remove it from hostnames.")


def test_a_refusal_that_names_nothing_says_what_to_check(esa_emulator, client):
    refuse_bare(esa_emulator)
    with pytest.raises(EsaApiError) as raised:
        write_hostnames(client, SITE_ID, None, ["api.example.com"], site_name="example.com")
    assert raised.value.message == ("ESA refused the hostnames of hostnames for site 1234567890123 (example.com) (InvalidParameter: The specified "
                                    "parameter is invalid.): each must be a hostname of the site, at most 50 per CA; check hostnames.")
    assert raised.value.service_message == "The specified parameter is invalid."
