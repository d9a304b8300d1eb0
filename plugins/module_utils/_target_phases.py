# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What esa_client_certificate does on the target: read files, make the key and CSR, write files.

The action plugin on the controller calls these phases in turn and makes every ESA call itself,
so the target needs neither the Alibaba Cloud SDK nor credentials.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import socket
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils import _files, _parse_cache

# cryptography is imported only where files are parsed or made (see _crypto): a run whose files are the ones
# parsed last time (the usual no-op) reuses the facts kept in the bookkeeping record and never imports it.


class TargetError(Exception):
    """A failure on the target with a one-line message for the user."""


def cryptography_installed() -> bool:
    """Whether the target's Python can import cryptography, without importing it (that is what costs)."""
    try:
        return importlib.util.find_spec("cryptography") is not None
    except (ImportError, ValueError):
        return False


def _crypto() -> tuple[t.Any, t.Any]:
    """The modules that parse and make keys and certificates, imported on first use."""
    # pylint: disable=import-outside-toplevel
    from ansible_collections.alibabacloud.esa.plugins.module_utils import _certificate_facts, _keys

    if not _certificate_facts.HAS_CRYPTOGRAPHY:
        raise TargetError("the Python library cryptography cannot be imported on the target: install it for the target's interpreter")
    return _certificate_facts, _keys


def uses_csr(params: dict[str, t.Any]) -> bool:
    return bool(params.get("csr_path") or params.get("csr_content"))


def manages_key(params: dict[str, t.Any]) -> bool:
    """The collection owns the key file (it made it or ESA did); a CSR user keeps their own key."""
    return bool(params.get("privatekey_path")) and not uses_csr(params)


class _Inputs(t.NamedTuple):
    """The files as read: bytes, None when missing, or the OSError that reading raised."""

    certificate: bytes | OSError | None
    privatekey: bytes | OSError | None
    csr: bytes | OSError | None
    csr_source: str | None


def _read(path: str) -> bytes | OSError | None:
    try:
        return _files.read_bytes(path)
    except OSError as exc:
        return exc


def _read_inputs(params: dict[str, t.Any]) -> _Inputs:
    csr: bytes | OSError | None = None
    csr_source = None
    if params.get("csr_content"):
        csr, csr_source = params["csr_content"].encode("utf-8"), "csr_content"
    elif params.get("csr_path"):
        csr, csr_source = _read(params["csr_path"]), "csr_path"
    key = _read(params["privatekey_path"]) if params.get("privatekey_path") else None
    return _Inputs(_read(params["path"]), key, csr, csr_source)


def _bytes_or_none(data: bytes | OSError | None) -> bytes | None:
    return data if isinstance(data, bytes) else None


def _parse(inputs: _Inputs) -> dict[str, t.Any]:
    """What the files say, by part; None for a part that is absent or not what it should be."""
    facts_module, keys_module = _crypto()
    facts: dict[str, t.Any] = {"certificate": None, "privatekey": None, "csr": None}
    if isinstance(inputs.certificate, bytes):
        certificate = facts_module.load_pem_certificate(inputs.certificate)
        facts["certificate"] = facts_module.certificate_facts(certificate) if certificate is not None else None
    if isinstance(inputs.privatekey, bytes):
        key = keys_module.load_private_key(inputs.privatekey, for_comparison_only=True)
        if key is not None:
            public_key = key.public_key()
            facts["privatekey"] = {"public_key_sha256": facts_module.public_key_sha256(public_key), "key_type": facts_module.key_type_of(public_key)}
    if isinstance(inputs.csr, bytes):
        csr = facts_module.load_pem_csr(inputs.csr)
        facts["csr"] = facts_module.csr_facts(csr) if csr is not None else None
    return facts


def _digest(inputs: _Inputs) -> str:
    return _parse_cache.files_digest(*(_bytes_or_none(part) for part in (inputs.certificate, inputs.privatekey, inputs.csr)))


def _facts(inputs: _Inputs, record: dict[str, t.Any] | None) -> tuple[dict[str, t.Any], bool]:
    """The parsed facts, remembered ones when the files are unchanged; and whether they were remembered."""
    readable = all(not isinstance(part, OSError) for part in inputs[:3])
    cached = _parse_cache.cached_facts(record, _digest(inputs)) if readable else None
    if cached is not None:
        return cached, True
    return _parse(inputs), False


def parsed_entry(params: dict[str, t.Any]) -> dict[str, t.Any]:
    """The record's ``parsed`` field for the files as they are now."""
    inputs = _read_inputs(params)
    return _parse_cache.entry(_digest(inputs), _parse(inputs))


def inspect(params: dict[str, t.Any], with_pem: bool = False) -> dict[str, t.Any]:
    """Everything the reissue decision needs to know about the files, read-only."""
    path = params["path"]
    record = _files.read_record(path)
    inputs = _read_inputs(params)
    facts, remembered = _facts(inputs, record)
    shown_record = {name: value for name, value in record.items() if name != "parsed"} if record else None
    result: dict[str, t.Any] = {"problems": [], "record": shown_record, "parse_cache": "hit" if remembered else "miss"}
    result.update(_inspect_certificate(path, inputs.certificate, facts["certificate"], with_pem))
    if params.get("privatekey_path"):
        result["privatekey"] = _inspect_key(inputs.privatekey, facts["privatekey"])
    if uses_csr(params):
        result["csr"] = _inspect_csr(params, inputs, facts["csr"], result["problems"])
    if params.get("state", "present") == "present":
        for file_path, what in ((path, "path"), (params.get("privatekey_path") if manages_key(params) else None, "privatekey_path")):
            problem = file_path and _files.directory_problem(file_path, what)
            if problem:
                result["problems"].append(problem)
    return result


def _inspect_certificate(path: str, data: bytes | OSError | None, facts: dict[str, t.Any] | None, with_pem: bool) -> dict[str, t.Any]:
    if isinstance(data, OSError):
        return {"certificate_state": "unreadable", "certificate_error": f"cannot read {path}: {data.strerror}"}
    if data is None:
        return {"certificate_state": "missing", "certificate_file_sha256": None}
    file_sha256 = hashlib.sha256(data).hexdigest()
    if facts is None:
        return {"certificate_state": "unreadable", "certificate_error": f"{path} holds no PEM certificate", "certificate_file_sha256": file_sha256}
    found: dict[str, t.Any] = {"certificate_state": "present", "certificate": facts, "certificate_file_sha256": file_sha256}
    if with_pem:
        found["certificate_pem"] = data.decode("ascii", "replace")
    return found


def _inspect_key(data: bytes | OSError | None, facts: dict[str, t.Any] | None) -> dict[str, t.Any]:
    if isinstance(data, OSError):
        return {"checked": True, "state": "unreadable"}
    if data is None:
        return {"checked": True, "state": "missing"}
    if facts is None:
        return {"checked": True, "state": "unreadable"}
    return {"checked": True, "state": "present", "public_key_sha256": facts["public_key_sha256"], "key_type": facts["key_type"]}


def _inspect_csr(params: dict[str, t.Any], inputs: _Inputs, facts: dict[str, t.Any] | None, problems: list[str]) -> dict[str, t.Any]:
    source, data = inputs.csr_source, inputs.csr
    if isinstance(data, OSError):
        problems.append(f"csr_path: cannot read {params['csr_path']}: {data.strerror}")
        return {}
    if data is None:
        problems.append(f"csr_path: {params['csr_path']} does not exist")
        return {}
    if facts is None:
        problems.append(f"{source}: not a PEM certificate signing request")
        return {}
    if not facts["signature_valid"]:
        problems.append(f"{source}: the CSR's signature does not verify with its own public key")
    return dict(facts, pem=data.decode("ascii", "replace"))


# A pending key older than this belongs to a run that died; younger ones may still be waiting for ESA.
STALE_PENDING_SECONDS = 3600


def prepare_key_and_csr(params: dict[str, t.Any], new_key: bool, common_name: str | None, run_token: str) -> dict[str, t.Any]:
    """Make the CSR for key_source=local; a new key waits in a hidden 0600 file until install.

    Without a common name the host's FQDN is used; it is looked up only here, since a slow resolver
    must not slow down the runs that change nothing.
    """
    facts_module, keys_module = _crypto()
    key_path = params["privatekey_path"]
    common_name = common_name or socket.getfqdn()
    _files.remove_stale_pending_keys(key_path, STALE_PENDING_SECONDS)
    if new_key:
        key = keys_module.generate_private_key(params["pkey_type"])
        _files.create_private_file(_files.pending_key_path(key_path, run_token), keys_module.private_key_pem(key), 0o600)
    else:
        data = _files.read_bytes(key_path)
        key = keys_module.load_private_key(data) if data is not None else None
        if key is None:
            raise TargetError(f"privatekey_path: {key_path} holds no usable private key to reuse (rotate_key=false)")
    return {"csr_pem": keys_module.build_csr_pem(key, common_name), "public_key_sha256": facts_module.public_key_sha256(key.public_key()),
            "new_key": new_key}


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
    facts_module, keys_module = _crypto()
    certificate = facts_module.load_pem_certificate(certificate_pem.encode("ascii"))
    if certificate is None:
        raise TargetError("ESA returned a certificate that is not PEM; nothing was written")
    cert_public = facts_module.public_key_sha256(certificate.public_key())
    path, key_path = params["path"], params.get("privatekey_path")
    with _files.directory_locks(*_locked_paths(params)):
        if _files.content_sha256(path) != expected_file_sha256:
            discard_pending_key(params, run_token)
            return {"raced": True}
        key_bytes, pending = _new_key_bytes(params, privatekey_pem, run_token)
        expected = expected_public_key_sha256
        if key_bytes is not None:
            key = keys_module.load_private_key(key_bytes)
            if key is None or facts_module.public_key_sha256(key.public_key()) != cert_public:
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
        record = dict(record, fingerprint_sha256=facts_module.certificate_facts(certificate)["fingerprint_sha256"])
        _files.write_record(path, dict(record, parsed=parsed_entry(params)))
    return outcome


def _locked_paths(params: dict[str, t.Any]) -> list[str]:
    return [path for path in (params["path"], params.get("privatekey_path")) if path]


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


def write_record(params: dict[str, t.Any], record: dict[str, t.Any], expected_file_sha256: str | None) -> bool:
    """Rewrite the bookkeeping (ESA id, and the facts parsed from the files as they are now).

    Only while the certificate file is still the one the controller decided on: a run that replaced it in
    the meantime wrote its own record, which must not be overwritten with this one's. False when skipped.
    """
    with _files.directory_locks(*_locked_paths(params)):
        if _files.content_sha256(params["path"]) != expected_file_sha256:
            return False
        _files.write_record(params["path"], dict(record, parsed=parsed_entry(params)))
    return True


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
