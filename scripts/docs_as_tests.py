"""Docs as tests: every YAML block of the documentation and every example, run as a new user would run it.

    python scripts/docs_as_tests.py --tarball FILE [--work DIR] [--report FILE] [--only TEXT] [--self-test]

Run this with the ansible-core venv's Python (its ansible-galaxy, ansible-playbook, ansible-doc, pip and python3 are
used), as root.

0. Installs the tarball as the README's "Install" section says, its commands as written, in a new user's HOME (so into
   ~/.ansible/collections, Ansible's default, with nothing configured): the one substitution is the tarball for
   `alibabacloud.esa` in `ansible-galaxy collection install`, as the README's comment offers (no Galaxy server here).
1. Starts the local ESA emulator with the README's command under "Try it without an Alibaba Cloud account", as
   written (`python3 ~/.ansible/collections/.../esa_emulator --try`), and reads the `export NAME=VALUE` lines it
   prints as a user pastes them.
2. Collects the snippets of the installed collection, in this order: every ```yaml / ```yml block of README.md and of each role's README.md, every
   `.. code-block:: yaml` / `yaml+jinja` block of docs/docsite/rst/*.rst (the order of docs/docsite/extra-docs.yml),
   every examples/*.yml and examples/bench/*.yml, and every task of every module's EXAMPLES (`ansible-doc --json`),
   each task its own snippet. A list of plays is a playbook; a list of tasks is wrapped in a play over one host; anything
   else is a fragment, which must parse as YAML and is not run. An example runs with the command line of its header
   comment (`#   ansible-playbook -i inventory examples/x.yml -e ...`, optional `[...]` parts left out).
3. Runs each snippet in that order, against one emulator, from a working directory outside the checkout: with
   `--check --diff` (exit 0), for real (exit 0), and for real again, where no host may report a change (a task that sets
   `force` is the one allowed exception) and no handler may run. The inventory has one local host per group the snippets
   name (web1.example.com, fleet1.example.com, ...; ansible_connection=local, pipelining on, forks 2).
4. Isolation: ansible-playbook runs in a private mount namespace with an overlay over /etc, /var, /srv, /opt, /home and
   /mnt, and every module execution on an inventory host in a namespace of that host's own (its interpreter is a small
   wrapper around the venv's Python), so each host has its own /etc/pki/... and nothing lands on this machine. Each
   host is a web server: its /etc/group and /etc/passwd know nginx. `systemctl` is a recording stand-in first on PATH:
   a run that changed a certificate of a snippet that reloads must have run the handler (and, when the snippet names
   systemctl, called it on that host); check mode and the rerun must reload nothing.

Prints one line per snippet (source file:line, kind, outcome) and, last, one line starting with PASS or FAIL (the
package phase's item). Exit 1 when a snippet failed. --self-test first runs deliberately broken snippets (an
undefined handler, a failure in check mode, a rerun that changes, a rerun that reloads) and fails unless each of them
fails with a one-line reason naming its file:line. Linux, as root (unshare, overlayfs).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import yaml

COLLECTION = "alibabacloud.esa"
OVERLAID = ("/etc", "/var", "/srv", "/opt", "/home", "/mnt")
FORKS = 2
RUN_TIMEOUT = 600
# The group a task list is wrapped in a play over (its one host).
TASKS_GROUP = "web"
ALWAYS_GROUPS = ("web", "fleet")
FORCE_HINT = "force"

# Blocks that cannot run as written, on purpose: (file, a text the block holds, why). Printed with every run.
EXCEPTIONS: list[tuple[str, str, str]] = []

# Tasks that may change on the rerun, on purpose: (file, task name, why). Printed with every run.
RERUN_CHANGES: list[tuple[str, str, str]] = [
    ("examples/fleet_report.yml", "Write the HTML page", "each report states the time it was made (generated_at)"),
    ("examples/fleet_report.yml", "Write the JSON (the report's content, as the filter returns it)", "the JSON carries generated_at too"),
]


INSTALL_SECTION = "Install"
TRY_SECTION = "Try it without an Alibaba Cloud account"


def install_as_readme(tarball: Path, work: Path, python: str, logs: Path) -> list[str]:
    """Install the tarball into a new user's HOME with the README's Install commands, as written.

    One substitution: there is no Galaxy server here, so `ansible-galaxy collection install alibabacloud.esa` installs
    the tarball, as the README's own comment offers. `pip` is the Python that runs Ansible (the 2.21 venv, first on
    PATH); its requirements are met already, so pip installs nothing, but the path the README names must exist."""
    import tarfile  # only here

    with tarfile.open(tarball) as archive:
        member = archive.extractfile("README.md")
        readme = member.read().decode("utf-8") if member else ""
    match = re.search(rf"^## {INSTALL_SECTION}\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    blocks = re.findall(r"^```sh\n(.*?)^```", match.group(1), re.M | re.S) if match else []
    commands = [line.strip() for block in blocks for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not commands:
        raise SystemExit(f"the README of {tarball.name} has no commands under '## {INSTALL_SECTION}'")
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_") and not key.lower().endswith("_proxy")}
    env.update(HOME=str(home), PATH=f"{Path(python).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}", PIP_DISABLE_PIP_VERSION_CHECK="1")
    ran = []
    for command in commands:
        run = re.sub(r"(collection install) alibabacloud\.esa(?=\s|$)", rf"\1 {shlex.quote(str(tarball))}", command)
        done = subprocess.run(["bash", "-c", run], cwd=work, env=env, capture_output=True, text=True, timeout=600, check=False)
        write(logs / f"install-{len(ran) + 1}.log", f"$ {run}\n{done.stdout}{done.stderr}")
        if done.returncode != 0:
            raise SystemExit(f"the README's install command failed ({done.returncode}): {command}: {one_line(done.stderr or done.stdout, 300)}")
        ran.append(run if run == command else f"{command}  (as: {run})")
    return ran


# --- snippets ----------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Snippet:
    source: str  # path inside the collection, e.g. README.md
    line: int  # 1-based line of the fence, directive, file start or task
    text: str
    kind: str = ""  # playbook, tasks, fragment, invalid
    data: Any = None
    problem: str = ""  # why it cannot run (invalid YAML, a mix of plays and tasks, ...)
    command: list[str] | None = None  # an example's documented ansible-playbook arguments (after the playbook)
    playbook: str = ""  # an example's playbook path, relative to the project directory
    exception: str = ""  # the reason of an EXCEPTIONS entry that matched

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


def markdown_blocks(path: Path, source: str) -> list[Snippet]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found, index = [], 0
    fence = re.compile(r"^(\s*)(```+|~~~+)\s*([\w+-]*)")
    while index < len(lines):
        match = fence.match(lines[index])
        if not match:
            index += 1
            continue
        indent, marker, lang = match.group(1), match.group(2), match.group(3).lower()
        start, body = index, []
        index += 1
        while index < len(lines) and not lines[index].strip().startswith(marker[0] * len(marker)):
            body.append(lines[index][len(indent) :] if lines[index].startswith(indent) else lines[index].lstrip())
            index += 1
        index += 1
        if lang in ("yaml", "yml"):
            found.append(Snippet(source, start + 1, "\n".join(body) + "\n"))
    return found


def rst_blocks(path: Path, source: str) -> list[Snippet]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    directive = re.compile(r"^(\s*)\.\. code-block::\s*(yaml|yaml\+jinja|yml)\s*$")
    for index, line in enumerate(lines):
        match = directive.match(line)
        if not match:
            continue
        indent = len(match.group(1))
        body, cursor = [], index + 1
        while cursor < len(lines) and re.match(r"^\s+:[\w-]+:", lines[cursor]):  # directive options
            cursor += 1
        while cursor < len(lines):
            current = lines[cursor]
            if current.strip() and len(current) - len(current.lstrip()) <= indent:
                break
            body.append(current)
            cursor += 1
        found.append(Snippet(source, index + 1, textwrap.dedent("\n".join(body)).strip("\n") + "\n"))
    return found


def documented_command(text: str) -> tuple[str, list[str]] | None:
    """The `#   ansible-playbook ...` line of an example's header comment: (playbook, the other arguments)."""
    header = []
    for line in text.splitlines():
        if not line.startswith("#") and line.strip() not in ("---", ""):
            break
        header.append(line.lstrip("#").strip())
    joined, collecting = "", False
    for line in header:
        if line.startswith("ansible-playbook "):
            collecting = True
        if collecting:
            joined += " " + line.rstrip("\\").strip()
            if not line.endswith("\\"):
                break
    if not joined:
        return None
    tokens, kept, optional = shlex.split(joined), [], False
    for token in tokens[1:]:
        if not optional and token.startswith("[") and not token.startswith("[{"):
            optional = True
        if optional:
            optional = not token.endswith("]")
            continue
        kept.append(token)
    playbooks = [token for token in kept if token.endswith((".yml", ".yaml")) and not token.startswith("-")]
    if len(playbooks) != 1:
        return None
    kept.remove(playbooks[0])
    return playbooks[0], kept


# The examples in the order of a fleet's life (the order `make demo` runs them in); others follow, by name.
EXAMPLE_ORDER = ("issue", "require_mtls", "revoked_list", "rollout", "fleet_report", "client_certificate_role", "decommission")


def example_rank(path: Path) -> tuple[int, str]:
    return (EXAMPLE_ORDER.index(path.stem) if path.stem in EXAMPLE_ORDER else len(EXAMPLE_ORDER), path.name)


def example_snippets(installed: Path) -> list[Snippet]:
    found = []
    for folder in (installed / "examples", installed / "examples" / "bench"):
        for path in sorted(folder.glob("*.yml"), key=example_rank):
            source = str(path.relative_to(installed))
            text = path.read_text(encoding="utf-8")
            snippet = Snippet(source, 1, text)
            command = documented_command(text)
            if command is None:
                snippet.problem = "no documented command line (`#   ansible-playbook ... examples/<name>.yml ...`) in its header comment"
            else:
                snippet.playbook, snippet.command = command
                if Path(snippet.playbook).name != path.name:
                    snippet.problem = f"its header's command line runs {snippet.playbook}, not {source}"
                snippet.playbook = source  # run it where the user's copy of examples/ puts it
            found.append(snippet)
    return found


def module_example_snippets(installed: Path, env: dict[str, str]) -> tuple[list[Snippet], str]:
    """Every task of every module's EXAMPLES, as ansible-doc --json shows them."""
    listing = subprocess.run(
        ["ansible-doc", "-t", "module", "-l", COLLECTION, "--json"], env=env, capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        return [], f"ansible-doc -l {COLLECTION} failed: {listing.stderr.strip()[:300]}"
    names = sorted(json.loads(listing.stdout))
    docs = subprocess.run(["ansible-doc", "-t", "module", "--json", *names], env=env, capture_output=True, text=True, check=False)
    if docs.returncode != 0:
        return [], f"ansible-doc --json failed: {docs.stderr.strip()[:300]}"
    data = json.loads(docs.stdout)
    found = []
    for name in names:
        examples = data.get(name, {}).get("examples") or ""
        module_file = installed / "plugins" / "modules" / f"{name.rsplit('.', 1)[1]}.py"
        source = str(module_file.relative_to(installed))
        content = module_file.read_text(encoding="utf-8") if module_file.exists() else ""
        offset = content.find(examples) if examples.strip() else -1
        base = content[:offset].count("\n") if offset >= 0 else 0  # file line of the string's first line, minus 1
        if not examples.strip():
            found.append(Snippet(source, 1, "", problem="no EXAMPLES"))
            continue
        try:
            node = yaml.compose(examples)
        except yaml.YAMLError as error:
            found.append(Snippet(source, base + 1, examples, problem=f"EXAMPLES do not parse as YAML: {one_line(error)}"))
            continue
        if not isinstance(node, yaml.SequenceNode):
            found.append(Snippet(source, base + 1, examples, problem="EXAMPLES are not a list of tasks"))
            continue
        text_lines = examples.splitlines()
        for item in node.value:
            first, last = item.start_mark.line, item.end_mark.line
            chunk = text_lines[first : last + (1 if item.end_mark.column else 0)]
            # the item's node starts after "- ": give it back its dash at its column
            column = item.start_mark.column
            chunk = [(" " * (column - 2) + "- " + chunk[0][column:]) if chunk else ""] + chunk[1:]
            found.append(Snippet(source, base + first + 1, textwrap.dedent("\n".join(chunk)).rstrip() + "\n"))
    return found, ""


def classify(snippet: Snippet) -> None:
    if snippet.problem:
        snippet.kind = "invalid"
        return
    try:
        snippet.data = yaml.safe_load(snippet.text)
    except yaml.YAMLError as error:
        snippet.kind, snippet.problem = "invalid", f"does not parse as YAML: {one_line(error)}"
        return
    data = snippet.data
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        plays = [item for item in data if "hosts" in item or any(key.endswith("import_playbook") for key in item)]
        if len(plays) == len(data):
            snippet.kind = "playbook"
        elif not plays:
            snippet.kind = "tasks"
        else:
            snippet.kind, snippet.problem = "invalid", "a list of plays and tasks mixed"
    else:
        snippet.kind = "fragment"
    for source, needle, reason in EXCEPTIONS:
        if snippet.source == source and needle in snippet.text:
            snippet.exception = reason


def host_groups(snippets: list[Snippet]) -> list[str]:
    """The groups that the plays' hosts: patterns name (a template's default('x') counts as x)."""
    groups = list(ALWAYS_GROUPS)
    for snippet in snippets:
        if snippet.kind != "playbook":
            continue
        for play in snippet.data:
            pattern = str(play.get("hosts", ""))
            pattern = re.sub(r"\{\{.*?default\(\s*['\"]([^'\"]+)['\"].*?\}\}", r"\1", pattern)
            for part in re.split(r"[,:]", pattern):
                part = part.strip().lstrip("!&")
                if re.fullmatch(r"[A-Za-z_][\w-]*", part) and part not in ("all", "localhost", "ungrouped") and part not in groups:
                    groups.append(part)
    return groups


def one_line(value: object, limit: int = 400) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- the environment ---------------------------------------------------------------------------------------------

CALLBACK = '''
# Written by scripts/docs_as_tests.py: records every task result as one JSON line (the stdout callback stays the default).
import json
import os

from ansible.playbook.handler import Handler
from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "docs_as_tests_events"
    CALLBACK_NEEDS_ENABLED = True

    def _emit(self, status, result, **extra):
        task, res = result.task, result.result
        args = task.args or {}
        force = args.get("force")
        record = {
            "status": status,
            "host": result.host.get_name(),
            "task": task.get_name(),
            "action": task.action,
            "handler": isinstance(task, Handler),
            "notify": bool(task.notify),
            "force": force in (True, "true", "True", "yes") or "forced" in (res.get("reasons") or []),
            "changed": bool(res.get("changed")),
            "check_mode": bool(task.check_mode),
            "msg": str(res.get("msg") or res.get("stderr") or res.get("reason") or "")[:2000],
        }
        record.update(extra)
        with open(os.environ["DOCS_AS_TESTS_EVENTS"], "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\\n")

    def v2_runner_on_ok(self, result):
        self._emit("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._emit("failed", result, ignored=bool(ignore_errors))

    def v2_runner_on_skipped(self, result):
        self._emit("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._emit("unreachable", result)
'''

IN_NAMESPACE = """#!/bin/bash
# Written by scripts/docs_as_tests.py. Usage: in-namespace ROOT COMMAND...: run COMMAND with an overlay over each of
# OVERLAID, whose writes go to ROOT/upper/<dir>; meant to run under `unshare -m --propagation private`.
set -euo pipefail
root="$1"
shift
for dir in __OVERLAID__; do
    [[ -d "${dir}" ]] || continue
    key="${dir#/}"
    mount -t overlay overlay -o "lowerdir=${dir},upperdir=${root}/upper/${key},workdir=${root}/work/${key}" "${dir}"
done
exec "$@"
"""

HOST_PYTHON = """#!/bin/sh
# Written by scripts/docs_as_tests.py: the interpreter of host __HOST__, the venv's Python in the host's own mount
# namespace (its own /etc, /var, ...); one module execution at a time per host.
DOCS_AS_TESTS_HOST='__HOST__'
export DOCS_AS_TESTS_HOST
exec flock '__DIR__/lock' unshare -m --propagation private -- '__IN_NAMESPACE__' '__DIR__/fs' '__PYTHON__' "$@"
"""

CONTROLLER_PYTHON = """#!/bin/sh
# Written by scripts/docs_as_tests.py: the interpreter of localhost, which is the controller: the venv's Python in the
# controller's own namespace, so a file a task writes with delegate_to: localhost is the file a lookup reads.
DOCS_AS_TESTS_HOST='localhost'
export DOCS_AS_TESTS_HOST
exec '__PYTHON__' "$@"
"""

STAND_IN = """#!/bin/sh
# Written by scripts/docs_as_tests.py: a recording stand-in for __NAME__ (logs host and arguments, changes nothing).
printf '%s\\t%s\\n' "${DOCS_AS_TESTS_HOST:-controller}" "__NAME__ $*" >> '__LOG__'
exit 0
"""


class Environment:
    def __init__(self, work: Path, collections: Path, python: str, logs: Path) -> None:
        self.work, self.collections, self.python = work, collections, python
        self.installed = collections / "ansible_collections" / "alibabacloud" / "esa"
        self.project = work / "project"
        self.logs = logs
        self.reloads = work / "systemctl.log"
        self.in_namespace = work / "bin" / "in-namespace"
        self.emulator: subprocess.Popen[str] | None = None
        self.emulator_env: dict[str, str] = {}
        self.emulator_how = ""
        self.hosts: dict[str, str] = {}  # group -> host
        venv_bin = str(Path(python).parent)
        env = {key: value for key, value in os.environ.items() if not key.lower().endswith("_proxy") and not key.startswith("ANSIBLE_")}
        env.update(
            PATH=f"{work / 'bin' / 'stand-ins'}:{venv_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            NO_PROXY="127.0.0.1,localhost,::1",
            no_proxy="127.0.0.1,localhost,::1",
            ANSIBLE_CONFIG=str(work / "ansible.cfg"),
            HOME=str(work / "home"),  # a new user's: the README installs into ~/.ansible/collections, Ansible's default
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            PYTHONDONTWRITEBYTECODE="1",
        )
        for key in [key for key in env if key.startswith(("ALIBABA_CLOUD_", "ALICLOUD_"))]:
            del env[key]
        env["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"  # never ask a cloud metadata service from here
        self.env = env

    # files ------------------------------------------------------------------------------------------------------

    def prepare(self, groups: list[str]) -> None:
        for overlaid in OVERLAID:
            if str(self.work).startswith(overlaid + "/"):
                raise SystemExit(f"the working directory {self.work} must not be under {overlaid} (it is overlaid)")
        for path in (self.project, self.logs, self.work / "bin" / "stand-ins", self.work / "callbacks", self.work / "tmp"):
            path.mkdir(parents=True, exist_ok=True)
        write(self.in_namespace, IN_NAMESPACE.replace("__OVERLAID__", " ".join(OVERLAID)), 0o755)
        for name in ("systemctl", "service"):
            write(self.work / "bin" / "stand-ins" / name, STAND_IN.replace("__NAME__", name).replace("__LOG__", str(self.reloads)), 0o755)
        write(self.work / "callbacks" / "docs_as_tests_events.py", CALLBACK)
        write(
            self.work / "ansible.cfg",
            "\n".join(
                [
                    "# Written by scripts/docs_as_tests.py: no collections_path, so Ansible finds the collection where the README",
                    "# installed it, its default ~/.ansible/collections (HOME is the new user's)",
                    "[defaults]",
                    f"forks = {FORKS}",
                    f"local_tmp = {self.work / 'tmp' / 'local'}",
                    f"remote_tmp = {self.work / 'tmp' / 'remote'}",
                    f"callback_plugins = {self.work / 'callbacks'}",
                    "callbacks_enabled = docs_as_tests_events",
                    "retry_files_enabled = false",
                    "[connection]",
                    "pipelining = true",
                    "",
                ]
            ),
        )
        self.make_fs(self.work / "controller")
        self.hosts = {group: f"{group}1.example.com" for group in groups}
        lines = ["# Written by scripts/docs_as_tests.py: one local host per group the documentation's plays name", ""]
        for group, host in self.hosts.items():
            lines += [f"[{group}]", f"{host} ansible_python_interpreter={self.host_python(host)}", ""]
        lines += ["[all:vars]", "ansible_connection=local", ""]
        lines += ["# the controller, for plays over localhost and delegate_to: localhost", "[controller]",
                  f"localhost ansible_python_interpreter={self.host_python('localhost')}", ""]
        write(self.project / "inventory", "\n".join(lines))
        examples = self.project / "examples"
        if examples.exists():
            shutil.rmtree(examples)
        shutil.copytree(self.installed / "examples", examples)  # a user's copy of the collection's examples

    def isolation_problem(self) -> str:
        """Why the runs cannot be isolated from this machine (unshare and overlayfs need root), or ''."""
        probe = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "--", str(self.in_namespace), str(self.work / "controller"), "true"],
            capture_output=True, text=True, check=False,
        )
        if probe.returncode == 0:
            return ""
        return f"cannot isolate the runs from this machine (unshare -m and overlayfs, as root): {one_line(probe.stderr, 300)}"

    def make_fs(self, root: Path, web_server: bool = False) -> None:
        for overlaid in OVERLAID:
            (root / "upper" / overlaid.lstrip("/")).mkdir(parents=True, exist_ok=True)
            (root / "work" / overlaid.lstrip("/")).mkdir(parents=True, exist_ok=True)
        if web_server:  # the host runs nginx: its group and user exist
            etc = root / "upper" / "etc"
            for name, entry in (("group", "nginx:x:981:\n"), ("passwd", "nginx:x:981:981:nginx:/var/lib/nginx:/usr/sbin/nologin\n")):
                text = Path("/etc", name).read_text(encoding="utf-8")
                if not re.search(r"^nginx:", text, re.M):
                    text = text.rstrip("\n") + "\n" + entry
                write(etc / name, text)

    def host_python(self, host: str) -> Path:
        folder = self.work / "hosts" / host
        wrapper = folder / "python"
        if not wrapper.exists() and host == "localhost":
            write(wrapper, CONTROLLER_PYTHON.replace("__PYTHON__", self.python), 0o755)
        if not wrapper.exists():
            self.make_fs(folder / "fs", web_server=True)
            text = (
                HOST_PYTHON.replace("__HOST__", host)
                .replace("__DIR__", str(folder))
                .replace("__IN_NAMESPACE__", str(self.in_namespace))
                .replace("__PYTHON__", self.python)
            )
            write(wrapper, text, 0o755)
        return wrapper

    # the emulator -------------------------------------------------------------------------------------------------

    def readme_commands(self, heading: str) -> list[str]:
        """The lines of the ```sh blocks under the README's section `heading` (its own README, as installed)."""
        text = (self.installed / "README.md").read_text(encoding="utf-8")
        match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
        if not match:
            raise SystemExit(f"README.md has no section '## {heading}' to follow")
        blocks = re.findall(r"^```sh\n(.*?)^```", match.group(1), re.M | re.S)
        lines = [line.strip() for block in blocks for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        if not lines:
            raise SystemExit(f"README.md's '## {heading}' has no command to run")
        return lines

    def start_emulator(self) -> None:
        """Start the emulator with the README's command, as written, and take its export lines as a user pastes them."""
        commands = [line for line in self.readme_commands(TRY_SECTION) if "--try" in line]
        if len(commands) != 1:
            raise SystemExit(f"README.md's '## {TRY_SECTION}' should hold one command with --try, not {len(commands)}")
        log = open(self.logs / "emulator.log", "w", encoding="utf-8")  # noqa: SIM115 - open while the emulator runs
        self.emulator_how = f"started with the README's command, as written: {commands[0]}"
        self.emulator = subprocess.Popen(
            ["bash", "-c", f"exec {commands[0]}"], cwd=self.project, env=self.env, stdout=subprocess.PIPE, stderr=log, text=True,
            start_new_session=True,
        )
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert self.emulator is not None
            assert self.emulator.stdout is not None
            for line in self.emulator.stdout:
                log.write(line)
                log.flush()
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        exports: dict[str, str] = {}
        site = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (len(exports) >= 3 and site):
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                raise SystemExit(f"the emulator exited before printing its exports (log: {self.logs / 'emulator.log'})")
            if line.startswith("export "):
                for word in shlex.split(line[len("export ") :]):
                    name, value = word.split("=", 1) if "=" in word else (word, "")
                    exports[name] = value
            elif match := re.match(r"#\s*site_id:\s*(\d+)", line):
                site = match.group(1)
        wanted = {"ALIBABA_CLOUD_ESA_ENDPOINT", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"}
        if not wanted <= set(exports):
            raise SystemExit(f"the emulator printed exports of {sorted(exports)}, not {sorted(wanted)} (log: {self.logs / 'emulator.log'})")
        self.emulator_env = exports
        self.emulator_how += f"; exports {', '.join(sorted(exports))}; site_id {site or '?'}"

    def stop_emulator(self) -> None:
        if self.emulator is not None and self.emulator.poll() is None:
            self.emulator.send_signal(signal.SIGTERM)
            try:
                self.emulator.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.emulator.kill()
                self.emulator.wait()
        self.emulator = None

    # runs ---------------------------------------------------------------------------------------------------------

    def playbook(self, arguments: list[str], log_name: str) -> Run:
        events = self.logs / f"{log_name}.events.jsonl"
        events.unlink(missing_ok=True)
        reloads_before = self.reload_lines()
        env = dict(self.env, **self.emulator_env, DOCS_AS_TESTS_EVENTS=str(events))
        command = ["unshare", "-m", "--propagation", "private", "--", str(self.in_namespace), str(self.work / "controller"),
                   "ansible-playbook", *arguments]
        started = time.monotonic()
        try:
            done = subprocess.run(command, cwd=self.project, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
            rc, output = done.returncode, done.stdout + done.stderr
        except subprocess.TimeoutExpired as timeout:
            rc, output = -1, f"{timeout.stdout or ''}{timeout.stderr or ''}\n[ERROR]: timed out after {RUN_TIMEOUT} s"
        seconds = time.monotonic() - started
        (self.logs / f"{log_name}.log").write_text(f"$ {shlex.join(['ansible-playbook', *arguments])}\n{output}", encoding="utf-8")
        records = []
        if events.exists():
            records = [json.loads(line) for line in events.read_text(encoding="utf-8").splitlines() if line.strip()]
        reloads = self.reload_lines()[len(reloads_before) :]
        return Run(rc, output, records, reloads, seconds, str(self.logs / f"{log_name}.log"))

    def reload_lines(self) -> list[str]:
        return self.reloads.read_text(encoding="utf-8").splitlines() if self.reloads.exists() else []


@dataclasses.dataclass
class Run:
    rc: int
    output: str
    events: list[dict[str, Any]]
    reloads: list[str]  # "host<TAB>systemctl reload nginx"
    seconds: float
    log: str

    def failure(self) -> str:
        """The first failure of the run, in one line."""
        for event in self.events:
            if event["status"] in ("failed", "unreachable") and not event.get("ignored"):
                return f"{event['host']}: TASK [{event['task']}] {event['status']}: {one_line(event['msg'], 300)}"
        for line in self.output.splitlines():
            if line.startswith(("[ERROR]", "ERROR!")):
                return one_line(line, 400)
        tail = [line for line in self.output.splitlines() if line.strip()][-1:]
        return f"exit {self.rc}: {one_line(tail[0] if tail else 'no output', 300)}"

    def changed(self) -> list[dict[str, Any]]:
        return [event for event in self.events if event["status"] == "ok" and event["changed"]]

    def handlers_run(self) -> list[dict[str, Any]]:
        return [event for event in self.events if event["handler"] and event["status"] in ("ok", "failed")]

    def reload_hosts(self) -> set[str]:
        return {line.split("\t", 1)[0] for line in self.reloads}


def write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


# --- one snippet -------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    snippet: Snippet
    status: str  # passed, failed, fragment, excepted
    detail: str
    seconds: float = 0.0
    steps: list[dict[str, Any]] = dataclasses.field(default_factory=list)


def slug(snippet: Snippet, number: int) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", f"{snippet.source}-{snippet.line}").strip("-")
    return f"{number:03d}-{name}"


def snippet_arguments(env: Environment, snippet: Snippet, number: int) -> list[str]:
    """The ansible-playbook arguments of a snippet: the example's documented ones, else the written playbook."""
    if snippet.command is not None:
        arguments, index = [], 0
        while index < len(snippet.command):
            token = snippet.command[index]
            if token in ("-i", "--inventory"):
                arguments += [token, "inventory"]
                index += 2
                continue
            arguments.append(token)
            index += 1
        return [*arguments[:0], snippet.playbook, *arguments]
    path = env.project / "snippets" / f"{slug(snippet, number)}.yml"
    if snippet.kind == "tasks":
        header = [
            "---",
            f"# {snippet.where}: its tasks, wrapped in a play over one host by scripts/docs_as_tests.py",
            f"- name: Tasks of {snippet.where}",
            f"  hosts: {TASKS_GROUP}",
            "  gather_facts: false",
            "  tasks:",
        ]
        text = "\n".join(header) + "\n" + textwrap.indent(textwrap.dedent(snippet.text), "    ")
    else:
        text = snippet.text
    write(path, text)
    return ["-i", "inventory", str(path.relative_to(env.project))]


def run_snippet(env: Environment, snippet: Snippet, number: int) -> Outcome:
    if snippet.exception:
        return Outcome(snippet, "excepted", f"not run (exception: {snippet.exception})")
    if snippet.kind == "invalid":
        return Outcome(snippet, "failed", snippet.problem)
    if snippet.kind == "fragment":
        return Outcome(snippet, "fragment", "not run (fragment: parses as YAML, neither plays nor tasks)")
    arguments = snippet_arguments(env, snippet, number)
    name = slug(snippet, number)
    mentions_systemctl = "systemctl" in snippet.text or "systemctl" in " ".join(snippet.command or [])
    steps, problems, total = [], [], 0.0

    check = env.playbook([*arguments, "--check", "--diff"], f"{name}.1-check")
    total += check.seconds
    steps.append({"run": "check", "rc": check.rc, "seconds": round(check.seconds, 1), "log": check.log})
    if check.rc != 0:
        problems.append(f"--check --diff exited {check.rc}: {check.failure()}")
    if check.reloads:
        problems.append(f"--check --diff reloaded a service: {check.reloads[0]}")

    real = env.playbook(arguments, f"{name}.2-run")
    total += real.seconds
    changed_hosts = sorted({event["host"] for event in real.changed()})
    steps.append({"run": "run", "rc": real.rc, "seconds": round(real.seconds, 1), "changed": changed_hosts,
                  "reloads": real.reloads, "log": real.log})
    if real.rc != 0:
        problems.append(f"the run exited {real.rc}: {real.failure()}")
    else:
        handler_hosts = {event["host"] for event in real.handlers_run()}
        for event in real.changed():
            if event["notify"] and not event["handler"] and event["host"] not in handler_hosts:
                problems.append(f"the run changed {event['host']} (TASK [{event['task']}], which notifies) but no handler ran there")
                break
        if mentions_systemctl:
            certificate_hosts = {e["host"] for e in real.changed() if e["action"].endswith("esa_client_certificate") and not e["check_mode"]}
            certificate_hosts |= {e["host"] for e in real.changed() if e["action"].endswith("include_role")}
            missing = sorted(certificate_hosts - real.reload_hosts())
            if missing:
                problems.append(f"the run changed a certificate on {', '.join(missing)} and systemctl (named by the block) was not called there")

    rerun = env.playbook(arguments, f"{name}.3-rerun")
    total += rerun.seconds
    steps.append({"run": "rerun", "rc": rerun.rc, "seconds": round(rerun.seconds, 1),
                  "changed": sorted({event["host"] for event in rerun.changed()}), "reloads": rerun.reloads, "log": rerun.log})
    if rerun.rc != 0:
        problems.append(f"the rerun exited {rerun.rc}: {rerun.failure()}")
    else:
        allowed = {task for source, task, _why in RERUN_CHANGES if snippet.source.startswith(source)}
        unforced = [event for event in rerun.changed() if not event["force"] and not event["handler"] and event["task"] not in allowed]
        if unforced:
            event = unforced[0]
            problems.append(f"the rerun changed {event['host']}: TASK [{event['task']}] (expected changed=0; only force: true may change)")
        if rerun.handlers_run():
            event = rerun.handlers_run()[0]
            problems.append(f"the rerun ran handler [{event['task']}] on {event['host']}")
        elif rerun.reloads:
            problems.append(f"the rerun reloaded a service: {rerun.reloads[0]}")

    if problems:
        return Outcome(snippet, "failed", " | ".join(problems), total, steps)
    reloads = len(real.reloads)
    detail = (
        f"check ok; run ok ({'changed ' + ', '.join(changed_hosts) if changed_hosts else 'no change'}"
        f"{f', {reloads} reload(s)' if reloads else ''}); rerun changed=0"
    )
    return Outcome(snippet, "passed", detail, total, steps)


# --- self-test ---------------------------------------------------------------------------------------------------

SELF_TEST = """# Deliberately broken blocks: the harness must fail each of them, naming this file and the block's line.

```yaml
- name: A handler that the block never defines
  ansible.builtin.command:
    argv: [/bin/true]
  notify: Reload nginx
```

```yaml
- name: Fails in check mode (a registered result that check mode skipped)
  hosts: web
  gather_facts: false
  tasks:
    - name: Read something
      ansible.builtin.command:
        argv: [/bin/echo, ready]
      register: read
      changed_when: false
    - name: Use it
      ansible.builtin.assert:
        that: read.stdout == 'ready'
```

```yaml
- name: A rerun that changes
  hosts: web
  gather_facts: false
  tasks:
    - name: Always changed
      ansible.builtin.command:
        argv: [/bin/true]
```

```yaml
- name: A good block (writes under /etc, reloads once, a no-op rerun)
  hosts: web
  gather_facts: false
  tasks:
    - name: Make sure the directory exists
      ansible.builtin.file:
        path: /etc/docs-as-tests
        state: directory
        mode: "0755"
    - name: Write a file
      ansible.builtin.copy:
        dest: /etc/docs-as-tests/good.conf
        content: "good\\n"
        mode: "0644"
      notify: Reload nginx
  handlers:
    - name: Reload nginx
      ansible.builtin.command:
        argv: [systemctl, reload, nginx]
      changed_when: true
```

```yaml
- name: Reloads on every run, the rerun too
  hosts: web
  gather_facts: false
  tasks:
    - name: Reload nginx, whatever happened
      ansible.builtin.command:
        argv: [systemctl, reload, nginx]
      changed_when: false
```
"""

SELF_TEST_EXPECT = [
    ("failed", "was not found"),
    ("failed", "--check --diff exited"),
    ("failed", "the rerun changed"),
    ("passed", "1 reload(s)"),
    ("failed", "the rerun reloaded a service"),
]


def self_test(env: Environment) -> tuple[bool, list[str]]:
    document = env.work / "self-test" / "SELF_TEST.md"
    write(document, SELF_TEST)
    snippets = markdown_blocks(document, "SELF_TEST.md")
    lines, good = [], True
    for number, (snippet, (status, phrase)) in enumerate(zip(snippets, SELF_TEST_EXPECT, strict=True), start=900):
        classify(snippet)
        outcome = run_snippet(env, snippet, number)
        ok = outcome.status == status and phrase in outcome.detail
        good &= ok
        lines.append(f"{'caught' if ok else 'MISSED'}  {snippet.where}: {outcome.status}: {outcome.detail}")
    leaked = Path("/etc/docs-as-tests").exists()
    if leaked:
        good = False
        lines.append("MISSED  the self-test's files reached this machine's /etc/docs-as-tests: isolation is broken")
    return good, lines


# --- main --------------------------------------------------------------------------------------------------------


def emulator_documented(installed: Path) -> str:
    """A problem when the quick-start guide no longer documents the emulator command that start_emulator runs."""
    guide = installed / "docs" / "docsite" / "rst" / "guide_quickstart.rst"
    text = guide.read_text(encoding="utf-8") if guide.exists() else ""
    wanted = ("ansible-galaxy collection list alibabacloud.esa", "alibabacloud/esa/tests/emulator/esa_emulator --try")
    missing = [command for command in wanted if command not in text]
    return f"{guide.name} does not document {' or '.join(repr(m) for m in missing)}, which this harness runs" if missing else ""


def collect(env: Environment) -> tuple[list[Snippet], list[str]]:
    installed, problems = env.installed, []
    snippets: list[Snippet] = []
    readme = installed / "README.md"
    if readme.exists():
        snippets += markdown_blocks(readme, "README.md")
    else:
        problems.append("README.md is not in the installed collection")
    for role_readme in sorted((installed / "roles").glob("*/README.md")):
        snippets += markdown_blocks(role_readme, str(role_readme.relative_to(installed)))
    rst_dir = installed / "docs" / "docsite" / "rst"
    order = []
    extra = installed / "docs" / "docsite" / "extra-docs.yml"
    if extra.exists():
        for section in (yaml.safe_load(extra.read_text(encoding="utf-8")) or {}).get("sections", []):
            order += list(section.get("toctree") or [])
    guides = sorted(rst_dir.glob("*.rst"), key=lambda path: (order.index(path.stem) if path.stem in order else len(order), path.name))
    for guide in guides:
        snippets += rst_blocks(guide, str(guide.relative_to(installed)))
    if problem := emulator_documented(installed):
        problems.append(problem)
    snippets += example_snippets(installed)
    modules, problem = module_example_snippets(installed, env.env)
    snippets += modules
    if problem:
        problems.append(problem)
    for snippet in snippets:
        classify(snippet)
    return snippets, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--tarball", required=True, type=Path, help="the built collection, installed as the README says")
    parser.add_argument("--work", type=Path, help="working directory outside the checkout (default: a new temporary one)")
    parser.add_argument("--report", type=Path, help="write every outcome as JSON here")
    parser.add_argument("--logs", type=Path, help="the runs' logs go here (default: WORK/logs)")
    parser.add_argument("--only", action="append", default=[], help="run only the snippets whose file:line contains this")
    parser.add_argument("--self-test", action="store_true", help="first check that the harness fails broken blocks")
    args = parser.parse_args()

    work = (args.work or Path(tempfile.mkdtemp(prefix="esa-docs-as-tests."))).resolve()
    if work.exists() and args.work:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    logs = args.logs.resolve() if args.logs else work / "logs"
    try:
        installed_with = install_as_readme(args.tarball.resolve(), work, sys.executable, logs)
    except SystemExit as error:
        print(f"FAIL  docs as tests: {error}")
        return 1
    env = Environment(work, work / "home" / ".ansible" / "collections", sys.executable, logs)
    if not env.installed.is_dir():
        print(f"FAIL  docs as tests: the README's install commands left no collection at {env.installed}")
        return 1
    for command in installed_with:
        print(f"installed as the README says: {command}")

    # a SIGTERM (the package phase stopped) still stops the emulator, in the finally below
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(f"stopped by SIGTERM after {time.monotonic() - started:.0f} s"))
    started = time.monotonic()
    snippets, problems = collect(env)
    env.prepare(host_groups(snippets))
    print(f"docs as tests: {len(snippets)} snippets from the installed {COLLECTION} ({env.installed}); work directory {work}")
    print(f"hosts: {', '.join(f'{host} ({group})' for group, host in env.hosts.items())}, and localhost (the controller); the hosts each their own "
          f"/etc, /var, ... (overlays), nginx known, systemctl a recording stand-in")
    for source, task, reason in RERUN_CHANGES:
        print(f"may change on the rerun: {source} TASK [{task}]: {reason}")
    for source, needle, reason in EXCEPTIONS:
        print(f"exception: {source} block holding {needle!r}: {reason}")
    if not EXCEPTIONS:
        print("exceptions: none (EXCEPTIONS in scripts/docs_as_tests.py): every block that is neither plays nor tasks is a fragment")
    outcomes: list[Outcome] = []
    self_ok, self_lines = True, []
    try:
        if problem := env.isolation_problem():
            raise SystemExit(problem)
        env.start_emulator()
        print(f"emulator: {env.emulator_how}")
        if args.self_test:
            self_ok, self_lines = self_test(env)
            for line in self_lines:
                print(f"self-test {line}")
        for number, snippet in enumerate(snippets, start=1):
            if args.only and not any(text in snippet.where for text in args.only):
                continue
            outcome = run_snippet(env, snippet, number)
            outcomes.append(outcome)
            print(f"{outcome.status:<8}  {snippet.where:<52} {snippet.kind:<8}  {outcome.detail}  [{outcome.seconds:.0f} s]", flush=True)
    except SystemExit as error:
        problems.append(str(error))
    finally:
        env.stop_emulator()

    failed = [outcome for outcome in outcomes if outcome.status == "failed"]
    counts = {status: sum(1 for outcome in outcomes if outcome.status == status) for status in ("passed", "failed", "fragment", "excepted")}
    seconds = time.monotonic() - started
    if args.report:
        write(args.report, json.dumps({
            "emulator": env.emulator_how, "hosts": env.hosts, "seconds": round(seconds), "problems": problems, "self_test": self_lines,
            "outcomes": [{"where": o.snippet.where, "kind": o.snippet.kind, "status": o.status, "detail": o.detail,
                          "seconds": round(o.seconds, 1), "steps": o.steps} for o in outcomes],
        }, indent=2) + "\n")
    summary = (f"{counts['passed']} passed, {counts['failed']} failed, {counts['fragment']} fragments not run, "
               f"{counts['excepted']} excepted, in {seconds:.0f} s; logs in {env.logs}")
    if failed or problems or not self_ok or not outcomes:
        reasons = [f"{o.snippet.where}" for o in failed] + problems + ([] if self_ok else ["the self-test missed a broken block"])
        print(f"FAIL  docs as tests (README, guides, examples, module EXAMPLES: check, run, rerun): {summary}; failed: {', '.join(reasons) or 'nothing ran'}")
        return 1
    print(f"PASS  docs as tests (README, guides, examples, module EXAMPLES: check, run, rerun against the emulator): {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
