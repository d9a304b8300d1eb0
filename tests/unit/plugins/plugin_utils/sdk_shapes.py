# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SDK exceptions built by hand, the way tea-openapi and darabonba build them, only for what the installed stack cannot
be made to raise on loopback: an answer without Code or RequestId, a caller's text inside a failure that is not an
answer, and TLS or proxy failures of other OpenSSL versions or setups. Everything else comes from real_sdk_errors.py."""

from __future__ import annotations

import typing as t

from alibabacloud_tea_openapi.exceptions import ClientException, ServerException
from darabonba.exceptions import RetryError, UnretryableException
from darabonba.policy.retry import RetryPolicyContext


def answer_error(status: int, code: str | None, message: str | None = "details", request_id: str | None = "REQ-1"):
    """What tea-openapi raises for a 4xx/5xx answer without retry-after; the emulator always sends Code and RequestId,
    so only this can leave them out (the SDK stringifies a missing one to 'None')."""
    data: dict[str, t.Any] = {"RequestId": request_id, "Code": code, "Message": message, "statusCode": status}
    common = {
        "status_code": status,
        "code": f"{code}",
        "message": f"code: {status}, {message} request id: {request_id}",
        "data": data,
        "request_id": f"{request_id}",
    }
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
