# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Throttling as the gateway sends it, retried the same way whichever tea-openapi release built the exception.

Every answer below comes from the emulator through the installed SDK: tea-openapi 0.4.5 in the 2.19 unit run, 0.4.6 in
the 2.21 run (tests/requirements/), so each release's exceptions meet the same expectations in the run that installs it.
"""

from __future__ import annotations

import itertools

import alibabacloud_tea_openapi
import pytest
from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.classification import is_throttling, is_throttling_answer, retry_after_seconds
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import AmbiguousCreateError, EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.messages import describe_sdk_error
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils.scripted_call import Scripted

INSTALLED_RELEASE = alibabacloud_tea_openapi.__version__
# Codes seen from the gateway, each with HTTP 400, 429 or 503, with or without x-acs-retry-after (milliseconds).
GATEWAY_CODES = ["Throttling.User", "Throttling.user", "Throttling.Api", "Throttling.ConcurrentLimitExceeded", "Rejected.Throttling", "ServiceUnavailable"]
STATUSES = [400, 429, 503]
HEADERS = [None, 2500]
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


def header_reaches_the_policy(code, header):
    """0.4.5 keeps x-acs-retry-after only on codes containing "Throttling"; 0.4.6 on every code."""
    return header is not None and (INSTALLED_RELEASE != "0.4.5" or "Throttling" in code)


def throttles(sdk_errors, code, status, header, count=2):
    return [sdk_errors.answer(status, code, "Request was denied due to flow control.", retry_after_ms=header) for _index in range(count)]


def run(kwargs, failures, retries=8):
    sleeps = []
    policy = RetryPolicy(retries, sleep=sleeps.append, random=lambda: 0.5)
    fn = Scripted(*failures)
    try:
        outcome = policy.call(fn, **kwargs)
    except EsaApiError as error:
        outcome = type(error)
    return outcome, fn.calls, sleeps


@pytest.mark.parametrize("code, status, header", SHAPES, ids=SHAPE_IDS)
def test_two_gateway_throttles_in_a_row_are_retried_for_reads(sdk_errors, code, status, header):
    outcome, calls, sleeps = run(READ, throttles(sdk_errors, code, status, header))
    assert (outcome, calls) == ("ok", 3)
    if header_reaches_the_policy(code, header):
        assert sleeps == [pytest.approx(RETRY_AFTER_WAIT)] * 2
    else:
        assert sleeps == OWN_BACKOFF


@pytest.mark.parametrize("code, status, header", SHAPES, ids=SHAPE_IDS)
def test_creates_are_retried_only_when_the_answer_is_surely_flow_control(sdk_errors, code, status, header):
    # The table does not name the release: the 2.19 and 2.21 runs together show both releases get the same decision.
    outcome, calls, sleeps = run(CREATE, throttles(sdk_errors, code, status, header))
    if surely_flow_control(code, status):
        assert (outcome, calls, len(sleeps)) == ("ok", 3, 2)
    else:
        # ServiceUnavailable with 503 may come from a backend that acted: the caller must look before creating again.
        assert (outcome, calls, sleeps) == (AmbiguousCreateError, 1, [])


@pytest.mark.parametrize("code", GATEWAY_CODES)
def test_throttles_that_never_stop_use_every_retry_and_say_so(sdk_errors, code):
    failures = throttles(sdk_errors, code, 429, None, count=9)
    sleeps = []
    policy = RetryPolicy(8, sleep=sleeps.append, random=lambda: 1.0)
    with pytest.raises(EsaApiError) as raised:
        policy.call(Scripted(*failures), **READ)
    assert not isinstance(raised.value, AmbiguousCreateError)
    assert len(sleeps) == 8
    assert raised.value.code == code
    assert "gave up after 9 attempts" in raised.value.message
    assert "api_retries" in raised.value.message


@pytest.mark.parametrize("header", ["0", "-5", "", "soon", "1.5"])
def test_unusable_retry_after_values_fall_back_to_own_backoff(sdk_errors, header):
    sdk_errors.emulator.set_faults([{"type": "throttle", "status": 400, "retry_after_header": header, "times": 1}])
    failure = sdk_errors.raised_under_the_faults_set()
    assert retry_after_seconds(failure) is None
    outcome, calls, sleeps = run(READ, [failure])
    assert (outcome, calls, sleeps) == ("ok", 2, OWN_BACKOFF[:1])


def test_retry_after_is_read_from_the_class_that_carries_it(sdk_errors):
    # 0.4.5 puts a throttle's header on ThrottlingException; 0.4.6 puts any code's there.
    assert retry_after_seconds(sdk_errors.answer(400, "Throttling.Api", retry_after_ms=1500)) == 1.5


def test_retry_after_is_read_from_a_client_exception_too():
    # No release puts it there today; the classifier reads the attribute wherever it is.
    assert retry_after_seconds(ClientException(code="Throttling.User", status_code=400, retry_after=700)) == 0.7


FLOW_CONTROL_TABLE = [
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
]


@pytest.mark.parametrize("code, status, expected", FLOW_CONTROL_TABLE)
def test_flow_control_is_decided_by_code_and_status(code, status, expected):
    assert is_throttling_answer(code, status) is expected


@pytest.mark.parametrize("header", HEADERS, ids=["no-header", "retry-after"])
@pytest.mark.parametrize("code, status, expected", [row for row in FLOW_CONTROL_TABLE if row[0] is not None])
def test_the_sdk_exception_is_classified_by_its_code_and_status(sdk_errors, code, status, expected, header):
    # The emulator always sends a Code, so the code-less rows are for is_throttling_answer above only.
    assert is_throttling(sdk_errors.answer(status, code, retry_after_ms=header)) is expected


def test_a_retry_after_on_another_answer_does_not_make_it_flow_control(sdk_errors):
    # 0.4.6 raises ThrottlingException for any answer with the header; 0.4.5 would not: the code and status decide.
    invalid = sdk_errors.answer(400, "InvalidParameter", retry_after_ms=100)
    assert not is_throttling(invalid)
    policy = RetryPolicy(3, sleep=lambda _seconds: None)
    with pytest.raises(EsaApiError):
        policy.call(Scripted(invalid), **READ)
    assert policy.retries_performed == 0


@pytest.mark.skipif(INSTALLED_RELEASE == "0.4.5", reason="0.4.5 raises ClientException for this answer")
def test_the_header_makes_0_4_6_raise_throttling_for_any_code(sdk_errors):
    assert isinstance(sdk_errors.answer(400, "InvalidParameter", retry_after_ms=100), ThrottlingException)


@pytest.mark.parametrize("code", GATEWAY_CODES[:-1])
def test_exhausted_throttling_message_names_the_code_and_the_fix(sdk_errors, code):
    error = describe_sdk_error(sdk_errors.answer(400, code, "Request was denied due to flow control."), action="ListClientCertificates", site_id=7)
    assert error.message == (f"ESA kept throttling ListClientCertificates ({code}: Request was denied due to flow control.): run fewer hosts at once "
                             "(forks, throttle) or raise api_retries.")
