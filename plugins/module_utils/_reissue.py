# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reissue decision: a pure function of (local files, ESA record, options, now) -> reasons.

It does no I/O and reads no clock, so every reason and boundary is unit-tested directly.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._target.contract import Inspection
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import as_utc

# The order in which reasons are reported; it is also the order of the SPEC.
REASONS = (
    "missing",
    "unreadable",
    "key_mismatch",
    "csr_mismatch",
    "common_name_changed",
    "key_type_changed",
    "expiring",
    "not_found_remote",
    "fingerprint_mismatch",
    "revoked",
    "forced",
)


@dataclasses.dataclass(frozen=True)
class LocalCertificate:
    """What the certificate file on the target says about itself."""

    fingerprint_sha256: str
    public_key_sha256: str
    key_type: str
    common_name: str | None
    not_before: _dt.datetime
    not_after: _dt.datetime


@dataclasses.dataclass(frozen=True)
class LocalState:
    """The target's files, as the inspect phase of the module reported them.

    certificate_state is "missing", "unreadable" or "present"; key_public_sha256 is None when the
    key is not part of the decision (a CSR was given and no key path) or could not be read.
    """

    certificate_state: str
    certificate: LocalCertificate | None = None
    key_checked: bool = False
    key_public_sha256: str | None = None
    csr_public_key_sha256: str | None = None
    csr_common_name: str | None = None


@dataclasses.dataclass(frozen=True)
class EsaCertificateState:
    """What ESA says about the certificate on disk (not to be confused with the bookkeeping file); None when ESA was not asked.

    ``found`` is True only for a record whose certificate is the file's (the lookup compares fingerprints it
    computes from ESA's PEM). ``names_other_certificate`` says the bookkeeping's id led to another certificate
    and none with the file's fingerprint exists. ``not_before``/``not_after`` come from ESA's PEM when it was
    read: they outrank whatever the target remembered about the file.
    """

    found: bool
    fingerprint_sha256: str | None = None
    status: str | None = None
    names_other_certificate: bool = False
    not_before: _dt.datetime | None = None
    not_after: _dt.datetime | None = None


@dataclasses.dataclass(frozen=True)
class ReissuePolicy:
    uses_csr: bool
    pkey_type: str | None = None
    common_name: str | None = None
    remaining_days: int | None = None
    verify_remote: bool = True
    force: bool = False

    @classmethod
    def from_params(cls, params: t.Mapping[str, t.Any]) -> ReissuePolicy:
        """The policy of a task's options (the module's parameters, on the target or the controller)."""
        return cls(
            uses_csr=bool(params.get("csr_path") or params.get("csr_content")),
            pkey_type=params.get("pkey_type"),
            common_name=params.get("common_name"),
            remaining_days=params.get("remaining_days"),
            verify_remote=bool(params.get("verify_remote", True)),
            force=bool(params.get("force")),
        )


def needs_new_key(inspection: Inspection, pkey_type: str | None, rotate_key: bool) -> bool:
    """Whether a local reissue makes a new key (rotate_key, or no usable key of the asked type to reuse)."""
    key = inspection.key
    return rotate_key or key is None or key.state != "present" or key.key_type != pkey_type


def renewal_threshold(certificate: LocalCertificate, remaining_days: int | None) -> _dt.timedelta:
    """Renew when less than this is left; by default a third of the certificate's lifetime."""
    if remaining_days is not None:
        return _dt.timedelta(days=remaining_days)
    return (as_utc(certificate.not_after) - as_utc(certificate.not_before)) / 3


def reissue_reasons(local: LocalState, remote: EsaCertificateState | None, policy: ReissuePolicy, now: _dt.datetime) -> list[str]:
    """Every reason to issue a new certificate, in REASONS order; empty means leave everything alone."""
    reasons: list[str] = []
    forced = ["forced"] if policy.force else []
    if local.certificate_state == "missing":
        return ["missing", *forced]
    certificate = local.certificate
    if local.certificate_state != "present" or certificate is None:
        return ["unreadable", *forced]

    if local.key_checked and local.key_public_sha256 != certificate.public_key_sha256:
        reasons.append("key_mismatch")
    if policy.uses_csr and _csr_differs(local, certificate):
        reasons.append("csr_mismatch")
    if not policy.uses_csr and policy.common_name is not None and policy.common_name != certificate.common_name:
        # The task names another identity than the certificate carries (the CSR built here would follow the task).
        reasons.append("common_name_changed")
    if not policy.uses_csr and policy.pkey_type is not None and policy.pkey_type != certificate.key_type:
        reasons.append("key_type_changed")
    if remote is not None and remote.found and remote.not_before and remote.not_after:
        # ESA's copy of this very certificate decides expiry: the target's remembered facts are only a cache.
        certificate = dataclasses.replace(certificate, not_before=remote.not_before, not_after=remote.not_after)
    if as_utc(certificate.not_after) - as_utc(now) < renewal_threshold(certificate, policy.remaining_days):
        reasons.append("expiring")
    if policy.verify_remote and remote is not None:
        reasons.extend(_remote_reasons(certificate, remote))
    return reasons + forced


def _csr_differs(local: LocalState, certificate: LocalCertificate) -> bool:
    if local.csr_public_key_sha256 != certificate.public_key_sha256:
        return True
    # ESA copies only the CN from a CSR, so the CN is the part of the subject that can be compared.
    return local.csr_common_name != certificate.common_name


def _remote_reasons(certificate: LocalCertificate, remote: EsaCertificateState) -> list[str]:
    if not remote.found:
        return ["fingerprint_mismatch" if remote.names_other_certificate else "not_found_remote"]
    reasons = []
    # An empty or missing fingerprint from ESA is no evidence of a mismatch (some answers leave it blank).
    if remote.fingerprint_sha256 and _plain_hex(remote.fingerprint_sha256) != _plain_hex(certificate.fingerprint_sha256):
        reasons.append("fingerprint_mismatch")
    if (remote.status or "").lower() != "active":
        reasons.append("revoked")
    return reasons


def _plain_hex(value: str) -> str:
    return value.replace(":", "").strip().lower()


def local_state_from_inspection(inspection: Inspection, parse_time: t.Callable[[str], _dt.datetime]) -> LocalState:
    """Build LocalState from the module's inspection."""
    cert = inspection.certificate
    certificate = None
    if inspection.certificate_state == "present" and cert is not None:
        certificate = LocalCertificate(
            fingerprint_sha256=cert.fingerprint_sha256,
            public_key_sha256=cert.public_key_sha256,
            key_type=cert.key_type,
            common_name=cert.common_name,
            not_before=parse_time(cert.not_before),
            not_after=parse_time(cert.not_after),
        )
    key, csr = inspection.key, inspection.csr
    return LocalState(
        certificate_state=inspection.certificate_state,
        certificate=certificate,
        key_checked=key is not None,
        key_public_sha256=key.public_key_sha256 if key is not None else None,
        csr_public_key_sha256=csr.public_key_sha256 if csr is not None else None,
        csr_common_name=csr.common_name if csr is not None else None,
    )
