# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's half of the plain install (see module_utils/_plain_install): when it may run, the program that
runs it, and the answer it gives.

The program is this collection's module_utils (standard library only) with an importer that serves them from memory,
and the request, as Python literals; the action plugin pipes it to the interpreter the inspection ran under
(``python -I``: no environment variables, user site or working directory on its path), the way Ansible pipelines a
module. No secret is in it: the plain install serves only a key made on the host, with public facts.
"""

from __future__ import annotations

import json
import os
import typing as t

from ansible.module_utils.json_utils import _filter_non_json_lines

from ansible_collections.alibabacloud.esa.plugins.module_utils import _plain_install
from ansible_collections.alibabacloud.esa.plugins.module_utils._target_contract import Inspection, TargetRequest

_PACKAGE = "ansible_collections.alibabacloud.esa.plugins.module_utils"

# Runs on the target's Python (3.7 or later, like the module). It keeps the working directory off sys.path (python -I
# does too), serves the collection's module_utils from the literals above it, and prints the install's answer.
_BOOTSTRAP = """
import sys
sys.path[:] = [entry for entry in sys.path if entry not in ("", ".")]
import importlib.abc
import importlib.util


class _Sources(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name in _PACKAGES:
            return importlib.util.spec_from_loader(name, self, is_package=True)
        if name in _SOURCES:
            return importlib.util.spec_from_loader(name, self, origin="alibabacloud.esa:" + name)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        source = _SOURCES.get(module.__name__)
        if source is not None:
            exec(compile(source, module.__spec__.origin, "exec", dont_inherit=True), module.__dict__)


sys.meta_path.insert(0, _Sources())
from ansible_collections.alibabacloud.esa.plugins.module_utils._plain_install import main
main(_REQUEST)
"""


def _module_utils_sources() -> dict[str, str] | None:
    """Every module_utils file of this collection by module name, read once per run (the action plugin imports this in
    the controller's main process; the workers inherit it). None when they cannot be read as files."""
    import ansible_collections.alibabacloud.esa.plugins.module_utils as package  # pylint: disable=import-outside-toplevel

    sources = {}
    try:
        for directory in package.__path__:
            for name in sorted(os.listdir(directory)):
                if name.endswith(".py") and name != "__init__.py":
                    with open(os.path.join(directory, name), encoding="utf-8") as handle:
                        sources[f"{_PACKAGE}.{name[:-3]}"] = handle.read()
    except OSError:
        return None
    return sources if f"{_PACKAGE}._plain_install" in sources else None


_SOURCES = _module_utils_sources()


def obstacle(
    params: dict[str, t.Any],
    request: TargetRequest,
    inspection: Inspection,
    *,
    interpreter: str | None,
    pipelining: bool,
    shell_family: str | None,
    asynchronous: bool,
) -> str | None:
    """Why this install goes through the module (None: the plain install does exactly what the module would)."""
    if request.parsed_facts is None or request.privatekey_sealed or request.proof_nonce:
        return "the target has to parse, sign or unseal"
    if _SOURCES is None:
        return "the collection's module_utils cannot be read on the controller"
    if not pipelining:
        return "pipelining is off"
    if asynchronous:
        return "the task is asynchronous"
    if shell_family != "sh":
        return f"the shell is {shell_family}"
    if not interpreter or any(character.isspace() for character in interpreter):
        return "the interpreter is not a single path"
    if inspection.selinux_enabled is not False:
        return "SELinux is enabled on the target (or its state is unknown)"
    return _plain_install.obstacle(params)


def program(params: dict[str, t.Any], request: TargetRequest) -> bytes:
    """The Python program that installs ``request`` on the target, as bytes for the interpreter's standard input."""
    if _SOURCES is None:
        raise ValueError("the collection's module_utils cannot be read on the controller")
    packages = (
        "ansible_collections",
        "ansible_collections.alibabacloud",
        "ansible_collections.alibabacloud.esa",
        "ansible_collections.alibabacloud.esa.plugins",
        _PACKAGE,
    )
    document = json.dumps({"params": params, "target": request.to_dict()})
    # repr() makes every string a Python literal, whatever it holds.
    header = f"_PACKAGES = {packages!r}\n_SOURCES = {_SOURCES!r}\n_REQUEST = {document!r}\n"
    return (header + _BOOTSTRAP).encode("utf-8")


def answer(result: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The program's answer from _low_level_execute_command's result: its JSON object, or a failure saying what came back."""
    stdout = result.get("stdout") or ""
    try:
        parsed = json.loads(_filter_non_json_lines(stdout)[0])
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        return parsed
    said = (result.get("stderr") or stdout or "nothing").strip()
    return {"failed": True, "msg": f"the install on the target gave no answer (exit status {result.get('rc')}): {said[-2000:]}"}
