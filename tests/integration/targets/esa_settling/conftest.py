# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hypothesis profiles and the example runner for the settling tests; runme.sh sets the ESA_SETTLING_* variables.

Profiles: "ci" (default) is derandomized, so every CI run draws the same examples; "random" draws anew
(pytest --hypothesis-seed=N makes it repeatable). Neither shrinks unless ESA_SETTLING_SHRINK=1: each
example costs an ansible-playbook run, and a shrink can take hundreds of them.
"""

from __future__ import annotations

import os
import typing as t

import pytest
from hypothesis import HealthCheck, Phase, settings

from settle_run import OUTCOMES, Runner

EXAMPLES = int(os.environ.get("ESA_SETTLING_EXAMPLES") or 20)
PHASES = (Phase.explicit, Phase.generate) + ((Phase.shrink,) if os.environ.get("ESA_SETTLING_SHRINK") == "1" else ())
_COMMON = {"max_examples": EXAMPLES, "deadline": None, "database": None, "phases": PHASES, "print_blob": False,
           "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("ci", derandomize=True, **_COMMON)
settings.register_profile("random", derandomize=False, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "ci")


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise pytest.UsageError(f"{name} is not set: run this through runme.sh (ansible-test integration esa_settling)")
    return value


@pytest.fixture(scope="session")
def runner() -> t.Iterator[Runner]:
    root = _required("ESA_SETTLING_ROOT")
    os.makedirs(root, exist_ok=True)
    examples = Runner(root, _required("INVENTORY_PATH"), _required("ESA_SETTLING_CONFIG"))
    yield examples
    # runme.sh scans these for secrets once pytest is done.
    with open(os.path.join(root, "scan-paths.txt"), "w", encoding="utf-8") as handle:
        handle.writelines(f"{path}\n" for path in examples.scan_paths)


def pytest_terminal_summary(terminalreporter: t.Any) -> None:
    if OUTCOMES:
        counts = ", ".join(f"{name} {count}" for name, count in sorted(OUTCOMES.items()))
        terminalreporter.write_line(f"SETTLING: {sum(OUTCOMES.values())} examples run: {counts}")
