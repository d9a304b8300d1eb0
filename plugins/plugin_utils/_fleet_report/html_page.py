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

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report.report import ORPHAN_LABEL, STATUS_LABELS
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._fleet_report.timeline import timeline_svg

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
_STYLE = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px;color:#222;background:#fff;font-size:14px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ccc;padding-bottom:4px}
.meta{color:#555;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #ccc;border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:22px}
.card.zero{border-color:#e4e4e4;color:#9e9e9e;background:#fafafa}.card.zero b{font-weight:normal}
.card.finding{border:2px solid #c62828;background:#fdecea;color:#8e1b1b;font-weight:bold}
.card.finding.c-due,.card.finding.c-unproven{border-color:#ef8f00;background:#fff4e0;color:#8a4b00}
.card.finding.c-orphans{border-color:#7b1fa2;background:#f6e9fa;color:#5a1677}
.scroll{max-width:100%;overflow-x:auto}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e3e3e3;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right}code{font-size:12px}
code.id,code.fingerprint{white-space:nowrap;display:inline-block;max-width:100%;overflow-x:auto;vertical-align:bottom}
code.path{overflow-wrap:anywhere}
.status{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;white-space:nowrap}
.s-ok{background:#2e7d32}.s-due{background:#ef8f00}.s-expired,.s-revoked,.s-mismatch,.s-not_on_esa{background:#c62828}
.s-missing{background:#6d4c41}.s-not_checked{background:#546e7a}.s-orphan{background:#7b1fa2}
.orphan{border:1px solid #ddd;border-radius:6px;padding:8px 12px;margin:10px 0;max-width:100%;box-sizing:border-box}
.orphan p{margin:4px 0}.orphan .facts{color:#333}
.revoke{max-width:100%;min-width:0}
.revoke pre{background:#f6f6f6;border:1px solid #ddd;padding:8px;margin:4px 0;font-size:12px}
.revoke pre{white-space:pre;overflow-x:auto;max-width:100%;box-sizing:border-box}
.none{color:#555;font-style:italic}.warn{color:#b71c1c}
svg.timeline{max-width:100%;height:auto;border:1px solid #ddd}
@media (max-width:1000px){
#hosts thead{display:none}#hosts,#hosts tbody,#hosts tr,#hosts td{display:block}
#hosts tr{border:1px solid #e3e3e3;border-radius:6px;margin:8px 0;padding:4px 0}
#hosts td{border:0;padding:2px 8px}#hosts td.num{text-align:left}#hosts td:empty{display:none}
#hosts td::before{content:attr(data-label) ": ";color:#666;font-size:12px}#hosts td:first-child{font-weight:bold}
}
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


# Tiles that are findings (something to look at) when their count is not zero; the others only count.
_FINDINGS = frozenset(STATUS_LABELS) - {"ok"} | {"orphans", "unproven"}


def _cards(counts: t.Mapping[str, t.Any]) -> str:
    shown = [
        ("hosts", "hosts"),
        ("certificates", "certificates on hosts"),
        *STATUS_LABELS.items(),
        ("orphans", ORPHAN_LABEL),
        ("unproven", "claimed without proof"),
    ]
    cards = []
    for key, label in shown:
        count = counts.get(key, 0)
        kind = "zero" if not count else "finding" if key in _FINDINGS else "count"
        cards.append(f'<div class="card {kind} c-{_e(key)}" id="count-{_e(key)}"><b>{_e(count)}</b>{_e(label)}</div>')
    return f'<div class="cards">{"".join(cards)}</div>'


def _hosts_table(rows: list[t.Mapping[str, t.Any]]) -> str:
    if not rows:
        return '<h2>Hosts</h2><p class="none">No host in the run.</p>'
    labels = ("host", "certificate file", "status", "days left", "certificate id", "common name", "expires", "reasons", "note")
    header = "".join(f"<th>{name}</th>" for name in labels)
    hosts = len({row.get("host") for row in rows})
    heading = f"<h2>Hosts ({hosts}), one line per certificate file</h2>"
    lines = [f'{heading}<div class="scroll"><table id="hosts"><thead><tr>{header}</tr></thead><tbody>']
    for row in rows:
        status = str(row.get("status"))
        cells = (
            _e(row.get("host")),
            _code("path", row.get("path")),
            f'<span class="status s-{_e(status)}">{_e(STATUS_LABELS.get(status, status))}</span>',
            _e(row.get("days_left")),
            _code("id", row.get("certificate_id")),
            _e(row.get("common_name")),
            _e(row.get("not_after")),
            _e(", ".join(row.get("reasons") or [])),
            _e(row.get("note")),
        )
        # data-label: the column's name, shown before each cell when a narrow window stacks the cells of a line
        tds = (f'<td data-label="{label}"{_NUMBER if label == "days left" else ""}>{cell}</td>' for label, cell in zip(labels, cells, strict=True))
        lines.append(f"<tr>{''.join(tds)}</tr>")
    lines.append("</tbody></table></div>")
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
    # One block per orphan, not a table: the revoke task gets the page's width and scrolls in its box when wider.
    for orphan in orphans:
        task = orphan.get("revoke_task")
        note = f'<p class="warn">{_e(orphan.get("note"))}</p>' if orphan.get("note") else ""
        offer = f'<div class="revoke"><pre>{_e(task)}</pre></div>' if task else ""
        days = f" ({_e(orphan.get('days_left'))} days left)" if orphan.get("days_left") is not None else ""
        parts.append(
            f'<div class="orphan"><p><span class="status s-orphan">{_e(ORPHAN_LABEL)}</span> {_code("id", orphan.get("id"))} '
            f"{_short_fingerprint(orphan.get('fingerprint_sha256'))}</p>"
            f'<p class="facts">common name <b>{_e(orphan.get("common_name"))}</b>; expires {_e(orphan.get("not_after"))}{days}</p>{offer}{note}</div>'
        )
    parts.append("</div>")
    return "".join(parts)


def _name_list(title: str, element_id: str, names: list[t.Any], empty: str) -> str:
    if not names:
        return f'<h2>{_e(title)} (0)</h2><p class="none" id="{element_id}">{_e(empty)}</p>'
    items = "".join(f"<li>{_e(name)}</li>" for name in names)
    return f'<h2>{_e(title)} ({len(names)})</h2><ul id="{element_id}">{items}</ul>'


def _not_checked(rows: list[t.Mapping[str, t.Any]]) -> str:
    """One item per host (a host with several certificate files has a line per file): its notes, each once."""
    notes: dict[str, dict[str, None]] = {}
    for row in rows:
        notes.setdefault(str(row.get("host")), {})[str(row.get("note") or "")] = None
    if not notes:
        return '<h2>Hosts not checked (0)</h2><p class="none" id="hosts-not-checked">Every host answered.</p>'
    items = "".join(f"<li>{_e(host)}: {_e('; '.join(note for note in texts if note))}</li>" for host, texts in notes.items())
    return f'<h2>Hosts not checked ({len(notes)})</h2><ul id="hosts-not-checked">{items}</ul>'


def _short_fingerprint(fingerprint: t.Any) -> str:
    """The first 16 hex digits shown, the whole fingerprint in the tooltip (and in the revoke task)."""
    if not fingerprint:
        return ""
    text = str(fingerprint)
    shown = f"{text[:16]}…" if len(text) > 16 else text
    return f'<code class="fingerprint" title="SHA-256 fingerprint {_e(text)}">sha256 {_e(shown)}</code>'


_NUMBER = ' class="num"'


def _code(kind: str, value: t.Any) -> str:
    """An id or a path as code, or nothing (an empty cell) when there is none."""
    return f'<code class="{kind}">{_e(value)}</code>' if value not in (None, "") else ""


def _e(value: t.Any) -> str:
    """Escaped text of any value; None shows as an empty cell."""
    return "" if value is None else html.escape(str(value), quote=True)
