"""--try: the one command that starts the emulator from an installed collection and prints what to export.

The command runs by path (`python3 <collection>/tests/emulator/esa_emulator --try`), as the README shows it, and as a
module; its export lines are parsed here as a harness would, and the official SDK signs a call with exactly those values.
"""

from __future__ import annotations

import json
import os
import pathlib
import queue
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import typing as t
import urllib.parse

import esa_emulator
import pytest
from alibabacloud_esa20240910 import models
from alibabacloud_esa20240910.client import Client
from alibabacloud_tea_openapi.utils_models import Config
from esa_emulator.__main__ import try_block

PACKAGE_DIR = pathlib.Path(esa_emulator.__file__).resolve().parent
VARIABLES = ['ALIBABA_CLOUD_ESA_ENDPOINT', 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET']
EXPORT = re.compile(r'export ([A-Za-z_][A-Za-z0-9_]*)=(.+)')
HEADER = re.compile(r'# ESA emulator for trying alibabacloud\.esa: (http://\S+) \(in memory; Ctrl-C stops it\)')
SITE = re.compile(r'# site_id: (\d+) \((.*)\)')


def _environment(**extra: str) -> dict[str, str]:
    """This process's environment without what could make the command pass where a user's would fail.

    No PYTHONPATH (the package must find itself), no PYTHONUNBUFFERED (the block must be flushed by the emulator, not
    by Python), no proxies (the SDK would send loopback calls through them).
    """
    dropped = {'PYTHONPATH', 'PYTHONUNBUFFERED', 'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy'}
    return {**{name: value for name, value in os.environ.items() if name not in dropped}, **extra}


def _installed_copy(root: pathlib.Path) -> pathlib.Path:
    """The package where `ansible-galaxy collection install` puts it (under a directory whose name has a space)."""
    target = root / 'collections dir' / 'ansible_collections' / 'alibabacloud' / 'esa' / 'tests' / 'emulator' / 'esa_emulator'
    shutil.copytree(PACKAGE_DIR, target, ignore=shutil.ignore_patterns('__pycache__'))
    return target


def _command(way: str, tmp_path: pathlib.Path) -> tuple[list[str], dict[str, str]]:
    if way == 'module':
        return [sys.executable, '-m', 'esa_emulator'], _environment(PYTHONPATH=str(PACKAGE_DIR.parent))
    package = _installed_copy(tmp_path)
    return [sys.executable, str(package if way == 'directory' else package / '__main__.py')], _environment()


class Stopped(t.NamedTuple):
    returncode: int
    rest: str  # stdout after the block
    stderr: str


class Running:
    """The command (with --try) started, its stdout read line by line while it runs (stderr kept by a second reader)."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: pathlib.Path) -> None:
        self.process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: list[str] = []
        self._readers = [threading.Thread(target=self._read_stdout, daemon=True), threading.Thread(target=self._read_stderr, daemon=True)]
        for reader in self._readers:
            reader.start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip('\n'))
        self.lines.put(None)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        self._stderr.append(self.process.stderr.read())

    def block(self, timeout: float = 20) -> list[str]:
        """The lines up to the site comment, read from the pipe while the emulator keeps running."""
        deadline = time.monotonic() + timeout
        lines: list[str] = []
        while not lines or not lines[-1].startswith(('# site_id:', '# no site')):
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:
                stopped = self.stop(signal.SIGKILL)
                pytest.fail(f'no complete --try block (got {lines}): {stopped}')
            lines.append(line)
        assert self.process.poll() is None, 'the emulator must stay in the foreground'
        return lines

    def stop(self, signum: int = signal.SIGINT) -> Stopped:
        """Send the signal; answer the exit status, the rest of stdout and stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        for reader in self._readers:
            reader.join(timeout=5)
        rest: list[str] = []
        while not self.lines.empty() and (line := self.lines.get_nowait()) is not None:
            rest.append(line)
        return Stopped(self.process.returncode, '\n'.join(rest), ''.join(self._stderr))


def parse_block(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """As a harness would: every line a comment or exactly `export NAME=value` (one shell word); the exports in order."""
    exports: dict[str, str] = {}
    comments: list[str] = []
    for line in lines:
        if line.startswith('#'):
            comments.append(line)
            continue
        match = EXPORT.fullmatch(line)
        assert match, f'neither a comment nor `export NAME=value`: {line!r}'
        words = shlex.split(match.group(2))
        assert len(words) == 1, line
        exports[match.group(1)] = words[0]
    return exports, comments


def sdk_client(exports: dict[str, str]) -> Client:
    """The official client configured with exactly the exported values, as the collection turns them into a Config."""
    url = urllib.parse.urlsplit(exports['ALIBABA_CLOUD_ESA_ENDPOINT'])
    return Client(Config(access_key_id=exports['ALIBABA_CLOUD_ACCESS_KEY_ID'], access_key_secret=exports['ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
                         security_token=exports.get('ALIBABA_CLOUD_SECURITY_TOKEN'), endpoint=url.netloc, protocol=url.scheme,
                         read_timeout=10000, connect_timeout=5000))


def issue_and_list(client: Client, site_id: int) -> list[t.Any]:
    created = client.create_client_certificate(models.CreateClientCertificateRequest(site_id=site_id, pkey_type='ECDSA', validity_days=1))
    assert created.body.status == 'active'
    listing = client.list_client_certificates(models.ListClientCertificatesRequest(site_id=site_id)).body.result
    assert [entry.id for entry in listing] == [created.body.id]
    return listing


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize('way', ['directory', 'main-file', 'module'])
def test_try_prints_exports_that_sign_calls_and_stops_on_sigint(tmp_path, way):
    command, env = _command(way, tmp_path)
    running = Running([*command, '--try'], env, tmp_path)
    try:
        lines = running.block()
        exports, comments = parse_block(lines)
        assert list(exports) == VARIABLES
        # the built-in config's values, none needing quotes: each line is literally `export NAME=value`
        assert lines[1:4] == [f'export {name}={exports[name]}' for name in VARIABLES]
        header = HEADER.fullmatch(lines[0])
        assert header
        assert header.group(1) == exports['ALIBABA_CLOUD_ESA_ENDPOINT']
        assert re.fullmatch(r'http://127\.0\.0\.1:[1-9][0-9]*', exports['ALIBABA_CLOUD_ESA_ENDPOINT'])
        assert exports['ALIBABA_CLOUD_ACCESS_KEY_ID'] == 'LTAIemulatorKeyId'
        assert exports['ALIBABA_CLOUD_ACCESS_KEY_SECRET'] == 'emulator-secret-do-not-use'
        assert comments[1:] == ['# site_id: 1234567890123 (hostnames example.com, www.example.com, api.example.com)']
        assert len(lines) == 5

        issue_and_list(sdk_client(exports), 1234567890123)
    finally:
        stopped = running.stop(signal.SIGINT)
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.rest == ''
    assert stopped.stderr == ''


def test_try_takes_credentials_sites_and_port_from_the_config_in_force(tmp_path):
    secret = "it's a $ecret `x` \\ \"y\""
    config = tmp_path / 'config.json'
    config.write_text(json.dumps({
        'credentials': [
            {'access_key_id': 'STS.first', 'access_key_secret': 'sts-secret', 'security_token': 'sts-token'},
            {'access_key_id': 'LTAItryKey', 'access_key_secret': secret},
        ],
        'sites': [
            {'site_id': 7, 'site_name': 'basic.example', 'client_certificates': False},
            {'site_id': 42, 'site_name': 'try.example', 'hostnames': ['try.example', 'mtls.try.example']},
        ],
    }), encoding='utf-8')
    port = _free_port()
    command, env = _command('directory', tmp_path)
    running = Running([*command, '--try', '--config', str(config), '--port', str(port)], env, tmp_path)
    try:
        lines = running.block()
        exports, comments = parse_block(lines)
        # the first permanent key (an STS key is skipped), the first site whose plan has client certificates
        assert exports == {'ALIBABA_CLOUD_ESA_ENDPOINT': f'http://127.0.0.1:{port}', 'ALIBABA_CLOUD_ACCESS_KEY_ID': 'LTAItryKey',
                           'ALIBABA_CLOUD_ACCESS_KEY_SECRET': secret}
        assert comments[1] == '# site_id: 42 (hostnames try.example, mtls.try.example)'

        # a POSIX shell reads back exactly these values from the pasted lines
        shown = subprocess.run(['sh', '-c', '\n'.join(lines) + '\nprintf "%s\\n" "$ALIBABA_CLOUD_ACCESS_KEY_ID" "$ALIBABA_CLOUD_ACCESS_KEY_SECRET"'],
                               capture_output=True, text=True, check=True, timeout=10, env=_environment())
        assert shown.stdout == f'LTAItryKey\n{secret}\n'

        issue_and_list(sdk_client(exports), 42)
    finally:
        stopped = running.stop(signal.SIGTERM)
    assert stopped.returncode == 0, stopped.stderr


def test_try_exports_the_token_when_the_config_has_only_sts_keys(tmp_path):
    config = tmp_path / 'config.json'
    config.write_text(json.dumps({'credentials': [{'access_key_id': 'STS.only', 'access_key_secret': 'sts-secret', 'security_token': 'sts-token'}]}),
                      encoding='utf-8')
    command, env = _command('module', tmp_path)
    running = Running([*command, '--try', '--config', str(config)], env, tmp_path)
    try:
        exports = parse_block(running.block())[0]
        assert list(exports) == [*VARIABLES, 'ALIBABA_CLOUD_SECURITY_TOKEN']
        assert exports['ALIBABA_CLOUD_SECURITY_TOKEN'] == 'sts-token'
        issue_and_list(sdk_client(exports), 1234567890123)
    finally:
        stopped = running.stop()
    assert stopped.returncode == 0, stopped.stderr


def test_try_block_names_a_site_without_the_feature_or_none():
    without = esa_emulator.EmulatorServer(config={'sites': [{'site_id': 9, 'site_name': 'basic.example', 'client_certificates': False}]})
    try:
        assert try_block(without).splitlines()[-1] == '# site_id: 9 (hostnames basic.example; its plan lacks client certificates)'
    finally:
        without.stop()
    empty = esa_emulator.EmulatorServer(config={'sites': []})
    try:
        assert try_block(empty).splitlines()[-1] == '# no site in the config'
    finally:
        empty.stop()


def test_try_refuses_a_value_that_spans_lines():
    server = esa_emulator.EmulatorServer(config={'credentials': [{'access_key_id': 'LTAIkey', 'access_key_secret': 'two\nlines'}]})
    try:
        with pytest.raises(ValueError, match='ALIBABA_CLOUD_ACCESS_KEY_SECRET'):
            try_block(server)
    finally:
        server.stop()


def test_try_block_quotes_an_ipv6_endpoint():
    try:
        server = esa_emulator.EmulatorServer(host='::1')
    except OSError as error:
        pytest.skip(f'no IPv6 loopback here: {error}')
    try:
        # quoted: brackets are shell glob characters
        assert try_block(server).splitlines()[1] == f"export ALIBABA_CLOUD_ESA_ENDPOINT='http://[::1]:{server.port}'"
    finally:
        server.stop()


def test_try_refuses_a_state_file(tmp_path):
    command, env = _command('directory', tmp_path)
    result = subprocess.run([*command, '--try', '--state-file', str(tmp_path / 'state.json')], env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert 'in memory' in result.stderr
    assert result.stdout == ''
    assert not (tmp_path / 'state.json').exists()


def test_help_by_path_names_the_command_and_says_the_demo_key_is_no_secret(tmp_path):
    command, env = _command('directory', tmp_path)
    result = subprocess.run([*command, '--help'], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f'usage: {os.path.basename(sys.executable)} {command[1]}')
    assert 'not a secret' in ' '.join(result.stdout.split())
