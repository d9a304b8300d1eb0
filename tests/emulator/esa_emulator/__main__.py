"""CLI: python -m esa_emulator --port 0 --ready-file ready.json [--state-file F] [--config C] [--settings S] [--seed N] [--try].

Also runs by path, as the collection's README shows it: `python3 <collection>/tests/emulator/esa_emulator --try`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import shlex
import signal
import sys
import tempfile
import threading
import typing as t

if not __package__:
    # Run by path (`python3 .../esa_emulator` or `python3 .../esa_emulator/__main__.py`): Python runs this file as a plain
    # script with this directory itself first on sys.path, where relative imports fail and the package's modules would
    # import as top-level ones (`config`, `state`). Put the parent directory there instead and run this file again as the
    # package's module (as `python -m esa_emulator` does), its usage line naming the command as typed.
    _PACKAGE_DIR = os.path.dirname(os.path.realpath(__file__))
    sys.path[:] = [entry for entry in sys.path if os.path.realpath(entry or os.curdir) != _PACKAGE_DIR]
    sys.path.insert(0, os.path.dirname(_PACKAGE_DIR))
    try:
        _cli = importlib.import_module('esa_emulator.__main__')
    except ModuleNotFoundError as _missing:
        if (_missing.name or '').partition('.')[0] != 'cryptography':
            raise
        print(f'esa_emulator: this Python ({sys.executable}) lacks the package cryptography; run the emulator with the Python '
              'that runs Ansible (`ansible --version` names it), which has it from the collection\'s requirements.txt',
              file=sys.stderr)
        sys.exit(2)
    sys.exit(_cli.main(prog=f'{os.path.basename(sys.executable) or "python3"} {sys.argv[0]}'))

# after the bootstrap above, which only a run by path takes
from .control import set_faults
from .server import EmulatorServer, is_loopback

# The variables the collection reads (plugins/doc_fragments/esa_connection.py).
ENDPOINT_VARIABLE = 'ALIBABA_CLOUD_ESA_ENDPOINT'
KEY_ID_VARIABLE = 'ALIBABA_CLOUD_ACCESS_KEY_ID'
SECRET_VARIABLE = 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'
TOKEN_VARIABLE = 'ALIBABA_CLOUD_SECURITY_TOKEN'

TRY_HELP = ('for trying the collection without an Alibaba Cloud account: bind 127.0.0.1 (or --host; a free port unless --port '
            'is given), keep everything in memory, and print the shell lines to export in another shell (endpoint, AccessKey '
            'of the config, a site id) until Ctrl-C. The built-in AccessKey is a demo value that works only against this '
            'emulator, not a secret, so printing it is harmless')


def _parser(prog: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog or 'python -m esa_emulator', description='Local emulator of the ESA client-certificate API.')
    parser.add_argument('--try', dest='try_it', action='store_true', help=TRY_HELP)
    parser.add_argument('--host', default='127.0.0.1', help='loopback address to bind (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=0, help='port to bind; 0 picks a free one (default)')
    parser.add_argument('--state-file', help='JSON file that keeps certificates across restarts; the CA goes to <state-file>.ca.pem')
    parser.add_argument('--config', help='JSON file with sites and credentials (default: the built-in config)')
    parser.add_argument('--seed', type=int, help='seed for probabilistic faults')
    parser.add_argument('--faults', help='JSON file with initial faults, as POST /_emulator/faults takes them')
    parser.add_argument('--settings', help='JSON file with start settings, as POST /_emulator/settings takes them (over the config\'s)')
    parser.add_argument('--ready-file', help='write {"host","port","endpoint","url","pid"} here once listening')
    parser.add_argument('--log-level', default='WARNING', choices=['DEBUG', 'INFO', 'WARNING', 'ERROR'],
                        help='INFO logs why each refused call was refused')
    return parser


def _read_json(path: str) -> t.Any:
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)


def _write_ready_file(path: str, document: dict[str, t.Any]) -> None:
    """Write then rename, so a watcher never reads half a file."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix='.esa-ready-', dir=directory)
    with os.fdopen(fd, 'w', encoding='utf-8') as handle:
        json.dump(document, handle)
    os.replace(temp, path)


def try_block(server: EmulatorServer) -> str:
    """What --try prints: a comment, `export NAME=value` lines (values shell-quoted when needed), a comment naming a site.

    All from the config in force: its first permanent AccessKey (else its first STS one, with the token), and its first
    site whose plan has client certificates (else its first site).
    """
    config = server.service.config
    credential = next((c for c in config.credentials if c.security_token is None), config.credentials[0])
    exports = [(ENDPOINT_VARIABLE, server.url), (KEY_ID_VARIABLE, credential.access_key_id), (SECRET_VARIABLE, credential.access_key_secret)]
    if credential.security_token:
        exports.append((TOKEN_VARIABLE, credential.security_token))
    for name, value in exports:
        if any(char in value for char in '\r\n'):
            raise ValueError(f'--try: the value of {name} in the config spans lines, which an `export` line cannot show')
    lines = [f'# ESA emulator for trying alibabacloud.esa: {server.url} (in memory; Ctrl-C stops it)']
    lines += [f'export {name}={shlex.quote(value)}' for name, value in exports]
    site = next((s for s in config.sites if s.client_certificates), config.sites[0] if config.sites else None)
    if site is None:
        lines.append('# no site in the config')
    else:
        hostnames = f'hostnames {", ".join(site.hostnames)}' if site.hostnames else 'no hostnames'
        plan = '' if site.client_certificates else '; its plan lacks client certificates'
        lines.append(f'# site_id: {site.site_id} ({hostnames}{plan})')
    return '\n'.join(lines) + '\n'


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = _parser(prog)
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        parser.error(f'--host must be a loopback address, not {args.host!r}')
    if args.try_it and args.state_file:
        parser.error('--try keeps everything in memory: leave out --state-file')
    logging.basicConfig(level=args.log_level, format='%(asctime)s esa_emulator %(levelname)s %(message)s')

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    try:
        settings = _read_json(args.settings) if args.settings else None
        server = EmulatorServer(state_file=args.state_file, config=args.config, seed=args.seed, host=args.host, port=args.port,
                                settings=settings)
    except (OSError, ValueError) as error:
        print(f'esa_emulator: {error}', file=sys.stderr)
        return 2
    try:
        if args.faults:
            set_faults(server.service, _read_json(args.faults))
        if args.ready_file:
            _write_ready_file(args.ready_file, {'host': server.host, 'port': server.port, 'endpoint': server.endpoint,
                                                'url': server.url, 'pid': os.getpid()})
        if args.try_it:
            # flushed at once: whoever reads a pipe sees the whole block while the emulator runs
            print(try_block(server), end='', flush=True)
        else:
            print(f'ESA emulator listening on {server.url}', flush=True)
        # wait() with a timeout keeps the main thread responsive to signals on every platform.
        while not stop.wait(0.5):
            pass
    except (OSError, ValueError) as error:
        print(f'esa_emulator: {error}', file=sys.stderr)
        return 2
    finally:
        server.stop()
        if args.ready_file and os.path.exists(args.ready_file):
            os.unlink(args.ready_file)
    return 0


if __name__ == '__main__':
    sys.exit(main())
