# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report as one self-contained HTML page: inline CSS and SVG, no script, no external asset.

Everything that came from a host or from ESA passes through _e() (html.escape, quotes included): a common name
may hold markup. The Content-Security-Policy forbids scripts and every load, should anything slip through.
"""

from __future__ import annotations

import html
import typing as t

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report.report import STATUS_LABELS
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report.timeline import timeline_svg

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
_STYLE = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px;color:#222;background:#fff;font-size:14px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ccc;padding-bottom:4px}
.meta{color:#555;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #ccc;border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:22px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e3e3e3;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right}code{font-size:12px;word-break:break-all}
.status{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;white-space:nowrap}
.s-ok{background:#2e7d32}.s-due{background:#ef8f00}.s-expired,.s-revoked,.s-mismatch,.s-not_on_esa{background:#c62828}
.s-missing{background:#6d4c41}.s-not_checked{background:#546e7a}
pre{background:#f6f6f6;border:1px solid #ddd;padding:8px;margin:4px 0;white-space:pre-wrap;font-size:12px}
.none{color:#555;font-style:italic}.warn{color:#b71c1c}
svg.timeline{max-width:100%;height:auto;border:1px solid #ddd}
svg text{font-family:"DejaVu Sans",Arial,sans-serif;font-size:12px;fill:#333}svg text.today{fill:#1565c0}svg text.note{fill:#777}
"""


def fleet_report_html(report: t.Mapping[str, t.Any], title: str = "ESA client certificates: fleet report") -> str:
    counts = report.get("counts") or {}
    site = f"site {_e(report.get('site_id'))}, " if report.get("site_id") is not None else ""
    sections = [
        _cards(counts),
        "<h2>Expiry timeline</h2>",
        timeline_svg(report),
        _hosts_table(report.get("hosts") or []),
        _orphans(report.get("orphans") or [], report.get("not_checked") or []),
        _name_list("Hosts without a certificate", "hosts-without-certificate", report.get("without_certificate") or [], "Every checked host has one."),
        _not_checked([row for row in report.get("hosts") or [] if row.get("status") == "not_checked"]),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head>\n<body>\n"
        f"<h1>{_e(title)}</h1>\n"
        f'<p class="meta">{site}generated {_e(report.get("generated_at"))} from a check-mode run of every host '
        "(nothing changed) and ESA's list of the site's active certificates</p>\n" + "\n".join(sections) + "\n</body></html>\n"
    )


def _cards(counts: t.Mapping[str, t.Any]) -> str:
    shown = [("hosts", "hosts"), *STATUS_LABELS.items(), ("orphans", "no host holds them"), ("unproven", "claim one without proof")]
    cards = "".join(f'<div class="card" id="count-{_e(key)}"><b>{_e(counts.get(key, 0))}</b>{_e(label)}</div>' for key, label in shown)
    return f'<div class="cards">{cards}</div>'


def _hosts_table(rows: list[t.Mapping[str, t.Any]]) -> str:
    if not rows:
        return '<h2>Hosts</h2><p class="none">No host in the run.</p>'
    header = "".join(f"<th>{name}</th>" for name in ("host", "status", "days left", "certificate id", "common name", "expires", "reasons", "note"))
    lines = [f'<h2>Hosts ({len(rows)})</h2><table id="hosts"><thead><tr>{header}</tr></thead><tbody>']
    for row in rows:
        status = str(row.get("status"))
        lines.append(
            f'<tr><td>{_e(row.get("host"))}</td><td><span class="status s-{_e(status)}">{_e(STATUS_LABELS.get(status, status))}</span></td>'
            f'<td class="num">{_e(row.get("days_left"))}</td><td><code>{_e(row.get("certificate_id"))}</code></td>'
            f"<td>{_e(row.get('common_name'))}</td><td>{_e(row.get('not_after'))}</td><td>{_e(', '.join(row.get('reasons') or []))}</td>"
            f"<td>{_e(row.get('note'))}</td></tr>"
        )
    lines.append("</tbody></table>")
    return "".join(lines)


def _orphans(orphans: list[t.Mapping[str, t.Any]], not_checked: list[str]) -> str:
    head = f'<h2>Certificates no host holds ({len(orphans)})</h2><div id="orphans">'
    if not orphans:
        return f'{head}<p class="none">Every active certificate on ESA is held by a checked host.</p></div>'
    parts = [
        head,
        "<p>Active on ESA, and no checked host proved it holds it (by signing a challenge with its key). Revoke what is really gone with the task shown.</p>",
    ]
    claimed = sum(1 for orphan in orphans if orphan.get("claimed_by"))
    if claimed:
        parts.append(
            f'<p class="warn">{claimed} of these {"is" if claimed == 1 else "are"} claimed by a host that did not prove possession: '
            "a copy of a certificate file claims as much, and so does a host that has no key to sign with (a CSR only). "
            "Check those hosts before revoking.</p>"
        )
    if not_checked:
        parts.append(f'<p class="warn">{len(not_checked)} host(s) could not be checked: some of these may be theirs. Check them before revoking.</p>')
    parts.append("<table><thead><tr><th>certificate id</th><th>common name</th><th>expires</th><th>days left</th><th>revoke</th></tr></thead><tbody>")
    for orphan in orphans:
        task = orphan.get("revoke_task")
        note = f'<p class="warn">{_e(orphan.get("note"))}</p>' if orphan.get("note") else ""
        offer = f"<pre>{_e(task)}</pre>" if task else ""
        parts.append(
            f"<tr><td><code>{_e(orphan.get('id'))}</code><br>{_short_fingerprint(orphan.get('fingerprint_sha256'))}</td>"
            f'<td>{_e(orphan.get("common_name"))}</td><td>{_e(orphan.get("not_after"))}</td><td class="num">{_e(orphan.get("days_left"))}</td>'
            f"<td>{offer}{note}</td></tr>"
        )
    parts.append("</tbody></table></div>")
    return "".join(parts)


def _name_list(title: str, element_id: str, names: list[t.Any], empty: str) -> str:
    if not names:
        return f'<h2>{_e(title)} (0)</h2><p class="none" id="{element_id}">{_e(empty)}</p>'
    items = "".join(f"<li>{_e(name)}</li>" for name in names)
    return f'<h2>{_e(title)} ({len(names)})</h2><ul id="{element_id}">{items}</ul>'


def _not_checked(rows: list[t.Mapping[str, t.Any]]) -> str:
    if not rows:
        return '<h2>Hosts not checked (0)</h2><p class="none" id="hosts-not-checked">Every host answered.</p>'
    items = "".join(f"<li>{_e(row.get('host'))}: {_e(row.get('note'))}</li>" for row in rows)
    return f'<h2>Hosts not checked ({len(rows)})</h2><ul id="hosts-not-checked">{items}</ul>'


def _short_fingerprint(fingerprint: t.Any) -> str:
    """The first 16 hex digits shown, the whole fingerprint in the tooltip (and in the revoke task)."""
    if not fingerprint:
        return ""
    text = str(fingerprint)
    shown = f"{text[:16]}…" if len(text) > 16 else text
    return f'<code class="fingerprint" title="SHA-256 fingerprint {_e(text)}">sha256 {_e(shown)}</code>'


def _e(value: t.Any) -> str:
    """Escaped text of any value; None shows as an empty cell."""
    return "" if value is None else html.escape(str(value), quote=True)
