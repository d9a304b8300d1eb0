# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of esa_client_certificate: every ESA call happens here, files happen on the target.

The SDK is imported at this module's top level (through _action_support): Ansible imports an action
plugin once in the controller's main process and forks a worker per host, so the import is paid
once per run, not once per host.
"""

from __future__ import annotations

import contextlib
import dataclasses
import secrets
import typing as t

from ansible.module_utils.basic import FILE_COMMON_ARGUMENTS
from ansible.plugins.action import ActionBase

from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import (
    CLIENT_CERTIFICATE_MUTUALLY_EXCLUSIVE,
    MAX_COMMON_NAME,
    client_certificate_argument_spec,
    client_certificate_input_errors,
)
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.key_wrap import recipient_problem, seal
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.pkcs12 import ca_certificates_problem
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.possession import new_nonce
from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import CollectionError, TaskInputError, TaskStopped
from ansible_collections.alibabacloud.esa.plugins.module_utils._target.contract import (
    Bookkeeping,
    ContractError,
    DiscardRequest,
    Inspection,
    InspectRequest,
    InstallOutcome,
    InstallRequest,
    MaintainOutcome,
    MaintainRequest,
    Prepared,
    PrepareRequest,
    RemoveOutcome,
    RemoveRequest,
    TargetRequest,
)
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import utc_now
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._action_support import add_warnings, build_client, fail, module_arguments, validate_arguments
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.csr_policy import (
    LOCAL_KEY_SIZES,
    USER_KEY_SIZES,
    CheckedCsr,
    IdentityRefused,
    check_csr,
    issued_certificate_problem,
    private_key_public_sha256,
)
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.facts import IssuedForAnotherKey, facts_for_install, merge_file_and_record
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.issuance import issue
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.lookup import find_record, record_by_bookkeeping
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.plan import (
    Issue,
    TaskOptions,
    needs_lookup,
    plan_absent,
    plan_present,
    planned_certificate,
    possession_proven,
    task_diff,
)
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import CERTIFICATE_NOT_FOUND, CERTIFICATE_STATUS_ERROR, EsaApiError

_MODULE = "alibabacloud.esa.esa_client_certificate"

# Every state=present result has these keys, whatever the mode (check or real, issue or no-op): null where there is
# nothing to say, so `result.certificate.id` and the like never fail on a missing key.
PRESENT_RESULT_KEYS = (
    "changed",
    "reasons",
    "filename",
    "privatekey_filename",
    "certificate",
    "possession_proven",
    "replaced_certificate",
    "backup_file",
    "privatekey_backup_file",
    "certificate_pem",
    "pkcs12_file",
    "pkcs12_written",
    "fullchain_file",
    "fullchain_written",
    "pkcs12_backup_file",
    "fullchain_backup_file",
)
# The same for state=absent.
ABSENT_RESULT_KEYS = ("changed", "reasons", "filename", "privatekey_filename", "backup_files")


class _ModuleFailed(Exception):
    def __init__(self, result: dict[str, t.Any]):
        super().__init__(result.get("msg"))
        self.result = result


class _CreateRequest(t.NamedTuple):
    """What one Create sends and what its certificate must carry."""

    csr_pem: str | None = None
    """The checked CSR (csr_path, csr_content, or the one the host made); None when ESA makes the key."""
    expected_key: str | None = None
    """SHA-256 of the public key the certificate must carry (the CSR's)."""
    key_file_sha256: str | None = None
    """For a key made on the host: the digest of the pending key file that signed the CSR."""
    recipient: str | None = None
    """For key_source=esa: the host's one-time X25519 public key that ESA's key is sealed for."""


def _answer(outcome: dict[str, t.Any]) -> dict[str, t.Any]:
    """The target's answer to a phase, or _ModuleFailed with its message (and traceback) when it failed."""
    if outcome.get("failed"):
        raise _ModuleFailed({key: outcome[key] for key in ("msg", "exception") if key in outcome})
    return outcome


class ActionModule(ActionBase):
    """Carries out the plan of _certificate.plan: the ESA calls here, the file work on the target (phases of the module)."""

    TRANSFERS_FILES = False

    def run(self, tmp: str | None = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        result = super().run(tmp, task_vars)
        del tmp
        self._task_vars = task_vars
        # Names this run's pending key on the target, so concurrent runs never take each other's.
        self._run_token = secrets.token_hex(8)
        self._warnings: list[str] = []
        self._secret_values: tuple[str, ...] = ()
        try:
            spec = client_certificate_argument_spec()
            spec.update(FILE_COMMON_ARGUMENTS)
            params = validate_arguments(
                self._task.args,
                spec,
                mutually_exclusive=CLIENT_CERTIFICATE_MUTUALLY_EXCLUSIVE,
                input_errors=client_certificate_input_errors,
                module="alibabacloud.esa.esa_client_certificate",
            )
            params = self._with_identity(params)
            client = build_client(params)
            # The PKCS#12 passphrase is no_log on the target; here it is kept out of failure reports like the credentials.
            self._secret_values = client.settings.secret_values + tuple(value for value in (params.get("pkcs12_passphrase"),) if value)
            self._warnings.extend(client.settings.warnings)
            if params["state"] == "absent":
                result.update(self._absent(params, client))
            else:
                result.update(self._present(params, client))
        except _ModuleFailed as exc:
            result.update(exc.result)
            result["failed"] = True
        except CollectionError as exc:
            fail(result, exc, verbosity=self._display.verbosity, secrets=self._secret_values)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        result.setdefault("filename", self._task.args.get("path"))
        add_warnings(result, self._warnings)
        return result

    # --- the identity --------------------------------------------------------------------------

    def _with_identity(self, params: dict[str, t.Any]) -> dict[str, t.Any]:
        """The parameters with the common name this task certifies, decided here and never by the host.

        key_source=local and csr_path: the task's common_name, else the inventory hostname (the host's own idea of its
        name, socket.getfqdn() there, is a claim like any other). csr_content: the play gave the CSR, so its CN is the
        play's unless common_name names another (then check_csr refuses it). key_source=esa: ESA chooses the subject.
        """
        self._common_name = params.get("common_name")
        uses_csr = bool(params.get("csr_path") or params.get("csr_content"))
        if params["state"] != "present" or self._common_name is not None or params.get("csr_content") or (params["key_source"] == "esa" and not uses_csr):
            return params
        default = str((self._task_vars or {}).get("inventory_hostname") or "")
        if not default.strip() or len(default) > MAX_COMMON_NAME or default != default.strip():
            raise TaskInputError(
                f"common_name is not set and the inventory hostname {default!r} cannot be a common name (1 to {MAX_COMMON_NAME} "
                "characters, no surrounding spaces): set common_name to the identity this host's certificate should carry"
            )
        self._common_name = default
        return dict(params, common_name=default)

    def _checked_csr(self, params: dict[str, t.Any], inspection: Inspection) -> CheckedCsr:
        """The CSR this task sends to ESA, checked: csr_content as the task gave it, csr_path as the host read it."""
        if params.get("csr_content"):
            pem, source = params["csr_content"], "csr_content"
        elif inspection.csr is not None:
            pem, source = inspection.csr.pem, f"csr_path ({params['csr_path']})"
        else:
            raise ContractError("the inspection of a task with a CSR has no CSR")
        return check_csr(pem, source=source, common_name=params.get("common_name"), pkey_type=params["pkey_type"], key_sizes=USER_KEY_SIZES)

    def _checked_local_csr(self, params: dict[str, t.Any], prepared: Prepared) -> CheckedCsr:
        """The CSR the host made for key_source=local: of exactly the task's CN and key, and of the key it says it made."""
        source = f"the CSR {self._task_vars.get('inventory_hostname', 'the host') if self._task_vars else 'the host'} made for {params['path']}"
        checked = check_csr(prepared.csr_pem or "", source=source, common_name=params["common_name"], pkey_type=params["pkey_type"], key_sizes=LOCAL_KEY_SIZES)
        if prepared.public_key_sha256 != checked.public_key_sha256:
            raise IdentityRefused(f"{source}: the CSR carries another public key than the one the host says it made; nothing was sent to ESA")
        return checked

    # --- the target ----------------------------------------------------------------------------

    def _target(self, request: TargetRequest) -> dict[str, t.Any]:
        """Run one phase of the module on the target (see _target.contract for what goes and comes back)."""
        args = module_arguments(self._task.args, common_name=self._common_name, _target=dataclasses.replace(request, run_id=self._run_token).to_dict())
        return _answer(self._execute_module(module_name=_MODULE, module_args=args, task_vars=self._task_vars))

    def _inspect(self, **request: t.Any) -> Inspection:
        inspection = Inspection.from_dict(self._target(InspectRequest(**request))["inspection"])
        if inspection.problems:
            raise TaskInputError("; ".join(inspection.problems))
        return inspection

    # --- state=present -------------------------------------------------------------------------

    def _present(self, params: dict[str, t.Any], client: t.Any) -> dict[str, t.Any]:
        options = TaskOptions.from_params(params)
        problem = ca_certificates_problem(params["ca_certificate_content"]) if params.get("ca_certificate_content") else None
        if problem:
            raise TaskInputError(problem)
        # In a real run the target makes the key and CSR in the same execution when its files alone call for a new certificate;
        # the key being replaced then signs this challenge there too, should ESA confirm which certificate it replaces.
        prepare_nonce = None if self._task.check_mode else new_nonce()
        # A check run is what decommissions and fleet reports ask "which certificate do you hold?": the key in place signs
        # a fresh challenge, so the answer counts only with proof of possession (possession_proven).
        check_nonce = new_nonce() if self._task.check_mode and params["privatekey_path"] else None
        inspection = self._inspect(
            with_pem=params["return_content"], prepare_if_due=not self._task.check_mode, prepare_proof_nonce=prepare_nonce, proof_nonce=check_nonce
        )
        try:
            checked_csr = self._checked_csr(params, inspection) if options.uses_csr else None
            if checked_csr is not None:  # csr_content without common_name: the CN of the play's CSR is the identity
                params = dict(params, common_name=checked_csr.common_name)
                options = dataclasses.replace(options, common_name=checked_csr.common_name)
            lookup = None
            if needs_lookup(inspection, options):
                certificate = inspection.certificate
                lookup = find_record(
                    client,
                    options.site_id,
                    certificate.fingerprint_sha256 if certificate else None,
                    inspection.bookkeeping.to_dict() if inspection.bookkeeping else None,
                    expected=certificate.to_dict() if certificate else None,
                    path=options.path,
                )
            plan = plan_present(inspection, lookup, options, utc_now(), check_mode=self._task.check_mode)
        except Exception:
            self._discard_pending(inspection.prepared is not None)  # made for a certificate that will not be issued
            raise
        self._warnings.extend(plan.warnings)
        proven = None
        if self._task.check_mode:
            record = lookup.record if lookup is not None else None
            proven = record is not None and possession_proven(record, inspection.possession, check_nonce, options.site_id)[0]
        if plan.issue is None:
            self._discard_pending(inspection.prepared is not None)  # made in vain: the run stops, or ESA's copy says it is not due yet
        if plan.stop:
            raise TaskStopped(plan.stop)
        if plan.issue is None:
            written = (inspection.pkcs12_due, inspection.fullchain_due)  # check mode: what a real run would write
            kept_backups: dict[str, str | None] = {}
            if plan.keep is not None and plan.keep.maintain and not self._task.check_mode:
                kept = MaintainOutcome.from_dict(
                    self._target(MaintainRequest(bookkeeping=plan.keep.bookkeeping, expected_file_sha256=inspection.certificate_file_sha256))
                )
                written = (kept.pkcs12_written, kept.fullchain_written)
                kept_backups = {"pkcs12_backup_file": kept.pkcs12_backup_file, "fullchain_backup_file": kept.fullchain_backup_file}
            elif not self._task.check_mode:
                written = (False, False)
            changed = inspection.attributes_differ or any(written)  # plan.changed, with what the target found under its lock
            result = self._result(params, changed, [], plan.before, plan.before, inspection, possession=proven, written=written)
            result.update(kept_backups)
            return result
        if plan.issue.preflight_read:
            # Check mode read nothing from ESA yet: one cheap read makes it fail where the run would (unknown site,
            # credentials, clock). A real run's create is refused as clearly, and stays its one ESA call.
            client.list_client_certificates(options.site_id, page_size=1)
        if self._task.check_mode:
            planned = planned_certificate(options, plan.reasons, plan.issue)
            written = (bool(params.get("pkcs12_path")), bool(params.get("fullchain_path")))
            result = self._result(params, True, plan.reasons, plan.before, None, inspection, diff_after=planned, possession=proven, written=written)
            result["replaced_certificate"] = _predicted_replaced(plan.issue, inspection, bool(proven))
            return result
        return self._issue(params, client, plan.reasons, plan.issue, inspection, plan.before, prepare_nonce, checked_csr)

    def _issue(
        self,
        params: dict[str, t.Any],
        client: t.Any,
        reasons: list[str],
        plan: Issue,
        inspection: Inspection,
        before: dict[str, t.Any] | None,
        prepare_nonce: str | None,
        checked_csr: CheckedCsr | None,
    ) -> dict[str, t.Any]:
        """Issue and install a certificate: obtain the CSR, create, install (or retire what was created), report."""
        # Whenever ESA confirmed which certificate is being replaced, the key in place signs a challenge, so the result can
        # say whether this host held it: a later task (a deferred revocation) may act on that, never on the id alone.
        # It signed already when the inspection made the new key; otherwise the install signs, under the directory lock.
        signed_early = inspection.prepared is not None and inspection.possession is not None and prepare_nonce is not None
        proof_nonce = new_nonce() if plan.replaced is not None and not signed_early else None
        pending = plan.source != "csr"  # a key (or one-time key) made on the target waits for this run
        try:
            request = self._csr_request(params, plan, inspection, checked_csr)
            issued = self._create(params, client, plan.source, request)
        except Exception:
            # Whatever failed (making the CSR, or ESA's answer), no pending key stays behind on the target.
            self._discard_pending(pending)
            raise
        try:
            installed = self._install(params, plan.source, inspection, request, issued, proof_nonce)
        except _ModuleFailed as exc:
            # The files could not take the new certificate: no live certificate stays behind, and no pending key either.
            self._retire(client, params["site_id"], issued.record["Id"], pending)
            exc.result["msg"] = f"{exc.result.get('msg')}; the certificate issued for it ({issued.record['Id']}) was revoked and deleted on ESA"
            raise
        if installed.raced:
            return self._lost_race(params, client, issued.record["Id"], installed.inspection)
        result = self._installed_result(params, reasons, before, issued, installed)
        possession, nonce = (inspection.possession, prepare_nonce) if signed_early else (installed.possession, proof_nonce)
        self._report_replaced(result, client, params["site_id"], plan, inspection, issued, possession, nonce)
        return result

    def _csr_request(self, params: dict[str, t.Any], plan: Issue, inspection: Inspection, checked_csr: CheckedCsr | None) -> _CreateRequest:
        """What the Create sends (the checked CSR, or the host's one-time key to seal ESA's key for) and what it must yield."""
        if plan.source == "csr":
            if checked_csr is None:
                raise ContractError("a task with a CSR reached the create without its CSR checked")
            return _CreateRequest(csr_pem=checked_csr.pem, expected_key=checked_csr.public_key_sha256)
        # Made during the inspection when the files alone called for it; otherwise (only ESA found a reason) now.
        prepared = inspection.prepared or Prepared.from_dict(self._target(PrepareRequest(new_key=plan.new_key, common_name=params["common_name"])))
        if plan.source == "local":
            checked = self._checked_local_csr(params, prepared)
            return _CreateRequest(csr_pem=checked.pem, expected_key=checked.public_key_sha256, key_file_sha256=prepared.key_file_sha256)
        problem = recipient_problem(prepared.recipient_public_key)
        if problem:
            raise IdentityRefused(f"the host's answer carries no usable one-time recipient key ({problem}); nothing was sent to ESA")
        return _CreateRequest(recipient=prepared.recipient_public_key)

    def _create(self, params: dict[str, t.Any], client: t.Any, source: str, request: _CreateRequest) -> t.Any:
        """CreateClientCertificate, then ESA's certificate checked before any host sees it: another subject or key than the
        one asked for is retired on ESA (revoked and deleted), never delivered."""
        site_id = params["site_id"]
        issued = issue(
            client, site_id, params["validity_days"], utc_now, csr_pem=request.csr_pem, pkey_type=params["pkey_type"], retry_policy=client.retry_policy
        )
        if request.recipient is not None and not issued.private_key_pem:
            raise EsaApiError(
                f"CreateClientCertificate answered without the private key it generated (certificate {issued.record.get('Id')}): "
                "nothing was written; revoke that certificate, and issue with key_source=local"
            )
        wrong = self._issued_problem(params, source, issued, request.expected_key)
        if wrong:
            self._retire(client, site_id, issued.record["Id"], pending=False)  # the caller discards the pending key
            raise IdentityRefused(f"{wrong}: certificate {issued.record['Id']} was revoked and deleted on ESA and never sent to the host")
        return issued

    def _install(
        self, params: dict[str, t.Any], source: str, inspection: Inspection, request: _CreateRequest, issued: t.Any, proof_nonce: str | None
    ) -> InstallOutcome:
        """The install phase on the target: the key (sealed, for key_source=esa) first, the certificate second."""
        sealed = seal(issued.private_key_pem.encode("ascii"), request.recipient) if request.recipient is not None and issued.private_key_pem else None
        parsed_facts = None
        if source == "local" and proof_nonce is None and request.key_file_sha256 and request.csr_pem:
            # Nothing for the target to sign or unseal: the controller checks and parses ESA's certificate, so the
            # install needs no cryptography on the target (see _certificate.facts.facts_for_install).
            try:
                parsed_facts = facts_for_install(issued.certificate_pem, request.csr_pem)
            except IssuedForAnotherKey as exc:
                raise _ModuleFailed({"msg": str(exc)}) from None
        return InstallOutcome.from_dict(
            self._target(
                InstallRequest(
                    certificate_pem=issued.certificate_pem,
                    privatekey_sealed=sealed,
                    expected_public_key_sha256=request.expected_key,
                    bookkeeping=Bookkeeping(site_id=params["site_id"], id=issued.record["Id"]),
                    expected_file_sha256=inspection.certificate_file_sha256,
                    with_pem=params["return_content"],
                    proof_nonce=proof_nonce,
                    parsed_facts=parsed_facts,
                    expected_key_file_sha256=request.key_file_sha256 if parsed_facts is not None else None,
                ),
            )
        )

    def _installed_result(
        self, params: dict[str, t.Any], reasons: list[str], before: dict[str, t.Any] | None, issued: t.Any, installed: InstallOutcome
    ) -> dict[str, t.Any]:
        after_inspection = installed.inspection
        if after_inspection is None:
            raise ContractError("the target's install answer has no inspection of the files it wrote")
        after_facts = after_inspection.certificate.to_dict() if after_inspection.certificate else None
        after = merge_file_and_record(after_facts, issued.record, params["site_id"], issued.record.get("Id"), utc_now())
        result = self._result(params, True, reasons, before, after, after_inspection, written=(installed.pkcs12_written, installed.fullchain_written))
        if installed.backup_file:
            result["backup_file"] = installed.backup_file
        if installed.privatekey_backup_file:
            result["privatekey_backup_file"] = installed.privatekey_backup_file
        result.update(pkcs12_backup_file=installed.pkcs12_backup_file, fullchain_backup_file=installed.fullchain_backup_file)
        return result

    def _report_replaced(
        self,
        result: dict[str, t.Any],
        client: t.Any,
        site_id: int,
        plan: Issue,
        inspection: Inspection,
        issued: t.Any,
        possession: t.Any,
        nonce: str | None,
    ) -> None:
        """Say which certificate was replaced, and revoke it (revoke_replaced) only if this host proved it held its key."""
        replaced = plan.replaced
        old_fingerprint = inspection.certificate.fingerprint_sha256 if inspection.certificate else None
        proven, why_not = possession_proven(replaced, possession, nonce, site_id) if replaced is not None else (False, "")
        if replaced or old_fingerprint:
            # The id is reported only when ESA confirmed it for the replaced file and this host proved it held its key: a
            # later task (a deferred revocation) may act on it, so an id a host merely claims is never handed on.
            result["replaced_certificate"] = {
                "id": (replaced or {}).get("Id") if proven else None,
                "fingerprint_sha256": old_fingerprint,
                "revoked": False,
                "possession_proven": proven,
            }
        if not (plan.revoke_replaced and replaced is not None and replaced["Id"] != issued.record.get("Id")):
            return
        if proven:
            result["replaced_certificate"]["revoked"] = _revoke(client, site_id, replaced["Id"], replaced.get("Status"))
            if self._task.diff and result["replaced_certificate"]["revoked"]:
                result["diff"]["after"]["revoked"] = replaced["Id"]
        else:
            self._warnings.append(
                f"the replaced certificate {replaced['Id']} was not revoked: this host could not prove it holds its "
                f"private key ({why_not}); revoke it yourself once you know it is no longer in use"
            )

    def _retire(self, client: t.Any, site_id: int, cert_id: str, pending: bool) -> None:
        """The one clean-up of a certificate this run created but will not deliver: revoked and deleted on ESA, and this
        run's pending key removed from the target."""
        self._discard_pending(pending)
        _revoke(client, site_id, cert_id, "active")
        _delete(client, site_id, cert_id)

    def _discard_pending(self, pending: bool) -> None:
        """Remove this run's pending key on the target, if it may have made one; a failure to do so hides no other error."""
        if pending:
            with contextlib.suppress(_ModuleFailed):
                self._target(DiscardRequest())

    @staticmethod
    def _issued_problem(params: dict[str, t.Any], source: str, issued: t.Any, expected_key: str | None) -> str | None:
        """Why ESA's certificate must not reach the host: another subject than the task's, another key than the one sent."""
        if source == "esa":
            # ESA chose the key and the subject; the certificate must at least be the one of the key it sealed for the host.
            expected_key = private_key_public_sha256(issued.private_key_pem or "")
            if expected_key is None:
                return "ESA's generated private key does not load"
        if expected_key is None:
            return "the public key sent to ESA is not known"
        common_name = None if source == "esa" else params.get("common_name")
        return issued_certificate_problem(issued.certificate_pem, common_name=common_name, public_key_sha256_expected=expected_key)

    def _lost_race(self, params: dict[str, t.Any], client: t.Any, new_id: str, inspection: Inspection | None) -> dict[str, t.Any]:
        """Another run replaced the files while this one waited for ESA: keep theirs, retire ours unseen."""
        site_id = params["site_id"]
        self._retire(client, site_id, new_id, pending=False)  # the install moved the pending key already, or discarded it
        facts = inspection.certificate.to_dict() if inspection and inspection.certificate else None
        shown_id = inspection.bookkeeping.id if inspection and inspection.bookkeeping else None
        current = merge_file_and_record(facts, None, site_id, shown_id, utc_now())
        self._warnings.append(
            f"another run replaced {params['path']} while this one was issuing; its certificate was kept, "
            f"and the one issued here ({new_id}) was revoked and deleted"
        )
        return self._result(params, False, [], current, current, inspection)

    # --- state=absent --------------------------------------------------------------------------

    def _absent(self, params: dict[str, t.Any], client: t.Any) -> dict[str, t.Any]:
        options = TaskOptions.from_params(params)
        nonce = new_nonce()
        inspection = self._inspect(proof_nonce=nonce)
        bookkeeping = inspection.bookkeeping.to_dict() if inspection.bookkeeping else None
        if inspection.certificate is not None:
            lookup = find_record(
                client, options.site_id, inspection.certificate.fingerprint_sha256, bookkeeping, expected=inspection.certificate.to_dict(), path=options.path
            )
        else:
            # No certificate file left to compare with: the id is only a lead, and possession alone can prove it.
            lookup = record_by_bookkeeping(client, options.site_id, bookkeeping)
        plan = plan_absent(inspection, lookup, options, nonce, utc_now())
        self._warnings.extend(plan.warnings)
        result: dict[str, t.Any] = {
            "changed": plan.changed,
            "reasons": ["absent"] if plan.changed else [],
            "filename": params["path"],
            "privatekey_filename": params["privatekey_path"],
            "backup_files": None,
        }
        if self._task.diff:
            result["diff"] = task_diff(
                plan.before, None, None, revokes=plan.revoke_id, deletes_record=plan.delete_id, removes_files=[params["path"]] if plan.remove_files else None
            )
        if self._task.check_mode or not plan.changed:
            return result
        if plan.revoke_id:
            _revoke(client, options.site_id, plan.revoke_id, "active")
        if plan.delete_id:
            _delete(client, options.site_id, plan.delete_id)
        if plan.remove_files:
            removed = RemoveOutcome.from_dict(self._target(RemoveRequest()))
            if removed.backup_files:
                result["backup_files"] = list(removed.backup_files)
        return result

    # --- results -------------------------------------------------------------------------------

    def _result(
        self,
        params: dict[str, t.Any],
        changed: bool,
        reasons: list[str],
        before: dict[str, t.Any] | None,
        after: dict[str, t.Any] | None,
        inspection: Inspection | None,
        diff_after: dict[str, t.Any] | None = None,
        possession: bool | None = None,
        written: tuple[bool, bool] = (False, False),
    ) -> dict[str, t.Any]:
        """``written``: whether the PKCS#12 bundle and the full-chain file were (in check mode, would be) written."""
        result: dict[str, t.Any] = dict.fromkeys(PRESENT_RESULT_KEYS)
        result.update(changed=changed, reasons=reasons, filename=params["path"], privatekey_filename=params["privatekey_path"])
        result.update(pkcs12_file=params.get("pkcs12_path"), pkcs12_written=written[0])
        result.update(fullchain_file=params.get("fullchain_path"), fullchain_written=written[1])
        result["possession_proven"] = possession
        result["certificate"] = after if after is not None else before
        if params["return_content"] and inspection is not None and inspection.certificate_pem and after is not None:
            result["certificate_pem"] = inspection.certificate_pem
        if self._task.diff:
            writes = [path for path, wrote in ((params.get("pkcs12_path"), written[0]), (params.get("fullchain_path"), written[1])) if wrote]
            result["diff"] = task_diff(before, diff_after if diff_after is not None else after, inspection, reasons=reasons, writes=writes)
        return result


def _predicted_replaced(issue: Issue, inspection: Inspection, proven: bool) -> dict[str, t.Any] | None:
    """Check mode: the replaced_certificate a real run would report (``revoked``: whether it would be revoked)."""
    old_fingerprint = inspection.certificate.fingerprint_sha256 if inspection.certificate else None
    if issue.replaced is None and not old_fingerprint:
        return None
    return {
        "id": issue.replaced.get("Id") if issue.replaced is not None and proven else None,
        "fingerprint_sha256": old_fingerprint,
        "revoked": bool(issue.revoke_replaced and proven),
        "possession_proven": proven,
    }


def _revoke(client: t.Any, site_id: int, cert_id: str, status: str | None) -> bool:
    """Revoke unless already revoked; a StatusError means someone revoked it first, which is what we wanted."""
    if status and status.lower() != "active":
        return False
    return client.revoke_client_certificate(site_id, cert_id, accept=(CERTIFICATE_STATUS_ERROR, CERTIFICATE_NOT_FOUND)) is not None


def _delete(client: t.Any, site_id: int, cert_id: str) -> None:
    """Delete; Certificate.NotFound means it is gone already, which is what we wanted."""
    client.delete_client_certificate(site_id, cert_id, accept=(CERTIFICATE_NOT_FOUND,))
