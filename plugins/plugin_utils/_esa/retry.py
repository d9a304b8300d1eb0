# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one retry policy for ESA calls: jittered exponential backoff that honours x-acs-retry-after.

Reads (and the idempotent Revoke/Activate/Delete/Set*Hostnames) are retried on throttling, 5xx, InternalException,
network failures and (twice at most) SignatureNonceUsed. Create and Upload have no idempotency token, so they are
retried only when the request surely did not take effect (throttled, or the connection never opened); any other
failure that might have taken effect raises AmbiguousCreateError, which create_without_duplicates reconciles.

Throttling is recognised from ESA's code and HTTP status, never from the SDK's exception class: tea-openapi 0.4.5
raises ThrottlingException for codes containing "Throttling", 0.4.6 for answers carrying x-acs-retry-after, and the
same answer must be retried the same way under both.
"""

from __future__ import annotations

import random as _random
import time
import typing as t

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.classification import (
    is_server_failure,
    is_signature_nonce_reused,
    is_throttling,
    is_wrapped_sdk_failure,
    retry_after_seconds,
)
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import AmbiguousCreateError, EsaApiError, is_sdk_error
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.messages import describe_sdk_error
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.transport_failure import classify_transport_failure, is_credential_failure

T = t.TypeVar("T")

# Forked workers that were told the same retry-after must not all come back in the same instant.
RETRY_AFTER_JITTER = 0.2
# A retry-after beyond this is a broken answer, not a plan; waiting longer would only hang the play.
MAX_RETRY_AFTER_SECONDS = 300.0
# A new attempt signs with a new nonce; a nonce refused again after that means something replays requests, which waiting will not fix.
MAX_NONCE_RETRIES = 2

_RETRY = "retry"
_GIVE_UP = "give_up"
_AMBIGUOUS = "ambiguous"


class RetryPolicy:
    """Bounded retries (``retries`` retries, so ``retries + 1`` attempts) with full-jitter exponential backoff."""

    def __init__(
        self,
        retries: int,
        *,
        sleep: t.Callable[[float], t.Any] = time.sleep,
        random: t.Callable[[], float] = _random.random,
        base_delay: float = 0.5,
        max_delay: float = 20.0,
    ) -> None:
        if retries < 0:
            raise ValueError("retries must not be negative")
        self.retries = retries
        self._sleep = sleep
        self._random = random
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.retries_performed = 0
        self.seconds_slept = 0.0

    def call(
        self,
        fn: t.Callable[[], T],
        *,
        action: str,
        may_have_taken_effect_on_failure: bool,
        describe: t.Callable[[BaseException], EsaApiError] | None = None,
    ) -> T:
        """Run ``fn`` until it succeeds or retrying is pointless or unsafe; SDK failures leave as EsaApiError (or AmbiguousCreateError).

        ``describe`` turns the final SDK exception into the user's message (default: describe_sdk_error with only the action).
        """
        attempt = 0
        nonce_retries = 0
        while True:
            result, failure = _attempt(fn)
            if failure is None:
                return t.cast(T, result)
            verdict = self._verdict(failure, may_have_taken_effect_on_failure)
            replayed = verdict == _RETRY and is_signature_nonce_reused(failure)
            if verdict == _RETRY and attempt < self.retries and not (replayed and nonce_retries >= MAX_NONCE_RETRIES):
                nonce_retries += int(replayed)
                self.wait(attempt, failure)
                attempt += 1
                self.retries_performed += 1
                continue
            error = describe(failure) if describe is not None else describe_sdk_error(failure, action=action)
            if attempt and verdict == _RETRY:
                error.extend_message(f"(gave up after {attempt + 1} attempts)")
            elif attempt:
                error.extend_message(f"(on attempt {attempt + 1})")
            if verdict == _AMBIGUOUS:
                raise AmbiguousCreateError.from_error(error) from failure
            raise error from failure

    def _verdict(self, failure: BaseException, may_have_taken_effect: bool) -> str:
        if is_throttling(failure):
            # A throttled request was refused before ESA acted on it: always safe to repeat.
            return _RETRY
        if is_credential_failure(failure):
            return _GIVE_UP  # no credentials, no request: nothing was sent and waiting will not help
        if is_signature_nonce_reused(failure):
            # Refused as a replay: this copy did nothing, but the copy that used the nonce first may have been ours.
            return _AMBIGUOUS if may_have_taken_effect else _RETRY
        transport = classify_transport_failure(failure)
        if transport is not None:
            if transport.permanent:
                return _GIVE_UP  # a certificate problem, or a server that speaks plain HTTP, does not heal by waiting
            if transport.request_not_sent or not may_have_taken_effect:
                return _RETRY
            return _AMBIGUOUS
        if is_server_failure(failure):
            return _AMBIGUOUS if may_have_taken_effect else _RETRY
        if may_have_taken_effect and is_wrapped_sdk_failure(failure):
            # Something answered but the SDK could not read it (an HTML 502, a truncated body): ESA may have acted.
            return _AMBIGUOUS
        return _GIVE_UP

    def backoff_seconds(self, attempt: int, failure: BaseException | None = None) -> float:
        """Seconds to wait before retry number ``attempt + 1``: uniform(0, min(max_delay, base * 2**attempt)), at least any retry-after."""
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        delay = self._random() * ceiling
        asked = retry_after_seconds(failure) if failure is not None else None
        if asked is not None:
            asked = min(asked, MAX_RETRY_AFTER_SECONDS)
            delay = max(delay, asked * (1.0 + RETRY_AFTER_JITTER * self._random()))
        return delay

    def attempts(self) -> t.Iterator[int]:
        """Attempt numbers 1 .. retries + 1, with the backoff slept before each one after the first (create_without_duplicates' rounds)."""
        for attempt in range(self.retries + 1):
            if attempt:
                self.wait(attempt - 1)
            yield attempt + 1

    def wait(self, attempt: int, failure: BaseException | None = None) -> None:
        """Sleep the backoff before retry number ``attempt + 1`` (also for retries made above this policy)."""
        delay = self.backoff_seconds(attempt, failure)
        self.seconds_slept += delay
        self._sleep(delay)


def create_without_duplicates(
    create: t.Callable[[], T],
    find_created: t.Callable[[AmbiguousCreateError], T | None],
    *,
    policy: RetryPolicy,
    explain_refusal: t.Callable[[EsaApiError], EsaApiError] | None = None,
    describe_exhausted: t.Callable[[AmbiguousCreateError], EsaApiError] | None = None,
) -> T:
    """Create once, for an ESA create without idempotency token: after a failure that may have taken effect, adopt what
    ``find_created`` finds (it may raise instead, when adopting is impossible), else create again.

    ``policy`` (the client's) bounds the rounds to ``retries + 1`` creates and spaces them with its backoff; each round
    searches before creating again, so the rounds never leave a second copy. Any other failure leaves through
    ``explain_refusal``; after the last round, the last ambiguous failure leaves through ``describe_exhausted`` (or as it is).
    """
    last: AmbiguousCreateError | None = None
    for _round in policy.attempts():
        try:
            return create()
        except AmbiguousCreateError as exc:
            last = exc
            found = find_created(exc)
            if found is not None:
                return found
        except EsaApiError as exc:
            if explain_refusal is None:
                raise
            explained = explain_refusal(exc)
            raise explained from explained.__cause__  # an explained error keeps the SDK's exception as its cause
    ambiguous = t.cast(AmbiguousCreateError, last)
    raise describe_exhausted(ambiguous) if describe_exhausted is not None else ambiguous


def _attempt(fn: t.Callable[[], T]) -> tuple[T | None, BaseException | None]:
    # Returning the failure (instead of retrying inside ``except``) keeps one attempt's exception from becoming
    # the implicit __context__ of the next attempt's, which the transport classification would misread.
    try:
        return fn(), None
    except Exception as exc:  # pylint: disable=broad-exception-caught
        if not is_sdk_error(exc):
            raise  # a programming error, not an ESA failure: let it show
        return None, exc
