#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""After a fleet run: every host's files are a matching pair, and ESA holds exactly one active certificate per host.

Usage: fleet_check.py CONFIG FLEET_DIR FLEET_NAME HOSTS... ; prints one JSON line of figures, exits 1 on a broken promise.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

from cryptography import x509  # noqa: E402  pylint: disable=wrong-import-position
from cryptography.hazmat.primitives import serialization  # noqa: E402  pylint: disable=wrong-import-position
from esa_test_support import all_certificates, read_config, sdk_client  # noqa: E402  pylint: disable=wrong-import-position


def _spki(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def main() -> int:
    config_path, fleet_dir, fleet_name, hosts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    config = read_config(config_path)
    active: dict[str, list[str]] = {}
    for item in all_certificates(sdk_client(config), int(config["esa_site_id"])):
        if item.status == "active":
            active.setdefault(item.common_name, []).append(item.fingerprint_sha_256)
    problems = []
    for host in hosts:
        common_name = f"{host}.{fleet_name}.example.com"
        with open(os.path.join(fleet_dir, host, "client.crt"), "rb") as handle:
            cert = x509.load_pem_x509_certificate(handle.read())
        with open(os.path.join(fleet_dir, host, "client.key"), "rb") as handle:
            key = serialization.load_pem_private_key(handle.read(), password=None)
        if _spki(cert.public_key()) != _spki(key.public_key()):
            problems.append(f"{host}: key and certificate do not match")
        fingerprint = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
        live = active.get(common_name, [])
        if live != [fingerprint]:
            problems.append(f"{host}: {len(live)} active certificates on ESA, the file's among them: {fingerprint in live}")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(json.dumps({"hosts": len(hosts), "hosts_with_one_matching_live_certificate": len(hosts) - len(problems)}))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
