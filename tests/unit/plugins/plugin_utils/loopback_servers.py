# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tiny servers on 127.0.0.1 that fail in exactly one way, for driving the real SDK over real sockets."""

from __future__ import annotations

import datetime
import json
import socket
import ssl
import struct
import tempfile
import threading
import typing as t
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def read_http_request(connection: socket.socket) -> bytes:
    """Read one whole HTTP request (headers and Content-Length body), so a reset below surely comes after the send."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _sep, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _colon, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return data


class RefusingPort:
    """A port that is bound but not listening: every connect is refused, and no other test can take the port."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]

    def close(self) -> None:
        self._socket.close()


class _AcceptingServer:
    """Accepts connections on a thread and hands each to ``handle``; counts connections and whole requests."""

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self.connections = 0
        self.requests = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _address = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle_safely, args=(connection,), daemon=True).start()

    def _handle_safely(self, connection: socket.socket) -> None:
        try:
            self.handle(connection)
        except OSError:
            pass
        finally:
            connection.close()

    def handle(self, connection: socket.socket) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self._stop.set()
        self._listener.close()


class ResetAfterRequestServer(_AcceptingServer):
    """Reads the whole request, then resets the connection (RST) without answering: the request may have taken effect."""

    def handle(self, connection: socket.socket) -> None:
        if read_http_request(connection):
            self.requests += 1
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


class SilentServer(_AcceptingServer):
    """Reads the whole request and never answers, until closed: the client's read times out."""

    def handle(self, connection: socket.socket) -> None:
        if read_http_request(connection):
            self.requests += 1
        self._stop.wait(30)


class SelfSignedTlsServer(_AcceptingServer):
    """Speaks TLS with a self-signed certificate that the SDK's verification rejects."""

    def __init__(self) -> None:
        self._directory = tempfile.TemporaryDirectory()  # pylint: disable=consider-using-with
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        certificate, key = _self_signed_files(Path(self._directory.name))
        self._context.load_cert_chain(certificate, key)
        super().__init__()

    def handle(self, connection: socket.socket) -> None:
        try:
            with self._context.wrap_socket(connection, server_side=True) as tls:
                if read_http_request(tls):
                    self.requests += 1
        except ssl.SSLError:
            pass

    def close(self) -> None:
        super().close()
        self._directory.cleanup()


class PlainHttpServer(_AcceptingServer):
    """Speaks plain HTTP only, like the ESA emulator: a TLS ClientHello gets an HTTP 400 back, as http.server answers it."""

    def handle(self, connection: socket.socket) -> None:
        if connection.recv(65536):
            connection.sendall(b"HTTP/1.0 400 Bad request version\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<html>Bad request</html>")


class FullBacklogPort:
    """A listener that never accepts, with its backlog filled: further SYNs are dropped, so connecting times out (Linux)."""

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)
        self.port = self._listener.getsockname()[1]
        self._fillers = []
        for _index in range(4):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            try:
                filler.connect(("127.0.0.1", self.port))
            except BlockingIOError:
                pass
            self._fillers.append(filler)

    def close(self) -> None:
        for filler in self._fillers:
            filler.close()
        self._listener.close()


class ScriptedAnswer(t.NamedTuple):
    status: int
    body: bytes
    headers: dict[str, str]


def json_answer(status: int, body: dict[str, t.Any], **headers: str) -> ScriptedAnswer:
    return ScriptedAnswer(status, json.dumps(body).encode(), {"Content-Type": "application/json", **headers})


def error_answer(status: int, code: str, message: str = "details", **headers: str) -> ScriptedAnswer:
    return json_answer(status, {"RequestId": f"REQ-{code}", "Code": code, "Message": message}, **headers)


class ScriptedHttpServer:
    """Answers each request with the next scripted answer and records the action of every request it saw."""

    def __init__(self, *answers: ScriptedAnswer) -> None:
        self.answers = list(answers)
        self.actions: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.actions.append(self.headers.get("x-acs-action", ""))
                answer = server.answers.pop(0)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = _answer
            do_POST = _answer

            def log_message(self, format, *args):  # pylint: disable=redefined-builtin
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        # A short poll keeps shutdown() (which waits for one poll) from adding half a second to every test.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _self_signed_files(directory: Path) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    certificate_path = directory / "certificate.pem"
    key_path = directory / "key.pem"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return str(certificate_path), str(key_path)
