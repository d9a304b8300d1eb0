# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What esa_client_certificate does on the target: read files, make the key and CSR, write files.

The action plugin on the controller calls these phases in turn and makes every ESA call itself,
so the target needs neither the Alibaba Cloud SDK nor credentials.
"""

from __future__ import annotations

import hashlib
import os
import socket
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils import _files
from ansible_collections.alibabacloud.esa.plugins.module_utils._certificate_facts import (
    certificate_facts,
    csr_facts,
    load_pem_certificate,
    load_pem_csr,
    public_key_sha256,
    key_type_of,
)
from ansible_collections.alibabacloud.esa.plugins.module_utils._keys import (
    build_csr_pem,
    generate_private_key,
    load_private_key,
    private_key_pem,
)


class TargetError(Exception):
    """A failure on the target with a one-line message for the user."""


def uses_csr(params: dict[str, t.Any]) -> bool:
    return bool(params.get("csr_path") or params.get("csr_content"))


def manages_key(params: dict[str, t.Any]) -> bool:
    """The collection owns the key file (it made it or ESA did); a CSR user keeps their own key."""
    return bool(params.get("privatekey_path")) and not uses_csr(params)


def inspect(params: dict[str, t.Any], with_pem: bool = False) -> dict[str, t.Any]:
    """Everything the reissue decision needs to know about the files, read-only."""
    path = params["path"]
    result: dict[str, t.Any] = {"problems": [], "record": _files.read_record(path)}
    result.update(_inspect_certificate(path, with_pem))
    if params.get("privatekey_path"):
        result["privatekey"] = _inspect_key(params["privatekey_path"])
    if uses_csr(params):
        result["csr"] = _inspect_csr(params, result["problems"])
    if params.get("state", "present") == "present":
        for file_path, what in ((path, "path"), (params.get("privatekey_path") if manages_key(params) else None, "privatekey_path")):
            problem = file_path and _files.directory_problem(file_path, what)
            if problem:
                result["problems"].append(problem)
    return result


def _inspect_certificate(path: str, with_pem: bool) -> dict[str, t.Any]:
    try:
        data = _files.read_bytes(path)
    except OSError as exc:
        return {"certificate_state": "unreadable", "certificate_error": f"cannot read {path}: {exc.strerror}"}
    if data is None:
        return {"certificate_state": "missing", "certificate_file_sha256": None}
    file_sha256 = hashlib.sha256(data).hexdigest()
    certificate = load_pem_certificate(data)
    if certificate is None:
        return {"certificate_state": "unreadable", "certificate_error": f"{path} holds no PEM certificate", "certificate_file_sha256": file_sha256}
    found: dict[str, t.Any] = {"certificate_state": "present", "certificate": certificate_facts(certificate), "certificate_file_sha256": file_sha256}
    if with_pem:
        found["certificate_pem"] = data.decode("ascii", "replace")
    return found


def _inspect_key(path: str) -> dict[str, t.Any]:
    try:
        data = _files.read_bytes(path)
    except OSError:
        return {"checked": True, "state": "unreadable"}
    if data is None:
        return {"checked": True, "state": "missing"}
    key = load_private_key(data, for_comparison_only=True)
    if key is None:
        return {"checked": True, "state": "unreadable"}
    public_key = key.public_key()
    return {"checked": True, "state": "present", "public_key_sha256": public_key_sha256(public_key), "key_type": key_type_of(public_key)}


def _inspect_csr(params: dict[str, t.Any], problems: list[str]) -> dict[str, t.Any]:
    if params.get("csr_content"):
        data, source = params["csr_content"].encode("utf-8"), "csr_content"
    else:
        source = "csr_path"
        try:
            data = _files.read_bytes(params["csr_path"])
        except OSError as exc:
            problems.append(f"csr_path: cannot read {params['csr_path']}: {exc.strerror}")
            return {}
        if data is None:
            problems.append(f"csr_path: {params['csr_path']} does not exist")
            return {}
    csr = load_pem_csr(data)
    if csr is None:
        problems.append(f"{source}: not a PEM certificate signing request")
        return {}
    facts = csr_facts(csr)
    if not facts["signature_valid"]:
        problems.append(f"{source}: the CSR's signature does not verify with its own public key")
    facts["pem"] = data.decode("ascii", "replace")
    return facts


# A pending key older than this belongs to a run that died; younger ones may still be waiting for ESA.
STALE_PENDING_SECONDS = 3600


def prepare_key_and_csr(params: dict[str, t.Any], new_key: bool, common_name: str | None, run_token: str) -> dict[str, t.Any]:
    """Make the CSR for key_source=local; a new key waits in a hidden 0600 file until install.

    Without a common name the host's FQDN is used; it is looked up only here, since a slow resolver
    must not slow down the runs that change nothing.
    """
    key_path = params["privatekey_path"]
    common_name = common_name or socket.getfqdn()
    _files.remove_stale_pending_keys(key_path, STALE_PENDING_SECONDS)
    if new_key:
        key = generate_private_key(params["pkey_type"])
        _files.create_private_file(_files.pending_key_path(key_path, run_token), private_key_pem(key), 0o600)
    else:
        data = _files.read_bytes(key_path)
        key = load_private_key(data) if data is not None else None
        if key is None:
            raise TargetError(f"privatekey_path: {key_path} holds no usable private key to reuse (rotate_key=false)")
    return {"csr_pem": build_csr_pem(key, common_name), "public_key_sha256": public_key_sha256(key.public_key()), "new_key": new_key}


def discard_pending_key(params: dict[str, t.Any], run_token: str) -> bool:
    return bool(params.get("privatekey_path")) and _files.remove_if_present(_files.pending_key_path(params["privatekey_path"], run_token))


def install(params: dict[str, t.Any], certificate_pem: str, privatekey_pem: str | None, record: dict[str, t.Any],
            run_token: str, expected_file_sha256: str | None, expected_public_key_sha256: str | None = None) -> dict[str, t.Any]:
    """Put the new pair in place: key first, certificate second, bookkeeping last.

    A crash between the two renames leaves a key that does not match the certificate, which the
    next run reports as key_mismatch and repairs; it never leaves a half-written file.
    Under a lock of the directories, the pair is replaced only if the certificate file is still the
    one this run inspected: when a concurrent run got there first, nothing is written ("raced").
    """
    certificate = load_pem_certificate(certificate_pem.encode("ascii"))
    if certificate is None:
        raise TargetError("ESA returned a certificate that is not PEM; nothing was written")
    cert_public = public_key_sha256(certificate.public_key())
    path, key_path = params["path"], params.get("privatekey_path")
    with _files.directory_locks(*[p for p in (path, key_path) if p]):
        if _files.content_sha256(path) != expected_file_sha256:
            discard_pending_key(params, run_token)
            return {"raced": True}
        key_bytes, pending = _new_key_bytes(params, privatekey_pem, run_token)
        expected = expected_public_key_sha256
        if key_bytes is not None:
            key = load_private_key(key_bytes)
            if key is None or public_key_sha256(key.public_key()) != cert_public:
                raise TargetError("the issued certificate does not match the private key; nothing was written")
        elif expected and expected != cert_public:
            raise TargetError("the issued certificate does not match the CSR's public key; nothing was written")

        outcome: dict[str, t.Any] = {"raced": False, "backup_file": None, "privatekey_backup_file": None}
        if key_bytes is not None and key_path:
            if params.get("backup") and os.path.exists(key_path):
                outcome["privatekey_backup_file"] = _files.backup_copy(key_path)
            if pending:
                _files.move_into_place(pending, key_path)
            else:
                _files.write_atomically(key_path, key_bytes, 0o600)
        if params.get("backup") and os.path.exists(path):
            outcome["backup_file"] = _files.backup_copy(path)
        _files.write_atomically(path, certificate_pem.encode("ascii"), _certificate_mode(path))
        _files.write_record(path, dict(record, fingerprint_sha256=certificate_facts(certificate)["fingerprint_sha256"]))
    return outcome


def _new_key_bytes(params: dict[str, t.Any], privatekey_pem: str | None, run_token: str) -> tuple[bytes | None, str | None]:
    """The key that pairs with the new certificate, and the pending file it waits in (if any)."""
    key_path = params.get("privatekey_path")
    if privatekey_pem:
        return privatekey_pem.encode("ascii"), None
    if key_path and manages_key(params):
        pending = _files.pending_key_path(key_path, run_token)
        data = _files.read_bytes(pending)
        if data is not None:
            return data, pending
    # rotate_key=false or a CSR: the existing key signed the CSR; the certificate is checked against it, nothing rewritten.
    return None, None


def _certificate_mode(path: str) -> int:
    """Keep an existing certificate's mode; new ones are world-readable, as public certificates are."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o644 & ~umask


def write_record(params: dict[str, t.Any], record: dict[str, t.Any]) -> None:
    _files.write_record(params["path"], record)


def remove(params: dict[str, t.Any]) -> dict[str, t.Any]:
    """Remove the certificate, the key the collection manages and the bookkeeping; idempotent."""
    removed, backups = [], []
    targets = [params["path"]]
    if manages_key(params):
        targets.append(params["privatekey_path"])
    for file_path in targets:
        if params.get("backup") and os.path.exists(file_path):
            backups.append(_files.backup_copy(file_path))
        if _files.remove_if_present(file_path):
            removed.append(file_path)
    if manages_key(params):
        for pending in _files.pending_keys(params["privatekey_path"]):
            _files.remove_if_present(pending)
    _files.remove_if_present(_files.record_path(params["path"]))
    return {"removed": removed, "backup_files": backups}
