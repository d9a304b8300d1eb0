#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A loopback HTTPS server with mTLS that stands in for a hostname ESA protects (the role's edge check).

    python edge_server.py --ca ESA_CLIENT_CA_PEM --work DIR [--lifetime SECONDS]

Adapted from scripts/demo_mtls.py (a target cannot import scripts/). TLS 1.2+, CERT_REQUIRED, trusting only the ESA
client CA given with --ca (the emulator's, from /_emulator/ca.pem); its own server certificate, for 127.0.0.1, comes
from a throwaway CA made here and written to DIR/server-ca.pem (what the host verifies the server with).

Read again for every connection, so a playbook can change them between requests:
- DIR/revoked.json: a list of certificates ESA lists as revoked (esa_client_certificate_info status=revoked, each with
  fingerprint_sha256 and serial_number). A client certificate listed there is refused right after the handshake, before
  a byte is read: the connection closes unanswered, as ESA's edge refuses a revoked certificate.
- DIR/refuse.json: a list of {"common_name": CN, "allow_fingerprints": [...]}: a certificate with that CN is answered
  HTTP 403 unless its SHA-256 fingerprint is allowed. This refuses a host's new pair and accepts its previous one.

Any other certificate from the ESA CA gets HTTP 200 and a JSON body naming the certificate the server saw. Each
connection is one line of DIR/requests.jsonl. Writes DIR/ready.json ({"port", "pid"}) once it listens on 127.0.0.1;
stops by itself after --lifetime seconds, or on SIGTERM.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import ipaddress
import json
import os
import socket
import ssl
import sys
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

IO_TIMEOUT = 10.0


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject: x509.Name, issuer: x509.Name, public_key) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))


def make_server_identity(work: str) -> tuple[str, str]:
    """A throwaway CA (written to work/server-ca.pem) and a server certificate for 127.0.0.1 signed by it."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("edge check test server CA (not ESA)")
    key_usage = x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
                              key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False)
    ca_cert = (_builder(ca_name, ca_name, ca_key.public_key())
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(key_usage, critical=True)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (_builder(_name("127.0.0.1"), ca_name, key.public_key())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    with open(os.path.join(work, "server-ca.pem"), "wb") as handle:
        handle.write(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_path, key_path = os.path.join(work, "server.crt"), os.path.join(work, "server.key")
    with open(cert_path, "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def _read_list(path: str) -> list:
    try:
        with open(path, encoding="utf-8") as handle:
            listed = json.load(handle)
    except FileNotFoundError:
        return []
    if isinstance(listed, dict):
        listed = listed.get("certificates", [])
    return listed if isinstance(listed, list) else []


def _plain(value: object) -> str:
    return str(value or "").lower().replace(":", "")


def revoked_reason(work: str, fingerprint: str, serial: str) -> str:
    for item in _read_list(os.path.join(work, "revoked.json")):
        if _plain(item.get("fingerprint_sha256")) == fingerprint or _plain(item.get("serial_number")).lstrip("0") == serial:
            return "revoked on ESA (listed by esa_client_certificate_info status=revoked)"
    return ""


def refused_reason(work: str, common_name: str, fingerprint: str) -> str:
    for rule in _read_list(os.path.join(work, "refuse.json")):
        allowed = {_plain(value) for value in rule.get("allow_fingerprints", [])}
        if rule.get("common_name") == common_name and fingerprint not in allowed:
            return f"refused by refuse.json: {common_name} with a fingerprint it does not allow"
    return ""


def _log(work: str, **event) -> None:
    with open(os.path.join(work, "requests.jsonl"), "a", encoding="utf-8") as handle:
        handle.write(json.dumps(event, sort_keys=True) + "\n")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return f"{exc.library or 'SSL'}: {exc.reason}"
    return str(exc) or type(exc).__name__


def _read_request(tls: ssl.SSLSocket) -> str:
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = tls.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0].decode("ascii", "replace")


def _answer(tls: ssl.SSLSocket, status: int, body: dict) -> None:
    payload = json.dumps(body, sort_keys=True).encode("utf-8")
    phrase = {200: "OK", 403: "Forbidden"}[status]
    head = f"HTTP/1.1 {status} {phrase}\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    tls.sendall(head.encode("ascii") + payload)


def serve_connection(conn: socket.socket, address: tuple, context: ssl.SSLContext, work: str) -> None:
    conn.settimeout(IO_TIMEOUT)
    try:
        tls = context.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError) as exc:
        _log(work, outcome="refused", stage="handshake", reason=_reason(exc), peer=address[1])
        conn.close()
        return
    with tls:
        der = tls.getpeercert(binary_form=True)
        cert = x509.load_der_x509_certificate(der)
        facts = {"peer": address[1], "fingerprint_sha256": hashlib.sha256(der).hexdigest(), "serial_number": format(cert.serial_number, "x"),
                 "common_name": cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value}
        revoked = revoked_reason(work, facts["fingerprint_sha256"], facts["serial_number"])
        if revoked:
            _log(work, outcome="refused", stage="after handshake", reason=revoked, **facts)
            return  # closed unanswered, before a byte is read
        try:
            request = _read_request(tls)
            refused = refused_reason(work, facts["common_name"], facts["fingerprint_sha256"])
            if refused:
                _answer(tls, 403, {"refused": refused, **facts})
                _log(work, outcome="forbidden", stage="request", reason=refused, request=request, **facts)
                return
            _answer(tls, 200, facts)
        except (ssl.SSLError, OSError) as exc:
            _log(work, outcome="error", stage="request", reason=_reason(exc), **facts)
            return
        _log(work, outcome="accepted", stage="request", reason="verified by the ESA CA, not revoked, not refused", request=request, **facts)


def serve(ca: str, work: str, lifetime: float) -> int:
    cert_path, key_path = make_server_identity(work)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cafile=ca)  # the ESA client CA, and nothing else
    context.load_cert_chain(cert_path, key_path)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(1.0)
    ready = os.path.join(work, "ready.json")
    with open(ready + ".tmp", "w", encoding="utf-8") as handle:
        json.dump({"port": listener.getsockname()[1], "pid": os.getpid()}, handle)
    os.replace(ready + ".tmp", ready)
    deadline = time.monotonic() + lifetime
    while time.monotonic() < deadline:  # bounded: it stops by itself even if nobody stops it
        try:
            conn, address = listener.accept()
        except socket.timeout:
            continue
        serve_connection(conn, address, context, work)
    listener.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--ca", required=True, help="the ESA client CA certificate (PEM)")
    parser.add_argument("--work", required=True, help="directory of the server's files, lists and log")
    parser.add_argument("--lifetime", type=float, default=1800.0, help="the server stops by itself after this many seconds")
    args = parser.parse_args(argv)
    os.makedirs(args.work, exist_ok=True)
    return serve(args.ca, args.work, args.lifetime)


if __name__ == "__main__":
    sys.exit(main())
