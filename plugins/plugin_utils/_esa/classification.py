# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which ESA failures may be retried, and how: the classification the retry code (retry.py) decides with.

Decided from ESA's code and HTTP status, never from the SDK's exception class, which tea-openapi releases choose differently.
"""

from __future__ import annotations

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import (
    INTERNAL_EXCEPTION,
    PLAN_LACKS_FEATURE,
    SERVICE_UNAVAILABLE,
    SIGNATURE_NONCE_USED,
    sdk_error_code,
    sdk_status_code,
)
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.transport_failure import exception_chain

# Count limits: a code naming a quota, limit or excess (but flow control and the plan lacking the feature are not these).
_QUOTA_WORDS = ("quota", "limit", "exceed")


def retry_after_seconds(exc: BaseException) -> float | None:
    """The wait ESA asked for with x-acs-retry-after (milliseconds on the wire), or None.

    Read from whichever exception class carries it: tea-openapi 0.4.6 puts it on ThrottlingException (raised for any code
    when the header is there), 0.4.5 on ThrottlingException raised for codes containing "Throttling" (and drops it otherwise).
    """
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, (int, float)) and not isinstance(retry_after, bool) and retry_after > 0:
        return retry_after / 1000.0
    return None


def is_throttling_answer(code: str | None, status_code: int | None) -> bool:
    """Flow control: the gateway refused the request before ESA acted on it, so repeating it is always safe.

    Any code containing "throttling" (Throttling.User, Throttling.user, Throttling.Api, Throttling.ConcurrentLimitExceeded,
    Rejected.Throttling, ...), any HTTP 429, and ServiceUnavailable below 500. Decided from code and status only, never
    from the SDK's exception class, which tea-openapi 0.4.5 and 0.4.6 choose differently.
    """
    if status_code == 429:
        return True
    if code is None:
        return False
    if "throttling" in code.lower():
        return True
    # A 5xx ServiceUnavailable may come from a backend that failed mid-request; only below 500 is it surely flow control.
    return code == SERVICE_UNAVAILABLE and (status_code is None or status_code < 500)


def is_throttling(exc: BaseException) -> bool:
    return is_throttling_answer(sdk_error_code(exc), sdk_status_code(exc))


def is_signature_nonce_reused(exc: BaseException) -> bool:
    """SignatureNonceUsed: the gateway refused this request as a replay; a new attempt is signed with a new nonce."""
    return sdk_error_code(exc) == SIGNATURE_NONCE_USED


def is_quota_exceeded_code(code: str | None) -> bool:
    """A count limit was reached: the code names a quota, limit or excess, and is neither flow control nor QuotaCheckFailed.Function."""
    if code is None or code == PLAN_LACKS_FEATURE or is_throttling_answer(code, None):
        return False
    lowered = code.lower()
    return any(word in lowered for word in _QUOTA_WORDS)


def is_server_failure(exc: BaseException) -> bool:
    """A 5xx answer or InternalException: ESA failed while handling the request, which may or may not have taken effect."""
    status = sdk_status_code(exc)
    return (status is not None and status >= 500) or sdk_error_code(exc) == INTERNAL_EXCEPTION


def is_wrapped_sdk_failure(exc: BaseException) -> bool:
    """The SDK's catch-all wrapper (UnretryableException): a failure inside the SDK rather than an ESA answer."""
    return isinstance(getattr(exc, "inner_exception", None), BaseException)


def is_unparseable_answer(exc: BaseException) -> bool:
    # darabonba raises RuntimeError("Failed to parse the value as json format, ...") and loses the HTTP status.
    return any(isinstance(item, (RuntimeError, ValueError)) and "json" in str(item).lower() for item in exception_chain(exc))
