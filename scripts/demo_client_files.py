"""The files the role leaves for a host's clients and monitoring, checked for scripts/demo.sh (issue 25):

- each host's node_exporter textfile (<host>/textfile/esa-client-certificate-role.prom) parses with the Prometheus
  text-format parser of prometheus-client, and its values are those of the certificate on disk (not-after time, serial
  number, path, common name, status active, days left at the last check);
- each host's PKCS#12 bundle (<host>/role/client.p12) opens with the passphrase, holds the certificate on disk and its
  key, and a TLS client that loads it gets the answer it should from the mTLS server standing in for ESA's edge.

    python scripts/demo_client_files.py --hosts-dir DIR --passphrase-file FILE --url URL --server-ca PEM \
        [--expect-status 200] [--out FILE] HOST...

Python's ssl module cannot load PKCS#12, so the bundle's key and certificate go to a private temporary directory (0700)
that is removed at once. Prints one line per host and writes JSON with no secret in it; exits 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import shutil
import ssl
import sys
import tempfile
import urllib.error
import urllib.request

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from prometheus_client.parser import text_string_to_metric_families

METRICS_FILE = os.path.join("textfile", "esa-client-certificate-role.prom")


def _not_after(certificate: x509.Certificate) -> int:
    # not_valid_after_utc from cryptography 42 on; the naive not_valid_after (UTC) before it.
    moment = getattr(certificate, "not_valid_after_utc", None) or certificate.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    return int(moment.timestamp())


def check_metrics(host_dir: str, certificate: x509.Certificate) -> list[str]:
    """The mismatches between the host's .prom file and its certificate on disk (none: the file is right)."""
    cert_path = os.path.join(host_dir, "role", "client.crt")
    with open(os.path.join(host_dir, METRICS_FILE), encoding="utf-8") as handle:
        families = {family.name: family for family in text_string_to_metric_families(handle.read())}
    samples = {name: family.samples for name, family in families.items()}
    problems = []
    not_after = _not_after(certificate)
    common_name = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    for name, family_samples in samples.items():
        for sample in family_samples:
            if sample.labels.get("path") != cert_path or sample.labels.get("common_name") != common_name:
                problems.append(f"{name}: labels {sample.labels} name another certificate")
    if [s.value for s in samples.get("esa_client_certificate_not_after_timestamp_seconds", [])] != [not_after]:
        problems.append(f"not-after {samples.get('esa_client_certificate_not_after_timestamp_seconds')} is not {not_after}")
    status = {s.labels.get("status"): s.value for s in samples.get("esa_client_certificate_status", [])}
    if status != {"active": 1.0, "revoked": 0.0}:
        problems.append(f"status {status} is not active")
    info = samples.get("esa_client_certificate_info", [])
    if len(info) != 1 or info[0].labels.get("serial_number") != format(certificate.serial_number, "x"):
        problems.append(f"info {info} does not name serial number {certificate.serial_number:x}")
    checked = [s.value for s in samples.get("esa_client_certificate_last_check_timestamp_seconds", [])]
    days = [s.value for s in samples.get("esa_client_certificate_days_left", [])]
    if len(checked) != 1 or days != [(not_after - int(checked[0])) // 86400]:
        problems.append(f"days left {days} do not follow from the not-after time and the last check {checked}")
    return problems


def knock_with_bundle(bundle: bytes, passphrase: bytes, url: str, server_ca: str) -> tuple[str, int, str | None]:
    """Open the bundle, request url with its pair: (the bundle's certificate fingerprint, HTTP status or -1, what the server saw)."""
    key, certificate, _cas = pkcs12.load_key_and_certificates(bundle, passphrase)
    if key is None or certificate is None:
        raise ValueError("the bundle holds no key or no certificate")
    fingerprint = hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()
    work = tempfile.mkdtemp(prefix="demo-p12-")  # 0700
    try:
        cert_file, key_file = os.path.join(work, "client.crt"), os.path.join(work, "client.key")
        for path, data in ((cert_file, certificate.public_bytes(serialization.Encoding.PEM)),
                           (key_file, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))):
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
                handle.write(data)
        context = ssl.create_default_context(cafile=server_ca)
        context.load_cert_chain(cert_file, key_file)
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), urllib.request.ProxyHandler({}))
        try:
            with opener.open(url, timeout=10) as response:
                return fingerprint, response.status, json.loads(response.read()).get("fingerprint_sha256")
        except urllib.error.HTTPError as error:
            return fingerprint, error.code, None
        except OSError:
            return fingerprint, -1, None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hosts-dir", required=True)
    parser.add_argument("--passphrase-file", required=True, help="YAML with esa_pkcs12_passphrase (as given to the playbook)")
    parser.add_argument("--url", required=True)
    parser.add_argument("--server-ca", required=True)
    parser.add_argument("--expect-status", type=int, default=200)
    parser.add_argument("--metrics", action="store_true", help="also check each host's .prom file")
    parser.add_argument("--out")
    parser.add_argument("hosts", nargs="+")
    args = parser.parse_args(argv)
    with open(args.passphrase_file, encoding="utf-8") as handle:
        passphrase = str(yaml.safe_load(handle)["esa_pkcs12_passphrase"]).encode("utf-8")
    results, failed = {}, 0
    for host in args.hosts:
        host_dir = os.path.join(args.hosts_dir, host)
        with open(os.path.join(host_dir, "role", "client.crt"), "rb") as handle:
            certificate = x509.load_pem_x509_certificate(handle.read())
        on_disk = hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()
        problems = check_metrics(host_dir, certificate) if args.metrics else []
        with open(os.path.join(host_dir, "role", "client.p12"), "rb") as handle:
            in_bundle, status, seen = knock_with_bundle(handle.read(), passphrase, args.url, args.server_ca)
        if in_bundle != on_disk:
            problems.append("the bundle holds another certificate than client.crt")
        if status != args.expect_status or (status == 200 and seen != on_disk):
            problems.append(f"the edge answered HTTP {status} to the bundle's pair (expected {args.expect_status})")
        results[host] = {"bundle_certificate_sha256": in_bundle, "edge_status": status, "problems": problems}
        failed += bool(problems)
        print(f"{host}: bundle {'holds client.crt' if in_bundle == on_disk else 'holds ANOTHER certificate'}, edge HTTP {status}"
              + (", metrics match the certificate" if args.metrics and not problems else "") + "".join(f"; {p}" for p in problems))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=1, sort_keys=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
