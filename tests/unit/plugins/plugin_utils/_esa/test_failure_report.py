# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``exception`` field of a failed task: only from -vvv, the whole chain with codes and request ids, never a secret or key."""

from __future__ import annotations

import urllib.parse
from unittest import mock

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import TaskInputError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._action_support import EsaOnlyAction, fail
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import EsaClient
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.failure_report import failure_report
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import resolve_connection_settings

SITE_ID = 1234567890123  # a site of the emulator's built-in config
KEY_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"


@pytest.fixture
def sts(esa_emulator):
    """The emulator's STS triple: the secret and token every report below must hide."""
    return esa_emulator.sts_credentials


@pytest.fixture
def leaky(sts):
    """An ESA message that echoes the secret, the token (also url-encoded) and a private key."""
    secret, token = sts["access_key_secret"], sts["security_token"]
    return (f"signed with {secret} and {token} (url-encoded: {urllib.parse.quote(secret, safe='')}); answer held "
            f"-----BEGIN RSA PRIVATE KEY-----\n{KEY_BODY}\n-----END RSA PRIVATE KEY-----")


def emulator_client(emu, endpoint=None, retries=0):
    settings = resolve_connection_settings({**emu.sts_credentials, "endpoint": endpoint or emu.url}, {})
    return EsaClient(settings, retry_policy=RetryPolicy(retries, sleep=lambda _seconds: None))


def refusing(emu, status, code, message):
    """A client whose Get is answered with this ESA error (an emulator fault), once."""
    emu.set_faults([{"type": "server_error", "code": code, "status": status, "message": message, "times": 1}])
    return emulator_client(emu)


def raised_by(client):
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(SITE_ID, "0" * 32)
    return raised.value


def assert_nothing_secret(text, sts):
    secret = sts["access_key_secret"]
    for value in (secret, sts["security_token"], secret[:12], urllib.parse.quote(secret, safe=""), KEY_BODY, "PRIVATE KEY-----"):
        assert value not in text
    assert "Traceback" not in text  # the integration targets assert that an expected failure shows no traceback


@pytest.mark.parametrize("verbosity", [0, 1, 2])
def test_below_vvv_a_failure_is_one_line_with_code_and_request_id(esa_emulator, sts, leaky, verbosity):
    error = raised_by(refusing(esa_emulator, 403, "Forbidden.RAM", leaky))
    result = fail({}, error, verbosity=verbosity, secrets=(sts["access_key_secret"], sts["security_token"]))
    assert result == {"failed": True, "msg": error.message, "code": "Forbidden.RAM", "request_id": esa_emulator.request_ids()[0]}


@pytest.mark.parametrize("verbosity", [3, 4])
def test_from_vvv_an_esa_failure_adds_the_chain_without_secrets_or_keys(esa_emulator, sts, leaky, verbosity):
    client = refusing(esa_emulator, 403, "Forbidden.RAM", leaky)
    error = raised_by(client).reworded("In this task's terms: grant it in RAM.")
    result = fail({}, error, verbosity=verbosity, secrets=client.settings.secret_values)
    request_id = esa_emulator.request_ids()[0]
    assert (result["msg"], result["code"], result["request_id"]) == ("In this task's terms: grant it in RAM.", "Forbidden.RAM", request_id)
    report = result["exception"]
    lines = report.splitlines()
    assert lines[0].startswith("ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors.EsaApiError: In this task's terms")
    assert f"  code Forbidden.RAM, HTTP status 403, request id {request_id}, action GetClientCertificate" in lines
    assert any(line.startswith("caused by alibabacloud_tea_openapi.exceptions.") and "ClientException: " in line for line in lines)
    assert any(line.startswith("  at ") and "_esa/client.py" in line for line in lines)  # where ESA's refusal surfaced
    assert_nothing_secret(report, sts)


def test_a_network_failure_shows_every_link_down_to_the_os_error(esa_emulator, sts, closed_port):
    client = emulator_client(esa_emulator, endpoint=f"http://127.0.0.1:{closed_port}", retries=1)
    report = failure_report(raised_by(client), client.settings.secret_values)
    assert "transport refused" in report
    assert "action GetClientCertificate" in report
    for link in ("darabonba.exceptions.UnretryableException", "requests.exceptions.ConnectionError", "urllib3.exceptions.NewConnectionError",
                 "caused by ConnectionRefusedError: [Errno 111] Connection refused"):
        assert link in report
    assert_nothing_secret(report, sts)


def test_private_keys_are_removed_even_without_secrets(esa_emulator, leaky):
    error = EsaApiError("CreateClientCertificate failed.", code="InternalError")
    error.__cause__ = raised_by(refusing(esa_emulator, 500, "InternalError", leaky)).__cause__  # the SDK's own ServerException
    report = failure_report(error)
    assert KEY_BODY not in report
    assert "BEGIN RSA PRIVATE KEY" not in report


def test_other_failures_never_get_a_report():
    assert fail({}, TaskInputError("site_id is required"), verbosity=5) == {"failed": True, "msg": "site_id is required"}


def failing_action(emu, leaky):
    """An ESA-only action that builds its client (registering the secrets to hide), records a partial result, then fails."""

    class _Failing(EsaOnlyAction):
        def esa_run(self):
            client = self.esa_client({**emu.sts_credentials, "endpoint": emu.url})
            self.partial_result["deleted"] = ["ca-1"]
            emu.set_faults([{"type": "server_error", "code": "InvalidParameter", "message": leaky, "times": 1}])
            client.get_client_certificate(SITE_ID, "0" * 32)

    return _Failing


@pytest.mark.parametrize(("verbosity", "reported"), [(2, False), (3, True)])
def test_the_esa_only_actions_report_from_vvv_with_the_clients_secrets(esa_emulator, sts, leaky, monkeypatch, verbosity, reported):
    task = mock.MagicMock(async_val=0, check_mode=False, args={})
    action = failing_action(esa_emulator, leaky)(task, mock.MagicMock(), mock.MagicMock(), mock.MagicMock(), mock.MagicMock(), None)
    monkeypatch.setattr(action._display, "verbosity", verbosity)  # pylint: disable=protected-access
    result = action.run(task_vars={})
    assert result["failed"]
    assert result["code"] == "InvalidParameter"
    assert result["deleted"] == ["ca-1"]
    assert ("exception" in result) is reported
    assert_nothing_secret(repr(result), sts)
