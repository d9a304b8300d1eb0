# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``exception`` field of a failed task: only from -vvv, the whole chain with codes and request ids, never a secret or key."""

from __future__ import annotations

from unittest import mock

import pytest
from alibabacloud_esa20240910 import models as esa_models

from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import TaskInputError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._action_support import EsaOnlyAction, fail
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import EsaClient
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.failure_report import failure_report
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import resolve_connection_settings
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils import sdk_fakes

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRET"
TOKEN = "CAIS-sts-token-VALUE/xyz=="
KEY_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"
LEAKY = (f"signed with {SECRET} and {TOKEN} (url-encoded: wJalrXUtnFEMI%2FK7MDENG%2BbPxRfiCYSECRET); answer held "
         f"-----BEGIN RSA PRIVATE KEY-----\n{KEY_BODY}\n-----END RSA PRIVATE KEY-----")


def failing_client(*failures):
    settings = resolve_connection_settings(
        {"access_key_id": "LTAI5tExampleKeyId", "access_key_secret": SECRET, "security_token": TOKEN, "endpoint": "http://127.0.0.1:9"}, {})
    fake = sdk_fakes.FakeSdk({"get_client_certificate": esa_models.GetClientCertificateResponse}, get_client_certificate=list(failures))
    return EsaClient(settings, retry_policy=RetryPolicy(len(failures) - 1, sleep=lambda _seconds: None), sdk_client=fake)


def raised_by(client):
    with pytest.raises(EsaApiError) as raised:
        client.get_client_certificate(1234, "cert-7")
    return raised.value


def assert_nothing_secret(text):
    for value in (SECRET, TOKEN, SECRET[:12], "wJalrXUtnFEMI%2FK7MDENG%2BbPxRfiCYSECRET", KEY_BODY, "PRIVATE KEY-----"):
        assert value not in text
    assert "Traceback" not in text  # the integration targets assert that an expected failure shows no traceback


@pytest.mark.parametrize("verbosity", [0, 1, 2])
def test_below_vvv_a_failure_is_one_line_with_code_and_request_id(verbosity):
    error = raised_by(failing_client(sdk_fakes.answer_error(403, "Forbidden.RAM", LEAKY, request_id="REQ-7")))
    result = fail({}, error, verbosity=verbosity, secrets=(SECRET, TOKEN))
    assert result == {"failed": True, "msg": error.message, "code": "Forbidden.RAM", "request_id": "REQ-7"}


@pytest.mark.parametrize("verbosity", [3, 4])
def test_from_vvv_an_esa_failure_adds_the_chain_without_secrets_or_keys(verbosity):
    client = failing_client(sdk_fakes.answer_error(403, "Forbidden.RAM", LEAKY, request_id="REQ-7"))
    error = raised_by(client).reworded("In this task's terms: grant it in RAM.")
    result = fail({}, error, verbosity=verbosity, secrets=client.settings.secret_values)
    assert (result["msg"], result["code"], result["request_id"]) == ("In this task's terms: grant it in RAM.", "Forbidden.RAM", "REQ-7")
    report = result["exception"]
    lines = report.splitlines()
    assert lines[0].startswith("ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors.EsaApiError: In this task's terms")
    assert "  code Forbidden.RAM, HTTP status 403, request id REQ-7, action GetClientCertificate" in lines
    assert any(line.startswith("caused by alibabacloud_tea_openapi.exceptions.") and "ClientException: " in line for line in lines)
    assert any(line.startswith("  at ") and "_esa/client.py" in line for line in lines)  # where ESA's refusal surfaced
    assert_nothing_secret(report)


def test_a_network_failure_shows_every_link_down_to_the_os_error():
    client = failing_client(sdk_fakes.connection_refused(), sdk_fakes.connection_refused())
    report = failure_report(raised_by(client), client.settings.secret_values)
    assert "transport refused" in report
    assert "action GetClientCertificate" in report
    for link in ("darabonba.exceptions.UnretryableException", "requests.exceptions.ConnectionError", "urllib3.exceptions.NewConnectionError",
                 "caused by ConnectionRefusedError: [Errno 111] Connection refused"):
        assert link in report
    assert_nothing_secret(report)


def test_private_keys_are_removed_even_without_secrets():
    error = EsaApiError("CreateClientCertificate failed.", code="InternalError")
    error.__cause__ = sdk_fakes.answer_error(500, "InternalError", LEAKY)
    report = failure_report(error)
    assert KEY_BODY not in report
    assert "BEGIN RSA PRIVATE KEY" not in report


def test_other_failures_never_get_a_report():
    assert fail({}, TaskInputError("site_id is required"), verbosity=5) == {"failed": True, "msg": "site_id is required"}


class _Failing(EsaOnlyAction):
    def esa_run(self):
        self.esa_client({"access_key_id": "LTAI5tExampleKeyId", "access_key_secret": SECRET, "security_token": TOKEN,
                         "endpoint": "http://127.0.0.1:9"})
        self.partial_result["deleted"] = ["ca-1"]
        raise raised_by(failing_client(sdk_fakes.answer_error(400, "InvalidParameter", LEAKY, request_id="REQ-9")))


@pytest.mark.parametrize(("verbosity", "reported"), [(2, False), (3, True)])
def test_the_esa_only_actions_report_from_vvv_with_the_clients_secrets(monkeypatch, verbosity, reported):
    task = mock.MagicMock(async_val=0, check_mode=False, args={})
    action = _Failing(task, mock.MagicMock(), mock.MagicMock(), mock.MagicMock(), mock.MagicMock(), None)
    monkeypatch.setattr(action._display, "verbosity", verbosity)  # pylint: disable=protected-access
    result = action.run(task_vars={})
    assert result["failed"]
    assert result["code"] == "InvalidParameter"
    assert result["deleted"] == ["ca-1"]
    assert ("exception" in result) is reported
    assert_nothing_secret(repr(result))
