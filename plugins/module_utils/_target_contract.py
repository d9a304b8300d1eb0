# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What crosses between the controller (the action plugin of esa_client_certificate) and the target (its module).

One small dataclass per message, each with one to_dict() and one from_dict(), used on both sides: the controller
sends a TargetRequest as the module's internal ``_target`` option; the module answers an Inspection, a Prepared
request, an InstallOutcome, a MaintainOutcome or a RemoveOutcome. Neither side reads the other's raw keys, so a
new fact is one field here, filled on the target and read on the controller.

Runs on targets down to Python 3.8: annotations only in the new syntax (``from __future__ import annotations``).
"""

from __future__ import annotations

import dataclasses
import typing as t
from collections.abc import Mapping

PHASES = ("inspect", "prepare", "install", "discard", "maintain", "remove")


class ContractError(ValueError):
    """A message that does not have the shape this version expects (a target running another version of the collection)."""


def _required(data: t.Mapping[str, t.Any], name: str, kind: type | tuple[type, ...], what: str) -> t.Any:
    value = data.get(name) if isinstance(data, Mapping) else None
    if not isinstance(value, kind):
        raise ContractError(f"the target's {what} lacks {name}: is the collection on the controller and the module on the target the same version?")
    return value


def _optional(data: t.Mapping[str, t.Any], name: str, kind: type | tuple[type, ...]) -> t.Any:
    value = data.get(name)
    return value if isinstance(value, kind) else None


def _plain(instance: t.Any) -> dict[str, t.Any]:
    """A dataclass as plain JSON types, nested ones included; None fields left out (they are the defaults)."""
    return {name: value for name, value in dataclasses.asdict(instance).items() if value is not None}


@dataclasses.dataclass(frozen=True)
class Bookkeeping:
    """What the target keeps beside the certificate (``<path>.esa.json``): a lookup hint for the controller, never an authorisation."""

    site_id: int
    id: str
    fingerprint_sha256: str | None = None

    def to_dict(self) -> dict[str, t.Any]:
        return _plain(self)

    @classmethod
    def from_dict(cls, data: t.Any) -> Bookkeeping | None:
        """The bookkeeping in data, or None when it is not one (a file may hold anything)."""
        if not isinstance(data, Mapping) or not isinstance(data.get("id"), str):
            return None
        raw_site = data.get("site_id")
        if isinstance(raw_site, bool) or not isinstance(raw_site, (int, str)):
            return None
        try:
            site_id = int(raw_site)
        except ValueError:
            return None
        return cls(site_id=site_id, id=data["id"], fingerprint_sha256=_optional(data, "fingerprint_sha256", str))


@dataclasses.dataclass(frozen=True)
class CertificateFacts:
    """What a certificate says about itself (module_utils._certificate_facts.certificate_facts), in this collection's formats."""

    fingerprint_sha256: str
    public_key_sha256: str
    key_type: str
    not_before: str
    not_after: str
    serial_number: str | None = None
    common_name: str | None = None
    issuer: str | None = None
    validity_days: int | None = None
    signature_algorithm: str | None = None

    def to_dict(self) -> dict[str, t.Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: t.Mapping[str, t.Any]) -> CertificateFacts:
        what = "certificate facts"
        return cls(
            fingerprint_sha256=_required(data, "fingerprint_sha256", str, what),
            public_key_sha256=_required(data, "public_key_sha256", str, what),
            key_type=_required(data, "key_type", str, what),
            not_before=_required(data, "not_before", str, what),
            not_after=_required(data, "not_after", str, what),
            serial_number=_optional(data, "serial_number", str),
            common_name=_optional(data, "common_name", str),
            issuer=_optional(data, "issuer", str),
            validity_days=_optional(data, "validity_days", int),
            signature_algorithm=_optional(data, "signature_algorithm", str),
        )


@dataclasses.dataclass(frozen=True)
class KeyView:
    """The file at privatekey_path: ``missing``, ``unreadable``, ``encrypted`` or ``present`` (with its public half)."""

    state: str
    public_key_sha256: str | None = None
    key_type: str | None = None

    @classmethod
    def from_dict(cls, data: t.Mapping[str, t.Any]) -> KeyView:
        return cls(
            state=_required(data, "state", str, "key"), public_key_sha256=_optional(data, "public_key_sha256", str), key_type=_optional(data, "key_type", str)
        )


@dataclasses.dataclass(frozen=True)
class CsrView:
    """The CSR given by csr_path or csr_content, when it could be read."""

    pem: str
    public_key_sha256: str
    key_type: str
    signature_valid: bool
    common_name: str | None = None

    @classmethod
    def from_dict(cls, data: t.Mapping[str, t.Any]) -> CsrView:
        return cls(
            pem=_required(data, "pem", str, "CSR"),
            public_key_sha256=_required(data, "public_key_sha256", str, "CSR"),
            key_type=_required(data, "key_type", str, "CSR"),
            signature_valid=_required(data, "signature_valid", bool, "CSR"),
            common_name=_optional(data, "common_name", str),
        )


@dataclasses.dataclass(frozen=True)
class Possession:
    """The host's signature over the controller's challenge with the key at privatekey_path, or why it could not sign."""

    signature: str | None = None
    unavailable: str | None = None

    @classmethod
    def from_dict(cls, data: t.Any) -> Possession | None:
        if not isinstance(data, Mapping):
            return None
        return cls(signature=_optional(data, "signature", str), unavailable=_optional(data, "unavailable", str))


@dataclasses.dataclass(frozen=True)
class Prepared:
    """The prepare phase's answer: the CSR of a local key (key_source=local), or the one-time recipient key (key_source=esa)."""

    csr_pem: str | None = None
    public_key_sha256: str | None = None
    new_key: bool = False
    recipient_public_key: str | None = None
    key_file_sha256: str | None = None
    """Digest of the bytes of the key that signed the CSR (the pending file, or privatekey_path when the key is kept):
    an install that takes the controller's facts checks the key is still those bytes."""

    def to_dict(self) -> dict[str, t.Any]:
        return _plain(self)

    @classmethod
    def from_dict(cls, data: t.Mapping[str, t.Any]) -> Prepared:
        prepared = cls(
            csr_pem=_optional(data, "csr_pem", str),
            public_key_sha256=_optional(data, "public_key_sha256", str),
            new_key=bool(data.get("new_key")),
            recipient_public_key=_optional(data, "recipient_public_key", str),
            key_file_sha256=_optional(data, "key_file_sha256", str),
        )
        if prepared.csr_pem is None and prepared.recipient_public_key is None:
            raise ContractError("the target's prepare answer has neither a CSR nor a recipient key: is the module on the target the same version?")
        return prepared


@dataclasses.dataclass(frozen=True)
class Inspection:
    """Everything the controller's decision needs to know about the target's files (the inspect phase reads only)."""

    certificate_state: str
    """``missing``, ``unreadable`` or ``present``."""
    problems: list[str] = dataclasses.field(default_factory=list)
    """Why the task must stop before anything is asked of ESA (one line each)."""
    certificate: CertificateFacts | None = None
    certificate_error: str | None = None
    certificate_file_sha256: str | None = None
    """Digest of the certificate file's bytes as inspected: install and maintain stand down if it changed since."""
    certificate_pem: str | None = None
    key: KeyView | None = None
    """None when no privatekey_path was given."""
    csr: CsrView | None = None
    bookkeeping: Bookkeeping | None = None
    parse_cache_hit: bool = False
    """The facts were the ones remembered for these very bytes (cryptography was not imported)."""
    possession: Possession | None = None
    """The key's signature over the controller's challenge: state=absent, or a replacement prepared in the inspection."""
    attributes_differ: bool = False
    """Owner, group, mode or SELinux context of the certificate (or of the managed key) differ from the task's."""
    attribute_changes: dict[str, t.Any] | None = None
    """What would change, for --diff: ``{"before": {path: {mode, owner, group}}, "after": {...}}``."""
    prepared: Prepared | None = None
    """The key and CSR (or one-time key) made already, when the files alone called for a new certificate (prepare_if_due)."""
    bookkeeping_attributes_differ: bool = False
    selinux_enabled: bool | None = None
    """Whether SELinux is enabled on the target, as AnsibleModule sees it (None: not asked). Only where it is not may the
    install run without AnsibleModule (_plain_install): AnsibleModule may set a context even where no option asks."""

    def to_dict(self) -> dict[str, t.Any]:
        return _plain(self)

    @classmethod
    def from_dict(cls, data: t.Mapping[str, t.Any]) -> Inspection:
        certificate = _optional(data, "certificate", Mapping)
        key = _optional(data, "key", Mapping)
        csr = _optional(data, "csr", Mapping)
        return cls(
            certificate_state=_required(data, "certificate_state", str, "inspection"),
            problems=[str(problem) for problem in _required(data, "problems", list, "inspection")],
            certificate=CertificateFacts.from_dict(certificate) if certificate is not None else None,
            certificate_error=_optional(data, "certificate_error", str),
            certificate_file_sha256=_optional(data, "certificate_file_sha256", str),
            certificate_pem=_optional(data, "certificate_pem", str),
            key=KeyView.from_dict(key) if key is not None else None,
            csr=CsrView.from_dict(csr) if csr is not None else None,
            bookkeeping=Bookkeeping.from_dict(data.get("bookkeeping")),
            parse_cache_hit=bool(data.get("parse_cache_hit")),
            possession=Possession.from_dict(data.get("possession")),
            attributes_differ=bool(data.get("attributes_differ")),
            attribute_changes=_optional(data, "attribute_changes", Mapping),
            prepared=Prepared.from_dict(data["prepared"]) if isinstance(data.get("prepared"), Mapping) else None,
            bookkeeping_attributes_differ=bool(data.get("bookkeeping_attributes_differ")),
            selinux_enabled=_optional(data, "selinux_enabled", bool),
        )


@dataclasses.dataclass(frozen=True)
class InstallOutcome:
    raced: bool
    """Another run replaced the certificate file since it was inspected: nothing was written."""
    inspection: Inspection | None = None
    """The files after the install."""
    backup_file: str | None = None
    privatekey_backup_file: str | None = None
    possession: Possession | None = None
    """The replaced key's signature over the controller's challenge (revoke_replaced)."""

    def to_dict(self) -> dict[str, t.Any]:
        data = _plain(self)
        if self.inspection is not None:
            data["inspection"] = self.inspection.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: t.Mapping[str, t.Any]) -> InstallOutcome:
        inspection = _optional(data, "inspection", Mapping)
        return cls(
            raced=_required(data, "raced", bool, "install answer"),
            inspection=Inspection.from_dict(inspection) if inspection is not None else None,
            backup_file=_optional(data, "backup_file", str),
            privatekey_backup_file=_optional(data, "privatekey_backup_file", str),
            possession=Possession.from_dict(data.get("possession")),
        )


@dataclasses.dataclass(frozen=True)
class MaintainOutcome:
    bookkeeping_written: bool = False
    attributes_changed: bool = False

    def to_dict(self) -> dict[str, t.Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class RemoveOutcome:
    removed: list[str] = dataclasses.field(default_factory=list)
    backup_files: list[str] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, t.Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: t.Mapping[str, t.Any]) -> RemoveOutcome:
        return cls(removed=list(data.get("removed") or []), backup_files=list(data.get("backup_files") or []))


@dataclasses.dataclass(frozen=True)
class TargetRequest:
    """What the controller asks of the target: the module's internal ``_target`` option."""

    phase: str = "inspect"
    run_id: str = "manual"
    """Names this run's pending key, so concurrent runs never take each other's."""
    with_pem: bool = False
    proof_nonce: str | None = None
    """The controller's challenge, signed with the key at privatekey_path (state=absent: inspect; a replacement: install)."""
    prepare_if_due: bool = False
    """Inspect: when the files alone already call for a new certificate, make its key and CSR in the same execution."""
    prepare_proof_nonce: str | None = None
    """Inspect with prepare_if_due: when the key and CSR are made in this execution, the key in place also signs this
    challenge (Inspection.possession), so that the install has nothing to sign and needs no cryptography."""
    new_key: bool = True
    common_name: str | None = None
    certificate_pem: str | None = None
    privatekey_sealed: dict[str, t.Any] | None = None
    """The key ESA generated (key_source=esa), sealed for the one-time key of the prepare phase."""
    expected_public_key_sha256: str | None = None
    expected_file_sha256: str | None = None
    bookkeeping: Bookkeeping | None = None
    parsed_facts: dict[str, t.Any] | None = None
    """Install, key_source=local: the facts of the files the install leaves, parsed by the controller from ESA's
    certificate after checking it carries the CSR's public key; with them the target needs no cryptography to install."""
    expected_key_file_sha256: str | None = None
    """Install with parsed_facts: the digest of the key that signed the CSR (Prepared.key_file_sha256)."""

    def to_dict(self) -> dict[str, t.Any]:
        return _plain(self)

    @classmethod
    def from_dict(cls, data: t.Mapping[str, t.Any] | None) -> TargetRequest:
        data = data or {}
        if not isinstance(data, Mapping):
            raise ContractError("_target must be a dict; it is internal to the collection and never set in a task")
        phase = data.get("phase") or "inspect"
        if phase not in PHASES:
            raise ContractError(f"unknown phase {phase!r}")
        sealed = data.get("privatekey_sealed")
        parsed = data.get("parsed_facts")
        return cls(
            phase=phase,
            run_id=_optional(data, "run_id", str) or "manual",
            with_pem=data.get("with_pem") is True,
            proof_nonce=_optional(data, "proof_nonce", str),
            prepare_if_due=data.get("prepare_if_due") is True,
            prepare_proof_nonce=_optional(data, "prepare_proof_nonce", str),
            new_key=data.get("new_key") is not False,
            common_name=_optional(data, "common_name", str),
            certificate_pem=_optional(data, "certificate_pem", str),
            privatekey_sealed=dict(sealed) if isinstance(sealed, Mapping) else None,
            expected_public_key_sha256=_optional(data, "expected_public_key_sha256", str),
            expected_file_sha256=_optional(data, "expected_file_sha256", str),
            bookkeeping=Bookkeeping.from_dict(data.get("bookkeeping")),
            parsed_facts=dict(parsed) if isinstance(parsed, Mapping) else None,
            expected_key_file_sha256=_optional(data, "expected_key_file_sha256", str),
        )


def sealed_values(target: t.Any) -> list[str]:
    """The strings of a request's sealed key, for the module to keep out of what it logs and returns."""
    sealed = target.get("privatekey_sealed") if isinstance(target, Mapping) else None
    if not isinstance(sealed, Mapping):
        return []
    return [value for value in sealed.values() if isinstance(value, str) and value]
