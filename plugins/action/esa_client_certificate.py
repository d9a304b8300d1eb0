# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of esa_client_certificate: every ESA call happens here, files happen on the target.

The SDK is imported at this module's top level (through _action_support): Ansible imports an action
plugin once in the controller's main process and forks a worker per host, so the import is paid
once per run, not once per host.
"""

from __future__ import annotations

import secrets
import typing as t

from ansible.module_utils.basic import FILE_COMMON_ARGUMENTS
from ansible.plugins.action import ActionBase

from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import (
    CLIENT_CERTIFICATE_MUTUALLY_EXCLUSIVE,
    client_certificate_argument_spec,
    client_certificate_input_errors,
)
from ansible_collections.alibabacloud.esa.plugins.module_utils._certificate_facts import load_pem_certificate
from ansible_collections.alibabacloud.esa.plugins.module_utils._key_wrap import seal
from ansible_collections.alibabacloud.esa.plugins.module_utils._possession import new_nonce, proof_message, verify
from ansible_collections.alibabacloud.esa.plugins.module_utils._reissue import (
    RemoteRecord,
    ReissuePolicy,
    local_state_from_inspection,
    reissue_reasons,
)
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import parse_esa_time, utc_now
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._action_support import (
    TaskInputError,
    TaskStopped,
    add_warnings,
    build_client,
    fail,
    module_arguments,
    validate_arguments,
)
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate_lookup import Lookup, find_record, record_by_bookkeeping
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa_errors import EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa_facts import merge_file_and_record
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._issuance import issue

_MODULE = "alibabacloud.esa.esa_client_certificate"


class _ModuleFailed(Exception):
    def __init__(self, result: dict[str, t.Any]):
        super().__init__(result.get("msg"))
        self.result = result


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        self._task_vars = task_vars
        # Names this run's pending key on the target, so concurrent runs never take each other's.
        self._run_token = secrets.token_hex(8)
        self._warnings: list[str] = []
        try:
            spec = client_certificate_argument_spec()
            spec.update(FILE_COMMON_ARGUMENTS)
            params = validate_arguments(self._task.args, spec, mutually_exclusive=CLIENT_CERTIFICATE_MUTUALLY_EXCLUSIVE,
                                        input_errors=client_certificate_input_errors)
            client = build_client(params)
            self._warnings.extend(client.settings.warnings)
            if params["state"] == "absent":
                result.update(self._absent(params, client))
            else:
                result.update(self._present(params, client))
        except _ModuleFailed as exc:
            result.update(exc.result)
            result["failed"] = True
        except (TaskInputError, TaskStopped, EsaApiError) as exc:
            fail(result, exc)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        result.setdefault("filename", self._task.args.get("path"))
        add_warnings(result, self._warnings)
        return result

    # --- target phases -------------------------------------------------------------------------

    def _target(self, phase: str, **internal: t.Any) -> dict[str, t.Any]:
        target = {"phase": phase, "run_id": self._run_token}
        target.update({name: value for name, value in internal.items() if value is not None})
        args = module_arguments(self._task.args, _target=target)
        outcome = self._execute_module(module_name=_MODULE, module_args=args, task_vars=self._task_vars)
        if outcome.get("failed"):
            raise _ModuleFailed({key: outcome[key] for key in ("msg", "exception") if key in outcome})
        return outcome

    # --- state=present -------------------------------------------------------------------------

    def _present(self, params: dict[str, t.Any], client: t.Any) -> dict[str, t.Any]:
        now = utc_now()
        site_id = params["site_id"]
        if params["common_name"] is not None and (params["csr_path"] or params["csr_content"]):
            self._warnings.append("common_name is ignored with csr_path or csr_content: the certificate's common name is the CSR's")
        inspection = self._target("inspect", with_pem=params["return_content"])["inspection"]
        if inspection["problems"]:
            raise TaskInputError("; ".join(inspection["problems"]))
        local = local_state_from_inspection(inspection, parse_esa_time)
        file_facts = inspection.get("certificate")
        bookkeeping = inspection.get("record")

        lookup = None
        if local.certificate_state == "present" and (params["verify_remote"] or params["revoke_replaced"]):
            lookup = find_record(client, site_id, file_facts["fingerprint_sha256"], bookkeeping, expected=file_facts)
            self._warn_about_other_id(params, lookup)
        remote = _remote_record(lookup)
        policy = ReissuePolicy(
            uses_csr=bool(params["csr_path"] or params["csr_content"]),
            pkey_type=params["pkey_type"],
            common_name=params["common_name"],
            remaining_days=params["remaining_days"],
            verify_remote=params["verify_remote"],
            force=params["force"],
        )
        reasons = reissue_reasons(local, remote, policy, now)
        record = lookup.record if lookup else None
        # Without an ESA read the bookkeeping's id is shown as a hint; it never drives a revoke.
        shown_id = (record or {}).get("Id") if lookup else (bookkeeping or {}).get("id")
        # ESA's copy of the certificate outranks what the target remembered about it.
        facts = (lookup.pem_facts if lookup and lookup.pem_facts else None) or file_facts
        before = merge_file_and_record(facts, record, site_id, shown_id, now)
        if "revoked" in reasons:
            self._on_revoked(params, before)

        if not reasons:
            changed = bool(inspection.get("attributes_differ"))
            if not self._task.check_mode:
                self._maintain(site_id, lookup, inspection)
            return self._result(params, changed, [], before, before, inspection)
        if lookup is None:
            # Nothing was read from ESA yet: one cheap read refuses an unknown site, bad credentials or a skewed
            # clock before a key is made or anything is written, and makes check mode fail where the run would.
            client.list_client_certificates(site_id, page_size=1)
        if self._task.check_mode:
            return self._result(params, True, reasons, before, None, inspection)
        return self._reissue(params, client, reasons, inspection, before, lookup)

    def _warn_about_other_id(self, params: dict[str, t.Any], lookup: Lookup) -> None:
        if lookup.other_id:
            found = f"found the file's own certificate ({lookup.record['Id']}) by fingerprint" if lookup.record else \
                "ESA holds no certificate with the file's fingerprint"
            self._warnings.append(f"{params['path']}.esa.json named ESA certificate {lookup.other_id}, which is not the certificate in "
                                  f"{params['path']}; that id was ignored (nothing was done to it) and {found}")

    def _on_revoked(self, params: dict[str, t.Any], facts: dict[str, t.Any] | None) -> None:
        described = f"certificate {(facts or {}).get('id')} (CN {(facts or {}).get('common_name')!r}) at {params['path']}"
        if params["on_revoked"] == "fail":
            raise TaskStopped(f"ESA reports {described} as revoked and on_revoked=fail: nothing was issued; if the revocation no "
                              "longer stands, run with on_revoked=reissue")
        self._warnings.append(f"ESA reports {described} as revoked; a new certificate {'would be' if self._task.check_mode else 'was'} "
                              "issued (on_revoked=fail stops instead)")

    def _maintain(self, site_id: int, lookup: Lookup | None, inspection: dict[str, t.Any]) -> None:
        """A run that issues nothing still keeps the bookkeeping and the file attributes right (only if something differs).

        The bookkeeping is rewritten when the id was found again by fingerprint, or when its parsed facts are stale
        (files changed in a way that needs no new certificate, e.g. a CSR made again for the same key), which would
        otherwise make every later run parse the files again. Bookkeeping alone is not a change.
        """
        fingerprint = inspection["certificate"]["fingerprint_sha256"]
        bookkeeping = inspection.get("record")
        record = None
        if lookup is not None and lookup.recovered:
            record = _bookkeeping(site_id, lookup.record["Id"], fingerprint)
        elif inspection.get("parse_cache") == "miss" and bookkeeping and bookkeeping.get("fingerprint_sha256") == fingerprint:
            record = bookkeeping
        if record is None and not inspection.get("attributes_differ") and not inspection.get("record_attributes_differ"):
            return
        self._target("maintain", record=record, expected_file_sha256=inspection["certificate_file_sha256"])

    def _reissue(self, params, client, reasons, inspection, before, lookup: Lookup | None) -> dict[str, t.Any]:
        site_id = params["site_id"]
        uses_csr = bool(params["csr_path"] or params["csr_content"])
        replaced = lookup.record if lookup and lookup.record else None
        revoke = bool(params["revoke_replaced"] and replaced and (replaced.get("Status") or "").lower() == "active")
        proof_nonce = new_nonce() if revoke else None
        csr_pem = expected_key = recipient = None
        pending_on_target = params["key_source"] == "esa" or (params["key_source"] == "local" and not uses_csr)
        if uses_csr:
            csr_pem, expected_key = inspection["csr"]["pem"], inspection["csr"]["public_key_sha256"]
        elif params["key_source"] == "local":
            key = inspection.get("privatekey") or {}
            new_key = params["rotate_key"] or key.get("state") != "present" or key.get("key_type") != params["pkey_type"]
            prepared = self._target("prepare", new_key=new_key, common_name=params["common_name"])
            csr_pem, expected_key = prepared["csr_pem"], prepared["public_key_sha256"]
        else:
            recipient = self._target("prepare")["recipient_public_key"]
        try:
            issued = issue(client, site_id, params["validity_days"], utc_now, csr_pem=csr_pem, pkey_type=params["pkey_type"],
                           retry_policy=client.retry_policy)
            if recipient is not None and not issued.private_key_pem:
                raise EsaApiError(f"CreateClientCertificate answered without the private key it generated (certificate {issued.record.get('Id')}): "
                                  "nothing was written; revoke that certificate, and issue with key_source=local")
        except Exception:
            if pending_on_target:
                self._target("discard")
            raise
        sealed = seal(issued.private_key_pem.encode("ascii"), recipient) if recipient is not None else None
        installed = self._target(
            "install",
            certificate_pem=issued.certificate_pem,
            privatekey_sealed=sealed,
            expected_public_key_sha256=expected_key,
            record=_bookkeeping(site_id, issued.record["Id"]),
            expected_file_sha256=inspection.get("certificate_file_sha256"),
            with_pem=params["return_content"],
            proof_nonce=proof_nonce,
        )
        after_inspection = installed["inspection"]
        if installed.get("raced"):
            return self._lost_race(params, client, issued.record["Id"], after_inspection)
        now = utc_now()
        after = merge_file_and_record(after_inspection.get("certificate"), issued.record, site_id, issued.record.get("Id"), now)
        result = self._result(params, True, reasons, before, after, after_inspection)
        for name in ("backup_file", "privatekey_backup_file"):
            if installed.get(name):
                result[name] = installed[name]
        old_fingerprint = (inspection.get("certificate") or {}).get("fingerprint_sha256")
        if replaced or old_fingerprint:
            # Only an id ESA confirmed for the replaced file is reported: a later task may act on it.
            result["replaced_certificate"] = {"id": (replaced or {}).get("Id"), "fingerprint_sha256": old_fingerprint, "revoked": False}
        recorded_id = (inspection.get("record") or {}).get("id")
        if params["revoke_replaced"] and lookup is None and recorded_id:
            self._warnings.append(f"{params['path']}.esa.json named ESA certificate {recorded_id}, but no certificate file here is that "
                                  "certificate, so it was not revoked: a bookkeeping file alone (copied with an image, or planted) "
                                  "proves nothing")
        if revoke and replaced["Id"] != issued.record.get("Id"):
            proven, why_not = _possession_proven(replaced, installed.get("possession"), proof_nonce, site_id)
            if proven:
                result["replaced_certificate"]["revoked"] = _revoke(client, site_id, replaced["Id"], replaced.get("Status"))
            else:
                self._warnings.append(f"the replaced certificate {replaced['Id']} was not revoked: this host could not prove it holds its "
                                      f"private key ({why_not}); revoke it yourself once you know it is no longer in use")
        return result

    def _lost_race(self, params, client, new_id: str, inspection: dict[str, t.Any]) -> dict[str, t.Any]:
        """Another run replaced the files while this one waited for ESA: keep theirs, retire ours unseen."""
        site_id = params["site_id"]
        _revoke(client, site_id, new_id, "active")
        _delete(client, site_id, new_id)
        record = (inspection.get("record") or {})
        now = utc_now()
        facts = merge_file_and_record(inspection.get("certificate"), None, site_id, record.get("id"), now)
        result = self._result(params, False, [], facts, facts, inspection)
        self._warnings.append(f"another run replaced {params['path']} while this one was issuing; its certificate was kept, "
                              f"and the one issued here ({new_id}) was revoked and deleted")
        return result

    # --- state=absent --------------------------------------------------------------------------

    def _absent(self, params: dict[str, t.Any], client: t.Any) -> dict[str, t.Any]:
        now = utc_now()
        site_id = params["site_id"]
        nonce = new_nonce()
        inspection = self._target("inspect", proof_nonce=nonce)["inspection"]
        if inspection["problems"]:
            raise TaskInputError("; ".join(inspection["problems"]))
        file_facts = inspection.get("certificate")
        bookkeeping = inspection.get("record")
        if file_facts:
            lookup = find_record(client, site_id, file_facts["fingerprint_sha256"], bookkeeping, expected=file_facts)
            self._warn_about_other_id(params, lookup)
        else:
            # No certificate file left to compare with: the id is only a lead, and possession alone can prove it.
            lookup = record_by_bookkeeping(client, site_id, bookkeeping)
        record = lookup.record
        revoke = delete = False
        if record is not None:
            active = (record.get("Status") or "").lower() == "active"
            if active or params["delete_record"]:
                proven, why_not = _possession_proven(record, inspection.get("possession"), nonce, site_id)
                if proven:
                    revoke, delete = active, params["delete_record"]
                else:
                    self._warnings.append(f"certificate {record['Id']} was not {'revoked' if active else 'deleted'} on ESA: this host could "
                                          f"not prove it holds its private key ({why_not}); only the local files were removed")
        managed_files = inspection["certificate_state"] != "missing" or bookkeeping is not None or \
            ((inspection.get("privatekey") or {}).get("state") not in (None, "missing") and not (params["csr_path"] or params["csr_content"]))
        changed = revoke or delete or managed_files
        facts = (lookup.pem_facts if record is not None else None) or file_facts
        before = merge_file_and_record(facts, record, site_id, (record or {}).get("Id"), now)
        result = self._result(params, changed, ["absent"] if changed else [], before, None, inspection)
        result.pop("certificate", None)
        if self._task.check_mode or not changed:
            return result
        if revoke:
            _revoke(client, site_id, record["Id"], record.get("Status"))
        if delete:
            _delete(client, site_id, record["Id"])
        if managed_files:
            removed = self._target("remove")
            if removed.get("backup_files"):
                result["backup_files"] = removed["backup_files"]
        return result

    # --- results -------------------------------------------------------------------------------

    def _result(self, params, changed, reasons, before, after, inspection) -> dict[str, t.Any]:
        result: dict[str, t.Any] = {"changed": changed, "reasons": reasons, "filename": params["path"]}
        if params["privatekey_path"]:
            result["privatekey_filename"] = params["privatekey_path"]
        shown = after if after is not None else before
        if shown is not None:
            result["certificate"] = shown
        if params["return_content"] and inspection.get("certificate_pem") and after is not None:
            result["certificate_pem"] = inspection["certificate_pem"]
        if self._task.diff:
            result["diff"] = {"before": before or {}, "after": after or {}}
        return result


def _remote_record(lookup: Lookup | None) -> RemoteRecord | None:
    """What the decision needs from ESA: found only for the file's own certificate (see find_record)."""
    if lookup is None:
        return None
    if lookup.record is None:
        return RemoteRecord(found=False, names_other_certificate=bool(lookup.other_id))
    facts = lookup.pem_facts or {}
    return RemoteRecord(
        found=True,
        fingerprint_sha256=facts.get("fingerprint_sha256") or lookup.record.get("FingerprintSha256"),
        status=lookup.record.get("Status"),
        not_before=parse_esa_time(facts["not_before"]) if facts.get("not_before") else None,
        not_after=parse_esa_time(facts["not_after"]) if facts.get("not_after") else None,
    )


def _possession_proven(record: dict[str, t.Any], possession: dict[str, t.Any] | None, nonce: str | None, site_id: int) -> tuple[bool, str]:
    """Whether the host signed this task's challenge with the key of the certificate ESA holds under record's id.

    The public key comes from ESA's PEM, never from the host: a host can copy a public certificate or write any
    id into its files, but it cannot sign for a key it does not have.
    """
    possession = possession or {}
    if not nonce or not possession.get("signature"):
        return False, possession.get("unavailable") or "the host returned no proof"
    certificate = load_pem_certificate(str(record.get("Certificate") or "").encode("ascii", "replace"))
    if certificate is None:
        return False, "ESA returned no certificate PEM to check the proof against"
    if not verify(certificate.public_key(), proof_message(nonce, site_id), possession["signature"]):
        return False, "the key at privatekey_path is not this certificate's key"
    return True, ""


def _bookkeeping(site_id: int, cert_id: str, fingerprint: str | None = None) -> dict[str, t.Any]:
    """What the target keeps beside the certificate; on install the module adds the fingerprint it computed."""
    return {"site_id": site_id, "id": cert_id, "fingerprint_sha256": fingerprint}


def _revoke(client: t.Any, site_id: int, cert_id: str, status: str | None) -> bool:
    """Revoke unless already revoked; a StatusError means someone revoked it first, which is what we wanted."""
    if status and status.lower() != "active":
        return False
    try:
        client.revoke_client_certificate(site_id, cert_id)
    except EsaApiError as exc:
        if exc.code in ("Certificate.StatusError", "Certificate.NotFound"):
            return False
        raise
    return True


def _delete(client: t.Any, site_id: int, cert_id: str) -> None:
    try:
        client.delete_client_certificate(site_id, cert_id)
    except EsaApiError as exc:
        if exc.code != "Certificate.NotFound":
            raise
