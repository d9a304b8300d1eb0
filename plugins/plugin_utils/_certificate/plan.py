# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What esa_client_certificate will do, decided without I/O from (inspection, ESA's record, options, now).

The action plugin gathers the inputs (the target's inspection, one ESA lookup), asks plan_present or plan_absent,
and carries the plan out; everything that decides lives here and is unit-tested directly.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.facts import load_pem_certificate
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.possession import proof_message, verify
from ansible_collections.alibabacloud.esa.plugins.module_utils._reissue import (
    EsaCertificateState,
    ReissuePolicy,
    local_state_from_inspection,
    needs_new_key,
    reissue_reasons,
)
from ansible_collections.alibabacloud.esa.plugins.module_utils._target.contract import Bookkeeping, Inspection, Possession
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import parse_esa_time
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.facts import merge_file_and_record
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.lookup import Lookup


@dataclasses.dataclass(frozen=True)
class TaskOptions:
    """The task's options that the plan reads (validated already)."""

    site_id: int
    path: str
    privatekey_path: str | None
    uses_csr: bool
    key_source: str
    pkey_type: str
    common_name: str | None
    validity_days: int
    remaining_days: int | None
    verify_remote: bool
    rotate_key: bool
    revoke_replaced: bool
    force: bool
    on_revoked: str
    delete_record: bool
    policy: ReissuePolicy

    @classmethod
    def from_params(cls, params: t.Mapping[str, t.Any]) -> TaskOptions:
        return cls(
            site_id=params["site_id"],
            path=params["path"],
            privatekey_path=params.get("privatekey_path"),
            uses_csr=bool(params.get("csr_path") or params.get("csr_content")),
            key_source=params["key_source"],
            pkey_type=params["pkey_type"],
            common_name=params.get("common_name"),
            validity_days=params["validity_days"],
            remaining_days=params.get("remaining_days"),
            verify_remote=params["verify_remote"],
            rotate_key=params["rotate_key"],
            revoke_replaced=params["revoke_replaced"],
            force=params["force"],
            on_revoked=params["on_revoked"],
            delete_record=params["delete_record"],
            policy=ReissuePolicy.from_params(params),
        )

    @property
    def manages_key(self) -> bool:
        """The collection owns the key file (it made it, or ESA did); a CSR user keeps their own."""
        return bool(self.privatekey_path) and not self.uses_csr


@dataclasses.dataclass(frozen=True)
class Keep:
    """Nothing to issue; maybe bookkeeping or attributes to put right (never a change by itself, except attributes)."""

    bookkeeping: Bookkeeping | None
    """To write beside the certificate: the id found again by fingerprint, or fresh parsed facts for the same record."""
    maintain: bool
    """Whether the maintain phase must run (bookkeeping to write, attributes to apply)."""


@dataclasses.dataclass(frozen=True)
class Issue:
    """A new certificate, and how its key and CSR come about."""

    source: str
    """``csr`` (the user's CSR), ``local`` (a key made on the target) or ``esa`` (ESA makes the key)."""
    new_key: bool = True
    """For ``local``: a new key, or the one at privatekey_path reused (rotate_key=false)."""
    preflight_read: bool = False
    """Check mode with no ESA read yet: one cheap read, so check mode fails where the run would (unknown site, credentials,
    clock). A real run needs none: the create itself is refused as clearly, and it is the one ESA call of a fresh issue."""
    replaced: dict[str, t.Any] | None = None
    """ESA's record of the certificate being replaced, only when ESA confirmed it is the file's."""
    revoke_replaced: bool = False
    """Revoke ``replaced`` once the new files are in place, if the host proves it held its key."""


@dataclasses.dataclass(frozen=True)
class PresentPlan:
    reasons: list[str]
    before: dict[str, t.Any] | None
    """The certificate's facts before the run (ESA's copy of the certificate outranks what the target remembered)."""
    changed: bool
    warnings: list[str]
    stop: str | None = None
    """Fail with this message before anything is issued (on_revoked=fail)."""
    keep: Keep | None = None
    issue: Issue | None = None


def needs_lookup(inspection: Inspection, options: TaskOptions) -> bool:
    """Whether ESA's record of the file's certificate must be read (one Get, usually)."""
    return inspection.certificate_state == "present" and (options.verify_remote or options.revoke_replaced)


def plan_present(inspection: Inspection, lookup: Lookup | None, options: TaskOptions, now: _dt.datetime, *, check_mode: bool) -> PresentPlan:
    local = local_state_from_inspection(inspection, parse_esa_time)
    reasons = reissue_reasons(local, esa_state(lookup), options.policy, now)
    esa_record = lookup.record if lookup else None
    warnings = []
    if lookup is not None and lookup.other_id:
        warnings.append(other_id_warning(options.path, lookup))
    # Without an ESA read the bookkeeping's id is shown as a hint; it never drives a revoke.
    shown_id = (esa_record or {}).get("Id") if lookup else (inspection.bookkeeping.id if inspection.bookkeeping else None)
    file_facts = inspection.certificate.to_dict() if inspection.certificate else None
    facts = (lookup.pem_facts if lookup and lookup.pem_facts else None) or file_facts
    before = merge_file_and_record(facts, esa_record, options.site_id, shown_id, now)
    if not reasons:
        keep = _keep(inspection, lookup, options)
        changed = inspection.attributes_differ or inspection.pkcs12_due or inspection.fullchain_due
        return PresentPlan(reasons, before, changed=changed, warnings=warnings, keep=keep)
    if "revoked" in reasons:
        described = f"certificate {(before or {}).get('id')} (CN {(before or {}).get('common_name')!r}) at {options.path}"
        if options.on_revoked == "fail":
            stop = (
                f"ESA reports {described} as revoked and on_revoked=fail: nothing was issued; if the revocation no longer stands, run with on_revoked=reissue"
            )
            return PresentPlan(reasons, before, changed=False, warnings=warnings, stop=stop)
        warnings.append(f"ESA reports {described} as revoked; a new certificate {'would be' if check_mode else 'was'} issued (on_revoked=fail stops instead)")
    if options.revoke_replaced and lookup is None and inspection.bookkeeping is not None:
        warnings.append(
            f"{options.path}.esa.json named ESA certificate {inspection.bookkeeping.id}, but no certificate file here is that "
            "certificate, so it was not revoked: a bookkeeping file alone (copied with an image, or planted) proves nothing"
        )
    replaced = esa_record if esa_record else None
    issue = Issue(
        source="csr" if options.uses_csr else options.key_source,
        new_key=needs_new_key(inspection, options.pkey_type, options.rotate_key),
        preflight_read=lookup is None and check_mode,
        replaced=replaced,
        revoke_replaced=bool(options.revoke_replaced and replaced and (replaced.get("Status") or "").lower() == "active"),
    )
    return PresentPlan(reasons, before, changed=True, warnings=warnings, issue=issue)


def _keep(inspection: Inspection, lookup: Lookup | None, options: TaskOptions) -> Keep:
    """What a run that issues nothing still writes: the bookkeeping when it was found lost or stale, attributes, and the
    PKCS#12 bundle or full-chain file when they are due (the target decides which, under its lock).

    Stale parsed facts (files changed in a way that needs no new certificate, e.g. a CSR made again for the same key)
    would otherwise make every later run parse the files again. Bookkeeping alone is not a change.
    """
    fingerprint = inspection.certificate.fingerprint_sha256 if inspection.certificate else None
    stored = inspection.bookkeeping
    bookkeeping = None
    if lookup is not None and lookup.recovered and lookup.record is not None:
        bookkeeping = Bookkeeping(site_id=options.site_id, id=lookup.record["Id"], fingerprint_sha256=fingerprint)
    elif not inspection.parse_cache_hit and stored is not None and stored.fingerprint_sha256 == fingerprint:
        bookkeeping = stored
    maintain = bookkeeping is not None or inspection.attributes_differ or inspection.bookkeeping_attributes_differ
    maintain = maintain or inspection.pkcs12_due or inspection.fullchain_due
    return Keep(bookkeeping=bookkeeping, maintain=maintain)


def esa_state(lookup: Lookup | None) -> EsaCertificateState | None:
    """What the decision needs from ESA: found only for the file's own certificate (see find_record)."""
    if lookup is None:
        return None
    if lookup.record is None:
        return EsaCertificateState(found=False, names_other_certificate=bool(lookup.other_id))
    facts = lookup.pem_facts or {}
    return EsaCertificateState(
        found=True,
        fingerprint_sha256=facts.get("fingerprint_sha256") or lookup.record.get("FingerprintSha256"),
        status=lookup.record.get("Status"),
        not_before=parse_esa_time(facts["not_before"]) if facts.get("not_before") else None,
        not_after=parse_esa_time(facts["not_after"]) if facts.get("not_after") else None,
    )


def other_id_warning(path: str, lookup: Lookup) -> str:
    found = (
        f"found the file's own certificate ({lookup.record['Id']}) by fingerprint" if lookup.record else "ESA holds no certificate with the file's fingerprint"
    )
    return (
        f"{path}.esa.json named ESA certificate {lookup.other_id}, which is not the certificate in {path}; that id was ignored "
        f"(nothing was done to it) and {found}"
    )


@dataclasses.dataclass(frozen=True)
class AbsentPlan:
    changed: bool
    before: dict[str, t.Any] | None
    warnings: list[str]
    revoke_id: str | None = None
    delete_id: str | None = None
    remove_files: bool = False


def plan_absent(inspection: Inspection, lookup: Lookup, options: TaskOptions, nonce: str, now: _dt.datetime) -> AbsentPlan:
    """Revoke (and with delete_record delete) the certificate on ESA only if the host proves it holds its key; remove the files."""
    esa_record = lookup.record
    warnings = [other_id_warning(options.path, lookup)] if lookup.other_id and inspection.certificate else []
    revoke_id = delete_id = None
    if esa_record is not None:
        active = (esa_record.get("Status") or "").lower() == "active"
        if active or options.delete_record:
            proven, why_not = possession_proven(esa_record, inspection.possession, nonce, options.site_id)
            if proven:
                revoke_id = esa_record["Id"] if active else None
                delete_id = esa_record["Id"] if options.delete_record else None
            else:
                warnings.append(
                    f"certificate {esa_record['Id']} was not {'revoked' if active else 'deleted'} on ESA: this host could not prove "
                    f"it holds its private key ({why_not}); only the local files were removed"
                )
    key_present = inspection.key is not None and inspection.key.state != "missing"
    remove_files = inspection.certificate_state != "missing" or inspection.bookkeeping is not None or (key_present and options.manages_key)
    remove_files = remove_files or inspection.derived_files_present
    file_facts = inspection.certificate.to_dict() if inspection.certificate else None
    facts = (lookup.pem_facts if esa_record is not None else None) or file_facts
    before = merge_file_and_record(facts, esa_record, options.site_id, (esa_record or {}).get("Id"), now)
    changed = bool(revoke_id or delete_id or remove_files)
    return AbsentPlan(changed=changed, before=before, warnings=warnings, revoke_id=revoke_id, delete_id=delete_id, remove_files=remove_files)


def possession_proven(esa_record: dict[str, t.Any], possession: Possession | None, nonce: str | None, site_id: int) -> tuple[bool, str]:
    """Whether the host signed this task's challenge with the key of the certificate ESA holds under the record's id.

    The public key comes from ESA's PEM, never from the host: a host can copy a public certificate or write any
    id into its files, but it cannot sign for a key it does not have.
    """
    if not nonce or possession is None or not possession.signature:
        return False, (possession.unavailable if possession and possession.unavailable else "the host returned no proof")
    certificate = load_pem_certificate(str(esa_record.get("Certificate") or "").encode("ascii", "replace"))
    if certificate is None:
        return False, "ESA returned no certificate PEM to check the proof against"
    if not verify(certificate.public_key(), proof_message(nonce, site_id), possession.signature):
        return False, "the key at privatekey_path is not this certificate's key"
    return True, ""


def planned_certificate(options: TaskOptions, reasons: list[str], issue: Issue) -> dict[str, t.Any]:
    """What would be issued, for --diff in check mode: its subject, key and lifetime, why, and what it would revoke."""
    # The common name is the one the controller decided (and checked the CSR against), never one the host reported.
    common_name = options.common_name
    if issue.source == "csr":
        key_type, key = options.pkey_type, "the CSR's"
    elif issue.source == "esa":
        common_name, key_type, key = "(chosen by ESA)", options.pkey_type, "generated by ESA, sealed for this host"
    else:
        key_type, key = options.pkey_type, "a new key made on this host" if issue.new_key else "the key at privatekey_path, reused"
    planned: dict[str, t.Any] = {"common_name": common_name, "key_type": key_type, "key": key, "validity_days": options.validity_days, "reasons": reasons}
    if issue.revoke_replaced and issue.replaced is not None:
        planned["revokes"] = issue.replaced["Id"]
    return planned


def task_diff(before: dict[str, t.Any] | None, after: dict[str, t.Any] | None, inspection: Inspection | None, **happened: t.Any) -> dict[str, t.Any]:
    """--diff: the certificate's facts before and after (or the planned certificate), the file attributes that change,
    and what the run does on ESA (``happened``: reasons, revokes, deletes_record, removes_files), shown on the after side."""
    shown_before, shown_after = dict(before or {}), dict(after or {})
    changes = inspection.attribute_changes if inspection is not None else None
    if changes:
        shown_before["file_attributes"] = changes.get("before", {})
        shown_after["file_attributes"] = changes.get("after", {})
    shown_after.update({name: value for name, value in happened.items() if value})
    return {"before": shown_before, "after": shown_after}
