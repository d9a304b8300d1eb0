# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The exceptions the installed official SDK really raises, caught from one call to the emulator (or a port where
nothing listens), for the tests of the code that reads them: no exception here is built by hand."""

from __future__ import annotations

import errno
import socket
import typing as t

import pytest
from alibabacloud_credentials.utils import auth_util
from alibabacloud_esa20240910 import models as esa_models
from alibabacloud_esa20240910.client import Client as SdkEsaClient
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions
from urllib3.util import connection as urllib3_connection

SITE_ID = 1234567890123  # a site of the emulator's built-in config


class RealSdkErrors:
    """``errors.answer(503, "ServiceUnavailable")``, ``errors.refused()``...: each makes one real call and returns what it raised."""

    def __init__(self, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
        self._request = request
        self._monkeypatch = monkeypatch
        self.emulator = request.getfixturevalue("esa_emulator")

    def _raised(self, endpoint: str | None = None, protocol: str = "http", credentials: dict[str, str] | None = None, **timeouts: int) -> BaseException:
        config = Config(**(self.emulator.credentials if credentials is None else credentials), endpoint=endpoint or self.emulator.endpoint,
                        protocol=protocol, read_timeout=timeouts.get("read_timeout", 5000), connect_timeout=timeouts.get("connect_timeout", 5000))
        try:
            SdkEsaClient(config).list_client_certificates_with_options(esa_models.ListClientCertificatesRequest(site_id=SITE_ID), RuntimeOptions())
        except Exception as raised:  # pylint: disable=broad-exception-caught  # whatever the SDK raises is the point
            return raised
        raise AssertionError("the call did not fail")

    def raised_under_the_faults_set(self) -> BaseException:
        """What one call raises under the faults the test set on ``emulator`` itself (any rule the helpers below do not cover)."""
        return self._raised()

    def _with_fault(self, rule: dict[str, t.Any], **timeouts: int) -> BaseException:
        self.emulator.set_faults([{**rule, "times": 1}])
        return self._raised(**timeouts)

    def last_request_id(self) -> str:
        """The RequestId of the last answer the emulator gave."""
        return self.emulator.request_ids()[-1]

    # --- ESA's error answers ---

    def answer(self, status: int, code: str, message: str = "details", retry_after_ms: int | None = None) -> BaseException:
        """An error answer with this status, code and message, and x-acs-retry-after when ``retry_after_ms`` is given."""
        return self._with_fault({"type": "server_error", "code": code, "status": status, "message": message, "retry_after_ms": retry_after_ms})

    def unparseable_answer(self) -> BaseException:
        return self._with_fault({"type": "html_error", "status": 502})

    # --- failures below the answer ---

    def reset_after_send(self) -> BaseException:
        return self._with_fault({"type": "reset_before_effect"})

    def read_timeout(self) -> BaseException:
        return self._with_fault({"type": "silent"}, read_timeout=100)

    def refused(self) -> BaseException:
        return self._raised(endpoint=f"127.0.0.1:{self._request.getfixturevalue('closed_port')}")

    def connect_timeout(self) -> BaseException:
        return self._raised(endpoint=f"127.0.0.1:{self._request.getfixturevalue('full_backlog_port')}", connect_timeout=200)

    def tls_verification_failed(self) -> BaseException:
        return self._raised(endpoint=self._request.getfixturevalue("esa_emulator_tls").endpoint, protocol="https")

    def network_unreachable(self) -> BaseException:
        """The kernel's answer to a connect with no route, raised where urllib3 opens its socket (loopback has a route)."""

        def unreachable(*_args: t.Any, **_kwargs: t.Any) -> socket.socket:
            raise OSError(errno.ENETUNREACH, "Network is unreachable")

        with self._monkeypatch.context() as patch:
            patch.setattr(urllib3_connection, "create_connection", unreachable)
            # A port never used before, so no pooled keep-alive connection spares urllib3 the connect.
            return self._raised(endpoint=f"127.0.0.1:{self._request.getfixturevalue('closed_port')}")

    def name_not_resolved(self) -> BaseException:
        """The resolver's answer for an unknown name, raised by getaddrinfo (no lookup may leave the machine)."""

        def unknown(*_args: t.Any, **_kwargs: t.Any) -> t.Any:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

        with self._monkeypatch.context() as patch:
            patch.setattr(socket, "getaddrinfo", unknown)
            return self._raised(endpoint="esa.nowhere.invalid")

    def credentials_missing(self) -> BaseException:
        """No key given and every link of the default chain empty (the chain reads these once, at import)."""
        with self._monkeypatch.context() as patch:
            for name in ("environment_access_key_id", "environment_access_key_secret", "environment_security_token", "environment_credentials_uri"):
                patch.setattr(auth_util, name, None)
            patch.setattr(auth_util, "enable_oidc_credential", False)
            patch.setattr(auth_util, "environment_cli_profile_disabled", "true")
            patch.setattr(auth_util, "environment_credentials_file", "/nonexistent/esa-unit-tests/credentials.ini")
            return self._raised(credentials={})
