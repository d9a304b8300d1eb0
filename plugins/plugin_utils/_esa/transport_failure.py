# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Classify a failed ESA call's network failure, and say whether the request surely never reached ESA.

The SDK (darabonba-core) turns every requests/urllib3 error into ``RetryError(str(error))``, raised
inside ``except IOError``, and wraps that in ``UnretryableException``; so the real error is
``exc.inner_exception.__context__``, and from there urllib3's ``MaxRetryError.reason`` and causes.
urllib3 raises ``NewConnectionError``/``ConnectTimeoutError`` only while opening the socket, before
any byte of the request is written: those are the only failures after which a non-idempotent call
may be repeated.
"""

from __future__ import annotations

import dataclasses
import errno
import http.client
import socket
import ssl
import typing as t

try:
    from urllib3 import exceptions as urllib3_exceptions
except ImportError:  # pragma: no cover - urllib3 comes with the SDK; without the SDK nothing calls this
    urllib3_exceptions = None  # type: ignore[assignment]

try:
    from requests import exceptions as requests_exceptions
except ImportError:  # pragma: no cover - as above
    requests_exceptions = None  # type: ignore[assignment]

try:
    from alibabacloud_credentials.exceptions import CredentialException
except ImportError:  # pragma: no cover - as above
    CredentialException = None

DNS = "dns"
REFUSED = "refused"
UNREACHABLE = "unreachable"
CONNECT_FAILED = "connect_failed"
CONNECT_TIMEOUT = "connect_timeout"
TLS_VERIFY = "tls_verify"
TLS_PLAIN_HTTP = "tls_plain_http"
TLS = "tls"
READ_TIMEOUT = "read_timeout"
CONNECTION_DROPPED = "connection_dropped"
OTHER = "other"

# A request that fails in these ways was never written to the socket.  Other TLS errors are not
# here: urllib3 reports an SSL error while reading the answer the same way as one in the handshake.
_NOT_SENT_KINDS = frozenset({DNS, REFUSED, UNREACHABLE, CONNECT_FAILED, CONNECT_TIMEOUT, TLS_VERIFY, TLS_PLAIN_HTTP})

# TLS failures that no retry can heal: the server at the endpoint does not speak TLS (it answered the handshake in plain
# HTTP), or its certificate is not one to trust (TLS_VERIFY, hostname mismatch included).
PERMANENT_KINDS = frozenset({TLS_VERIFY, TLS_PLAIN_HTTP})

# OpenSSL's reasons when the answer to a ClientHello is not TLS: WRONG_VERSION_NUMBER (OpenSSL 1.1 and 3.0/3.1), RECORD_LAYER_FAILURE
# (3.2 and later), HTTP_REQUEST (the peer wrote an HTTP request line, the other direction of the same mistake).
_PLAIN_HTTP_REASONS = ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST")

_UNREACHABLE_ERRNOS = frozenset(getattr(errno, name) for name in ("ENETUNREACH", "EHOSTUNREACH", "ENETDOWN", "EHOSTDOWN") if hasattr(errno, name))


@dataclasses.dataclass(frozen=True)
class TransportFailure:
    """What went wrong on the wire: ``kind`` is one of the constants above, ``detail`` is the innermost OS/TLS text."""

    kind: str
    detail: str
    through_proxy: bool = False

    @property
    def request_not_sent(self) -> bool:
        return self.kind in _NOT_SENT_KINDS

    @property
    def permanent(self) -> bool:
        """Whether waiting cannot help: only the endpoint (or the controller's trust store) can."""
        return self.kind in PERMANENT_KINDS


def exception_chain(exc: BaseException) -> list[BaseException]:
    """Every exception linked from ``exc``: wrapped, reasons, causes and constructor arguments, outermost first."""
    chain: list[BaseException] = []
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if any(current is seen for seen in chain):
            continue
        chain.append(current)
        linked: list[t.Any] = [getattr(current, name, None) for name in ("inner_exception", "reason", "original_error")]
        linked.append(current.__cause__)
        # Only the SDK's RetryError carries its real error as implicit context; elsewhere the context may be unrelated.
        if type(current).__name__ == "RetryError" and type(current).__module__.startswith(("darabonba", "Tea")):
            linked.append(current.__context__)
        linked.extend(current.args)
        pending.extend(item for item in linked if isinstance(item, BaseException))
    return chain


def is_credential_failure(exc: BaseException) -> bool:
    """The SDK could not obtain credentials (none configured, or the default chain failed): nothing was sent."""
    return _has_credential_error(exception_chain(exc))


def _has_credential_error(chain: list[BaseException]) -> bool:
    return CredentialException is not None and any(isinstance(item, CredentialException) for item in chain)


def classify_transport_failure(exc: BaseException) -> TransportFailure | None:
    """Return the network failure behind ``exc``, or None when ``exc`` is not one (an API answer, a credential problem...)."""
    chain = exception_chain(exc)
    if _has_credential_error(chain):
        return None
    if not any(_is_transport_error(item) for item in chain):
        return None
    through_proxy = any(isinstance(item, _proxy_error_types()) for item in chain)
    return TransportFailure(kind=_kind(chain), detail=_innermost_detail(chain), through_proxy=through_proxy)


def _proxy_error_types() -> tuple[type, ...]:
    return tuple(kind for kind in (getattr(urllib3_exceptions, "ProxyError", None), getattr(requests_exceptions, "ProxyError", None)) if kind)


def _is_transport_error(item: BaseException) -> bool:
    if isinstance(item, OSError):
        return True
    if urllib3_exceptions is not None and isinstance(item, urllib3_exceptions.HTTPError):
        return True
    return requests_exceptions is not None and isinstance(item, requests_exceptions.RequestException)


def _kind(chain: list[BaseException]) -> str:
    def has(*types: type | None) -> bool:
        usable = tuple(kind for kind in types if kind is not None)
        return bool(usable) and any(isinstance(item, usable) for item in chain)

    u3 = urllib3_exceptions
    rq = requests_exceptions
    # Order matters: the most specific, surely-not-sent failures first.
    if has(ssl.SSLCertVerificationError):
        return TLS_VERIFY
    if any(_is_plain_http_answer(item) for item in chain):
        return TLS_PLAIN_HTTP
    if has(ssl.SSLError, getattr(u3, "SSLError", None), getattr(rq, "SSLError", None)):
        return TLS
    if has(socket.gaierror, getattr(u3, "NameResolutionError", None)):
        return DNS
    if has(ConnectionRefusedError):
        return REFUSED
    if has(getattr(u3, "NewConnectionError", None)):
        if any(getattr(item, "errno", None) in _UNREACHABLE_ERRNOS for item in chain):
            return UNREACHABLE
        return CONNECT_FAILED
    if has(getattr(u3, "ConnectTimeoutError", None), getattr(rq, "ConnectTimeout", None)):
        return CONNECT_TIMEOUT
    if has(getattr(u3, "ReadTimeoutError", None), getattr(rq, "ReadTimeout", None), TimeoutError, socket.timeout):
        return READ_TIMEOUT
    if has(getattr(u3, "ProtocolError", None), ConnectionError, http.client.HTTPException):
        return CONNECTION_DROPPED
    return OTHER


def _is_plain_http_answer(item: BaseException) -> bool:
    """An SSL error of OpenSSL's that means the other side answered the handshake in plain HTTP."""
    if not isinstance(item, ssl.SSLError):
        return False
    reason = str(getattr(item, "reason", None) or "")
    text = str(item).upper().replace(" ", "_")
    return any(name == reason or name in text for name in _PLAIN_HTTP_REASONS)


def _innermost_detail(chain: list[BaseException]) -> str:
    # The deepest standard-library error says it best ("[Errno 111] Connection refused"); urllib3's text repeats URLs.
    # Not shortened here: the caller removes secrets first, then shortens.
    for item in reversed(chain):
        if isinstance(item, (OSError, ssl.SSLError, http.client.HTTPException)) and not _is_library_wrapper(item):
            return str(item) or type(item).__name__
    return str(chain[-1]) or type(chain[-1]).__name__


def _is_library_wrapper(item: BaseException) -> bool:
    module = type(item).__module__
    return module.startswith(("urllib3", "requests", "darabonba", "Tea"))
