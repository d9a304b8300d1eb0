# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rewriting half of hostile-python: a compromised host rewrites what its module answers the controller.

Usage: hostile_rewrite.py SCENARIO CALL_LOG INPUT [ARGS OF THE REAL PYTHON...] < the real Python's standard output

SCENARIO is a file, or the scenario's JSON itself (a task's environment can carry it whole).

Reads the real Python's standard output, and when it answers esa_client_certificate, applies the scenario's rules for
the phase and prints the rewritten answer; anything else (other modules, phases no rule names, a missing scenario) is
printed back byte for byte. The module's arguments (phase, privatekey_path, run id) are read where Ansible put them: in
the AnsiballZ wrapper (on standard input when pipelining, INPUT here; else the file named in ARGS), or in the request
of the plain install's program (on standard input). Every answer seen is logged to CALL_LOG (one JSON line: phase,
what was rewritten), so that a test can prove the rewrite happened.

A scenario is JSON: {"rewrite": [rule, ...]}; a rule names the phases it applies to ("phase": a name or a list;
default inspect and prepare) and one action:

- "set": {"dotted.path": value}: set the value, creating the objects on the way;
- "replace": {"dotted.path": value}: set the value only where the path exists;
- "csr_subject": "host-b": replace every CSR PEM in the answer with one for CN=host-b, signed by the host's own pending
  key (found beside privatekey_path), else by the key at privatekey_path, else by a fresh key;
- "csr_oversize": N: replace every CSR PEM in the answer with a PEM-shaped CSR of N bytes.
"""

from __future__ import annotations

import ast
import base64
import json
import os
import re
import sys
import typing as t

ESA_PHASES = ("inspect", "prepare", "install", "discard", "maintain", "remove")
# Where a CSR can be in an answer: the inspection's CSR (csr_path, csr_content), the CSR prepared during the
# inspection, and the prepare phase's own answer.
CSR_PATHS = ("inspection.csr.pem", "inspection.prepared.csr_pem", "csr_pem")


# The module's arguments as a Python string literal of JSON: AnsiballZ of ansible-core 2.17 and later (params=...),
# of 2.16 (ANSIBALLZ_PARAMS = ...), and the plain install's program (_REQUEST = ...).
_ARGUMENTS = re.compile(r"""(?:\bparams=|\bANSIBALLZ_PARAMS = |^_REQUEST = )('(?:[^'\\\n]|\\.)*')""", re.MULTILINE)


def module_arguments(sources: list[str]) -> dict[str, t.Any]:
    """The arguments of the esa_client_certificate execution in the first source that has them, with _target."""
    for source in sources:
        for match in _ARGUMENTS.finditer(source):
            try:
                document = json.loads(ast.literal_eval(match.group(1)))
            except (ValueError, SyntaxError):
                continue
            if isinstance(document, dict) and isinstance(document.get("ANSIBLE_MODULE_ARGS"), dict):
                arguments = document["ANSIBLE_MODULE_ARGS"]
            elif isinstance(document, dict) and isinstance(document.get("params"), dict):  # the plain install's request
                arguments = dict(document["params"], _target=document.get("target"))
            else:
                continue
            if isinstance(arguments.get("_target"), dict):
                return arguments
    return {}


def _read(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _get(answer: dict[str, t.Any], path: str) -> t.Any:
    value: t.Any = answer
    for name in path.split("."):
        if not isinstance(value, dict) or name not in value:
            return None
        value = value[name]
    return value


def _set(answer: dict[str, t.Any], path: str, value: t.Any, create: bool) -> bool:
    names = path.split(".")
    parent: t.Any = answer
    for name in names[:-1]:
        if not isinstance(parent.get(name), dict):
            if not create:
                return False
            parent[name] = {}
        parent = parent[name]
    if not create and names[-1] not in parent:
        return False
    parent[names[-1]] = value
    return True


def _signing_key(arguments: dict[str, t.Any]) -> t.Any:
    """The host's own pending key of this run, else the key at privatekey_path, else a fresh P-256 key."""
    # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key_path = arguments.get("privatekey_path")
    run_id = arguments["_target"].get("run_id")
    candidates = []
    if key_path:
        directory, name = os.path.split(key_path)
        if run_id:
            candidates.append(os.path.join(directory, f".{name}.{run_id}.esa-pending"))
        candidates.append(key_path)
    for candidate in candidates:
        try:
            with open(candidate, "rb") as handle:
                return serialization.load_pem_private_key(handle.read(), password=None)
        except (OSError, ValueError, TypeError):
            continue
    return ec.generate_private_key(ec.SECP256R1())


def _csr_for(arguments: dict[str, t.Any], common_name: str) -> str:
    # pylint: disable=import-outside-toplevel
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
    return builder.sign(_signing_key(arguments), hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode("ascii")


def _oversized_csr(size: int) -> str:
    header, footer = "-----BEGIN CERTIFICATE REQUEST-----\n", "-----END CERTIFICATE REQUEST-----\n"
    body = base64.b64encode(os.urandom(size * 3 // 4)).decode("ascii")[: max(size - len(header) - len(footer), 0)]
    lines = []
    for start in range(0, len(body), 64):
        stop = start + 64
        lines.append(body[start:stop] + "\n")
    return header + "".join(lines) + footer


def _apply(rule: dict[str, t.Any], answer: dict[str, t.Any], arguments: dict[str, t.Any]) -> list[str]:
    """Apply one rule to the answer; the paths it changed."""
    changed = []
    for action, create in (("set", True), ("replace", False)):
        for path, value in (rule.get(action) or {}).items():
            if _set(answer, path, value, create):
                changed.append(path)
    if "csr_subject" in rule or "csr_oversize" in rule:
        present = [path for path in CSR_PATHS if isinstance(_get(answer, path), str)]
        if present:
            pem = _csr_for(arguments, str(rule["csr_subject"])) if "csr_subject" in rule else _oversized_csr(int(rule["csr_oversize"]))
            for path in present:
                _set(answer, path, pem, False)
                changed.append(path)
    return changed


def _applies(rule: dict[str, t.Any], phase: str) -> bool:
    phases = rule.get("phase", ["inspect", "prepare"])
    return phase in ([phases] if isinstance(phases, str) else phases)


def rewrite(output: str, scenario: dict[str, t.Any], arguments: dict[str, t.Any]) -> tuple[str, dict[str, t.Any]]:
    """The output to print and what to log about it."""
    phase = str(arguments["_target"].get("phase") or "inspect") if arguments else None
    entry: dict[str, t.Any] = {"phase": phase, "scenario": scenario.get("name"), "rewritten": []}
    start, after = output.find("{"), output.rfind("}") + 1
    try:
        answer = json.loads(output[start:after]) if phase in ESA_PHASES and start >= 0 else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        return output, entry
    for rule in scenario.get("rewrite") or []:
        if _applies(rule, phase):
            entry["rewritten"].extend(_apply(rule, answer, arguments))
    if not entry["rewritten"]:
        return output, entry
    return output[:start] + json.dumps(answer) + output[after:], entry


def main() -> int:
    scenario_arg, log_path, input_path, python_args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    output = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")  # byte for byte, whatever it holds
    scenario: dict[str, t.Any] = {}
    try:
        if scenario_arg.lstrip().startswith("{"):
            scenario = json.loads(scenario_arg)
        elif os.path.exists(scenario_arg):
            with open(scenario_arg, encoding="utf-8") as handle:
                scenario = json.load(handle)
        # Pipelined (or the plain install): the arguments came on standard input; otherwise in the module file named.
        sources = [_read(input_path)] + [_read(arg) for arg in python_args if arg.endswith(".py")]
        printed, entry = rewrite(output, scenario, module_arguments(sources))
    except Exception as exc:  # pylint: disable=broad-exception-caught  # a broken scenario shows in the log, never hides the answer
        printed, entry = output, {"scenario": scenario.get("name"), "error": f"{type(exc).__name__}: {exc}"}
    entry["args"] = [os.path.basename(arg) for arg in python_args]
    with open(log_path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")
    sys.stdout.buffer.write(printed.encode("utf-8", "surrogateescape"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
