# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the fleet report (examples/fleet_report.yml); documented in the .yml files of the same names."""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report.csv_export import fleet_report_csv
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report.html_page import fleet_report_html
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report.report import fleet_report


def esa_fleet_report(hosts: t.Any, certificates: t.Any, site_id: t.Any = None, now: t.Any = None) -> dict[str, t.Any]:
    if not isinstance(hosts, t.Mapping):
        raise AnsibleFilterError(f"esa_fleet_report: the input must map host names to their check results, got {type(hosts).__name__}")
    if not isinstance(certificates, t.Sequence) or isinstance(certificates, (str, bytes)):
        raise AnsibleFilterError("esa_fleet_report: certificates must be the list that esa_client_certificate_info returns (its 'certificates')")
    try:
        parsed_site_id = int(site_id) if site_id not in (None, "") else None
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError(f"esa_fleet_report: site_id must be the ESA site's number, got {site_id!r}") from exc
    try:
        return dict(fleet_report(hosts, [item for item in certificates if isinstance(item, t.Mapping)], site_id=parsed_site_id, now=now or None))
    except ValueError as exc:
        raise AnsibleFilterError(f"esa_fleet_report: now must be a time like 2026-12-01T00:00:00Z ({exc})") from exc


def _report(report: t.Any, name: str) -> t.Mapping[str, t.Any]:
    if not isinstance(report, t.Mapping) or "hosts" not in report or "generated_at" not in report:
        raise AnsibleFilterError(f"{name}: the input must be what alibabacloud.esa.esa_fleet_report returns")
    return report


def esa_fleet_report_html(report: t.Any, title: str = "ESA client certificates: fleet report") -> str:
    return fleet_report_html(_report(report, "esa_fleet_report_html"), title=str(title))


def esa_fleet_report_csv(report: t.Any) -> str:
    return fleet_report_csv(_report(report, "esa_fleet_report_csv"))


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {
            "esa_fleet_report": esa_fleet_report,
            "esa_fleet_report_html": esa_fleet_report_html,
            "esa_fleet_report_csv": esa_fleet_report_csv,
        }
