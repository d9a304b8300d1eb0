# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one example: a fresh directory, its files, one ansible-playbook of settle.yml, the recorded JSON."""

from __future__ import annotations

import collections
import dataclasses
import itertools
import json
import os
import resource
import shutil
import subprocess
import time
import typing as t

from configuration import Configuration
from example_files import lay_out

HERE = os.path.dirname(os.path.abspath(__file__))
PLAYBOOK = os.path.join(HERE, "settle.yml")
# Generous: one example is 3 to 10 s; a hung run must fail the example, not the whole CI job.
PLAYBOOK_TIMEOUT_SECONDS = 300
# Results that only repeat the options or that are long and say nothing about settling.
NOISE = ("invocation", "certificate_pem", "diff")
# JSON results on stdout for recorded_results(), without colours.
PLAYBOOK_ENVIRONMENT = {"ANSIBLE_CALLBACK_RESULT_FORMAT": "json", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "false"}
# ansible-test enables its junit callback; these inner playbooks are not test results of their own.
DROPPED_ENVIRONMENT = ("ANSIBLE_CALLBACKS_ENABLED",)
RECORDED_MARKER = "ok: [testhost] => "
# How the examples of this session ended, for the summary line.
OUTCOMES: collections.Counter[str] = collections.Counter()


@dataclasses.dataclass
class Example:
    configuration: Configuration
    directory: str
    args: dict[str, t.Any]
    recorded: dict[str, t.Any] | None
    seconds: float
    cpu_seconds: float

    def report(self, why: str) -> str:
        """Everything a human needs to see what happened and to replay it."""
        recorded = self.recorded or {}
        shown = {name: _trim(recorded.get(name)) for name in ("setup", "first", "second")}
        lines = [
            f"settling: {why}",
            f"configuration: {self.configuration!r}",
            f"task options (site_id from the config): {json.dumps(self.args, sort_keys=True)}",
            f"files before the first run: {self.directory}/files-before (it ran in files/, its output is in playbook.log)",
        ]
        for name, result in shown.items():
            if result is not None and not result.get("skipped"):
                lines.append(f"{name} run: {json.dumps(result, sort_keys=True)}")
        lines.append("replay: add pytest.param(<the configuration above>, id=...) to NAMED_OFFENDERS in test_settling.py, "
                     "then scripts/run-integration.sh 2.21 esa_settling")
        return "\n".join(lines)


def recorded_results(log: str) -> dict[str, t.Any] | None:
    """What settle.yml's last task printed: {"settle_recorded": {...}} after the last "ok: [testhost] => "."""
    with open(log, encoding="utf-8", errors="replace") as handle:
        output = handle.read()
    start = output.rfind(RECORDED_MARKER)
    if start < 0:
        return None
    try:
        printed, _end = json.JSONDecoder().raw_decode(output, start + len(RECORDED_MARKER))
    except ValueError:
        return None
    return printed.get("settle_recorded") if isinstance(printed, dict) else None


def _playbook_environment() -> dict[str, str]:
    environment = {name: value for name, value in os.environ.items() if name not in DROPPED_ENVIRONMENT}
    environment.update(PLAYBOOK_ENVIRONMENT)
    return environment


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _scan_paths(configuration: Configuration, directory: str) -> list[str]:
    """What the secrets scan reads: the whole directory, or only its outputs when the task asked for a key readable by others."""
    if configuration.privatekey_mode is not None and int(configuration.privatekey_mode, 8) & 0o077:
        return [path for path in (os.path.join(directory, name) for name in ("playbook.log", "results.json")) if os.path.exists(path)]
    return [directory]


def _trim(result: t.Any) -> t.Any:
    if not isinstance(result, dict):
        return result
    return {name: value for name, value in result.items() if name not in NOISE}


class Runner:
    """Runs examples one after another, each in its own fresh directory under root."""

    def __init__(self, root: str, inventory: str, integration_config: str) -> None:
        self.root = root
        self.inventory = inventory
        self.integration_config = integration_config
        self._numbers = itertools.count(1)
        self.scan_paths: list[str] = []

    def run(self, configuration: Configuration, label: str) -> Example:
        directory = os.path.join(self.root, f"{next(self._numbers):03d}-{label}")
        files = os.path.join(directory, "files")
        os.makedirs(files)
        args = lay_out(configuration, files)
        shutil.copytree(files, os.path.join(directory, "files-before"), symlinks=True)
        variables = os.path.join(directory, "example.json")
        with open(variables, "w", encoding="utf-8") as handle:
            json.dump({"settle_args": args, "settle_start_issued": configuration.start_issued,
                       "settle_configuration": configuration.summary()}, handle, indent=2, sort_keys=True)
        command = ["ansible-playbook", "-i", self.inventory, PLAYBOOK, "-e", f"@{self.integration_config}", "-e", f"@{variables}"]
        started, cpu_started = time.monotonic(), _children_cpu_seconds()
        log = os.path.join(directory, "playbook.log")
        with open(log, "wb") as handle:
            completed = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, timeout=PLAYBOOK_TIMEOUT_SECONDS,
                                       check=False, env=_playbook_environment())
        seconds, cpu_seconds = time.monotonic() - started, _children_cpu_seconds() - cpu_started
        self.scan_paths.extend(_scan_paths(configuration, directory))
        recorded = recorded_results(log) if completed.returncode == 0 else None
        if recorded is not None:
            with open(os.path.join(directory, "results.json"), "w", encoding="utf-8") as handle:
                json.dump(recorded, handle, indent=2, sort_keys=True)
        return Example(configuration, directory, args, recorded, seconds, cpu_seconds)
