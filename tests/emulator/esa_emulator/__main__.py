"""CLI: python -m esa_emulator --port 0 --ready-file ready.json [--state-file F] [--config C] [--settings S] [--seed N]."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import tempfile
import threading
import typing as t

from .control import set_faults
from .server import EmulatorServer, is_loopback


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog='python -m esa_emulator', description='Local emulator of the ESA client-certificate API.')
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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not is_loopback(args.host):
        _parser().error(f'--host must be a loopback address, not {args.host!r}')
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
