# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of esa_client_certificate_hostnames: reads and sets ESA's hostname binding, never contacts the target."""

from __future__ import annotations

import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import (
    CLIENT_CERTIFICATE_HOSTNAMES_REQUIRED_IF,
    client_certificate_hostnames_argument_spec,
    client_certificate_hostnames_input_errors,
)
from ansible_collections.alibabacloud.esa.plugins.module_utils._hostnames import normalize_hostnames
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._action_support import (
    EsaOnlyAction,
    validate_arguments,
)
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.hostname_binding import ensure_hostnames


class ActionModule(EsaOnlyAction):
    def esa_run(self) -> dict[str, t.Any]:
        params = validate_arguments(
            self._task.args,
            client_certificate_hostnames_argument_spec(),
            required_if=CLIENT_CERTIFICATE_HOSTNAMES_REQUIRED_IF,
            input_errors=client_certificate_hostnames_input_errors,
            module="alibabacloud.esa.esa_client_certificate_hostnames",
        )
        requested = normalize_hostnames(params["hostnames"])[0] if params["hostnames"] is not None else None
        client = self.esa_client(params)
        outcome = ensure_hostnames(
            client,
            params["site_id"],
            ca_id=params["ca_id"],
            requested=requested,
            state=params["state"],
            append=params["append"],
            check_mode=self._task.check_mode,
        )
        result = {
            "changed": outcome.plan.changed,
            "hostnames": outcome.hostnames,
            "ca_id": outcome.ca_id,
            "added": outcome.plan.added,
            "removed": outcome.plan.removed,
        }
        if self._task.diff:
            result["diff"] = {"before": {"hostnames": outcome.plan.before}, "after": {"hostnames": outcome.hostnames}}
        return result
