#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A TLS client that loads a PKCS#12 bundle completes a handshake with a loopback mTLS server trusting the CA.

Python's ssl module cannot load PKCS#12, so the bundle is opened with cryptography and its key and certificate are
written to a private (0700) temporary directory, removed before this exits. The server requires a client certificate,
checks it against the CA file, and reports the SHA-256 of the certificate the client presented.
The passphrase is read from standard input, never from the command line. Prints JSON, with no secret in it:
{"certificate_sha256", "ca_certificates", "handshake", "presented_sha256"}.

  esa_pkcs12_handshake.py BUNDLE CA_FILE < passphrase
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import socket
import ssl
import sys
import tempfile
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def _write_private(path: str, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def _server_pair(directory: str) -> tuple[str, str]:
    """A throwaway self-signed server certificate for localhost (the client trusts exactly it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = os.path.join(directory, "server.crt"), os.path.join(directory, "server.key")
    _write_private(certificate_path, certificate.public_bytes(serialization.Encoding.PEM))
    _write_private(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return certificate_path, key_path


def main() -> int:
    bundle_path, ca_file = sys.argv[1], sys.argv[2]
    passphrase = sys.stdin.readline().rstrip("\n").encode("utf-8")
    with open(bundle_path, "rb") as handle:
        key, certificate, cas = pkcs12.load_key_and_certificates(handle.read(), passphrase)
    directory = tempfile.mkdtemp(prefix="esa-p12-")  # 0700
    try:
        client_certificate, client_key = os.path.join(directory, "client.crt"), os.path.join(directory, "client.key")
        _write_private(client_certificate, certificate.public_bytes(serialization.Encoding.PEM))
        _write_private(client_key, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        server_certificate, server_key = _server_pair(directory)

        server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_context.load_cert_chain(server_certificate, server_key)
        server_context.verify_mode = ssl.CERT_REQUIRED
        server_context.load_verify_locations(ca_file)
        client_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        client_context.load_verify_locations(server_certificate)
        client_context.load_cert_chain(client_certificate, client_key)

        listener = socket.create_server(("127.0.0.1", 0))
        presented: dict[str, str] = {}

        def serve() -> None:
            connection, _address = listener.accept()
            try:
                with server_context.wrap_socket(connection, server_side=True) as tls:
                    presented["sha256"] = hashlib.sha256(tls.getpeercert(binary_form=True)).hexdigest()
                    tls.sendall(b"ok")
            except (ssl.SSLError, OSError) as exc:
                presented["error"] = type(exc).__name__

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        answer = b""
        try:
            with socket.create_connection(listener.getsockname(), timeout=10) as raw:
                with client_context.wrap_socket(raw, server_hostname="localhost") as tls:
                    answer = tls.recv(2)  # TLS 1.3: the server's verdict on the client certificate arrives after the handshake
        except (ssl.SSLError, OSError) as exc:
            presented.setdefault("client_error", type(exc).__name__)
        thread.join(10)
        listener.close()
    finally:
        shutil.rmtree(directory)
    print(json.dumps({
        "certificate_sha256": hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest(),
        "ca_certificates": len(cas or []),
        "handshake": answer == b"ok",
        "presented_sha256": presented.get("sha256"),
        "errors": [presented[name] for name in ("error", "client_error") if name in presented],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
