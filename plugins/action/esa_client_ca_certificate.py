# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of esa_client_ca_certificate: uploads, finds and deletes a client CA on ESA, never contacts the target."""

from __future__ import annotations

import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import (
    CLIENT_CA_CERTIFICATE_REQUIRED_IF,
    client_ca_certificate_argument_spec,
    client_ca_certificate_input_errors,
)
from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import TaskInputError
from ansible_collections.alibabacloud.esa.plugins.module_utils._hostnames import normalize_hostnames
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import utc_now
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._action_support import EsaOnlyAction, validate_arguments
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.facts import flatten_record
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.hostname_binding import ensure_hostnames, read_hostnames, write_hostnames
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._client_ca.ca import (
    ca_facts,
    client_ca_listing,
    delete_client_ca,
    find_client_ca,
    pem_fingerprint,
    planned_ca_facts,
    read_ca_certificate,
    too_many_client_cas,
    upload_client_ca,
)
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import EsaApiError


class ActionModule(EsaOnlyAction):
    def esa_run(self) -> dict[str, t.Any]:
        params = validate_arguments(
            self._task.args,
            client_ca_certificate_argument_spec(),
            required_if=CLIENT_CA_CERTIFICATE_REQUIRED_IF,
            input_errors=client_ca_certificate_input_errors,
            module="alibabacloud.esa.esa_client_ca_certificate",
        )
        now = utc_now()
        certificate = None
        if params["certificate"] is not None:
            try:
                certificate = read_ca_certificate(params["certificate"], now=now, require_ca=params["state"] == "present")
            except ValueError as exc:
                raise TaskInputError(str(exc)) from exc
        client = self.esa_client(params)
        if params["state"] == "present":
            return self._present(params, client, certificate, now)
        return self._absent(params, client, certificate, now)

    def _present(self, params: dict[str, t.Any], client: t.Any, certificate: t.Any, now: t.Any) -> dict[str, t.Any]:
        site_id = params["site_id"]
        name = params["name"].strip() if params["name"] else None
        listing = client_ca_listing(client, site_id)
        record = find_client_ca(client, site_id, certificate.facts["fingerprint_sha256"], listing)
        before = ca_facts(record, site_id, now) if record else None
        warnings = []
        if record is None:
            changed = True
            too_many = too_many_client_cas(site_id, len(listing))
            if too_many:
                raise TaskInputError(too_many)
            if self._task.check_mode:
                after = planned_ca_facts(certificate, site_id, now, name=name)
            else:
                uploaded = upload_client_ca(client, site_id, certificate, name=name, retry_policy=client.retry_policy, listed=len(listing))
                after = ca_facts(uploaded, site_id, now, name=name or certificate.facts["common_name"])
        else:
            changed = False
            after = dict(before or {})
            if name and after["name"] != name:
                warnings.append(
                    f"The client CA {after['id']} is named {after['name']!r} on ESA, not {name!r}: ESA cannot rename a client CA; "
                    "delete it (state=absent) and upload it again to change the name, which also unbinds its hostnames."
                )
        if params["hostnames"] is not None:
            uploaded_now = record is None
            try:
                outcome = ensure_hostnames(
                    client,
                    site_id,
                    ca_id=after["id"],
                    requested=normalize_hostnames(params["hostnames"])[0],
                    check_mode=self._task.check_mode,
                    # A CA uploaded by this task has no hostnames yet: no need to ask ESA.
                    current=[] if uploaded_now else None,
                )
            except (TaskInputError, EsaApiError):
                # The failed task still reports the upload it made, so nobody wonders where the CA came from.
                self.partial_result = {"changed": changed, "certificate": after}
                raise
            changed = changed or outcome.plan.changed
            if before is not None:
                before["hostnames"] = outcome.plan.before
            after["hostnames"] = outcome.hostnames
        result: dict[str, t.Any] = {"changed": changed, "certificate": after}
        if warnings:
            result["warnings"] = warnings
        if self._task.diff:
            result["diff"] = {"before": before or {}, "after": after}
        return result

    def _absent(self, params: dict[str, t.Any], client: t.Any, certificate: t.Any, now: t.Any) -> dict[str, t.Any]:
        site_id = params["site_id"]
        if params["id"]:
            body = client.get_client_ca_certificate(site_id, params["id"])
            record = flatten_record(body) if body else None
            # Compared with the fingerprint of the PEM ESA returns: ESA's own field may be empty.
            actual = pem_fingerprint(body) if body else None
            if record and certificate is not None and actual != certificate.facts["fingerprint_sha256"]:
                raise TaskInputError(
                    f"id {params['id']} names a client CA whose fingerprint is {actual}, not the one of "
                    f"certificate ({certificate.facts['fingerprint_sha256']}): give one of id or certificate, or make them agree"
                )
        else:
            record = find_client_ca(client, site_id, certificate.facts["fingerprint_sha256"])
        if record is None:
            result: dict[str, t.Any] = {"changed": False}
            if self._task.diff:
                result["diff"] = {"before": {}, "after": {}}
            return result
        before = ca_facts(record, site_id, now)
        bound = read_hostnames(client, site_id, before["id"]).get("Hostnames") or []
        before["hostnames"] = sorted(bound)
        if not self._task.check_mode:
            if bound:
                # Stop requiring this CA on its hostnames before it goes; ESA may refuse to delete a CA still in use.
                write_hostnames(client, site_id, before["id"], [])
            delete_client_ca(client, site_id, before["id"])
        result = {"changed": True, "deleted_id": before["id"]}
        if self._task.diff:
            result["diff"] = {"before": before, "after": {}}
        return result
