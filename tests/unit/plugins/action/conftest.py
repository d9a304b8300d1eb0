# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The esa_client_certificate action as the tests run it: the real module as the target, the emulator as ESA."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.esa.plugins.action.esa_client_certificate import ActionModule
from ansible_collections.alibabacloud.esa.plugins.modules.esa_client_certificate import main as module_main
from ansible_collections.alibabacloud.esa.tests.unit.plugins.action.action_runner import run_action

SITE = 1234567890123


@pytest.fixture
def task(esa_emulator, tmp_path):
    """Run the action with these options (connection options to the emulator added), on files under tmp_path/directory.

    ``rewrite`` stands for a compromised host (each target answer goes through it); ``task_vars`` replaces the play's
    variables (by default only an inventory hostname)."""

    def run(check_mode=False, diff=False, directory="host", rewrite=None, task_vars=None, **options):
        folder = tmp_path / directory
        folder.mkdir(exist_ok=True)
        args = {"site_id": SITE, "path": str(folder / "client.crt"), "privatekey_path": str(folder / "client.key"),
                "endpoint": esa_emulator.url, "api_retries": 1, **esa_emulator.credentials}
        args.update(options)
        args = {name: value for name, value in args.items() if value is not None}
        return run_action(ActionModule, args, module_main=module_main, check_mode=check_mode, diff=diff, rewrite=rewrite, task_vars=task_vars)

    return run
