# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import AmbiguousCreateError, EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import MAX_RETRY_AFTER_SECONDS, RetryPolicy, create_without_duplicates
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils.scripted_call import Scripted

CREATE = {"action": "CreateClientCertificate", "may_have_taken_effect_on_failure": True}
READ = {"action": "GetClientCertificate", "may_have_taken_effect_on_failure": False}


def make_policy(retries=8, random_value=0.5, **kwargs):
    sleeps = []
    policy = RetryPolicy(retries, sleep=sleeps.append, random=lambda: random_value, **kwargs)
    return policy, sleeps


def test_success_needs_no_sleep():
    policy, sleeps = make_policy()
    assert policy.call(Scripted(), **READ) == "ok"
    assert sleeps == []
    assert policy.retries_performed == 0


def test_full_jitter_exponential_backoff_is_capped(sdk_errors):
    policy, sleeps = make_policy(retries=8, random_value=1.0)
    fn = Scripted(*[sdk_errors.answer(503, "ServiceUnavailable") for _index in range(8)])
    assert policy.call(fn, **READ) == "ok"
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0]
    assert policy.retries_performed == 8
    assert policy.seconds_slept == sum(sleeps)


def test_jitter_scales_the_exponential_ceiling(sdk_errors):
    policy, sleeps = make_policy(retries=3, random_value=0.25, base_delay=1.0, max_delay=3.0)
    policy.call(Scripted(*[sdk_errors.reset_after_send() for _index in range(3)]), **READ)
    assert sleeps == [0.25, 0.5, 0.75]


def test_retry_after_is_honoured_with_at_most_twenty_percent_jitter(sdk_errors):
    policy, sleeps = make_policy(retries=2, random_value=0.5)
    throttled = sdk_errors.answer(400, "Throttling.User", retry_after_ms=7000)
    assert policy.call(Scripted(throttled), **READ) == "ok"
    assert sleeps == [pytest.approx(7.0 * 1.1)]
    for random_value in (0.0, 0.999):
        policy, sleeps = make_policy(retries=2, random_value=random_value)
        policy.call(Scripted(sdk_errors.answer(400, "Throttling.User", retry_after_ms=7000)), **READ)
        assert 7.0 <= sleeps[0] <= 7.0 * 1.2


def test_retry_after_shorter_than_backoff_keeps_backoff(sdk_errors):
    policy, sleeps = make_policy(retries=6, random_value=1.0)
    failures = [sdk_errors.answer(503, "ServiceUnavailable") for _index in range(5)]
    failures.append(sdk_errors.answer(400, "Throttling.Api", retry_after_ms=100))
    policy.call(Scripted(*failures), **READ)
    assert sleeps[-1] == 16.0


def test_absurd_retry_after_is_capped(sdk_errors):
    policy, sleeps = make_policy(retries=1, random_value=0.0)
    policy.call(Scripted(sdk_errors.answer(400, "Throttling.User", retry_after_ms=86_400_000)), **READ)
    assert sleeps == [MAX_RETRY_AFTER_SECONDS]


@pytest.mark.parametrize("retries", [0, 1, 3, 8])
def test_at_most_retries_retries(sdk_errors, retries):
    policy, sleeps = make_policy(retries=retries)
    fn = Scripted(*[sdk_errors.answer(500, "InternalError") for _index in range(retries + 5)])
    with pytest.raises(EsaApiError) as raised:
        policy.call(fn, **READ)
    assert fn.calls == retries + 1
    assert len(sleeps) == retries
    assert policy.retries_performed == retries
    assert not isinstance(raised.value, AmbiguousCreateError)
    if retries:
        assert f"gave up after {retries + 1} attempts" in raised.value.message


def test_retries_performed_accumulates_across_calls(sdk_errors):
    policy, _sleeps = make_policy()
    policy.call(Scripted(sdk_errors.reset_after_send()), **READ)
    policy.call(Scripted(sdk_errors.read_timeout(), sdk_errors.refused()), **READ)
    assert policy.retries_performed == 3


@pytest.mark.parametrize(
    "make_failure",
    [
        lambda errors: errors.answer(500, "InternalError"),
        lambda errors: errors.answer(503, "ServiceUnavailable"),
        lambda errors: errors.answer(400, "InternalException"),
        lambda errors: errors.answer(400, "Throttling.User"),
        lambda errors: errors.answer(429, "Throttling.Api", retry_after_ms=10),
        lambda errors: errors.reset_after_send(),
        lambda errors: errors.read_timeout(),
        lambda errors: errors.refused(),
        lambda errors: errors.connect_timeout(),
        lambda errors: errors.name_not_resolved(),
        lambda errors: errors.network_unreachable(),
    ],
    ids=["500", "503", "InternalException", "Throttling.User", "retry-after", "reset", "read-timeout", "refused", "connect-timeout", "dns",
         "unreachable"],
)
def test_reads_are_retried(sdk_errors, make_failure):
    failure = make_failure(sdk_errors)
    policy, sleeps = make_policy()
    fn = Scripted(failure)
    assert policy.call(fn, **READ) == "ok"
    assert fn.calls == 2
    assert len(sleeps) == 1


@pytest.mark.parametrize(
    "make_failure",
    [
        lambda errors: errors.answer(400, "InvalidParameter"),
        lambda errors: errors.answer(404, "Certificate.NotFound"),
        lambda errors: errors.answer(403, "Unauthorized.InvalidToken"),
        lambda errors: errors.answer(400, "Certificate.StatusError"),
        lambda errors: errors.credentials_missing(),
        lambda errors: errors.tls_verification_failed(),
    ],
    ids=["InvalidParameter", "NotFound", "InvalidToken", "StatusError", "no-credentials", "tls-verify"],
)
def test_definite_failures_are_not_retried(sdk_errors, make_failure):
    failure = make_failure(sdk_errors)
    for kwargs in (READ, CREATE):
        policy, sleeps = make_policy()
        fn = Scripted(failure)
        with pytest.raises(EsaApiError) as raised:
            policy.call(fn, **kwargs)
        assert fn.calls == 1
        assert sleeps == []
        assert not isinstance(raised.value, AmbiguousCreateError)
        assert raised.value.__cause__ is failure


def test_unreadable_answer_to_a_read_is_not_retried(sdk_errors):
    # Most likely the endpoint names another web server; retrying would only delay the message.
    policy, sleeps = make_policy()
    fn = Scripted(sdk_errors.unparseable_answer())
    with pytest.raises(EsaApiError, match="JSON"):
        policy.call(fn, **READ)
    assert fn.calls == 1
    assert sleeps == []


@pytest.mark.parametrize(
    "make_failure",
    [
        lambda errors: errors.answer(400, "Throttling.User"),
        lambda errors: errors.answer(429, "Throttling.Api"),
        lambda errors: errors.answer(400, "ServiceUnavailable"),
        lambda errors: errors.answer(400, "Throttling.user"),
        lambda errors: errors.answer(400, "Throttling.ConcurrentLimitExceeded"),
        lambda errors: errors.answer(503, "Rejected.Throttling"),
        lambda errors: errors.answer(429, "TooManyRequests"),
        lambda errors: errors.refused(),
        lambda errors: errors.connect_timeout(),
        lambda errors: errors.name_not_resolved(),
        lambda errors: errors.network_unreachable(),
    ],
    ids=["Throttling.User", "Throttling.Api", "ServiceUnavailable-400", "Throttling.user", "ConcurrentLimitExceeded", "Rejected.Throttling-503", "429",
         "refused", "connect-timeout", "dns", "unreachable"],
)
def test_create_is_retried_when_it_surely_did_not_take_effect(sdk_errors, make_failure):
    failure = make_failure(sdk_errors)
    policy, sleeps = make_policy()
    fn = Scripted(failure, failure)
    assert policy.call(fn, **CREATE) == "ok"
    assert fn.calls == 3
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    "make_failure",
    [
        lambda errors: errors.answer(500, "InternalError"),
        lambda errors: errors.answer(503, "ServiceUnavailable"),
        lambda errors: errors.answer(400, "InternalException"),
        lambda errors: errors.reset_after_send(),
        lambda errors: errors.read_timeout(),
        lambda errors: errors.unparseable_answer(),
        lambda errors: errors.answer(503, "Busy", retry_after_ms=200),
        lambda errors: errors.answer(400, "SignatureNonceUsed"),
    ],
    ids=["500", "ServiceUnavailable-503", "InternalException", "reset-after-send", "read-timeout", "not-json", "retry-after-503", "nonce-replayed"],
)
def test_ambiguous_create_is_never_retried(sdk_errors, make_failure):
    failure = make_failure(sdk_errors)
    policy, sleeps = make_policy()
    fn = Scripted(failure)
    with pytest.raises(AmbiguousCreateError) as raised:
        policy.call(fn, **CREATE)
    assert fn.calls == 1
    assert sleeps == []
    assert "may have been issued" in raised.value.message
    assert raised.value.__cause__ is failure


def test_create_retried_after_refusal_then_ambiguous_stops(sdk_errors):
    policy, sleeps = make_policy()
    fn = Scripted(sdk_errors.refused(), sdk_errors.answer(400, "Throttling.User"), sdk_errors.reset_after_send())
    with pytest.raises(AmbiguousCreateError) as raised:
        policy.call(fn, **CREATE)
    assert fn.calls == 3
    assert len(sleeps) == 2
    assert "on attempt 3" in raised.value.message


def test_throttled_create_that_never_gets_through_is_not_ambiguous(sdk_errors):
    policy, _sleeps = make_policy(retries=2)
    fn = Scripted(*[sdk_errors.answer(400, "Throttling.User") for _index in range(3)])
    with pytest.raises(EsaApiError) as raised:
        policy.call(fn, **CREATE)
    assert not isinstance(raised.value, AmbiguousCreateError)
    assert raised.value.code == "Throttling.User"
    assert fn.calls == 3


@pytest.mark.parametrize(
    "make_failure",
    [
        lambda errors: errors.answer(400, "InvalidTimeStamp.Expired"),
        lambda errors: errors.answer(400, "SignatureDoesNotMatch"),
        lambda errors: errors.answer(404, "InvalidAccessKeyId.NotFound"),
        lambda errors: errors.answer(400, "IncompleteSignature"),
        lambda errors: errors.answer(404, "InvalidApi.NotFound"),
        lambda errors: errors.answer(404, "SiteNotFound"),
        lambda errors: errors.answer(400, "InvalidParameter.SiteId"),
        lambda errors: errors.answer(403, "Unauthorized.InvalidTime"),
        lambda errors: errors.answer(400, "ClientCaCertificate.QuotaExceeded"),
        lambda errors: errors.answer(400, "InvalidParameter", retry_after_ms=100),
    ],
    ids=["InvalidTimeStamp.Expired", "SignatureDoesNotMatch", "InvalidAccessKeyId.NotFound", "IncompleteSignature", "InvalidApi.NotFound",
         "SiteNotFound", "InvalidParameter.SiteId", "Unauthorized.InvalidTime", "quota", "retry-after-on-a-refusal"],
)
def test_gateway_refusals_that_waiting_cannot_fix_are_not_retried(sdk_errors, make_failure):
    failure = make_failure(sdk_errors)
    for kwargs in (READ, CREATE):
        policy, sleeps = make_policy()
        fn = Scripted(failure)
        with pytest.raises(EsaApiError) as raised:
            policy.call(fn, **kwargs)
        assert fn.calls == 1
        assert sleeps == []
        assert not isinstance(raised.value, AmbiguousCreateError)


def test_signature_nonce_used_is_retried_at_most_twice_per_call(sdk_errors):
    policy, sleeps = make_policy()
    fn = Scripted(*[sdk_errors.answer(400, "SignatureNonceUsed") for _index in range(2)])
    assert policy.call(fn, **READ) == "ok"
    assert (fn.calls, len(sleeps)) == (3, 2)
    fn = Scripted(*[sdk_errors.answer(400, "SignatureNonceUsed") for _index in range(5)])
    with pytest.raises(EsaApiError) as raised:
        policy.call(fn, **READ)
    assert fn.calls == 3
    assert raised.value.code == "SignatureNonceUsed"
    assert "gave up after 3 attempts" in raised.value.message


def test_nonce_retries_do_not_stop_other_retries(sdk_errors):
    policy, sleeps = make_policy()
    failures = [sdk_errors.answer(400, "SignatureNonceUsed"), sdk_errors.answer(400, "Throttling.user"),
                sdk_errors.answer(400, "SignatureNonceUsed"), sdk_errors.answer(503, "ServiceUnavailable")]
    fn = Scripted(*failures)
    assert policy.call(fn, **READ) == "ok"
    assert (fn.calls, len(sleeps)) == (5, 4)


def test_nonce_retries_are_bounded_by_api_retries_too(sdk_errors):
    policy, sleeps = make_policy(retries=1)
    fn = Scripted(*[sdk_errors.answer(400, "SignatureNonceUsed") for _index in range(3)])
    with pytest.raises(EsaApiError):
        policy.call(fn, **READ)
    assert (fn.calls, len(sleeps)) == (2, 1)


def test_programming_errors_pass_through_untouched():
    policy, sleeps = make_policy()
    bug = TypeError("bad argument")
    fn = Scripted(bug)
    with pytest.raises(TypeError) as raised:
        policy.call(fn, **READ)
    assert raised.value is bug
    assert fn.calls == 1
    assert sleeps == []


def test_describe_hook_gives_the_final_message(sdk_errors):
    policy, _sleeps = make_policy(retries=0)
    seen = []

    def describe(exc):
        seen.append(exc)
        return EsaApiError("described", code="X")

    failure = sdk_errors.answer(400, "InvalidParameter")
    with pytest.raises(EsaApiError, match="described"):
        policy.call(Scripted(failure), describe=describe, **READ)
    assert seen == [failure]


def test_negative_retries_refused():
    with pytest.raises(ValueError):
        RetryPolicy(-1)


class _Created:
    """A create whose outcomes are scripted (an exception, or the value to answer) and a search that finds what took effect."""

    def __init__(self, *outcomes, effect_on=()):
        self.outcomes = list(outcomes)
        self.effect_on = set(effect_on)
        self.log = []

    def create(self):
        self.log.append("create")
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def find(self, error):
        assert isinstance(error, AmbiguousCreateError)
        self.log.append("find")
        return "adopted" if len([entry for entry in self.log if entry == "create"]) in self.effect_on else None


def _ambiguous(text="reset after sending."):
    return AmbiguousCreateError(text, code=None, action="CreateClientCertificate")


def test_create_without_duplicates_answers_the_first_create():
    created = _Created("made")
    assert create_without_duplicates(created.create, created.find, policy=make_policy()[0]) == "made"
    assert created.log == ["create"]


def test_create_without_duplicates_adopts_what_took_effect_instead_of_creating_again():
    created = _Created(_ambiguous(), "second", effect_on={1})
    assert create_without_duplicates(created.create, created.find, policy=make_policy()[0]) == "adopted"
    assert created.log == ["create", "find"]


def test_create_without_duplicates_searches_before_every_new_create_and_spaces_them():
    policy, sleeps = make_policy(retries=2, random_value=1.0)
    created = _Created(_ambiguous(), _ambiguous(), "third")
    assert create_without_duplicates(created.create, created.find, policy=policy) == "third"
    assert created.log == ["create", "find", "create", "find", "create"]
    assert sleeps == [0.5, 1.0]


def test_create_without_duplicates_gives_up_after_the_policys_rounds():
    last = _ambiguous("third reset.")
    created = _Created(_ambiguous(), _ambiguous(), last, "never")
    with pytest.raises(AmbiguousCreateError) as raised:
        create_without_duplicates(created.create, created.find, policy=make_policy(retries=2)[0])
    assert raised.value is last
    assert created.log == ["create", "find"] * 3
    created = _Created(_ambiguous(), _ambiguous("lost again."))
    with pytest.raises(EsaApiError) as raised:
        create_without_duplicates(created.create, created.find, policy=make_policy(retries=1)[0],
                                  describe_exhausted=lambda error: error.reworded(f"Nothing was created ({error.failure})"))
    assert raised.value.message == "Nothing was created (lost again.)"
    assert not isinstance(raised.value, AmbiguousCreateError)


def test_create_without_duplicates_explains_a_refusal_and_never_retries_it():
    refusal = EsaApiError("refused", code="InvalidParameter")
    created = _Created(refusal, "never")
    with pytest.raises(EsaApiError) as raised:
        create_without_duplicates(created.create, created.find, policy=make_policy()[0], explain_refusal=lambda error: error.reworded("explained"))
    assert raised.value.message == "explained"
    assert raised.value.code == "InvalidParameter"
    assert created.log == ["create"]
    created = _Created(refusal)
    with pytest.raises(EsaApiError) as raised:
        create_without_duplicates(created.create, created.find, policy=make_policy()[0])
    assert raised.value is refusal


def test_create_without_duplicates_stops_when_the_search_says_adopting_is_impossible():
    def cannot_adopt(error):
        raise error.reworded("the key was only in the lost answer")

    created = _Created(_ambiguous(), "never")
    with pytest.raises(EsaApiError, match="only in the lost answer"):
        create_without_duplicates(created.create, cannot_adopt, policy=make_policy()[0])
    assert created.log == ["create"]
