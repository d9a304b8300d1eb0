# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The install of a key made on this host, run without AnsibleModule (the "plain install").

When the controller has checked ESA's certificate against the CSR and parsed it (TargetRequest.parsed_facts), the
install only checks digests and writes files. Every execution of an AnsibleModule costs the target Python about
0.3 s of CPU to import ansible.module_utils.basic from the AnsiballZ zip, which is most of a fresh issue's second
execution. So, where nothing needs AnsibleModule (no owner, group, SELinux or attributes option, numeric modes), the
controller sends this module and the ones it imports, standard library only, as a small program on
the interpreter's standard input (plugins/plugin_utils/_plain_install_program.py), and this runs the same install
phase as the module does (_target_phases.install_phase). The target checks the same conditions again here.
"""

from __future__ import annotations

import json
import re
import sys
import traceback
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils import _files
from ansible_collections.alibabacloud.esa.plugins.module_utils import _target_phases as phases
from ansible_collections.alibabacloud.esa.plugins.module_utils._target_contract import ContractError, TargetRequest

# Options only AnsibleModule applies (owner, group, SELinux context, attributes), and a CSR (the user's key, checked
# with cryptography): any of them set, and the install goes through the module.
MODULE_ONLY_OPTIONS = ("owner", "group", "seuser", "serole", "setype", "selevel", "attributes", "csr_path", "csr_content")
_OCTAL_MODE = re.compile(r"^[0-7]{3,4}$")


def obstacle(params: dict[str, t.Any]) -> str | None:
    """Why these options need the module's install (None when the plain install does exactly what it would)."""
    if params.get("key_source") != "local":
        return f"key_source is {params.get('key_source')}"
    for name in MODULE_ONLY_OPTIONS:
        if params.get(name) not in (None, ""):
            return f"{name} is set"
    for name in ("mode", "privatekey_mode"):
        value = params.get(name)
        # AnsibleModule also takes symbolic modes (u=rw,g=r) and integers; only the octal string means one thing alone.
        if value is not None and not (isinstance(value, str) and _OCTAL_MODE.match(value)):
            return f"{name} is not an octal string such as '0644'"
    return None


def apply_modes(params: dict[str, t.Any]) -> None:
    """What the module's file attributes come to when only modes are set: the certificate's mode, the key's, and the
    bookkeeping file following the certificate."""
    if params.get("mode") is not None:
        _files.set_mode(params["path"], int(params["mode"], 8))
    if params.get("privatekey_path") and params.get("privatekey_mode") is not None:
        _files.set_mode(params["privatekey_path"], int(params["privatekey_mode"], 8))
    _files.match_bookkeeping_attributes(params["path"])


def run(document: dict[str, t.Any]) -> dict[str, t.Any]:
    """The install phase for ``document`` (``params``: the task's options, ``target``: the TargetRequest)."""
    params, request = document.get("params"), TargetRequest.from_dict(document.get("target") or {})
    if not isinstance(params, dict) or not params.get("path"):
        raise ContractError("the plain install needs the task's options")
    if request.phase != "install" or request.parsed_facts is None or request.privatekey_sealed or request.proof_nonce:
        raise ContractError("the plain install serves only an install of a key made on this host with the controller's facts")
    why_not = obstacle(params)
    if why_not is not None:
        raise ContractError(f"the plain install cannot honour these options ({why_not})")
    return phases.install_phase(params, request, lambda: apply_modes(params))


def main(document_text: str) -> None:
    """Print the install's answer as the module would (a JSON object, ``failed`` and ``msg`` on failure)."""
    params: dict[str, t.Any] = {}
    try:
        document = json.loads(document_text)
        params = document.get("params") or {}
        answer = run(document)
    except (phases.TargetError, ContractError) as exc:
        answer = {"failed": True, "msg": str(exc)}
    except OSError as exc:
        answer = {"failed": True, "msg": phases.file_error_message(exc, str(params.get("path")))}
    except Exception as exc:  # pylint: disable=broad-exception-caught  # the controller shows it, as a module's traceback
        answer = {"failed": True, "msg": f"internal error in the plain install: {exc}", "exception": traceback.format_exc()}
    sys.stdout.write(json.dumps(answer))
    sys.stdout.flush()
