# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What crosses between the controller (the action plugin of esa_client_certificate) and the target (its module).

One small dataclass per message, each with one to_dict() and one from_dict(), used on both sides: the controller
sends a TargetRequest as the module's internal ``_target`` option; the module answers an Inspection, a Prepared
request, an InstallOutcome, a MaintainOutcome or a RemoveOutcome. Neither side reads the other's raw keys, so a
new fact is one field here, filled on the target and read on the controller.

The answers come from a managed host, which may be compromised: everything in them is a claim. Their from_dict() refuses,
with one line that names the field, a value of the wrong shape (a fingerprint that is not 64 lowercase hex digits, a time
not in the form format_time writes, an id ESA would not give) and a string past its bound (a CSR goes on to ESA).

Runs on targets down to Python 3.8: annotations only in the new syntax (``from __future__ import annotations``).
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing as t
from collections.abc import Mapping

from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import CollectionError
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import parse_returned_time

# Bounds on what a host's answer may carry, so that one host cannot make the controller forward, parse or show megabytes.
MAX_CSR_PEM = 16 * 1024  # a CSR of an RSA 16384-bit key is about 6 KiB of PEM; a 1.6 MB one was once forwarded to ESA
MAX_CERTIFICATE_PEM = 64 * 1024  # one certificate, with room for long extensions; ESA's own are under 3 KiB
MAX_TEXT = 8 * 1024  # any other string: paths (PATH_MAX is 4096), names, reasons, signatures, digests
MAX_ITEMS = 16  # any list: the inspection's problems (a handful at most), the files a removal names (two)
MAX_ATTRIBUTE_CHANGES = 64 * 1024  # the --diff of owner, group and mode of three files, as JSON

# The forms of what a host names: SHA-256 digests as hashlib writes them; ESA ids are short tokens (32 hex digits in
# every answer seen), and anything else is not sent to ESA.
FINGERPRINT_PATTERN = re.compile(r"[0-9a-f]{64}\Z")
ID_PATTERN = re.compile(r"[A-Za-z0-9_.-]{1,128}\Z")
CERTIFICATE_STATES = ("missing", "unreadable", "present")
KEY_STATES = ("missing", "unreadable", "encrypted", "present")


class ContractError(CollectionError, ValueError):
    """A message that does not have the shape this version expects: a target running another version of the collection,
    or a host answering what no honest target would."""


def _required(data: t.Mapping[str, t.Any], name: str, kind: type | tuple[type, ...], what: str) -> t.Any:
    value = data.get(name) if isinstance(data, Mapping) else None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise ContractError(
            f"the host's answer lacks {what}.{name} (or it is not a {_kind_name(kind)}):"
            " is the collection on the controller and the module on the target the same version?"
        )
    return value


def _optional(data: t.Mapping[str, t.Any], name: str, kind: type | tuple[type, ...]) -> t.Any:
    value = data.get(name)
    return value if isinstance(value, kind) else None


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "string", bool: "boolean", int: "number", list: "list", Mapping: "mapping"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(each, each.__name__) for each in kinds)


def _shown(value: t.Any) -> str:
    """The value for a one-line message: repr escapes line breaks; a long one is cut, with its length."""
    text = repr(value)
    if len(text) <= 80:
        return text
    if isinstance(value, str):
        return f"{text[:60]}... ({len(value)} characters)"
    return f"{text[:60]}... ({len(value)} entries)" if isinstance(value, (list, Mapping)) else f"{text[:60]}..."


def _malformed(field: str, value: t.Any, expected: str) -> ContractError:
    return ContractError(f"the host's answer is malformed: {field} is {_shown(value)} (expected {expected})")


def _too_large(field: str, size: int, limit: int, unit: str = "characters") -> ContractError:
    return ContractError(f"the host's answer is too large: {field} has {size} {unit} (at most {limit})")


def _answered(data: t.Mapping[str, t.Any], name: str, kind: type | tuple[type, ...], what: str, *, required: bool = False) -> t.Any:
    """A field of a host's answer: None when absent (unless required), ContractError when of another type."""
    if required:
        return _required(data, name, kind, what)
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise _malformed(f"{what}.{name}", value, f"a {_kind_name(kind)}")
    return value


def _text(data: t.Mapping[str, t.Any], name: str, what: str, *, limit: int = MAX_TEXT, required: bool = False) -> t.Any:
    value = _answered(data, name, str, what, required=required)
    if value is not None and len(value) > limit:
        raise _too_large(f"{what}.{name}", len(value), limit)
    return value


def _digest(data: t.Mapping[str, t.Any], name: str, what: str, *, required: bool = False) -> t.Any:
    """A SHA-256 digest (a fingerprint, a public key's or a file's), as hashlib writes it."""
    value = _answered(data, name, str, what, required=required)
    if value is not None and not FINGERPRINT_PATTERN.match(value):
        raise _malformed(f"{what}.{name}", value, "64 lowercase hex digits")
    return value


def _moment(data: t.Mapping[str, t.Any], name: str, what: str) -> str:
    """A time as format_time writes it (an empty string is no time)."""
    value = _required(data, name, str, what)
    try:
        parse_returned_time(value)
    except ValueError:
        raise _malformed(f"{what}.{name}", value, "YYYY-MM-DDTHH:MM:SSZ") from None
    return value


def _choice(data: t.Mapping[str, t.Any], name: str, what: str, choices: tuple[str, ...]) -> str:
    value = _required(data, name, str, what)
    if value not in choices:
        raise _malformed(f"{what}.{name}", value, "one of " + ", ".join(choices))
    return value


def _texts(data: t.Mapping[str, t.Any], name: str, what: str, *, required: bool = False) -> list[str]:
    """A list of strings, each within MAX_TEXT, at most MAX_ITEMS of them."""
    values = _answered(data, name, list, what, required=required) or []
    if len(values) > MAX_ITEMS:
        raise _too_large(f"{what}.{name}", len(values), MAX_ITEMS, "entries")
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise _malformed(f"{what}.{name}[{index}]", value, "a string")
        if len(value) > MAX_TEXT:
            raise _too_large(f"{what}.{name}[{index}]", len(value), MAX_TEXT)
    return list(values)


def _fingerprint_or_none(value: t.Any) -> str | None:
    """A fingerprint as a bookkeeping file may hold it (colons, upper case), in the form hashlib writes; None otherwise."""
    plain = value.replace(":", "").strip().lower() if isinstance(value, str) else ""
    return plain if FINGERPRINT_PATTERN.match(plain) else None


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
        """The bookkeeping in data, or None when it is not one (a file may hold anything, an id ESA would not give included);
        a fingerprint not in hashlib's form is left out."""
        if not isinstance(data, Mapping) or not isinstance(data.get("id"), str) or not ID_PATTERN.match(data["id"]):
            return None
        raw_site = data.get("site_id")
        if isinstance(raw_site, bool) or not isinstance(raw_site, (int, str)):
            return None
        try:
            site_id = int(raw_site)
        except ValueError:
            return None
        return cls(site_id=site_id, id=data["id"], fingerprint_sha256=_fingerprint_or_none(data.get("fingerprint_sha256")))

    @classmethod
    def from_answer(cls, data: t.Any, what: str) -> Bookkeeping | None:
        """The bookkeeping a host's answer names (None when it names none): a target sends only what from_dict() accepted,
        in the form it gives, so anything else is refused."""
        if data is None:
            return None
        if isinstance(data, Mapping) and isinstance(data.get("id"), str) and not ID_PATTERN.match(data["id"]):
            raise _malformed(f"{what}.id", data["id"], "1 to 128 letters, digits, '_', '.' or '-'")
        bookkeeping = cls.from_dict(data)
        if bookkeeping is None:
            raise _malformed(what, data, "a mapping with a site_id and an id")
        if bookkeeping.fingerprint_sha256 != data.get("fingerprint_sha256"):
            raise _malformed(f"{what}.fingerprint_sha256", data.get("fingerprint_sha256"), "64 lowercase hex digits")
        return bookkeeping


@dataclasses.dataclass(frozen=True)
class CertificateFacts:
    """What a certificate says about itself (module_utils._crypto.facts.certificate_facts), in this collection's formats."""

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
    def from_dict(cls, data: t.Mapping[str, t.Any], what: str = "certificate") -> CertificateFacts:
        """``what`` names these facts in a refusal (``inspection.certificate``)."""
        for name in ("fingerprint_sha256", "public_key_sha256", "key_type", "not_before", "not_after"):
            _required(data, name, str, what)  # every field first: a message of another version is named as such
        facts = cls(
            fingerprint_sha256=_digest(data, "fingerprint_sha256", what, required=True),
            public_key_sha256=_digest(data, "public_key_sha256", what, required=True),
            key_type=_text(data, "key_type", what, required=True),
            not_before=_moment(data, "not_before", what),
            not_after=_moment(data, "not_after", what),
            serial_number=_text(data, "serial_number", what),
            common_name=_text(data, "common_name", what),
            issuer=_text(data, "issuer", what),
            validity_days=_answered(data, "validity_days", int, what),
            signature_algorithm=_text(data, "signature_algorithm", what),
        )
        if facts.not_after < facts.not_before:  # one fixed format: text order is time order
            raise _malformed(f"{what}.not_after", facts.not_after, f"a time not before not_before, {facts.not_before}")
        return facts


@dataclasses.dataclass(frozen=True)
class KeyView:
    """The file at privatekey_path: ``missing``, ``unreadable``, ``encrypted`` or ``present`` (with its public half)."""

    state: str
    public_key_sha256: str | None = None
    key_type: str | None = None

    @classmethod
    def from_dict(cls, data: t.Mapping[str, t.Any], what: str = "key") -> KeyView:
        return cls(
            state=_choice(data, "state", what, KEY_STATES),
            public_key_sha256=_digest(data, "public_key_sha256", what),
            key_type=_text(data, "key_type", what),
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
    def from_dict(cls, data: t.Mapping[str, t.Any], what: str = "csr") -> CsrView:
        for name, kind in (("pem", str), ("public_key_sha256", str), ("key_type", str), ("signature_valid", bool)):
            _required(data, name, kind, what)
        return cls(
            pem=_text(data, "pem", what, limit=MAX_CSR_PEM, required=True),
            public_key_sha256=_digest(data, "public_key_sha256", what, required=True),
            key_type=_text(data, "key_type", what, required=True),
            signature_valid=_required(data, "signature_valid", bool, what),
            common_name=_text(data, "common_name", what),
        )


@dataclasses.dataclass(frozen=True)
class Possession:
    """The host's signature over the controller's challenge with the key at privatekey_path, or why it could not sign."""

    signature: str | None = None
    unavailable: str | None = None

    @classmethod
    def from_dict(cls, data: t.Any, what: str = "possession") -> Possession | None:
        if not isinstance(data, Mapping):
            return None
        return cls(signature=_text(data, "signature", what), unavailable=_text(data, "unavailable", what))


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
    def from_dict(cls, data: t.Mapping[str, t.Any], what: str = "prepare") -> Prepared:
        if not isinstance(data, Mapping):
            raise _malformed(what, data, "a mapping")
        prepared = cls(
            csr_pem=_text(data, "csr_pem", what, limit=MAX_CSR_PEM),
            public_key_sha256=_digest(data, "public_key_sha256", what),
            new_key=bool(data.get("new_key")),
            recipient_public_key=_text(data, "recipient_public_key", what),
            key_file_sha256=_digest(data, "key_file_sha256", what),
        )
        if prepared.csr_pem is None and prepared.recipient_public_key is None:
            raise ContractError(f"the host's answer has neither {what}.csr_pem nor {what}.recipient_public_key: is the module on the target the same version?")
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
    pkcs12_due: bool = False
    """pkcs12_path must be (re)written for the pair on disk (the certificate, key, passphrase, name or CAs changed, or the bundle did)."""
    fullchain_due: bool = False
    """fullchain_path must be (re)written for the certificate on disk."""
    derived_files_present: bool = False
    """pkcs12_path or fullchain_path exists (state=absent removes them)."""

    def to_dict(self) -> dict[str, t.Any]:
        return _plain(self)

    @classmethod
    def from_dict(cls, data: t.Mapping[str, t.Any], what: str = "inspection") -> Inspection:
        """``what`` names the inspection in a refusal: ``install.inspection`` within an install's answer."""
        _required(data, "certificate_state", str, what)
        _required(data, "problems", list, what)
        certificate = _answered(data, "certificate", Mapping, what)
        key = _answered(data, "key", Mapping, what)
        csr = _answered(data, "csr", Mapping, what)
        prepared = _answered(data, "prepared", Mapping, what)
        return cls(
            certificate_state=_choice(data, "certificate_state", what, CERTIFICATE_STATES),
            problems=_texts(data, "problems", what, required=True),
            certificate=CertificateFacts.from_dict(certificate, f"{what}.certificate") if certificate is not None else None,
            certificate_error=_text(data, "certificate_error", what),
            certificate_file_sha256=_digest(data, "certificate_file_sha256", what),
            certificate_pem=_text(data, "certificate_pem", what, limit=MAX_CERTIFICATE_PEM),
            key=KeyView.from_dict(key, f"{what}.key") if key is not None else None,
            csr=CsrView.from_dict(csr, f"{what}.csr") if csr is not None else None,
            bookkeeping=Bookkeeping.from_answer(data.get("bookkeeping"), f"{what}.bookkeeping"),
            parse_cache_hit=bool(data.get("parse_cache_hit")),
            possession=Possession.from_dict(data.get("possession"), f"{what}.possession"),
            attributes_differ=bool(data.get("attributes_differ")),
            attribute_changes=_attribute_changes(data, what),
            prepared=Prepared.from_dict(prepared, f"{what}.prepared") if prepared is not None else None,
            bookkeeping_attributes_differ=bool(data.get("bookkeeping_attributes_differ")),
            pkcs12_due=bool(data.get("pkcs12_due")),
            fullchain_due=bool(data.get("fullchain_due")),
            derived_files_present=bool(data.get("derived_files_present")),
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
    pkcs12_written: bool = False
    fullchain_written: bool = False
    pkcs12_backup_file: str | None = None
    fullchain_backup_file: str | None = None

    def to_dict(self) -> dict[str, t.Any]:
        data = _plain(self)
        if self.inspection is not None:
            data["inspection"] = self.inspection.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: t.Mapping[str, t.Any], what: str = "install") -> InstallOutcome:
        raced = _required(data, "raced", bool, what)
        inspection = _answered(data, "inspection", Mapping, what)
        return cls(
            raced=raced,
            inspection=Inspection.from_dict(inspection, f"{what}.inspection") if inspection is not None else None,
            backup_file=_text(data, "backup_file", what),
            privatekey_backup_file=_text(data, "privatekey_backup_file", what),
            possession=Possession.from_dict(data.get("possession"), f"{what}.possession"),
            pkcs12_written=_answered(data, "pkcs12_written", bool, what) is True,
            fullchain_written=_answered(data, "fullchain_written", bool, what) is True,
            pkcs12_backup_file=_text(data, "pkcs12_backup_file", what),
            fullchain_backup_file=_text(data, "fullchain_backup_file", what),
        )


@dataclasses.dataclass(frozen=True)
class MaintainOutcome:
    bookkeeping_written: bool = False
    attributes_changed: bool = False
    pkcs12_written: bool = False
    fullchain_written: bool = False
    pkcs12_backup_file: str | None = None
    fullchain_backup_file: str | None = None

    def to_dict(self) -> dict[str, t.Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: t.Mapping[str, t.Any], what: str = "maintain") -> MaintainOutcome:
        flags = {field.name: _answered(data, field.name, bool, what) is True for field in dataclasses.fields(cls) if field.type in (bool, "bool")}
        return cls(**flags, pkcs12_backup_file=_text(data, "pkcs12_backup_file", what), fullchain_backup_file=_text(data, "fullchain_backup_file", what))


@dataclasses.dataclass(frozen=True)
class RemoveOutcome:
    removed: list[str] = dataclasses.field(default_factory=list)
    backup_files: list[str] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, t.Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: t.Mapping[str, t.Any], what: str = "remove") -> RemoveOutcome:
        return cls(removed=_texts(data, "removed", what), backup_files=_texts(data, "backup_files", what))


@dataclasses.dataclass(frozen=True)
class _Step:
    """What every request to the target carries (the module's internal ``_target`` option: the step's fields and its phase)."""

    PHASE: t.ClassVar[str] = ""
    run_id: str = "manual"
    """Names this run's pending key, so concurrent runs never take each other's."""

    def to_dict(self) -> dict[str, t.Any]:
        return dict(_plain(self), phase=self.PHASE)


@dataclasses.dataclass(frozen=True)
class InspectRequest(_Step):
    """Read the files and say what they are; reads only, unless prepare_if_due makes a key and CSR."""

    PHASE: t.ClassVar[str] = "inspect"
    with_pem: bool = False
    proof_nonce: str | None = None
    """The controller's challenge, signed with the key at privatekey_path (state=absent, and check mode's proof)."""
    prepare_if_due: bool = False
    """When the files alone already call for a new certificate, make its key and CSR in the same execution."""
    prepare_proof_nonce: str | None = None
    """With prepare_if_due: when the key and CSR are made in this execution, the key in place also signs this challenge
    (Inspection.possession), so that the install has nothing to sign and needs no cryptography."""

    @classmethod
    def from_fields(cls, data: t.Mapping[str, t.Any], run_id: str) -> InspectRequest:
        return cls(
            run_id=run_id,
            with_pem=data.get("with_pem") is True,
            proof_nonce=_optional(data, "proof_nonce", str),
            prepare_if_due=data.get("prepare_if_due") is True,
            prepare_proof_nonce=_optional(data, "prepare_proof_nonce", str),
        )


@dataclasses.dataclass(frozen=True)
class PrepareRequest(_Step):
    """Make the key and CSR (key_source=local) or the one-time key (key_source=esa) when only ESA found a reason."""

    PHASE: t.ClassVar[str] = "prepare"
    new_key: bool = True
    common_name: str | None = None
    """The CSR's subject, decided on the controller (never by the host)."""

    @classmethod
    def from_fields(cls, data: t.Mapping[str, t.Any], run_id: str) -> PrepareRequest:
        return cls(run_id=run_id, new_key=data.get("new_key") is not False, common_name=_optional(data, "common_name", str))


@dataclasses.dataclass(frozen=True)
class InstallRequest(_Step):
    """Put ESA's certificate (and, for key_source=esa, its sealed key) in place."""

    PHASE: t.ClassVar[str] = "install"
    certificate_pem: str = ""
    bookkeeping: Bookkeeping | None = None
    """Required: the ESA id the install records beside the certificate."""
    privatekey_sealed: dict[str, t.Any] | None = None
    """The key ESA generated (key_source=esa), sealed for the one-time key of the prepare phase."""
    expected_public_key_sha256: str | None = None
    expected_file_sha256: str | None = None
    with_pem: bool = False
    proof_nonce: str | None = None
    """A replacement: the key in place before it signs this challenge."""
    parsed_facts: dict[str, t.Any] | None = None
    """Key_source=local: the facts of the files the install leaves, parsed by the controller from ESA's certificate after
    checking it carries the CSR's public key; with them the target needs no cryptography to install."""
    expected_key_file_sha256: str | None = None
    """With parsed_facts: the digest of the key that signed the CSR (Prepared.key_file_sha256)."""

    @classmethod
    def from_fields(cls, data: t.Mapping[str, t.Any], run_id: str) -> InstallRequest:
        certificate_pem = _optional(data, "certificate_pem", str)
        bookkeeping = Bookkeeping.from_dict(data.get("bookkeeping"))
        if not certificate_pem or bookkeeping is None:
            raise ContractError("the install phase needs certificate_pem and bookkeeping")
        sealed = data.get("privatekey_sealed")
        parsed = data.get("parsed_facts")
        return cls(
            run_id=run_id,
            certificate_pem=certificate_pem,
            bookkeeping=bookkeeping,
            privatekey_sealed=dict(sealed) if isinstance(sealed, Mapping) else None,
            expected_public_key_sha256=_optional(data, "expected_public_key_sha256", str),
            expected_file_sha256=_optional(data, "expected_file_sha256", str),
            with_pem=data.get("with_pem") is True,
            proof_nonce=_optional(data, "proof_nonce", str),
            parsed_facts=dict(parsed) if isinstance(parsed, Mapping) else None,
            expected_key_file_sha256=_optional(data, "expected_key_file_sha256", str),
        )


@dataclasses.dataclass(frozen=True)
class MaintainRequest(_Step):
    """Nothing to issue: rewrite the bookkeeping (when given) and the files' attributes, if the certificate is unchanged."""

    PHASE: t.ClassVar[str] = "maintain"
    bookkeeping: Bookkeeping | None = None
    expected_file_sha256: str | None = None

    @classmethod
    def from_fields(cls, data: t.Mapping[str, t.Any], run_id: str) -> MaintainRequest:
        return cls(run_id=run_id, bookkeeping=Bookkeeping.from_dict(data.get("bookkeeping")), expected_file_sha256=_optional(data, "expected_file_sha256", str))


@dataclasses.dataclass(frozen=True)
class _BareStep(_Step):
    """A step that needs nothing but the run's id."""

    @classmethod
    def from_fields(cls, data: t.Mapping[str, t.Any], run_id: str) -> t.Any:
        del data
        return cls(run_id=run_id)


@dataclasses.dataclass(frozen=True)
class DiscardRequest(_BareStep):
    """Remove this run's pending key: the certificate it was made for will not be installed."""

    PHASE: t.ClassVar[str] = "discard"


@dataclasses.dataclass(frozen=True)
class RemoveRequest(_BareStep):
    """State=absent: remove the certificate, the key the collection manages and the bookkeeping file."""

    PHASE: t.ClassVar[str] = "remove"


TargetRequest = t.Union[InspectRequest, PrepareRequest, InstallRequest, MaintainRequest, DiscardRequest, RemoveRequest]
_REQUESTS: dict[str, t.Any] = {kind.PHASE: kind for kind in (InspectRequest, PrepareRequest, InstallRequest, MaintainRequest, DiscardRequest, RemoveRequest)}
PHASES = tuple(_REQUESTS)


def request_from_dict(data: t.Mapping[str, t.Any] | None) -> TargetRequest:
    """The request of the module's ``_target`` option, as the type of its phase (each checks its own fields)."""
    data = data or {}
    if not isinstance(data, Mapping):
        raise ContractError("_target must be a dict; it is internal to the collection and never set in a task")
    phase = data.get("phase") or "inspect"
    kind = _REQUESTS.get(phase) if isinstance(phase, str) else None
    if kind is None:
        raise ContractError(f"unknown phase {phase!r}")
    request: TargetRequest = kind.from_fields(data, _optional(data, "run_id", str) or "manual")
    return request


def _attribute_changes(data: t.Mapping[str, t.Any], what: str) -> dict[str, t.Any] | None:
    changes = _answered(data, "attribute_changes", Mapping, what)
    if changes is None:
        return None
    size = len(json.dumps(changes, default=str))
    if size > MAX_ATTRIBUTE_CHANGES:
        raise _too_large(f"{what}.attribute_changes", size, MAX_ATTRIBUTE_CHANGES)
    return changes


def sealed_values(target: t.Any) -> list[str]:
    """The strings of a request's sealed key, for the module to keep out of what it logs and returns."""
    sealed = target.get("privatekey_sealed") if isinstance(target, Mapping) else None
    if not isinstance(sealed, Mapping):
        return []
    return [value for value in sealed.values() if isinstance(value, str) and value]
