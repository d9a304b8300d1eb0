# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What esa_client_certificate does on the target: read files, make the key and CSR, write files.

The action plugin on the controller calls these phases in turn and makes every ESA call itself,
so the target needs neither the Alibaba Cloud SDK nor credentials.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as _dt
import hashlib
import os
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils import _files, _parse_cache
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.support import pkcs12_problem
from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import CollectionError
from ansible_collections.alibabacloud.esa.plugins.module_utils._reissue import (
    ReissuePolicy,
    local_state_from_inspection,
    needs_new_key,
    reissue_reasons,
)
from ansible_collections.alibabacloud.esa.plugins.module_utils._target import bundles
from ansible_collections.alibabacloud.esa.plugins.module_utils._target.contract import (
    Bookkeeping,
    CertificateFacts,
    ContractError,
    CsrView,
    Inspection,
    InstallOutcome,
    InstallRequest,
    KeyView,
    MaintainOutcome,
    Possession,
    Prepared,
    RemoveOutcome,
)
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import parse_returned_time

# cryptography is imported only where files are parsed or made (see _crypto): a run whose files are the ones
# parsed last time (the usual no-op) reuses the facts kept in the bookkeeping file and never imports it.


class TargetError(CollectionError):
    """A failure on the target with a one-line message for the user."""


def file_error_message(exc: OSError, path: str) -> str:
    """The one line a failed file operation on the target reports."""
    return f"file operation failed on the target: {exc.strerror or exc} ({getattr(exc, 'filename', None) or path})"


def _crypto() -> tuple[t.Any, t.Any]:
    """The modules that parse and make keys and certificates, imported on first use."""
    # pylint: disable=import-outside-toplevel
    from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto import facts as _certificate_facts
    from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto import keys as _keys

    if not _certificate_facts.HAS_CRYPTOGRAPHY:
        raise TargetError("the Python library cryptography cannot be imported on the target: install it for the target's interpreter")
    return _certificate_facts, _keys


def _sealing() -> t.Any:
    """The module that opens the key ESA generated (key_source=esa), imported only when one is being installed."""
    _crypto()  # the same clear message when cryptography is missing
    # pylint: disable=import-outside-toplevel
    from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto import key_wrap as _key_wrap

    return _key_wrap


def _possession() -> t.Any:
    """The module that signs the controller's challenge, imported only when a proof is asked (never on a no-op)."""
    _crypto()
    # pylint: disable=import-outside-toplevel
    from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto import possession

    return possession


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


def _facts(inputs: _Inputs, stored: dict[str, t.Any] | None) -> tuple[dict[str, t.Any], bool]:
    """The parsed facts, remembered ones when the files are unchanged; and whether they were remembered."""
    readable = all(not isinstance(part, OSError) for part in inputs[:3])
    cached = _parse_cache.cached_facts(stored, _digest(inputs)) if readable else None
    if cached is not None:
        return cached, True
    return _parse(inputs), False


def parsed_entry(params: dict[str, t.Any]) -> dict[str, t.Any]:
    """The bookkeeping file's ``parsed`` field for the files as they are now."""
    inputs = _read_inputs(params)
    return _parse_cache.entry(_digest(inputs), _parse(inputs))


def inspect(params: dict[str, t.Any], with_pem: bool = False, proof_nonce: str | None = None, check_mode: bool = False) -> Inspection:
    """Everything the reissue decision needs to know about the files; reads only, changes nothing.

    With ``proof_nonce`` (state=absent), the key at privatekey_path also signs the controller's challenge,
    so the controller can check that this host holds the key of the certificate it is asked to revoke.
    With ``check_mode``, a directory of path or privatekey_path that does not exist yet is no problem: the files are
    then missing, and the check predicts the issue (the directory may be made by an earlier task that check mode skipped).
    """
    path = params["path"]
    problems = _path_problems(params)
    fields = _files.read_bookkeeping_fields(path)
    stored = fields if fields is not None and isinstance(fields.get("id"), str) else None
    inputs = _read_inputs(params)
    facts, remembered = _facts(inputs, stored)
    certificate_state, certificate_error = _certificate_state(path, inputs.certificate, facts["certificate"])
    key = _inspect_key(inputs.privatekey, facts["privatekey"]) if params.get("privatekey_path") else None
    csr = _inspect_csr(params, inputs, facts["csr"], problems) if uses_csr(params) else None
    if params.get("state", "present") == "present":
        problems.extend(_present_problems(params, key, csr, check_mode=check_mode))
    present = certificate_state == "present"
    return Inspection(
        certificate_state=certificate_state,
        problems=problems,
        certificate=CertificateFacts.from_dict(facts["certificate"]) if present else None,
        certificate_error=certificate_error,
        certificate_file_sha256=hashlib.sha256(inputs.certificate).hexdigest() if isinstance(inputs.certificate, bytes) else None,
        certificate_pem=inputs.certificate.decode("ascii", "replace") if with_pem and present and isinstance(inputs.certificate, bytes) else None,
        key=key,
        csr=csr,
        bookkeeping=Bookkeeping.from_dict(stored),
        parse_cache_hit=remembered,
        possession=possession_proof(params, inputs.privatekey, proof_nonce, params.get("site_id")) if proof_nonce and not problems else None,
        pkcs12_due=bundles.pkcs12_due(params, _bytes_or_none(inputs.certificate), _bytes_or_none(inputs.privatekey), (fields or {}).get(bundles.RECORD_FIELD)),
        fullchain_due=bundles.fullchain_due(params, _bytes_or_none(inputs.certificate)),
        derived_files_present=bundles.present(params),
    )


def with_attribute_differences(inspection: Inspection, changes: dict[str, t.Any] | None, bookkeeping_attributes_differ: bool) -> Inspection:
    """The inspection, plus what the module found about owner, group and mode (only AnsibleModule can tell)."""
    return dataclasses.replace(
        inspection,
        attributes_differ=bool(changes),
        attribute_changes=changes or None,
        bookkeeping_attributes_differ=bookkeeping_attributes_differ,
    )


def with_inspection(outcome: InstallOutcome, inspection: Inspection) -> InstallOutcome:
    """The install outcome with the files as they are after it."""
    return dataclasses.replace(outcome, inspection=inspection)


def _path_problems(params: dict[str, t.Any]) -> list[str]:
    """What makes the paths unusable whatever the files hold: special files, and one file named twice."""
    named = [
        (params["path"], "path"),
        (_files.bookkeeping_path(params["path"]), "the bookkeeping file"),
        (params.get("privatekey_path"), "privatekey_path"),
        (params.get("csr_path"), "csr_path"),
        (params.get("pkcs12_path"), "pkcs12_path"),
        (params.get("fullchain_path"), "fullchain_path"),
    ]
    problems = [problem for problem in (_files.special_file_problem(file_path, what) for file_path, what in named) if problem]
    seen: dict[str, str] = {}
    for file_path, what in named:
        if not file_path:
            continue
        real = os.path.realpath(file_path)
        if real in seen:
            problems.append(f"{what} and {seen[real]} name the same file ({real}): each needs a file of its own, or one would overwrite the other on every run")
        seen.setdefault(real, what)
    return problems


def _present_problems(params: dict[str, t.Any], key: KeyView | None, csr: CsrView | None, check_mode: bool = False) -> list[str]:
    """What would make every run reissue, or a write fail, found before anything is asked of ESA."""
    problems = []
    key_path = params.get("privatekey_path")
    if key is not None and key.state == "encrypted":
        problems.append(
            f"privatekey_path: {key_path} holds an encrypted private key, which this module cannot read or compare; "
            "give it an unencrypted PEM key, or (with csr_path or csr_content) leave privatekey_path out"
        )
    elif key is not None and csr is not None:
        # With a CSR the key is the user's: the module never writes it, so a key that is not the CSR's would
        # mismatch every certificate issued from that CSR, on every run.
        if key.state != "present":
            state = "does not exist" if key.state == "missing" else "cannot be read or holds no private key"
            problems.append(
                f"privatekey_path: {key_path} {state}; with a CSR the key is yours to provide "
                "(the module neither writes nor removes it): put the CSR's key there, or leave privatekey_path out"
            )
        elif key.public_key_sha256 != csr.public_key_sha256:
            problems.append(
                f"privatekey_path: {key_path} is not the private key of the CSR, so no certificate issued from the CSR "
                "could ever match it: give the key that signed the CSR, or leave privatekey_path out"
            )
    derived = ((params.get("pkcs12_path"), "pkcs12_path"), (params.get("fullchain_path"), "fullchain_path"))
    for file_path, what in ((params["path"], "path"), (key_path if manages_key(params) else None, "privatekey_path"), *derived):
        problem = file_path and _files.directory_problem(file_path, what, missing_ok=check_mode)
        if problem:
            problems.append(problem)
    if params.get("pkcs12_path"):
        problem = pkcs12_problem()  # before anything is asked of ESA, whatever the files say
        if problem:
            problems.append(problem)
    return problems


def possession_proof(params: dict[str, t.Any], key_data: bytes | OSError | None, nonce: str, site_id: t.Any) -> Possession:
    """The key at privatekey_path signs the controller's challenge; or why it cannot."""
    if not params.get("privatekey_path"):
        return Possession(unavailable="no privatekey_path was given, so this host has no key to prove with")
    if not isinstance(key_data, bytes):
        return Possession(unavailable=f"privatekey_path {params['privatekey_path']} cannot be read")
    if _is_encrypted_pem(key_data):
        return Possession(unavailable=f"privatekey_path {params['privatekey_path']} is encrypted")
    _facts_module, keys_module = _crypto()
    key = keys_module.load_private_key(key_data, for_comparison_only=True)
    possession = _possession()
    signature = possession.sign(key, possession.proof_message(nonce, int(site_id or 0))) if key is not None else None
    if signature is None:
        return Possession(unavailable=f"privatekey_path {params['privatekey_path']} holds no usable private key")
    return Possession(signature=signature)


def _certificate_state(path: str, data: bytes | OSError | None, facts: dict[str, t.Any] | None) -> tuple[str, str | None]:
    """``missing``, ``unreadable`` or ``present``, and why it is unreadable."""
    if isinstance(data, OSError):
        return "unreadable", f"cannot read {path}: {data.strerror}"
    if data is None:
        return "missing", None
    if facts is None:
        return "unreadable", f"{path} holds no PEM certificate"
    return "present", None


def _inspect_key(data: bytes | OSError | None, facts: dict[str, t.Any] | None) -> KeyView:
    if isinstance(data, OSError):
        return KeyView(state="unreadable")
    if data is None:
        return KeyView(state="missing")
    if facts is None:
        return KeyView(state="encrypted" if _is_encrypted_pem(data) else "unreadable")
    return KeyView(state="present", public_key_sha256=facts["public_key_sha256"], key_type=facts["key_type"])


def _is_encrypted_pem(data: bytes) -> bool:
    """A passphrase-protected PEM key (PKCS#8 or traditional OpenSSL), told by its armour without cryptography."""
    return b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in data or b"Proc-Type: 4,ENCRYPTED" in data


def _inspect_csr(params: dict[str, t.Any], inputs: _Inputs, facts: dict[str, t.Any] | None, problems: list[str]) -> CsrView | None:
    source, data = inputs.csr_source, inputs.csr
    if isinstance(data, OSError):
        problems.append(f"csr_path: cannot read {params['csr_path']}: {data.strerror}")
        return None
    if data is None:
        problems.append(f"csr_path: {params['csr_path']} does not exist")
        return None
    if facts is None:
        problems.append(f"{source}: not a PEM certificate signing request")
        return None
    if not facts["signature_valid"]:
        problems.append(f"{source}: the CSR's signature does not verify with its own public key")
    elif not facts.get("common_name"):
        # ESA takes the subject from the CSR's CN; without one it refuses the create (so every run would try again).
        problems.append(f"{source}: the CSR has no common name (CN): ESA issues a certificate only for a CSR whose subject has one")
    return CsrView(
        pem=data.decode("ascii", "replace"),
        public_key_sha256=facts["public_key_sha256"],
        key_type=facts["key_type"],
        signature_valid=facts["signature_valid"],
        common_name=facts.get("common_name"),
    )


# A pending key older than this belongs to a run that died; younger ones may still be waiting for ESA.
STALE_PENDING_SECONDS = 3600


def prepare_key_and_csr(params: dict[str, t.Any], new_key: bool, common_name: str | None, run_token: str) -> Prepared:
    """Make the CSR for key_source=local; a new key waits in a hidden 0600 file until install.

    The common name is the controller's to decide (the task's, or the inventory hostname), never this host's own idea
    of its name: the controller checks the CSR against it before anything reaches ESA.
    """
    if not common_name:
        raise TargetError("internal error: the controller sent no common name for the CSR; nothing was made")
    facts_module, keys_module = _crypto()
    key_path = params["privatekey_path"]
    _files.remove_stale_pending_keys(key_path, STALE_PENDING_SECONDS)
    if new_key:
        key = keys_module.generate_private_key(params["pkey_type"])
        data = keys_module.private_key_pem(key)
        _files.create_private_file(_files.pending_key_path(key_path, run_token), data, 0o600)
    else:
        data = _files.read_bytes(key_path)
        key = keys_module.load_private_key(data) if data is not None else None
        if key is None:
            raise TargetError(f"privatekey_path: {key_path} holds no usable private key to reuse (rotate_key=false)")
    return Prepared(
        csr_pem=keys_module.build_csr_pem(key, common_name),
        public_key_sha256=facts_module.public_key_sha256(key.public_key()),
        new_key=new_key,
        key_file_sha256=hashlib.sha256(data).hexdigest(),
    )


def prepare_recipient(params: dict[str, t.Any], run_token: str) -> Prepared:
    """For key_source=esa: a one-time key pair whose private half waits in the 0600 pending file, so ESA's key
    can travel to this host sealed instead of as a plain module argument (see _key_wrap)."""
    key_path = params["privatekey_path"]
    _files.remove_stale_pending_keys(key_path, STALE_PENDING_SECONDS)
    private_pem, public_b64 = _sealing().new_recipient()
    _files.create_private_file(_files.pending_key_path(key_path, run_token), private_pem, 0o600)
    return Prepared(recipient_public_key=public_b64)


def prepare_if_due(params: dict[str, t.Any], inspection: Inspection, run_token: str, now: _dt.datetime, proof_nonce: str | None = None) -> Inspection:
    """When the files alone already call for a new certificate (missing, unreadable, another key, another type, expiring,
    forced), make its key and CSR (or the one-time key, key_source=esa) in this same execution: a fresh issue then costs two
    target executions instead of three. What ESA says can only add reasons, never remove these, so nothing is made in vain
    (a run that stops anyway discards it). With ``proof_nonce`` the key in place, the one being replaced, signs the
    controller's challenge now, while cryptography is imported anyway: the install then has nothing to sign."""
    if uses_csr(params) or not params.get("privatekey_path") or inspection.problems:
        return inspection
    local = local_state_from_inspection(inspection, parse_returned_time)
    if not reissue_reasons(local, None, ReissuePolicy.from_params(params), now):
        return inspection
    if params["key_source"] == "esa":
        prepared = prepare_recipient(params, run_token)
    else:
        new_key = needs_new_key(inspection, params["pkey_type"], bool(params.get("rotate_key", True)))
        prepared = prepare_key_and_csr(params, new_key, params.get("common_name"), run_token)
    possession = possession_proof(params, _read(params["privatekey_path"]), proof_nonce, params.get("site_id")) if proof_nonce else None
    return dataclasses.replace(inspection, prepared=prepared, possession=possession)


def discard_pending_key(params: dict[str, t.Any], run_token: str) -> bool:
    return bool(params.get("privatekey_path")) and _files.remove_if_present(_files.pending_key_path(params["privatekey_path"], run_token))


def install(
    params: dict[str, t.Any],
    certificate_pem: str,
    privatekey_sealed: dict[str, t.Any] | None,
    bookkeeping: Bookkeeping,
    run_token: str,
    expected_file_sha256: str | None,
    expected_public_key_sha256: str | None = None,
    proof_nonce: str | None = None,
    given: GivenFacts | None = None,
) -> InstallOutcome:
    """Put the new pair in place: key first, certificate second, bookkeeping last.

    A crash between the two renames leaves a key that does not match the certificate, which the
    next run reports as key_mismatch and repairs; it never leaves a half-written file.
    Under a lock of the directories, the pair is replaced only if the certificate file is still the
    one this run inspected: when a concurrent run got there first, nothing is written ("raced").
    With ``proof_nonce`` the key in place before the replacement signs the controller's challenge
    (``possession``), so the controller may revoke the replaced certificate only if this host held its key.
    With ``given`` facts (key_source=local, nothing to sign or unseal) the controller has checked the certificate
    against the CSR and parsed it; the target checks that the key is still the one that signed the CSR and that the
    facts are those of the PEM it writes, with hashlib alone: cryptography is not imported.
    """
    if given is not None and (privatekey_sealed or proof_nonce or not manages_key(params)):
        raise TargetError("internal error: the controller's facts serve only an install of a key made on this host with nothing to sign")
    certificate_facts = _given_certificate_facts(certificate_pem, given) if given is not None else _checked_certificate_facts(certificate_pem)
    path, key_path = params["path"], params.get("privatekey_path")
    unsafe = bool(params.get("unsafe_writes"))
    with _files.directory_locks(*_locked_paths(params)):
        if _files.content_sha256(path) != expected_file_sha256:
            discard_pending_key(params, run_token)
            return InstallOutcome(raced=True)
        key_bytes, pending = _new_key_bytes(params, privatekey_sealed, run_token)
        if given is not None:
            signer_sha256 = hashlib.sha256(key_bytes).hexdigest() if key_bytes is not None else _files.content_sha256(params["privatekey_path"])
            if signer_sha256 != given.key_file_sha256:
                raise TargetError("the private key that signed the CSR changed on the target since; nothing was written")
        else:
            _check_key_matches(certificate_facts["public_key_sha256"], key_bytes, expected_public_key_sha256)

        backup_file = privatekey_backup_file = None
        possession = possession_proof(params, _read(key_path) if key_path else None, proof_nonce, params.get("site_id")) if proof_nonce else None
        if key_bytes is not None and key_path:
            if params.get("backup") and os.path.exists(key_path):
                privatekey_backup_file = _files.backup_copy(key_path)
            if pending and not privatekey_sealed:
                _files.move_into_place(pending, key_path, unsafe_writes=unsafe)
            else:
                _files.write_atomically(key_path, key_bytes, 0o600, unsafe_writes=unsafe)
        if pending and privatekey_sealed:
            _files.remove_if_present(pending)  # the one-time key has done its job
        if params.get("backup") and os.path.exists(path):
            backup_file = _files.backup_copy(path)
        _files.write_atomically(path, certificate_pem.encode("ascii"), _certificate_mode(path), unsafe_writes=unsafe)
        # The bundle and chain after the pair: a crash before the bookkeeping leaves a record of the old pair, so the next run rewrites them.
        written = bundles.write_due(params, (_files.read_bookkeeping_fields(path) or {}).get(bundles.RECORD_FIELD), unsafe_writes=unsafe)
        stored = dataclasses.replace(bookkeeping, fingerprint_sha256=certificate_facts["fingerprint_sha256"])
        if given is not None:
            inputs = _read_inputs(params)
            parsed = _parse_cache.entry(_digest(inputs), given.facts)
        else:
            parsed = parsed_entry(params)
        _files.write_bookkeeping(path, _with_record(dict(stored.to_dict(), parsed=parsed), written.record), unsafe_writes=unsafe)
    return InstallOutcome(
        raced=False,
        backup_file=backup_file,
        privatekey_backup_file=privatekey_backup_file,
        possession=possession,
        pkcs12_written=written.pkcs12,
        fullchain_written=written.fullchain,
        pkcs12_backup_file=written.pkcs12_backup_file,
        fullchain_backup_file=written.fullchain_backup_file,
    )


def _with_record(fields: dict[str, t.Any], record: dict[str, str] | None) -> dict[str, t.Any]:
    """The bookkeeping fields with the record of the PKCS#12 bundle on disk (none without pkcs12_path)."""
    fields.pop(bundles.RECORD_FIELD, None)
    if record is not None:
        fields[bundles.RECORD_FIELD] = record
    return fields


def install_phase(params: dict[str, t.Any], request: InstallRequest, apply_attributes: t.Callable[[], t.Any]) -> dict[str, t.Any]:
    """The install phase as the target answers it: install, then ``apply_attributes`` (owner, group, mode... of the files
    written), then the files as they are now."""
    if request.bookkeeping is None:  # InstallRequest.from_fields refuses that already; this tells the type checker
        raise ContractError("the install phase needs certificate_pem and bookkeeping")
    installed = install(
        params,
        request.certificate_pem,
        request.privatekey_sealed,
        request.bookkeeping,
        request.run_id,
        request.expected_file_sha256,
        request.expected_public_key_sha256,
        request.proof_nonce,
        given_facts(request.parsed_facts, request.expected_key_file_sha256),
    )
    if not installed.raced:
        apply_attributes()
    installed = with_inspection(installed, inspect(params, with_pem=request.with_pem))
    return dict(installed.to_dict(), changed=not installed.raced)


class GivenFacts(t.NamedTuple):
    """What the controller vouches for in an install (InstallRequest.parsed_facts and expected_key_file_sha256)."""

    facts: dict[str, t.Any]
    key_file_sha256: str


def given_facts(parsed_facts: dict[str, t.Any] | None, key_file_sha256: str | None) -> GivenFacts | None:
    if parsed_facts is None:
        return None
    if not key_file_sha256 or not _parse_cache.well_formed(parsed_facts) or not parsed_facts.get("certificate") or not parsed_facts.get("privatekey"):
        raise TargetError("internal error: the controller's facts for the install are incomplete; nothing was written")
    return GivenFacts(parsed_facts, key_file_sha256)


def _given_certificate_facts(certificate_pem: str, given: GivenFacts) -> dict[str, t.Any]:
    """The controller's facts of the certificate, once the PEM to be written is seen to be the one they describe."""
    der = _first_pem_der(certificate_pem, "CERTIFICATE")
    facts = given.facts["certificate"]
    if der is None or hashlib.sha256(der).hexdigest() != facts["fingerprint_sha256"]:
        raise TargetError("the certificate to install is not the one the controller described; nothing was written")
    if given.facts["privatekey"]["public_key_sha256"] != facts["public_key_sha256"]:
        raise TargetError("the controller's facts pair the certificate with another key; nothing was written")
    return facts


def _first_pem_der(pem: str, label: str) -> bytes | None:
    """The DER of the first PEM block with this label (what cryptography's load_pem_* reads), or None."""
    begin, end = f"-----BEGIN {label}-----", f"-----END {label}-----"
    found = pem.find(begin)
    body = found + len(begin)
    stop = pem.find(end, body) if found >= 0 else -1
    if stop < 0:
        return None
    try:
        return base64.b64decode("".join(pem[body:stop].split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def _checked_certificate_facts(certificate_pem: str) -> dict[str, t.Any]:
    facts_module, _keys_module = _crypto()
    certificate = facts_module.load_pem_certificate(certificate_pem.encode("ascii"))
    if certificate is None:
        raise TargetError("ESA returned a certificate that is not PEM; nothing was written")
    return facts_module.certificate_facts(certificate)


def _check_key_matches(cert_public: str, key_bytes: bytes | None, expected_public_key_sha256: str | None) -> None:
    facts_module, keys_module = _crypto()
    if key_bytes is not None:
        key = keys_module.load_private_key(key_bytes)
        if key is None or facts_module.public_key_sha256(key.public_key()) != cert_public:
            raise TargetError("the issued certificate does not match the private key; nothing was written")
    elif expected_public_key_sha256 and expected_public_key_sha256 != cert_public:
        raise TargetError("the issued certificate does not match the CSR's public key; nothing was written")


def _locked_paths(params: dict[str, t.Any]) -> list[str]:
    return [path for path in (params["path"], params.get("privatekey_path"), params.get("pkcs12_path"), params.get("fullchain_path")) if path]


def _new_key_bytes(params: dict[str, t.Any], privatekey_sealed: dict[str, t.Any] | None, run_token: str) -> tuple[bytes | None, str | None]:
    """The key that pairs with the new certificate, and the pending file it (or the one-time key that opens it) waits in."""
    key_path = params.get("privatekey_path")
    if not key_path or not manages_key(params):
        # A CSR: the user's key signed it; the certificate is checked against the CSR, nothing rewritten.
        return None, None
    pending = _files.pending_key_path(key_path, run_token)
    data = _files.read_bytes(pending)
    if privatekey_sealed:
        if data is None:
            raise TargetError("the one-time key that opens ESA's private key is gone from the target; nothing was written, run again")
        try:
            return _sealing().unseal(privatekey_sealed, data), pending
        except ValueError as exc:
            raise TargetError(f"{exc}; nothing was written") from None
    if data is not None:
        return data, pending
    # rotate_key=false: the existing key signed the CSR; the certificate is checked against it, nothing rewritten.
    return None, None


def _certificate_mode(path: str) -> int:
    """Keep an existing certificate's mode; new ones are world-readable (within the umask), as public certificates are."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        return _files.public_file_mode()


def maintain(params: dict[str, t.Any], bookkeeping: Bookkeeping | None, expected_file_sha256: str | None) -> MaintainOutcome:
    """A run that issues nothing: rewrite the bookkeeping when asked (a lost id found again, stale parsed facts).

    Only while the certificate file is still the one the controller decided on: a run that replaced it in the
    meantime wrote its own bookkeeping, which must not be overwritten with this one's.
    """
    derived = params.get("pkcs12_path") or params.get("fullchain_path")
    if bookkeeping is None and not derived:
        return MaintainOutcome()
    path, unsafe = params["path"], bool(params.get("unsafe_writes"))
    with _files.directory_locks(*_locked_paths(params)):
        if _files.content_sha256(path) != expected_file_sha256:
            return MaintainOutcome()
        fields = _files.read_bookkeeping_fields(path)
        bundles_written = bundles.write_due(params, (fields or {}).get(bundles.RECORD_FIELD), unsafe_writes=unsafe)
        if bookkeeping is not None:
            _files.write_bookkeeping(path, _with_record(dict(bookkeeping.to_dict(), parsed=parsed_entry(params)), bundles_written.record), unsafe_writes=unsafe)
        elif bundles_written.pkcs12:
            # Only the bundle's record changes; a bookkeeping file without an ESA id (lost, verify_remote=false) gets one too, so the bundle settles.
            _files.write_bookkeeping(path, _with_record(dict(fields or {}), bundles_written.record), unsafe_writes=unsafe)
    return MaintainOutcome(
        bookkeeping_written=bookkeeping is not None or bundles_written.pkcs12,
        pkcs12_written=bundles_written.pkcs12,
        fullchain_written=bundles_written.fullchain,
        pkcs12_backup_file=bundles_written.pkcs12_backup_file,
        fullchain_backup_file=bundles_written.fullchain_backup_file,
    )


def remove(params: dict[str, t.Any]) -> RemoveOutcome:
    """Remove the certificate, the key the collection manages and the bookkeeping; idempotent."""
    removed, backups = [], []
    targets = [params["path"]]
    if manages_key(params):
        targets.append(params["privatekey_path"])
    targets.extend(params[name] for name in ("pkcs12_path", "fullchain_path") if params.get(name))
    for file_path in targets:
        if params.get("backup") and os.path.exists(file_path):
            backups.append(_files.backup_copy(file_path))
        if _files.remove_if_present(file_path):
            removed.append(file_path)
    if manages_key(params):
        for pending in _files.pending_keys(params["privatekey_path"]):
            _files.remove_if_present(pending)
    _files.remove_if_present(_files.bookkeeping_path(params["path"]))
    return RemoveOutcome(removed=removed, backup_files=backups)
