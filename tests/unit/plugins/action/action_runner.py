# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the collection's action plugins in-process: a stand-in task and connection, and a target that is the real
module run in this process (its main(), with the arguments the action sends), so controller and target meet as
they do in a play."""

from __future__ import annotations

import contextlib
import io
import json
import types
import typing as t

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19 has no patch_module_args: hand the module its arguments as it does
    from unittest import mock

    from ansible.module_utils import basic

    @contextlib.contextmanager
    def patch_module_args(args: dict[str, t.Any] | None = None) -> t.Iterator[None]:
        with mock.patch.object(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode()):
            yield


def make_action(action_class: type, args: dict[str, t.Any], *, check_mode: bool = False, diff: bool = False) -> t.Any:
    task = types.SimpleNamespace(args=args, async_val=0, check_mode=check_mode, diff=diff, action=action_class.__module__)
    connection = types.SimpleNamespace(_shell=types.SimpleNamespace(tmpdir=None))
    # shared_loader_obj is given: ansible-core before 2.19 requires it
    action = action_class(task, connection, types.SimpleNamespace(check_mode=check_mode), None, None, None)
    action._remove_tmp_path = lambda *_args, **_kwargs: None  # pylint: disable=protected-access
    return action


class InProcessTarget:
    """The managed host: each call runs the module's main() here and answers its JSON, as _execute_module would."""

    def __init__(
        self, module_main: t.Callable[[], None], *, check_mode: bool = False, rewrite: t.Callable[[dict[str, t.Any]], dict[str, t.Any]] | None = None
    ) -> None:
        self.module_main = module_main
        self.rewrite = rewrite  # a compromised host: it answers what it likes
        self.check_mode = check_mode
        self.phases: list[str] = []
        self.arguments: list[dict[str, t.Any]] = []

    def __call__(self, module_name: str | None = None, module_args: dict[str, t.Any] | None = None, **_kwargs: t.Any) -> dict[str, t.Any]:
        module_args = dict(module_args or {})
        self.arguments.append(module_args)
        self.phases.append((module_args.get("_target") or {}).get("phase", "inspect"))
        args = dict(module_args, _ansible_check_mode=self.check_mode)
        printed = io.StringIO()
        with patch_module_args(args), contextlib.redirect_stdout(printed):
            try:
                self.module_main()
            except SystemExit:
                pass
        answer = json.loads(printed.getvalue())
        return self.rewrite(answer) if self.rewrite is not None else answer


# The host's name in the inventory: the common name a task without common_name certifies (the controller decides it).
INVENTORY_HOSTNAME = "unit-host.example.com"


def run_action(action_class: type, args: dict[str, t.Any], *, module_main: t.Callable[[], None] | None = None, check_mode: bool = False,
               diff: bool = False, rewrite: t.Callable[[dict[str, t.Any]], dict[str, t.Any]] | None = None,
               task_vars: dict[str, t.Any] | None = None) -> tuple[dict[str, t.Any], InProcessTarget | None]:
    """The task's result, and the target (None for actions that never contact it). ``rewrite`` stands for a compromised
    host: each of the target's answers goes through it."""
    action = make_action(action_class, args, check_mode=check_mode, diff=diff)
    target = None
    if module_main is not None:
        target = InProcessTarget(module_main, check_mode=check_mode, rewrite=rewrite)
        action._execute_module = target  # pylint: disable=protected-access
    return action.run(task_vars={"inventory_hostname": INVENTORY_HOSTNAME} if task_vars is None else task_vars), target
