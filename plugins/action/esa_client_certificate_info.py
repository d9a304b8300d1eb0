# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of esa_client_certificate_info: reads ESA, never the target."""

from __future__ import annotations

import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import client_certificate_info_argument_spec
from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import TaskInputError
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import utc_now
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._action_support import EsaOnlyAction, validate_arguments
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.facts import flatten_record, record_facts
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.filters import matches, normalize_fingerprint


class ActionModule(EsaOnlyAction):
    def esa_run(self) -> dict[str, t.Any]:
        params = validate_arguments(self._task.args, client_certificate_info_argument_spec(), module="alibabacloud.esa.esa_client_certificate_info")
        fingerprint = None
        if params["fingerprint_sha256"]:
            try:
                fingerprint = normalize_fingerprint(params["fingerprint_sha256"])
            except ValueError as exc:
                raise TaskInputError(str(exc)) from exc
        if params["expires_within_days"] is not None and params["expires_within_days"] < 0:
            raise TaskInputError(f"expires_within_days must be 0 or more, got {params['expires_within_days']}")
        client = self.esa_client(params)
        return {"certificates": _certificates(client, params, fingerprint), "changed": False}


def _certificates(client: t.Any, params: dict[str, t.Any], fingerprint: str | None) -> list[dict[str, t.Any]]:
    site_id = params["site_id"]
    now = utc_now()
    if params["id"]:
        body = client.get_client_certificate(site_id, params["id"])
        records = [flatten_record(body)] if body else []
    else:
        records = [flatten_record(item) for item in client.iter_client_certificates(site_id)]
    found = []
    for record in records:
        facts = record_facts(record, site_id, now)
        if not matches(
            facts,
            status=params["status"],
            common_name=params["common_name"],
            fingerprint_sha256=fingerprint,
            expires_within_days=params["expires_within_days"],
            now=now,
        ):
            continue
        if params["include_pem"]:
            # Get carries the PEM; List does not, so each certificate costs one more read.
            pem = record.get("Certificate")
            if pem is None:
                body = client.get_client_certificate(site_id, record["Id"])
                pem = flatten_record(body).get("Certificate") if body else None
            facts["certificate_pem"] = pem
        found.append(facts)
    return found
