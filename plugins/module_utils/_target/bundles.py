# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files derived from the pair on the target: the PKCS#12 bundle (pkcs12_path) and the full-chain file (fullchain_path).

Whether they are due is decided with hashlib alone, so a run with nothing to do never imports cryptography:

- the full chain is the certificate file's bytes followed by the CA certificates given, so it is due whenever the file
  holds other bytes (or has another mode than the certificate);
- a PKCS#12 bundle differs on every write (random salts), so the bookkeeping file keeps a record of the one written:
  an HMAC, keyed with the private key file's bytes, of the certificate, the passphrase, the friendly name and the CA
  certificates, and the SHA-256 of the bundle's bytes. It is due when that record is missing or another one is expected
  (the certificate, key, passphrase, name or CAs changed), or the bundle is missing, holds other bytes, is not 0600, or
  (for root) has another owner or group than the key.

The passphrase is never stored: the HMAC's key is the private key, so the record tells nothing about the passphrase
to whoever cannot read the key file, and whoever can needs no passphrase to the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils import _files
from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import CollectionError
from ansible_collections.alibabacloud.esa.plugins.module_utils._pem import certificate_blocks

PKCS12_MODE = 0o600
RECORD_FIELD = "pkcs12"
"""The field of the bookkeeping file that records the bundle written last."""
_DOMAIN = b"alibabacloud.esa pkcs12 v1\0"


class BundleError(CollectionError):
    """The bundle could not be made (one line for the user; never the passphrase)."""


class Written(t.NamedTuple):
    """What write_due wrote, the record of the bundle for the bookkeeping file (None without pkcs12_path), and the
    copies of the files it replaced (backup=true; None when it replaced none)."""

    pkcs12: bool
    fullchain: bool
    record: dict[str, str] | None
    pkcs12_backup_file: str | None = None
    fullchain_backup_file: str | None = None


def pkcs12_digest(certificate: bytes, privatekey: bytes, passphrase: str, friendly_name: str | None, ca_pem: str | None) -> str:
    """What a bundle of these inputs is recorded as: an HMAC-SHA256 keyed with the private key file's bytes."""
    mac = hmac.new(privatekey, _DOMAIN, hashlib.sha256)
    for part in (certificate, passphrase.encode("utf-8"), (friendly_name or "").encode("utf-8"), _ca_bytes(ca_pem)):
        mac.update(b"%d:" % len(part))
        mac.update(part)
    return mac.hexdigest()


def _ca_bytes(ca_pem: str | None) -> bytes:
    """The CA certificates given, as the PEM blocks alone, one per line: the same text however it was indented or spaced."""
    return "".join(block + "\n" for block in certificate_blocks(ca_pem or "")).encode("ascii")


def fullchain_bytes(certificate: bytes, ca_pem: str | None) -> bytes:
    """The certificate file's bytes, then the CA certificates: what a client that sends its chain reads."""
    return certificate + (b"" if certificate.endswith(b"\n") else b"\n") + _ca_bytes(ca_pem)


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def pkcs12_due(params: t.Mapping[str, t.Any], certificate: bytes | None, privatekey: bytes | None, record: t.Any) -> bool:
    """Whether pkcs12_path must be (re)written for the pair as it is now; False without pkcs12_path or without a pair."""
    path = params.get("pkcs12_path")
    if not path or certificate is None or privatekey is None:
        return False
    passphrase = params.get("pkcs12_passphrase") or ""
    expected = pkcs12_digest(certificate, privatekey, passphrase, params.get("pkcs12_friendly_name"), params.get("ca_certificate_content"))
    if not isinstance(record, t.Mapping) or not hmac.compare_digest(str(record.get("digest") or ""), expected):
        return True
    try:
        found = _files.content_sha256(path)
    except OSError:
        return True  # unreadable or not a regular file: the write says why, if it cannot replace it
    status, key_status = _stat(path), _stat(params["privatekey_path"])
    if found is None or found != record.get("file_sha256") or status is None or status.st_mode & 0o7777 != PKCS12_MODE:
        return True
    # Only root can give a file away: an unprivileged run leaves ownership as it is (as for the bookkeeping file).
    return os.geteuid() == 0 and key_status is not None and (status.st_uid, status.st_gid) != (key_status.st_uid, key_status.st_gid)


def fullchain_due(params: t.Mapping[str, t.Any], certificate: bytes | None) -> bool:
    """Whether fullchain_path must be (re)written: other bytes than the certificate and CAs, or another mode than the certificate's."""
    path = params.get("fullchain_path")
    if not path or certificate is None:
        return False
    try:
        found = _files.read_bytes(path)
    except OSError:
        return True
    certificate_status, status = _stat(params["path"]), _stat(path)
    if found != fullchain_bytes(certificate, params.get("ca_certificate_content")) or status is None:
        return True
    return certificate_status is not None and status.st_mode & 0o666 != certificate_status.st_mode & 0o666


def present(params: t.Mapping[str, t.Any]) -> bool:
    """Whether any derived file exists (state=absent removes it)."""
    return any(params.get(name) and os.path.lexists(params[name]) for name in ("pkcs12_path", "fullchain_path"))


def write_due(params: t.Mapping[str, t.Any], record: t.Any, unsafe_writes: bool = False) -> Written:
    """Write the derived files that are due for the certificate and key on disk now; the caller holds the directory locks.

    The bundle is made here from the key file, so the key never leaves the host; it is created 0600 from its first
    byte and renamed into place (write_atomically), with the key file's owner and group where the process may give them.
    With backup=true a file about to be replaced is copied first, as the pair is: an undo puts the previous bundle back.
    """
    certificate = _read(params["path"])
    privatekey = _read(params["privatekey_path"]) if params.get("privatekey_path") else None
    wrote_pkcs12 = wrote_fullchain = False
    pkcs12_backup = fullchain_backup = None
    new_record = _kept_record(record) if params.get("pkcs12_path") else None
    if pkcs12_due(params, certificate, privatekey, record) and certificate is not None and privatekey is not None:
        data = _pkcs12_bytes(params, certificate, privatekey)
        key_status = os.stat(params["privatekey_path"])
        pkcs12_backup = _backup(params, params["pkcs12_path"])
        _files.write_atomically(params["pkcs12_path"], data, PKCS12_MODE, (key_status.st_uid, key_status.st_gid), unsafe_writes=unsafe_writes)
        digest = pkcs12_digest(certificate, privatekey, params["pkcs12_passphrase"], params.get("pkcs12_friendly_name"), params.get("ca_certificate_content"))
        new_record = {"digest": digest, "file_sha256": hashlib.sha256(data).hexdigest()}
        wrote_pkcs12 = True
    if fullchain_due(params, certificate) and certificate is not None:
        status = os.stat(params["path"])
        chain = fullchain_bytes(certificate, params.get("ca_certificate_content"))
        fullchain_backup = _backup(params, params["fullchain_path"])
        _files.write_atomically(params["fullchain_path"], chain, status.st_mode & 0o666, (status.st_uid, status.st_gid), unsafe_writes=unsafe_writes)
        wrote_fullchain = True
    return Written(pkcs12=wrote_pkcs12, fullchain=wrote_fullchain, record=new_record, pkcs12_backup_file=pkcs12_backup, fullchain_backup_file=fullchain_backup)


def _backup(params: t.Mapping[str, t.Any], path: str) -> str | None:
    """A copy of the regular file about to be replaced (backup=true), with its mode from the copy's first byte."""
    if not params.get("backup") or not os.path.isfile(path) or os.path.islink(path):
        return None
    return _files.backup_copy(path)


def _kept_record(record: t.Any) -> dict[str, str] | None:
    """The record of a bundle not rewritten, as written (a record of another shape is dropped: the next run rewrites the bundle)."""
    if not isinstance(record, t.Mapping) or not all(isinstance(record.get(name), str) for name in ("digest", "file_sha256")):
        return None
    return {"digest": record["digest"], "file_sha256": record["file_sha256"]}


def _read(path: str) -> bytes | None:
    try:
        return _files.read_bytes(path)
    except OSError:
        return None


def _pkcs12_bytes(params: t.Mapping[str, t.Any], certificate: bytes, privatekey: bytes) -> bytes:
    # pylint: disable=import-outside-toplevel
    from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto import keys as _keys
    from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto import pkcs12 as _pkcs12

    key = _keys.load_private_key(privatekey)
    if key is None:
        raise BundleError(f"pkcs12_path: the key at {params['privatekey_path']} does not load, so no PKCS#12 bundle was written")
    try:
        return _pkcs12.bundle_bytes(key, certificate, params["pkcs12_passphrase"], params.get("pkcs12_friendly_name"), params.get("ca_certificate_content"))
    except (TypeError, ValueError) as exc:
        raise BundleError(f"pkcs12_path: cryptography could not make the PKCS#12 bundle ({type(exc).__name__}); nothing was written there") from None
