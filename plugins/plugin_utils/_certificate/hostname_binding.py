# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make the hostnames bound to a client CA what the task asks: one ESA read, at most one write.

Shared by esa_client_certificate_hostnames and esa_client_ca_certificate (its ``hostnames`` option).
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import TaskInputError
from ansible_collections.alibabacloud.esa.plugins.module_utils._hostnames import (
    HostnamePlan,
    esa_spelling,
    offending_hostnames,
    plan_hostnames,
    too_many_hostnames,
)
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import CERTIFICATE_NOT_FOUND, INVALID_PARAMETER, EsaApiError


@dataclasses.dataclass(frozen=True)
class BindingOutcome:
    plan: HostnamePlan
    hostnames: list[str]
    """The bound set after the task (the planned one in check mode), sorted."""
    ca_id: str | None
    """The CA's ESA id as ESA reports it (for the ESA-managed CA, the id ESA gives it), else the one asked for."""
    site_name: str | None


def ensure_hostnames(
    client: t.Any,
    site_id: int,
    *,
    ca_id: str | None,
    requested: list[str] | None,
    state: str = "present",
    append: bool = False,
    check_mode: bool = False,
    current: list[str] | None = None,
    option: str = "hostnames",
) -> BindingOutcome:
    """Read the bound set (unless ``current`` is known, e.g. for a CA just uploaded), plan, and write only a change.

    ``requested`` must already be normalised (module_utils._hostnames.normalize_hostnames).
    """
    site_name = None
    answered_id = ca_id
    if current is None:
        body = read_hostnames(client, site_id, ca_id)
        current = body.get("Hostnames") or []
        site_name = body.get("SiteName")
        answered_id = body.get("Id") or ca_id
    plan = plan_hostnames(current, requested, state=state, append=append)
    if plan.changed:
        # Checked again here because with append the new set includes what ESA already binds.
        too_many = too_many_hostnames(len(plan.after), option=option, detail=f" ({len(plan.before)} bound now, {len(plan.added)} to add)")
        if too_many:
            raise TaskInputError(too_many)
    hostnames = plan.after
    if plan.changed and not check_mode:
        answer = write_hostnames(client, site_id, ca_id, plan.after, site_name=site_name, option=option)
        if answer.get("Hostnames") is not None:
            hostnames = esa_spelling(answer["Hostnames"])
        answered_id = answer.get("Id") or answered_id
        site_name = answer.get("SiteName") or site_name
    return BindingOutcome(plan=plan, hostnames=hostnames, ca_id=answered_id, site_name=site_name)


def read_hostnames(client: t.Any, site_id: int, ca_id: str | None) -> dict[str, t.Any]:
    try:
        return client.get_client_ca_certificate_hostnames(site_id, ca_id)
    except EsaApiError as exc:
        explained = _explained(exc, site_id=site_id, ca_id=ca_id)
        raise explained from explained.__cause__


def write_hostnames(
    client: t.Any, site_id: int, ca_id: str | None, hostnames: list[str], *, site_name: str | None = None, option: str = "hostnames"
) -> dict[str, t.Any]:
    try:
        return client.set_client_ca_certificate_hostnames(site_id, hostnames, ca_id)
    except EsaApiError as exc:
        explained = _explained(exc, site_id=site_id, ca_id=ca_id, requested=hostnames, site_name=site_name, option=option)
        raise explained from explained.__cause__


def _explained(
    exc: EsaApiError, *, site_id: int, ca_id: str | None, requested: list[str] | None = None, site_name: str | None = None, option: str = "hostnames"
) -> EsaApiError:
    """ESA's answer in this task's terms: which CA is unknown, which hostnames are not the site's."""
    message = None
    if exc.code == CERTIFICATE_NOT_FOUND and ca_id:
        message = (
            f"Site {site_id} has no client CA certificate {ca_id} (Certificate.NotFound): check ca_id; "
            "alibabacloud.esa.esa_client_ca_certificate returns the id of an uploaded CA, and leaving ca_id out means the ESA-managed CA."
        )
    elif exc.code == INVALID_PARAMETER and requested is not None:
        service_message = exc.service_message or "no details"
        names = offending_hostnames(requested, service_message, site_name)
        site = f"site {site_id} ({site_name})" if site_name else f"site {site_id}"
        if names:
            message = (
                f"ESA refused {', '.join(names)}: not a hostname of {site} (InvalidParameter: {service_message}); "
                f"client certificates can be required only on the site's own hostnames: remove {'it' if len(names) == 1 else 'them'} from {option}."
            )
        else:
            message = (
                f"ESA refused the hostnames of {option} for {site} (InvalidParameter: {service_message}): each must be a hostname of the "
                f"site, at most 50 per CA; check {option}."
            )
    return exc if message is None else exc.reworded(message)
