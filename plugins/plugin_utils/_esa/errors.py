# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ESA's failures as this collection raises them: the codes callers act on, the error types, and what an SDK exception says."""

from __future__ import annotations

import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import CollectionError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.transport_failure import CredentialException

try:
    from Tea.exceptions import TeaException
except ImportError:  # pragma: no cover - without the SDK there are no SDK errors to describe
    TeaException = None

# ESA's codes that callers act on (e.g. accept=(CERTIFICATE_NOT_FOUND,)): spelled here only.
CERTIFICATE_NOT_FOUND = "Certificate.NotFound"

CERTIFICATE_STATUS_ERROR = "Certificate.StatusError"

INVALID_PARAMETER = "InvalidParameter"

INTERNAL_EXCEPTION = "InternalException"

SERVICE_UNAVAILABLE = "ServiceUnavailable"

SIGNATURE_NONCE_USED = "SignatureNonceUsed"

PLAN_LACKS_FEATURE = "QuotaCheckFailed.Function"

# ESA's user guide: a plan holds at most this many uploaded client CA certificates.
MAX_CLIENT_CAS_PER_PLAN = 5


class EsaApiError(CollectionError):
    """An ESA call failed; ``message`` is one line for the user, ``code`` is ESA's own code string when ESA answered.

    ``service_message`` is ESA's own Message (secrets removed, one line), for messages that quote it.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        request_id: str | None = None,
        status_code: int | None = None,
        action: str | None = None,
        transport_kind: str | None = None,
        service_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_id = request_id
        self.status_code = status_code
        self.action = action
        self.transport_kind = transport_kind
        self.service_message = service_message

    def __str__(self) -> str:
        return self.message

    def reworded(self, message: str) -> EsaApiError:
        """The same failure in this task's terms: code, request id, status, action, transport kind and cause kept."""
        error = EsaApiError(message, **self._facts())
        error.__cause__ = self.__cause__ or self
        return error

    def _facts(self) -> dict[str, t.Any]:
        return {
            "code": self.code,
            "request_id": self.request_id,
            "status_code": self.status_code,
            "action": self.action,
            "transport_kind": self.transport_kind,
            "service_message": self.service_message,
        }

    def extend_message(self, text: str) -> None:
        """Add a clause (e.g. how many attempts were made) to the end of the one-line message's sentence."""
        base = self.message[:-1] if self.message.endswith(".") else self.message
        self.message = f"{base} {text}."
        self.args = (self.message,)

    def to_fail_kwargs(self) -> dict[str, t.Any]:
        """Keyword arguments for a failed task result: msg always, code and request_id when known."""
        fail_kwargs: dict[str, t.Any] = {"msg": self.message}
        if self.code is not None:
            fail_kwargs["code"] = self.code
        if self.request_id is not None:
            fail_kwargs["request_id"] = self.request_id
        return fail_kwargs


class AmbiguousCreateError(EsaApiError):
    """A create (certificate or client CA) failed in a way that may still have taken effect: reconcile before creating again.

    ``failure`` is what went wrong, without the advice the message ends with.
    """

    ADVICE = "The certificate may have been issued anyway: look for it on ESA before creating another."

    def __init__(self, failure: str, **facts: t.Any) -> None:
        super().__init__(f"{failure} {self.ADVICE}", **facts)
        self.failure = failure

    @classmethod
    def from_error(cls, error: EsaApiError) -> AmbiguousCreateError:
        ambiguous = cls(error.message, **error._facts())
        ambiguous.__cause__ = error.__cause__ or error
        return ambiguous


def is_sdk_error(exc: BaseException) -> bool:
    """True for what the SDK raises when a call fails (answers, transport, credentials), False for programming errors."""
    known = tuple(kind for kind in (TeaException, CredentialException) if kind is not None)
    return bool(known) and isinstance(exc, known)


def sdk_error_code(exc: BaseException) -> str | None:
    """ESA's code string, or None; the SDK stringifies a missing code (and request id) to 'None'."""
    return _clean(getattr(exc, "code", None))


def sdk_status_code(exc: BaseException) -> int | None:
    """The HTTP status of ESA's answer, or None (no answer)."""
    status = getattr(exc, "status_code", None)
    if status is None:
        data = getattr(exc, "data", None)
        status = data.get("statusCode") if isinstance(data, dict) else None
    return status if isinstance(status, int) and not isinstance(status, bool) else None


def sdk_request_id(exc: BaseException) -> str | None:
    """ESA's request id, or None."""
    return _clean(getattr(exc, "request_id", None))


def _clean(value: t.Any) -> t.Any:
    if value is None or (isinstance(value, str) and value.strip() in ("", "None")):
        return None
    return value
