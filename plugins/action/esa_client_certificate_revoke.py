# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of esa_client_certificate_revoke: finds the certificates on ESA, plans, then revokes; never the target."""

from __future__ import annotations

import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import (
    client_certificate_revoke_argument_spec,
    client_certificate_revoke_input_errors,
)
from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import TaskInputError, TaskStopped
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import format_time, parse_esa_time, utc_now
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._action_support import EsaOnlyAction, add_warnings, validate_arguments
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.facts import flatten_record, pem_facts, record_facts
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.revocation import (
    REVOKED,
    Candidate,
    Keep,
    RevocationPlan,
    Selectors,
    TooManyRevocations,
    plan_diff,
    plan_revocations,
    too_young_warning,
)
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import CERTIFICATE_NOT_FOUND, CERTIFICATE_STATUS_ERROR

if t.TYPE_CHECKING:
    import datetime as _dt

    from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import EsaClient


class ActionModule(EsaOnlyAction):
    def esa_run(self) -> dict[str, t.Any]:
        params = validate_arguments(self._task.args, client_certificate_revoke_argument_spec(), input_errors=client_certificate_revoke_input_errors)
        try:
            selectors = Selectors.from_params(params)
        except ValueError as exc:
            raise TaskInputError(str(exc)) from exc
        keep = Keep.from_entries(params["keep"])
        client = self.esa_client(params)
        site_id, state = params["site_id"], params["state"]
        now = utc_now()
        matched = find_matching(client, site_id, selectors, keep, now)
        self.partial_result = {"matched": [facts_of(candidate) for candidate in matched]}
        try:
            plan = plan_revocations(
                matched, keep=keep, min_age_minutes=params["min_age_minutes"], now=now, state=state, max_revocations=params["max_revocations"]
            )
        except TooManyRevocations as exc:
            raise TaskStopped(str(exc)) from exc
        result: dict[str, t.Any] = {
            "changed": bool(plan.acted_on),
            "matched": [facts_of(candidate) for candidate in plan.matched],
            "kept": [candidate.id for candidate in plan.kept],
            "too_young": [candidate.id for candidate in plan.too_young],
        }
        held_back = too_young_warning(plan, min_age_minutes=params["min_age_minutes"], state=state)
        if held_back:
            add_warnings(result, [held_back])
        if self._task.diff:
            result["diff"] = plan_diff(plan, state)
        if self._task.check_mode:
            result.update(revoked=[revoked_facts(candidate) for candidate in plan.revoke], deleted=[candidate.id for candidate in plan.delete])
            return result
        # What a failure halfway reports: only the writes that succeeded.
        self.partial_result = dict(result, changed=False, revoked=[], deleted=[])
        result.update(carry_out(client, site_id, plan, self.partial_result))
        return result


def find_matching(client: EsaClient, site_id: int, selectors: Selectors, keep: Keep, now: _dt.datetime) -> list[Candidate]:
    """The site's certificates that match every selector, in ESA's order.

    With ``id`` one Get per id (the PEM comes with it); otherwise every page of the listing, and a Get for each
    certificate whose fingerprint a selector (or keep) needs and the listing cannot give.
    """
    if selectors.ids is not None:
        records = [flatten_record(body) for cert_id in sorted(selectors.ids) if (body := client.get_client_certificate(site_id, cert_id))]
    else:
        records = [flatten_record(item) for item in client.iter_client_certificates(site_id)]
    matched = []
    for record in records:
        candidate = candidate_of(record, site_id, now)
        if not selectors.may_match(candidate):
            continue
        if (selectors.needs_pem and candidate.pem_fingerprint is None) or keep.needs_fingerprint(candidate):
            body = client.get_client_certificate(site_id, candidate.id)
            if body is None:
                continue  # deleted since the listing
            candidate = candidate_of(flatten_record(body), site_id, now)
        if selectors.matches(candidate):
            matched.append(candidate)
    return matched


def candidate_of(record: dict[str, t.Any], site_id: int, now: _dt.datetime) -> Candidate:
    """The facts _info returns, plus ``created`` (ESA's CreateTime), and the fingerprint of the PEM when the record carries one."""
    facts = record_facts(record, site_id, now)
    facts["created"] = _time_or_none(record.get("CreateTime"))
    own = pem_facts(record)
    return Candidate(facts=facts, pem_fingerprint=own.get("fingerprint_sha256") if own else None)


def facts_of(candidate: Candidate) -> dict[str, t.Any]:
    facts = dict(candidate.facts)
    facts["fingerprint_sha256"] = candidate.fingerprint
    return facts


def revoked_facts(candidate: Candidate) -> dict[str, t.Any]:
    return dict(facts_of(candidate), status=REVOKED)


def carry_out(client: EsaClient, site_id: int, plan: RevocationPlan, done: dict[str, t.Any]) -> dict[str, t.Any]:
    """Revoke, then (state=absent) delete; ``done`` holds what succeeded so far (and ``changed``), for a failure's result.

    A certificate revoked meanwhile (Certificate.StatusError) counts as revoked; one deleted meanwhile (Certificate.NotFound) is skipped.
    """
    gone: set[str] = set()
    for candidate in plan.revoke:
        answer = client.revoke_client_certificate(site_id, candidate.id, accept=(CERTIFICATE_STATUS_ERROR, CERTIFICATE_NOT_FOUND))
        if answer is None and client.get_client_certificate(site_id, candidate.id) is None:
            gone.add(candidate.id)
            continue
        done["changed"] = done["changed"] or answer is not None
        done["revoked"].append(revoked_facts(candidate))
    for candidate in plan.delete:
        if candidate.id in gone:
            continue
        if client.delete_client_certificate(site_id, candidate.id, accept=(CERTIFICATE_NOT_FOUND,)) is not None:
            done["changed"] = True
            done["deleted"].append(candidate.id)
    return {"changed": done["changed"], "revoked": done["revoked"], "deleted": done["deleted"]}


def _time_or_none(value: t.Any) -> str | None:
    if not value:
        return None
    try:
        return format_time(parse_esa_time(value))
    except ValueError:
        return None
