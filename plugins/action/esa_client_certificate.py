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
from ansible_collections.alibabacloud.esa.plugins.module_utils._reissue import (
    RemoteRecord,
    ReissuePolicy,
    local_state_from_inspection,
    reissue_reasons,
)
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import parse_esa_time, utc_now
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._action_support import (
    TaskInputError,
    build_client,
    fail,
    module_arguments,
    validate_arguments,
)
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate_lookup import find_record, find_record_by_id
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
        try:
            spec = client_certificate_argument_spec()
            spec.update(FILE_COMMON_ARGUMENTS)
            params = validate_arguments(self._task.args, spec, mutually_exclusive=CLIENT_CERTIFICATE_MUTUALLY_EXCLUSIVE,
                                        input_errors=client_certificate_input_errors)
            client = build_client(params)
            if params["state"] == "absent":
                result.update(self._absent(params, client))
            else:
                result.update(self._present(params, client))
        except _ModuleFailed as exc:
            result.update(exc.result)
            result["failed"] = True
        except (TaskInputError, EsaApiError) as exc:
            fail(result, exc)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        result.setdefault("filename", self._task.args.get("path"))
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
        inspected = self._target("inspect", with_pem=params["return_content"])
        inspection = inspected["inspection"]
        if inspection["problems"]:
            raise TaskInputError("; ".join(inspection["problems"]))
        local = local_state_from_inspection(inspection, parse_esa_time)
        file_facts = inspection.get("certificate")
        bookkeeping = inspection.get("record")

        lookup = None
        if local.certificate_state == "present" and (params["verify_remote"] or params["revoke_replaced"]):
            lookup = find_record(client, site_id, file_facts["fingerprint_sha256"], bookkeeping)
        remote = None
        if lookup is not None:
            record = lookup.record
            remote = RemoteRecord(found=record is not None, fingerprint_sha256=(record or {}).get("FingerprintSha256"),
                                  status=(record or {}).get("Status"))
        policy = ReissuePolicy(
            uses_csr=bool(params["csr_path"] or params["csr_content"]),
            pkey_type=params["pkey_type"],
            common_name=params["common_name"],
            remaining_days=params["remaining_days"],
            verify_remote=params["verify_remote"],
            force=params["force"],
        )
        reasons = reissue_reasons(local, remote, policy, now)
        known_id = (lookup.record or {}).get("Id") if lookup and lookup.record else (bookkeeping or {}).get("id")
        before = merge_file_and_record(file_facts, lookup.record if lookup else None, site_id, known_id, now)

        if not reasons:
            if not self._task.check_mode:
                self._refresh_bookkeeping(site_id, lookup, inspection)
            return self._result(params, bool(inspected.get("attributes_changed")), [], before, before, inspection)
        if self._task.check_mode:
            return self._result(params, True, reasons, before, None, inspection)
        if lookup is None:
            # Nothing was read from ESA yet: one cheap read refuses an unknown site, a plan without the
            # feature, bad credentials or a skewed clock before a key is made or anything is written.
            client.list_client_certificates(site_id, page_size=1)
        return self._reissue(params, client, reasons, inspection, before, known_id, lookup)

    def _refresh_bookkeeping(self, site_id: int, lookup: t.Any, inspection: dict[str, t.Any]) -> None:
        """Rewrite <path>.esa.json when a no-op found it lost (the id was searched for) or its parsed facts stale.

        Stale facts (files changed in a way that needs no new certificate, e.g. a CSR made again for the same
        key) would otherwise make every later run parse the files again. Bookkeeping only: not a change.
        """
        fingerprint = inspection["certificate"]["fingerprint_sha256"]
        bookkeeping = inspection.get("record")
        if lookup is not None and lookup.recovered:
            record = _bookkeeping(site_id, lookup.record["Id"], fingerprint)
        elif inspection.get("parse_cache") == "miss" and bookkeeping and bookkeeping.get("fingerprint_sha256") == fingerprint:
            record = bookkeeping
        else:
            return
        self._target("record", record=record, expected_file_sha256=inspection["certificate_file_sha256"])

    def _reissue(self, params, client, reasons, inspection, before, old_id, lookup) -> dict[str, t.Any]:
        site_id = params["site_id"]
        uses_csr = bool(params["csr_path"] or params["csr_content"])
        csr_pem = None
        expected_key = None
        if uses_csr:
            csr_pem, expected_key = inspection["csr"]["pem"], inspection["csr"]["public_key_sha256"]
        elif params["key_source"] == "local":
            key = inspection.get("privatekey") or {}
            new_key = params["rotate_key"] or key.get("state") != "present" or key.get("key_type") != params["pkey_type"]
            prepared = self._target("prepare", new_key=new_key, common_name=params["common_name"])
            csr_pem, expected_key = prepared["csr_pem"], prepared["public_key_sha256"]
        try:
            issued = issue(client, site_id, params["validity_days"], utc_now, csr_pem=csr_pem, pkey_type=params["pkey_type"],
                           retry_policy=client.retry_policy)
        except Exception:
            if params["key_source"] == "local" and not uses_csr:
                self._target("discard")
            raise
        installed = self._target(
            "install",
            certificate_pem=issued.certificate_pem,
            privatekey_pem=issued.private_key_pem,
            expected_public_key_sha256=expected_key,
            record=_bookkeeping(site_id, issued.record["Id"]),
            expected_file_sha256=inspection.get("certificate_file_sha256"),
            with_pem=params["return_content"],
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
        if old_id or old_fingerprint:
            result["replaced_certificate"] = {"id": old_id, "fingerprint_sha256": old_fingerprint, "revoked": False}
            if params["revoke_replaced"] and old_id and old_id != issued.record.get("Id"):
                old_status = ((lookup.record if lookup else None) or {}).get("Status")
                result["replaced_certificate"]["revoked"] = _revoke(client, site_id, old_id, old_status)
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
        result["warnings"] = [f"another run replaced {params['path']} while this one was issuing; its certificate was kept, "
                              f"and the one issued here ({new_id}) was revoked and deleted"]
        return result

    # --- state=absent --------------------------------------------------------------------------

    def _absent(self, params: dict[str, t.Any], client: t.Any) -> dict[str, t.Any]:
        now = utc_now()
        site_id = params["site_id"]
        inspection = self._target("inspect")["inspection"]
        file_facts = inspection.get("certificate")
        bookkeeping = inspection.get("record")
        if file_facts:
            record = find_record(client, site_id, file_facts["fingerprint_sha256"], bookkeeping).record
        else:
            record = find_record_by_id(client, site_id, bookkeeping)
        managed_files = inspection["certificate_state"] != "missing" or bookkeeping is not None or \
            ((inspection.get("privatekey") or {}).get("state") not in (None, "missing") and not (params["csr_path"] or params["csr_content"]))
        changed = record is not None or managed_files
        before = merge_file_and_record(file_facts, record, site_id, (record or {}).get("Id"), now)
        result = self._result(params, changed, ["absent"] if changed else [], before, None, inspection)
        result.pop("certificate", None)
        if self._task.check_mode or not changed:
            return result
        if record is not None:
            _revoke(client, site_id, record["Id"], record.get("Status"))
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
