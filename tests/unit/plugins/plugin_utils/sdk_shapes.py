# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real SDK exception objects, built the way the SDK builds them, for the tests of the classifiers that read them."""

from __future__ import annotations

import errno
import socket
import ssl
import typing as t

import requests.exceptions
from alibabacloud_credentials.exceptions import CredentialException
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
from darabonba.exceptions import RetryError, UnretryableException
from darabonba.policy.retry import RetryPolicyContext
from urllib3 import exceptions as urllib3_exceptions


def answer_error(status: int, code: str | None, message: str = "details", request_id: str | None = "REQ-1", retry_after_ms: int | None = None):
    """What tea-openapi's do_request raises for a 4xx/5xx answer (see its client.py)."""
    data: dict[str, t.Any] = {"RequestId": request_id, "Code": code, "Message": message, "statusCode": status}
    common = {
        "status_code": status,
        "code": f"{code}",  # the SDK stringifies: a missing code arrives as 'None'
        "message": f"code: {status}, {message} request id: {request_id}",
        "data": data,
        "request_id": f"{request_id}",
    }
    if retry_after_ms is not None:
        return ThrottlingException(retry_after=retry_after_ms, **common)
    if status < 500:
        return ClientException(**common)
    return ServerException(**common)


# The two tea-openapi releases requirements.txt allows, which choose the exception class for an answer differently.
TEA_OPENAPI_RELEASES = ("0.4.5", "0.4.6")


def _throttling_time_left(release: str, header: str | None) -> int | None:
    """Utils.get_throttling_time_left of each release: 0.4.5 is int() or None; 0.4.6 also drops empty and non-positive values."""
    try:
        time_left = int(header)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if release != "0.4.5" and time_left <= 0:
        return None
    return time_left


def answer_error_from(release: str, status: int, code: str | None, *, retry_after_header: str | None = None, message: str = "details",
                      request_id: str | None = "REQ-1"):
    """What do_rpcrequest of tea-openapi ``release`` raises for a 4xx/5xx answer with this code and x-acs-retry-after header (None: absent).

    0.4.5: ThrottlingException when the code contains "Throttling" (retry_after from the header, or None), else Client/ServerException
    without retry_after, so a header on any other code is lost. 0.4.6: ThrottlingException exactly when the header holds a positive
    number, whatever the code.
    """
    if release not in TEA_OPENAPI_RELEASES:
        raise ValueError(f"unknown tea-openapi release {release}")
    time_left = _throttling_time_left(release, retry_after_header)
    data: dict[str, t.Any] = {"RequestId": request_id, "Code": code, "Message": message, "statusCode": status}
    common = {
        "status_code": status,
        "code": f"{code}",
        "message": f"code: {status}, {message} request id: {request_id}",
        "data": data,
        "request_id": f"{request_id}",
    }
    throttled = "Throttling" in f"{code}" if release == "0.4.5" else time_left is not None
    if throttled:
        return ThrottlingException(retry_after=time_left, **common)
    if status < 500:
        return ClientException(**common)
    return ServerException(**common)


def wrapped(inner: BaseException) -> UnretryableException:
    """What do_request raises when anything but an answer fails: UnretryableException(inner_exception=inner)."""
    return UnretryableException(RetryPolicyContext(retries_attempted=1, exception=inner))


def transport_error(requests_error: BaseException) -> UnretryableException:
    """A network failure as darabonba reports it: RetryError(str(e)) raised while handling e, then wrapped."""
    try:
        try:
            raise requests_error
        except OSError as exc:
            raise RetryError(str(exc))  # pylint: disable=raise-missing-from  # darabonba's own shape: implicit context
    except RetryError as retry_error:
        return wrapped(retry_error)


def _caused(error: BaseException, cause: BaseException) -> BaseException:
    error.__cause__ = cause
    return error


def connection_refused() -> UnretryableException:
    reason = _caused(urllib3_exceptions.NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused"),
                     ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"))
    return transport_error(requests.exceptions.ConnectionError(urllib3_exceptions.MaxRetryError(None, "/", reason)))


def network_unreachable() -> UnretryableException:
    reason = _caused(urllib3_exceptions.NewConnectionError(None, "Failed to establish a new connection: [Errno 101] Network is unreachable"),
                     OSError(errno.ENETUNREACH, "Network is unreachable"))
    return transport_error(requests.exceptions.ConnectionError(urllib3_exceptions.MaxRetryError(None, "/", reason)))


def name_not_resolved() -> UnretryableException:
    reason = _caused(urllib3_exceptions.NameResolutionError("esa.nowhere.invalid", None, socket.gaierror(-2, "Name or service not known")),
                     socket.gaierror(-2, "Name or service not known"))
    return transport_error(requests.exceptions.ConnectionError(urllib3_exceptions.MaxRetryError(None, "/", reason)))


def connect_timeout() -> UnretryableException:
    reason = _caused(urllib3_exceptions.ConnectTimeoutError(None, "Connection to esa timed out. (connect timeout=30)"), TimeoutError("timed out"))
    return transport_error(requests.exceptions.ConnectTimeout(urllib3_exceptions.MaxRetryError(None, "/", reason)))


def read_timeout() -> UnretryableException:
    error = _caused(urllib3_exceptions.ReadTimeoutError(None, "/", "Read timed out. (read timeout=30)"), TimeoutError("timed out"))
    return transport_error(requests.exceptions.ReadTimeout(error))


def reset_after_send() -> UnretryableException:
    protocol_error = urllib3_exceptions.ProtocolError("Connection aborted.", ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"))
    return transport_error(requests.exceptions.ConnectionError(protocol_error))


def tls_verification_failed() -> UnretryableException:
    verify_error = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate")
    reason = urllib3_exceptions.SSLError(verify_error)
    return transport_error(requests.exceptions.SSLError(urllib3_exceptions.MaxRetryError(None, "/", reason)))


def credentials_missing() -> UnretryableException:
    return wrapped(CredentialException("unable to load credentials from any of the providers in the chain: []"))


def unparseable_answer() -> UnretryableException:
    return wrapped(RuntimeError('Failed to parse the value as json format, Value: "<html>502 Bad Gateway</html>".'))


class Scripted:
    """A callable that raises the scripted exceptions in order, then returns ``result``."""

    def __init__(self, *failures, result="ok"):
        self.failures = list(failures)
        self.result = result
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return self.result
