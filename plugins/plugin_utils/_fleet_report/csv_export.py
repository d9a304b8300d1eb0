# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report as CSV: one line per certificate a host holds (or per host without one, or not checked), then one per
certificate that no host holds. Statuses are the words the page shows (STATUS_LABELS, ORPHAN_LABEL)."""

from __future__ import annotations

import csv
import io
import typing as t

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report.report import ORPHAN_LABEL, STATUS_LABELS

COLUMNS = ("host", "path", "status", "days_left", "certificate_id", "common_name", "not_after", "fingerprint_sha256", "reasons", "note")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): such text gets a leading quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def fleet_report_csv(report: t.Mapping[str, t.Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in report.get("hosts") or []:
        writer.writerow(
            [
                _cell(row.get("host")),
                _cell(row.get("path")),
                _cell(STATUS_LABELS.get(str(row.get("status")), row.get("status"))),
                _number(row.get("days_left")),
                _cell(row.get("certificate_id")),
                _cell(row.get("common_name")),
                _cell(row.get("not_after")),
                _cell(row.get("fingerprint_sha256")),
                _cell(" ".join(row.get("reasons") or [])),
                _cell(row.get("note")),
            ]
        )
    for orphan in report.get("orphans") or []:
        writer.writerow(
            [
                "",
                "",
                ORPHAN_LABEL,
                _number(orphan.get("days_left")),
                _cell(orphan.get("id")),
                _cell(orphan.get("common_name")),
                _cell(orphan.get("not_after")),
                _cell(orphan.get("fingerprint_sha256")),
                "",
                _cell(orphan.get("note") or "no host holds it"),
            ]
        )
    return out.getvalue()


def _cell(value: t.Any) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _number(value: t.Any) -> str:
    return "" if value is None else str(int(value))
