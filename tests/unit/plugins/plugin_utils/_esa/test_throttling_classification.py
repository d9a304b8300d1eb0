# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Throttling as the gateway sends it, retried the same way whichever tea-openapi release built the exception.

Every answer below is built twice, as tea-openapi 0.4.5 and 0.4.6 build it (sdk_fakes.answer_error_from); the
loopback tests check those shapes against the installed release.
"""

from __future__ import annotations

import itertools

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.classification import is_throttling, is_throttling_answer, retry_after_seconds
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import AmbiguousCreateError, EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.messages import describe_sdk_error
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils import sdk_shapes as sdk_fakes
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils.sdk_shapes import Scripted

RELEASES = sdk_fakes.TEA_OPENAPI_RELEASES
# Codes seen from the gateway, each with HTTP 400, 429 or 503, with or without x-acs-retry-after (milliseconds).
GATEWAY_CODES = ["Throttling.User", "Throttling.user", "Throttling.Api", "Throttling.ConcurrentLimitExceeded", "Rejected.Throttling", "ServiceUnavailable"]
STATUSES = [400, 429, 503]
HEADERS = [None, "2500"]
SHAPES = list(itertools.product(GATEWAY_CODES, STATUSES, HEADERS))
SHAPE_IDS = [f"{code}-{status}-{'retry-after' if header else 'no-header'}" for code, status, header in SHAPES]

READ = {"action": "ListClientCertificates", "may_have_taken_effect_on_failure": False}
CREATE = {"action": "CreateClientCertificate", "may_have_taken_effect_on_failure": True}
# With random() == 0.5: own backoff 0.25 s then 0.5 s; with x-acs-retry-after 2500 ms, 2.5 s plus half the 20 % jitter.
OWN_BACKOFF = [0.25, 0.5]
RETRY_AFTER_WAIT = 2.5 * 1.1


def surely_flow_control(code, status):
    """The decision table: a throttle answer means the request did not take effect; ServiceUnavailable at 5xx may have."""
    return status == 429 or "throttling" in code.lower() or (code == "ServiceUnavailable" and status < 500)


def header_reaches_the_policy(release, code, header):
    """0.4.5 keeps x-acs-retry-after only on codes containing "Throttling"; 0.4.6 on every code."""
    return header is not None and (release == "0.4.6" or "Throttling" in code)


def run(kwargs, failures, retries=8):
    sleeps = []
    policy = RetryPolicy(retries, sleep=sleeps.append, random=lambda: 0.5)
    fn = Scripted(*failures)
    try:
        outcome = policy.call(fn, **kwargs)
    except EsaApiError as error:
        outcome = type(error)
    return outcome, fn.calls, sleeps


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("code, status, header", SHAPES, ids=SHAPE_IDS)
def test_two_gateway_throttles_in_a_row_are_retried_for_reads(release, code, status, header):
    failures = [sdk_fakes.answer_error_from(release, status, code, retry_after_header=header) for _index in range(2)]
    outcome, calls, sleeps = run(READ, failures)
    assert (outcome, calls) == ("ok", 3)
    expected_wait = RETRY_AFTER_WAIT if header_reaches_the_policy(release, code, header) else None
    if expected_wait is None:
        assert sleeps == OWN_BACKOFF
    else:
        assert sleeps == [pytest.approx(expected_wait)] * 2


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("code, status, header", SHAPES, ids=SHAPE_IDS)
def test_creates_are_retried_only_when_the_answer_is_surely_flow_control(release, code, status, header):
    failures = [sdk_fakes.answer_error_from(release, status, code, retry_after_header=header) for _index in range(2)]
    outcome, calls, sleeps = run(CREATE, failures)
    if surely_flow_control(code, status):
        assert (outcome, calls, len(sleeps)) == ("ok", 3, 2)
    else:
        # ServiceUnavailable with 503 may come from a backend that acted: the caller must look before creating again.
        assert (outcome, calls, sleeps) == (AmbiguousCreateError, 1, [])


@pytest.mark.parametrize("code, status, header", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("kwargs", [READ, CREATE], ids=["read", "create"])
def test_both_releases_get_the_same_decision(code, status, header, kwargs):
    results = []
    for release in RELEASES:
        failures = [sdk_fakes.answer_error_from(release, status, code, retry_after_header=header) for _index in range(2)]
        outcome, calls, sleeps = run(kwargs, failures)
        results.append((outcome, calls, len(sleeps)))
    assert results[0] == results[1]


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("code", GATEWAY_CODES)
def test_throttles_that_never_stop_use_every_retry_and_say_so(release, code):
    failures = [sdk_fakes.answer_error_from(release, 429, code) for _index in range(9)]
    sleeps = []
    policy = RetryPolicy(8, sleep=sleeps.append, random=lambda: 1.0)
    with pytest.raises(EsaApiError) as raised:
        policy.call(Scripted(*failures), **READ)
    assert not isinstance(raised.value, AmbiguousCreateError)
    assert len(sleeps) == 8
    assert raised.value.code == code
    assert "gave up after 9 attempts" in raised.value.message
    assert "api_retries" in raised.value.message


@pytest.mark.parametrize("release", RELEASES)
def test_the_exception_class_the_release_picks(release):
    """What each release raises, as read in their client.py: the fakes the other tests use follow it."""
    no_header = sdk_fakes.answer_error_from(release, 400, "Throttling.user")
    service_unavailable = sdk_fakes.answer_error_from(release, 503, "ServiceUnavailable", retry_after_header="2500")
    # The three classes are siblings (AlibabaCloudException's subclasses), so isinstance names exactly one.
    if release == "0.4.5":
        assert isinstance(no_header, ThrottlingException)
        assert no_header.retry_after is None
        assert isinstance(service_unavailable, ServerException)
        assert service_unavailable.retry_after is None
    else:
        assert isinstance(no_header, ClientException)
        assert isinstance(service_unavailable, ThrottlingException)
        assert service_unavailable.retry_after == 2500


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("header", ["0", "-5", "", "soon", "1.5"])
def test_unusable_retry_after_values_fall_back_to_own_backoff(release, header):
    failure = sdk_fakes.answer_error_from(release, 400, "Throttling.User", retry_after_header=header)
    assert retry_after_seconds(failure) is None
    outcome, calls, sleeps = run(READ, [failure])
    assert (outcome, calls, sleeps) == ("ok", 2, OWN_BACKOFF[:1])


@pytest.mark.parametrize("release", RELEASES)
def test_retry_after_is_read_from_whichever_class_carries_it(release):
    # 0.4.5 puts a throttle's header on ThrottlingException; 0.4.6 puts any code's there; ClientException may carry it too.
    carried = sdk_fakes.answer_error_from(release, 400, "Throttling.Api", retry_after_header="1500")
    assert retry_after_seconds(carried) == 1.5
    assert retry_after_seconds(ClientException(code="Throttling.User", status_code=400, retry_after=700)) == 0.7


@pytest.mark.parametrize(
    "code, status, expected",
    [
        ("Throttling.User", 400, True),
        ("Throttling.user", 400, True),
        ("Throttling.Api", 503, True),
        ("Throttling.ConcurrentLimitExceeded", 400, True),
        ("Rejected.Throttling", 400, True),
        ("Throttling", 400, True),
        ("ServiceUnavailable", 400, True),
        ("ServiceUnavailable", 429, True),
        ("ServiceUnavailable", 503, False),
        ("TooManyRequests", 429, True),
        (None, 429, True),
        ("InternalError", 500, False),
        ("InvalidParameter", 400, False),
        ("QuotaExceeded.ClientCaCertificate", 400, False),
        (None, 503, False),
    ],
)
def test_flow_control_is_decided_by_code_and_status(code, status, expected):
    assert is_throttling_answer(code, status) is expected
    for release in RELEASES:
        for header in HEADERS:
            assert is_throttling(sdk_fakes.answer_error_from(release, status, code, retry_after_header=header)) is expected


def test_a_retry_after_on_another_answer_does_not_make_it_flow_control():
    # 0.4.6 raises ThrottlingException for any answer with the header; 0.4.5 would not: the code and status decide.
    invalid = sdk_fakes.answer_error_from("0.4.6", 400, "InvalidParameter", retry_after_header="100")
    assert isinstance(invalid, ThrottlingException)
    assert not is_throttling(invalid)
    policy = RetryPolicy(3, sleep=lambda _seconds: None)
    with pytest.raises(EsaApiError):
        policy.call(Scripted(invalid), **READ)
    assert policy.retries_performed == 0


@pytest.mark.parametrize("code", GATEWAY_CODES[:-1])
def test_exhausted_throttling_message_names_the_code_and_the_fix(code):
    error = describe_sdk_error(sdk_fakes.answer_error_from("0.4.6", 400, code, message="Request was denied due to flow control."),
                               action="ListClientCertificates", site_id=7)
    assert error.message == (f"ESA kept throttling ListClientCertificates ({code}: Request was denied due to flow control.): run fewer hosts at once "
                             "(forks, throttle) or raise api_retries.")
