"""HTTP(S) transport (ThreadingHTTPServer) and EmulatorServer, the in-process handle tests use."""

from __future__ import annotations

import http.server
import ipaddress
import datetime
import logging
import os
import select
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
import typing as t
import urllib.parse

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .config import Credential
from .control import PREFIX, handle_control, set_faults
from .seeding import SeedRequest, seed_certificates
from .service import EsaService, Reply

MAX_BODY = 1 << 20  # CSRs are a few KiB; anything near this is a mistake, not a certificate request
SILENT_HOLD_SECONDS = 60  # a silent fault holds its connection at most this long, should the client never give up

logger = logging.getLogger('esa_emulator')


def is_loopback(host: str) -> bool:
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class EsaRequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'  # keep-alive, as the SDK's pooled requests session expects
    server_version = 'ESA-Emulator'
    sys_version = ''
    timeout = 30  # idle keep-alive connections do not pin a thread forever
    server: EmulatorHTTPServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without NODELAY, Nagle holds the body for the client's delayed ACK (~40 ms).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _read_body(self) -> bytes | None:
        if self.headers.get('Transfer-Encoding'):
            return None
        try:
            length = int(self.headers.get('Content-Length') or 0)
        except ValueError:
            return None
        if not 0 <= length <= MAX_BODY:
            return None
        return self.rfile.read(length) if length else b''

    def _dispatch(self) -> None:
        body = self._read_body()
        if body is None:
            # The body cannot be framed, so the connection cannot be reused either.
            self.close_connection = True
            self._send(Reply.json(400, {'error': 'need a Content-Length body of at most 1 MiB'}))
            return
        split = urllib.parse.urlsplit(self.path)
        service = self.server.service
        if split.path.startswith(PREFIX):
            reply = handle_control(service, self.command, split.path, body)
        else:
            headers: dict[str, list[str]] = {}
            for name, value in self.headers.items():
                headers.setdefault(name.lower(), []).append(value)
            query = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
            reply = service.handle_api(self.command, split.path, query, headers, body)
        if reply.reset:
            self._reset_connection()
        elif reply.silent:
            self._hold_silently()
        else:
            self._send(reply)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header('Content-Type', reply.content_type)
        self.send_header('Content-Length', str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header('Connection', 'close')
        self.end_headers()
        self.wfile.write(reply.body)

    def _reset_connection(self) -> None:
        """Close with an RST (SO_LINGER 0), as a crashed or cut-off peer would: the client reads no answer."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        self.connection.close()
        self.rfile.close()  # drops the last reference to the socket, which closes it for real

    def _hold_silently(self) -> None:
        """Answer nothing until the client closes the connection (its read timed out) or the emulator stops."""
        self.close_connection = True
        deadline = time.monotonic() + SILENT_HOLD_SECONDS
        while not self.server.stopping.is_set() and time.monotonic() < deadline:
            readable, _writable, _failed = select.select([self.connection], [], [], 0.05)
            if readable and not self.connection.recv(65536):
                return

    def log_message(self, format: str, *args: t.Any) -> None:  # pylint: disable=redefined-builtin
        logger.debug('%s %s', self.address_string(), format % args)


class EmulatorHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # room for ~50 clients connecting at once without SYN retries

    def __init__(self, address: tuple[str, int], service: EsaService, tls_context: ssl.SSLContext | None = None) -> None:
        self.address_family = socket.AF_INET6 if ':' in address[0] else socket.AF_INET
        self.service = service
        self.tls_context = tls_context
        self.stopping = threading.Event()
        self.accepted = 0  # TCP connections accepted, TLS handshake or not: what a test counts to prove a retry or its absence
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, EsaRequestHandler)

    def get_request(self) -> tuple[socket.socket, t.Any]:
        connection, address = super().get_request()
        with self._connections_lock:
            self._connections.add(connection)
            self.accepted += 1
        return connection, address

    def finish_request(self, request: t.Any, client_address: t.Any) -> None:
        # The TLS handshake runs here, in the connection's own thread, so a slow or failing client never blocks accept().
        if self.tls_context is not None:
            try:
                request = self.tls_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as failed:
                logger.debug('TLS handshake with %s failed: %s', client_address, failed)
                return
        super().finish_request(request, client_address)

    def shutdown_request(self, request: t.Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: t.Any, client_address: t.Any) -> None:
        # A client that gave up (timeout, reset) is routine under fault injection: no traceback on stderr.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            logger.debug('connection from %s dropped', client_address)
            return
        logger.exception('unexpected failure serving %s', client_address)

    def close_connections(self) -> None:
        """Cut idle keep-alive connections, so no handler thread answers after the server stopped."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class EmulatorServer:
    """A running emulator on a free loopback port, serving from a daemon thread.

    `with EmulatorServer() as emu:` or `emu = EmulatorServer(); ...; emu.stop()`.
    """

    def __init__(self, state_file: str | os.PathLike[str] | None = None, config: t.Any = None, seed: int | None = None,
                 host: str = '127.0.0.1', port: int = 0, settings: t.Mapping[str, t.Any] | None = None, tls: bool = False) -> None:
        """`tls=True` serves HTTPS with a certificate from the emulator's own CA, which no client trusts unless given `ca_pem`."""
        if not is_loopback(host):
            raise ValueError(f'the emulator binds loopback addresses only, not {host!r}')
        self.service = EsaService(config=config, state_file=state_file, seed=seed, settings=settings)
        self._tls_files = tempfile.TemporaryDirectory() if tls else None  # pylint: disable=consider-using-with
        tls_context = self._server_tls_context(host, self._tls_files.name) if self._tls_files else None
        self._httpd = EmulatorHTTPServer((host, port), self.service, tls_context)
        self.host = host
        self.port: int = self._httpd.server_address[1]
        bracketed = f'[{host}]' if ':' in host else host
        self.endpoint = f'{bracketed}:{self.port}'
        self.url = f'{"https" if tls else "http"}://{self.endpoint}'
        # A short poll interval makes stop() quick; serving itself does not poll.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name=f'esa-emulator-{self.port}', daemon=True)
        self._thread.start()

    def _server_tls_context(self, host: str, directory: str) -> ssl.SSLContext:
        """The TLS side of `tls=True`; ssl loads a certificate chain from files only, hence the private temporary directory."""
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = self.service.ca.issue_server(key.public_key(), 'localhost' if host == 'localhost' else host,
                                                   datetime.datetime.now(datetime.timezone.utc))
        chain_path = os.path.join(directory, 'server.pem')
        with open(chain_path, 'wb') as handle:
            handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
            handle.write(certificate.public_bytes(serialization.Encoding.PEM))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain_path)
        return context

    def __enter__(self) -> EmulatorServer:
        return self

    def __exit__(self, *exc_info: t.Any) -> None:
        self.stop()

    def stop(self) -> None:
        self._httpd.stopping.set()
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()
        self._httpd.close_connections()
        if self._tls_files is not None:
            self._tls_files.cleanup()

    @property
    def ca_pem(self) -> str:
        return self.service.ca.certificate_pem

    @staticmethod
    def _as_dict(credential: Credential) -> dict[str, str]:
        fields = {'access_key_id': credential.access_key_id, 'access_key_secret': credential.access_key_secret}
        if credential.security_token:
            fields['security_token'] = credential.security_token
        return fields

    @property
    def credentials(self) -> dict[str, str]:
        """The first permanent key pair, ready for Config(**emu.credentials)."""
        return self._as_dict(next(c for c in self.service.config.credentials if c.security_token is None))

    @property
    def sts_credentials(self) -> dict[str, str]:
        """The first STS triple (access_key_id, access_key_secret, security_token)."""
        return self._as_dict(next(c for c in self.service.config.credentials if c.security_token is not None))

    def set_faults(self, rules: list[dict[str, t.Any]], qps_limit: int | None = None, qps_throttle: dict[str, t.Any] | None = None) -> None:
        set_faults(self.service, {'rules': rules, 'qps_limit': qps_limit, 'qps_throttle': qps_throttle})

    def clear_faults(self) -> None:
        self.service.faults.clear()

    def settings(self) -> dict[str, t.Any]:
        """The behaviour switches in force, as GET /_emulator/settings answers them."""
        return self.service.settings.current.to_json()

    def update_settings(self, **changes: t.Any) -> dict[str, t.Any]:
        """Change the switches named, as POST /_emulator/settings does: update_settings(derived_fields={'client_certificates': 'empty'})."""
        return self.service.settings.update(changes).to_json()

    def reset_settings(self) -> dict[str, t.Any]:
        """Back to the start settings (config and `settings=`), as DELETE /_emulator/settings."""
        return self.service.settings.restore().to_json()

    def set_clock_offset(self, seconds: float) -> None:
        self.service.clock.set_offset(seconds)

    def stats(self) -> dict[str, t.Any]:
        return self.service.stats.to_json()

    @property
    def connections(self) -> int:
        """TCP connections accepted since the start or the last reset (a refused TLS handshake counts too)."""
        return self._httpd.accepted

    def request_ids(self) -> list[str]:
        """The RequestId given to every ESA call since the last reset, in arrival order."""
        return self.service.stats.request_ids()

    def seed_certificates(self, site_id: int, count: int, **options: t.Any) -> int:
        """Add `count` certificates created in the past to the site, as POST /_emulator/seed does; the site's total after."""
        request = SeedRequest.from_json({'site_id': site_id, 'count': count, **options}, self.service.config)
        return seed_certificates(self.service.store, self.service.ca, request, self.service.clock.now_utc())

    def reset(self) -> None:
        self.service.reset()
        self._httpd.accepted = 0

    def state(self) -> list[dict[str, t.Any]]:
        return self.service.state()

    def client_cas(self) -> list[dict[str, t.Any]]:
        return self.service.client_ca_state()

    def hostname_bindings(self) -> list[dict[str, t.Any]]:
        """[{"site_id", "ca_id" (None for the ESA-managed CA), "hostnames"}], non-empty bindings only."""
        return self.service.store.bindings()
