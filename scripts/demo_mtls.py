"""A real mTLS server on loopback, and clients that try the certificates the demo issued.

    python scripts/demo_mtls.py check --ca ESA_CA_PEM --revoked REVOKED_JSON --work DIR --out RESULT_JSON \
        --client NAME accept CERT KEY ... [--client NAME refuse CERT KEY ...] [--self-signed] [--no-certificate]

`check` starts `serve` in a separate process (Python `ssl`, TLS 1.2+, CERT_REQUIRED, trusting only the
ESA CA given with --ca), then connects once per case, sends one line and reads one line back, and writes
what both sides saw to RESULT_JSON. It exits 0 only when every case ended as expected.

Revocation: real ESA enforces it at its edge. This loopback server stands in for it: before serving it
loads the certificates that alibabacloud.esa.esa_client_certificate_info (status=revoked) listed, and right
after the handshake it closes, unanswered, any connection whose client certificate's SHA-256 fingerprint or
serial number is listed.

The server's own certificate comes from a throwaway local CA made here; only client certificates come from ESA.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import socket
import ssl
import subprocess
import sys
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

READY_TIMEOUT = 20.0
IO_TIMEOUT = 10.0


# --- certificates made locally (server side, and the self-signed client) ----------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(path: str, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def _write_cert(path: str, cert: x509.Certificate) -> None:
    with open(path, "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))


def _builder(subject: x509.Name, issuer: x509.Name, public_key, days: int = 2) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))


def make_server_identity(work: str) -> dict[str, str]:
    """A local CA and a server certificate for 127.0.0.1 / localhost signed by it."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("demo loopback server CA (not ESA)")
    ca_cert = (_builder(ca_name, ca_name, ca_key.public_key())
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                            encipher_only=False, decipher_only=False), critical=True)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    import ipaddress  # pylint: disable=import-outside-toplevel

    cert = (_builder(_name("127.0.0.1"), ca_name, key.public_key())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = {"server_ca": os.path.join(work, "server-ca.pem"), "server_cert": os.path.join(work, "server.crt"),
             "server_key": os.path.join(work, "server.key")}
    _write_cert(paths["server_ca"], ca_cert)
    _write_cert(paths["server_cert"], cert)
    _write_key(paths["server_key"], key)
    return paths


def make_self_signed_client(work: str) -> tuple[str, str]:
    """A client certificate that looks right (clientAuth, a fleet-like name) but that no trusted CA signed."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("impostor.example.com")
    cert = (_builder(name, name, key.public_key(), days=30)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(work, "self-signed.crt"), os.path.join(work, "self-signed.key")
    _write_cert(cert_path, cert)
    _write_key(key_path, key)
    return cert_path, key_path


# --- the server -------------------------------------------------------------------------------------


def _load_revoked(path: str) -> tuple[set[str], set[str]]:
    with open(path, encoding="utf-8") as handle:
        listed = json.load(handle)
    if isinstance(listed, dict):
        listed = listed.get("certificates", [])
    fingerprints = {str(item.get("fingerprint_sha256") or "").lower().replace(":", "") for item in listed} - {""}
    serials = {str(item.get("serial_number") or "").lower().lstrip("0") for item in listed} - {""}
    return fingerprints, serials


def _server_context(args: argparse.Namespace) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    context.load_verify_locations(cafile=args.ca)  # the ESA client CA, and nothing else
    context.load_cert_chain(args.cert, args.key)
    return context


def _log(handle, **event) -> None:
    handle.write(json.dumps(event, sort_keys=True) + "\n")
    handle.flush()


def _handle(conn: socket.socket, address, context: ssl.SSLContext, revoked: tuple[set[str], set[str]], log) -> None:
    conn.settimeout(IO_TIMEOUT)
    try:
        tls = context.wrap_socket(conn, server_side=True)
    except ssl.SSLCertVerificationError as exc:
        _log(log, outcome="refused", stage="handshake", reason=f"certificate verify failed: {exc.verify_message}", peer=address[1])
        conn.close()
        return
    except (ssl.SSLError, OSError) as exc:
        _log(log, outcome="refused", stage="handshake", reason=_ssl_reason(exc), peer=address[1])
        conn.close()
        return
    with tls:
        der = tls.getpeercert(binary_form=True)
        cert = x509.load_der_x509_certificate(der)
        fingerprint = hashlib.sha256(der).hexdigest()
        serial = format(cert.serial_number, "x")
        common_name = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        facts = {"peer": address[1], "common_name": common_name, "serial_number": serial, "fingerprint_sha256": fingerprint,
                 "tls_version": tls.version()}
        if fingerprint in revoked[0] or serial in revoked[1]:
            # Right after the handshake, before reading a byte: the certificate is listed as revoked on ESA.
            _log(log, outcome="refused", stage="after handshake",
                 reason="revoked on ESA (listed by esa_client_certificate_info status=revoked)", **facts)
            return
        try:
            request = tls.recv(1024).decode("utf-8", "replace").strip()
            tls.sendall(f"hello {common_name}, ESA serial {serial}: mTLS ok\n".encode("utf-8"))
        except (ssl.SSLError, OSError) as exc:
            _log(log, outcome="error", stage="request", reason=_ssl_reason(exc), **facts)
            return
        _log(log, outcome="accepted", stage="request", reason="verified by the ESA CA, not listed as revoked", request=request, **facts)


def serve(args: argparse.Namespace) -> int:
    context = _server_context(args)
    revoked = _load_revoked(args.revoked)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    deadline = time.monotonic() + args.lifetime
    with open(args.log, "a", encoding="utf-8") as log:
        _log(log, outcome="listening", port=port, revoked_fingerprints=len(revoked[0]))
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump({"port": port, "pid": os.getpid(), "revoked": len(revoked[0])}, handle)
        os.replace(tmp, args.ready_file)
        while time.monotonic() < deadline:  # bounded: it stops by itself even if nobody stops it
            try:
                conn, address = listener.accept()
            except socket.timeout:
                continue
            _handle(conn, address, context, revoked, log)
    listener.close()
    return 0


def _ssl_reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return f"{exc.library or 'SSL'}: {exc.reason}"
    if isinstance(exc, ssl.SSLEOFError):
        return "connection closed"
    return str(exc) or type(exc).__name__


# --- the clients ------------------------------------------------------------------------------------


def _client_attempt(port: int, server_ca: str, name: str, cert: str | None, key: str | None) -> dict:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_verify_locations(cafile=server_ca)
    if cert:
        context.load_cert_chain(cert, key)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                tls.sendall(f"GET /hello from {name}\n".encode("utf-8"))
                answer = tls.recv(1024).decode("utf-8", "replace").strip()
    except (ssl.SSLError, OSError) as exc:
        return {"client_outcome": "refused", "client_saw": _ssl_reason(exc)}
    if not answer:
        return {"client_outcome": "refused", "client_saw": "connection closed without an answer"}
    return {"client_outcome": "accepted", "client_saw": answer}


def _wait_for_file(path: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if proc.poll() is not None:
            raise SystemExit(f"the TLS server exited early with status {proc.returncode}")
        if time.monotonic() > deadline:
            raise SystemExit("the TLS server did not start in time")
        time.sleep(0.05)


def _next_event(log_path: str, seen: int, timeout: float = IO_TIMEOUT) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(log_path, encoding="utf-8") as handle:
            events = [json.loads(line) for line in handle if line.strip()]
        events = [event for event in events if event.get("outcome") != "listening"]
        if len(events) > seen:
            return events[seen]
        time.sleep(0.02)
    return {"outcome": "unknown", "reason": "the server logged nothing for this connection"}


def _parse_client(spec: list[str]) -> dict:
    name, expect, cert, key = spec
    if expect not in ("accept", "refuse"):
        raise SystemExit(f"--client wants NAME accept|refuse CERT KEY, got {' '.join(spec)!r}")
    return {"name": name, "cert": cert, "key": key, "expected": "accepted" if expect == "accept" else "refused",
            "kind": "ESA certificate" if expect == "accept" else "ESA certificate, revoked on ESA"}


def check(args: argparse.Namespace) -> int:
    os.makedirs(args.work, exist_ok=True)
    identity = make_server_identity(args.work)
    cases = [_parse_client(spec) for spec in args.client]
    if args.self_signed:
        cert, key = make_self_signed_client(args.work)
        cases.append({"name": "self-signed", "cert": cert, "key": key, "expected": "refused", "kind": "self-signed, not from the ESA CA"})
    if args.no_certificate:
        cases.append({"name": "no-certificate", "cert": None, "key": None, "expected": "refused", "kind": "no client certificate"})

    log_path = os.path.join(args.work, "server-log.jsonl")
    ready = os.path.join(args.work, "server-ready.json")
    for stale in (log_path, ready):
        if os.path.exists(stale):
            os.remove(stale)
    command = [sys.executable, os.path.abspath(__file__), "serve", "--ca", args.ca, "--revoked", args.revoked, "--cert",
               identity["server_cert"], "--key", identity["server_key"], "--log", log_path, "--ready-file", ready,
               "--lifetime", str(args.lifetime)]
    server = subprocess.Popen(command)  # pylint: disable=consider-using-with
    try:
        _wait_for_file(ready, server, READY_TIMEOUT)
        with open(ready, encoding="utf-8") as handle:
            info = json.load(handle)
        print(f"mTLS server on 127.0.0.1:{info['port']} (pid {info['pid']}): TLS 1.2+, client certificate required, "
              f"trusts only the ESA CA from /_emulator/ca.pem")
        print(f"Revocation: real ESA enforces it at its edge; this loopback server stands in for it. Before serving it loaded "
              f"{info['revoked']} revoked certificate(s) that alibabacloud.esa.esa_client_certificate_info (status=revoked) "
              f"read from ESA, and it closes a connection whose client certificate is listed right after the handshake.")
        results = []
        for index, case in enumerate(cases):
            attempt = _client_attempt(info["port"], identity["server_ca"], case["name"], case["cert"], case["key"])
            event = _next_event(log_path, index)
            server_outcome = event.get("outcome")
            outcome = "accepted" if server_outcome == "accepted" and attempt["client_outcome"] == "accepted" else "refused"
            result = {"name": case["name"], "kind": case["kind"], "expected": case["expected"], "outcome": outcome,
                      "ok": outcome == case["expected"], "stage": event.get("stage"), "reason": event.get("reason"),
                      "client_saw": attempt["client_saw"], "common_name": event.get("common_name"),
                      "serial_number": event.get("serial_number"), "tls_version": event.get("tls_version")}
            results.append(result)
            mark = "ok " if result["ok"] else "BAD"
            detail = result["client_saw"] if outcome == "accepted" else f"{result['stage']}: {result['reason']}"
            print(f"  [{mark}] {case['name']:<16} {case['kind']:<34} {outcome:<8} {detail}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump({"server_port": info["port"], "revoked_listed": info["revoked"], "cases": results}, handle, indent=1)
    return 0 if all(result["ok"] for result in results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check_parser = commands.add_parser("check", help="start the server, try every case, stop the server")
    check_parser.add_argument("--ca", required=True, help="the ESA client CA certificate (PEM)")
    check_parser.add_argument("--revoked", required=True, help="JSON list of revoked certificates from esa_client_certificate_info")
    check_parser.add_argument("--work", required=True, help="directory for the server's certificate, key and log")
    check_parser.add_argument("--out", required=True, help="where to write the results (JSON)")
    check_parser.add_argument("--client", action="append", default=[], nargs=4, metavar=("NAME", "EXPECT", "CERT", "KEY"),
                              help="a client to try: its name, accept or refuse, its certificate and key files")
    check_parser.add_argument("--self-signed", action="store_true", help="also try a self-signed client certificate")
    check_parser.add_argument("--no-certificate", action="store_true", help="also try without a client certificate")
    check_parser.add_argument("--lifetime", type=float, default=300.0, help="the server stops by itself after this many seconds")
    serve_parser = commands.add_parser("serve", help="the server alone (check runs it)")
    for option in ("--ca", "--revoked", "--cert", "--key", "--log", "--ready-file"):
        serve_parser.add_argument(option, required=True)
    serve_parser.add_argument("--lifetime", type=float, default=300.0)
    args = parser.parse_args(argv)
    return check(args) if args.command == "check" else serve(args)


if __name__ == "__main__":
    sys.exit(main())
