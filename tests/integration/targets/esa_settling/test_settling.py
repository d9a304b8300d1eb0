# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every configuration of esa_client_certificate settles (SPEC.md), against the local ESA emulator.

Each example runs the module twice with the same options in a fresh directory: either the first run is
refused before any ESA write with a one-line message, or the second run reports changed: false.
"""

from __future__ import annotations

import pytest
from hypothesis import given

from configuration import Configuration, CsrSpec
from option_space import NAME_OF_65, NORMAL_NAME, configurations
from settle_run import OUTCOMES, Example, Runner
from settling_verdict import refused_cleanly, verdict, write_calls

# The configurations issue 12 found reissuing on every run, and one found by reading the code.
NAMED_OFFENDERS = [
    pytest.param(Configuration(key_source="esa", common_name=NORMAL_NAME), id="key_source-esa-with-common_name"),
    # Equal only misses by the seconds between the runs: a second run within the same second as the issue settles.
    pytest.param(Configuration(validity_days=30, remaining_days=30), id="remaining_days-equal-to-validity_days"),
    pytest.param(Configuration(validity_days=30, remaining_days=31), id="remaining_days-above-validity_days"),
    pytest.param(Configuration(csr=CsrSpec("path", "RSA", NORMAL_NAME), privatekey_at="own", key_file="csr_key_encrypted"),
                 id="passphrase-key-with-csr_path"),
    pytest.param(Configuration(privatekey_at="path"), id="privatekey_path-equal-to-path"),
    pytest.param(Configuration(csr=CsrSpec("path", "ECDSA", NORMAL_NAME), privatekey_at="own", key_file="different_key"),
                 id="csr_path-with-another-key-at-privatekey_path"),
]

# Found by this test (hypothesis, then reduced by hand).
FOUND_OFFENDERS = [
    pytest.param(Configuration(csr=CsrSpec("content", "RSA", NORMAL_NAME), privatekey_at="own", key_file="none"),
                 id="csr_content-with-privatekey_path-missing"),
    pytest.param(Configuration(csr=CsrSpec("path", "RSA", NORMAL_NAME), privatekey_at="csr"), id="privatekey_path-equal-to-csr_path"),
    pytest.param(Configuration(common_name=""), id="common_name-empty"),
    pytest.param(Configuration(common_name=" client.example.com "), id="common_name-with-surrounding-spaces"),
    pytest.param(Configuration(csr=CsrSpec("content", "RSA", None), privatekey_at="none"), id="csr-without-common_name"),
    # Refused cleanly, but each run leaves a pending key behind: the scan in runme.sh reports it.
    pytest.param(Configuration(common_name=NAME_OF_65), id="common_name-longer-than-64"),
]


def _outcome(example: Example) -> str:
    recorded = example.recorded or {}
    if not recorded:
        return "incomplete"
    first = recorded["first"]
    if refused_cleanly(first, write_calls(recorded["stats_before"], recorded["stats_after_first"])):
        return "refused"
    return "settled" if verdict(recorded)[0] else "never settled"


def check_settles(runner: Runner, configuration: Configuration, label: str) -> None:
    example = runner.run(configuration, label)
    outcome = _outcome(example)
    OUTCOMES[outcome] += 1
    print(f"\nSETTLING: {outcome} in {example.seconds:.1f} s ({example.cpu_seconds:.1f} s CPU): {example.directory}", flush=True)
    if example.recorded is None:
        pytest.fail(example.report(f"the playbook did not complete; see {example.directory}/playbook.log"), pytrace=False)
    holds, why = verdict(example.recorded)
    assert holds, example.report(why)


@pytest.mark.parametrize("configuration", NAMED_OFFENDERS + FOUND_OFFENDERS)
def test_named_offender_settles(runner: Runner, configuration: Configuration, request: pytest.FixtureRequest) -> None:
    check_settles(runner, configuration, request.node.callspec.id)


@given(configuration=configurations())
def test_every_configuration_settles(runner: Runner, configuration: Configuration) -> None:
    check_settles(runner, configuration, "drawn")
