# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lay out one example's fresh directory (keys, CSR, stray files) and derive the task's arguments from it."""

from __future__ import annotations

import os
import typing as t

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from configuration import Configuration

# Not a secret: it protects throw-away test keys, and lets a reader decrypt them when replaying an example.
PASSPHRASE = b"esa-settling-passphrase"
NOT_PEM = b"this file is neither a PEM key nor a PEM certificate\n"


def _other(key_type: str) -> str:
    return "ECDSA" if key_type == "RSA" else "RSA"


def new_key(key_type: str) -> t.Any:
    if key_type == "RSA":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(key: t.Any, encrypted: bool = False) -> bytes:
    encryption = serialization.BestAvailableEncryption(PASSPHRASE) if encrypted else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def csr_pem(key: t.Any, common_name: str | None) -> str:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)] if common_name is not None else []
    # A subject without a CN still names something, as CSRs made by other tools do.
    attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, "esa settling test"))
    request = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attributes)).sign(key, hashes.SHA256())
    return request.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _key_file_bytes(config: Configuration, csr_key: t.Any | None) -> bytes | None:
    """What privatekey_path holds before the first run; None for no file."""
    kind = config.key_file
    if kind == "none":
        return None
    if kind == "not_pem":
        return NOT_PEM
    if csr_key is None:
        pkey_type = config.effective_pkey_type()
        if kind == "same_type":
            return key_pem(new_key(pkey_type))
        if kind == "other_type":
            return key_pem(new_key(_other(pkey_type)))
        if kind == "encrypted":
            return key_pem(new_key(pkey_type), encrypted=True)
    else:
        csr_type = config.csr.key_type if config.csr else "RSA"
        if kind == "csr_key":
            return key_pem(csr_key)
        if kind == "csr_key_encrypted":
            return key_pem(csr_key, encrypted=True)
        if kind == "different_key":
            return key_pem(new_key(csr_type))
        if kind == "other_type":
            return key_pem(new_key(_other(csr_type)))
    raise ValueError(f"key_file={kind} does not fit a configuration {'with' if csr_key else 'without'} a CSR")


def _write(path: str, data: bytes, mode: int) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def lay_out(config: Configuration, directory: str) -> dict[str, t.Any]:
    """Write the files found before the first run into the empty directory; return the task's arguments (no site_id)."""
    path = os.path.join(directory, "client.crt")
    csr_path = os.path.join(directory, "client.csr")
    args: dict[str, t.Any] = {"path": path}
    csr_key = None
    if config.csr is not None:
        csr_key = new_key(config.csr.key_type)
        pem = csr_pem(csr_key, config.csr.common_name)
        if config.csr.source == "path":
            _write(csr_path, pem.encode("ascii"), 0o644)
            args["csr_path"] = csr_path
        else:
            args["csr_content"] = pem
    privatekey_path = {"none": None, "own": os.path.join(directory, "client.key"), "path": path, "csr": csr_path}[config.privatekey_at]
    if privatekey_path is not None:
        args["privatekey_path"] = privatekey_path
    if config.certificate_file == "not_pem" and not (config.privatekey_at == "path" and config.key_file != "none"):
        _write(path, NOT_PEM, 0o644)
    key_bytes = _key_file_bytes(config, csr_key)
    if key_bytes is not None and config.privatekey_at in ("own", "path"):
        if os.path.exists(privatekey_path):
            os.unlink(privatekey_path)  # the key replaces the stray certificate file at the same path
        _write(privatekey_path, key_bytes, 0o600)
    args.update(config.options())
    return args
