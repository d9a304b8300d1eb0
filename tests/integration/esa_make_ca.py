#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write test certificates for the client-CA targets into a directory: CAs, and what ESA must refuse.

Only certificates are written; every private key stays in this process and is forgotten, so no log
or file of the run ever holds one. Prints {"name": "path", ...}.

  esa_make_ca.py DIR PREFIX
"""

from __future__ import annotations

import datetime
import json
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _certificate(common_name: str, *, ca: bool = True, starts_days: int = -1, days: int = 3650) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    # Half a day off the current time of day: remaining_days (a floor of days) then reads the same in a check-mode run
    # and in the real run a few seconds later; aligned to now, a check run in the creation's own second read one more.
    starts = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(days=starts_days, hours=-12)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(starts).not_valid_after(starts + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def main() -> int:
    directory, prefix = sys.argv[1], sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    contents = {
        "ca": _certificate(f"{prefix} Client CA"),
        "ca2": _certificate(f"{prefix} Second Client CA"),
        "ca3": _certificate(f"{prefix} Third Client CA"),
        "leaf": _certificate(f"{prefix}-leaf.example.com", ca=False),
        "expired": _certificate(f"{prefix} Expired CA", starts_days=-40, days=30),
        "future": _certificate(f"{prefix} Future CA", starts_days=3),
    }
    contents["bundle"] = contents["ca"] + contents["ca2"]
    paths = {}
    for name, data in contents.items():
        paths[name] = os.path.join(directory, f"{name}.pem")
        with open(paths[name], "wb") as handle:
            handle.write(data)
    print(json.dumps(paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
