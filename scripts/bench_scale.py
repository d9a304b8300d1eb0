"""The scale benchmark's helpers (scripts/bench_scale.sh): seed the emulator, set its faults, record runs, print the table.

    python scripts/bench_scale.py seed URL --site-id ID --count N --out FILE
    python scripts/bench_scale.py faults URL JSON
    python scripts/bench_scale.py row RESULTS_DIR --key KEY --name NAME --site-id ID --hosts N --started EPOCH
    python scripts/bench_scale.py table RESULTS_DIR

A row is one ansible-playbook run against one site (the seeded one, or an empty one for comparison); row records its
wall time, what ansible-playbook reported, the ESA calls the emulator counted, and how many certificates the site held
and how many of them were created since the run started less the 15 minutes the search after a lost create looks back.
The table checks the page counts (enforced) and compares the seeded site with the empty one (timing: reported only).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request

from demo_fleet import _load, _write, parse_playbook_output

PAGE_SIZE = 100  # what the collection asks ListClientCertificates for (ESA's maximum)
LOOK_BACK = dt.timedelta(minutes=15)  # _certificate.issuance._CLOCK_SLACK: the search after a lost create starts this long before the create
GET, CREATE, LIST = "GetClientCertificate", "CreateClientCertificate", "ListClientCertificates"

TITLES = {
    "issue": "issue (fresh files)",
    "noop": "no-op, verify_remote: true",
    "recover": "no-op after the bookkeeping files were deleted (recovery by fingerprint)",
    "after_recover": "no-op after the recovery",
    "lost_create": "issue, every create's connection reset after it took effect",
    "info": "esa_client_certificate_info, every page (1 task on localhost)",
}


def _control(url: str, route: str, document: object | None = None, timeout: float = 60) -> object:
    host = urllib.parse.urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing a non-loopback URL: {url}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    data = json.dumps(document).encode("utf-8") if document is not None else None
    request = urllib.request.Request(f"{url.rstrip('/')}/_emulator/{route}", data=data, method="POST" if data is not None else "GET")
    with opener.open(request, timeout=timeout) as answer:
        return json.loads(answer.read())


def seed(args: argparse.Namespace) -> int:
    start = time.monotonic()
    answer = _control(args.url, "seed", {"site_id": args.site_id, "count": args.count}, timeout=3600)
    seconds = time.monotonic() - start
    _write(args.out, json.dumps({**answer, "seconds": round(seconds, 2)}) + "\n")
    print(f"    seeded {answer['seeded']} certificates on site {args.site_id} in {seconds:.1f} s (the site holds {answer['total']})")
    return 0


def faults(args: argparse.Namespace) -> int:
    _control(args.url, "faults", json.loads(args.document))
    return 0


def _site_census(url: str, site_id: int, since: dt.datetime) -> tuple[int, int]:
    """(certificates on the site, those created at or after since), from the emulator's own view (no ESA call counted)."""
    state = _control(url, "state", timeout=300)
    mine = [record for record in state["certificates"] if record["site_id"] == site_id]
    recent = [record for record in mine if dt.datetime.strptime(record["create_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc) >= since]
    return len(mine), len(recent)


def row(args: argparse.Namespace) -> int:
    """Record one run (its timing file and log are RESULTS/NAME-timing.json and LOG_DIR/NAME.log)."""
    results = args.results
    timing = _load(os.path.join(results, f"{args.name}-timing.json"))
    stats = _load(os.path.join(results, f"{args.name}-stats.json"))
    with open(args.log, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    parsed = parse_playbook_output(text)
    started = dt.datetime.fromtimestamp(args.started, dt.timezone.utc).replace(microsecond=0)
    total, recent = _site_census(args.url, args.site_id, started - LOOK_BACK)
    hosts = [host for host in parsed["recap"] if host != "localhost"] or list(parsed["recap"])
    listed = re.search(r'"msg": "(\d+) certificates on site', text)
    run = {
        "key": args.key,
        "site": args.site,
        "wall": timing["wall"],
        "cpu": timing["cpu"],
        "returncode": timing["returncode"],
        "hosts": len(hosts),
        "expected_hosts": args.hosts,
        "changed": sum(1 for host in hosts if parsed["recap"][host]["changed"] > 0),
        "failed": sum(1 for host in hosts if parsed["recap"][host]["failed"] or parsed["recap"][host]["unreachable"]),
        "calls": dict(stats.get("calls") or {}),
        "answers": dict(stats.get("answers") or {}),
        "site_total": total,
        "site_recent": recent,
        "info_count": int(listed.group(1)) if listed else None,
    }
    path = os.path.join(results, "scale-rows.json")
    runs = _load(path, [])
    runs.append(run)
    _write(path, json.dumps(runs, indent=1) + "\n")
    per_host = ", ".join(f"{action.replace('ClientCertificates', '').replace('ClientCertificate', '')} {value / max(run['expected_hosts'], 1):g}"
                         for action, value in sorted(run["calls"].items())) or "none"
    print(f"    {args.site:>6} site: {TITLES[args.key]:<76} {run['wall']:7.2f} s  {run['changed']}/{run['hosts']} changed, {run['failed']} failed; "
          f"ESA calls per host: {per_host}; the site holds {total}")
    return 0


def _check(run: dict) -> tuple[str, bool]:
    """The page-count rule of a run: (what it says, passed)."""
    key, hosts, calls = run["key"], max(run["expected_hosts"], 1), run["calls"]
    gets, creates, lists = calls.get(GET, 0), calls.get(CREATE, 0), calls.get(LIST, 0)
    pages = math.ceil(run["site_total"] / PAGE_SIZE)
    others = {action: value for action, value in calls.items() if action not in (GET, CREATE, LIST)}
    healthy = run["returncode"] == 0 and run["failed"] == 0 and run["hosts"] == run["expected_hosts"]
    if key == "issue":
        return f"1 Create per host and nothing else ({creates / hosts:g}, {lists} List, {gets} Get)", healthy and calls == {CREATE: hosts}
    if key in ("noop", "after_recover"):
        return f"1 Get per host and nothing else ({gets / hosts:g} Get, {lists} List)", healthy and calls == {GET: hosts} and run["changed"] == 0
    if key == "recover":
        return (f"at most the listing's {pages} pages once per host ({lists / hosts:g}) + 1 Get per host for the one candidate "
                f"({gets / hosts:g})"), healthy and lists <= pages * hosts and gets == hosts and creates == 0 and not others
    if key == "lost_create":
        bound = math.ceil(run["site_recent"] / PAGE_SIZE) + 3  # page 1 (the order), the recent tail (maybe across a page boundary), one older page
        resets = run["answers"].get("ConnectionReset", 0)
        added = run.get("site_added")
        return (f"a few pages per host: {lists / hosts:g} of {pages} (at most {bound}: {run['site_recent']} certificates of the last 15 minutes); "
                f"1 Create per host ({creates / hosts:g}, {resets} reset after effect), {added} certificates added (no duplicate)"), (
            healthy and creates == hosts and resets == hosts and lists <= bound * hosts and added == hosts and not others)
    if key == "info":
        listed = run["info_count"]
        passed = healthy and lists == pages and not (gets or creates) and listed == run["site_total"]
        return f"every page once: {lists} of {pages}, {listed} certificates listed", passed
    return "no rule", False


def table(args: argparse.Namespace) -> int:
    runs = _load(os.path.join(args.results, "scale-rows.json"), [])
    meta = _load(os.path.join(args.results, "meta.json"), {})
    seeded = _load(os.path.join(args.results, "seed.json"), {})
    before = {}
    for run in runs:  # certificates a lost-create run added: the site's total against the previous run's
        if run["key"] == "lost_create":
            run["site_added"] = run["site_total"] - before.get(run["site"], run["site_total"])
        before[run["site"]] = run["site_total"]
    lines = [
        (
            f"Scale: {meta.get('hosts')} local hosts per site, forks {meta.get('forks')}, one emulator with two sites: 'seeded' "
            f"({seeded.get('seeded')} certificates seeded in {seeded.get('seconds')} s through POST /_emulator/seed) and 'empty'; "
            f"load average {meta.get('load_before')} at the start; no-op rounds {meta.get('repeat')} (median)"
        ),
        "",
        "| run | site | certificates on the site | wall (s) | ESA calls per host | rule | |",
        "|---|---|---:|---:|---|---|---|",
    ]
    failed = 0
    grouped: dict[tuple[str, str], list[dict]] = {}
    for run in runs:
        grouped.setdefault((run["key"], run["site"]), []).append(run)
    for (key, site), group in grouped.items():
        checks = [_check(run) for run in group]
        passed = all(ok for _text, ok in checks)
        failed += not passed
        wall = statistics.median(run["wall"] for run in group)
        hosts = max(group[0]["expected_hosts"], 1)
        calls = {action: max(run["calls"].get(action, 0) for run in group) for run in group for action in run["calls"]}
        per_host = ", ".join(f"{action.replace('ClientCertificates', '').replace('ClientCertificate', '')} {value / hosts:g}"
                             for action, value in sorted(calls.items())) or "0"
        if key == "info":
            per_host = f"{per_host} (one task, not per host)"
        runs_note = f" (median of {len(group)})" if len(group) > 1 else ""
        lines.append(f"| {TITLES[key]} | {site} | {group[-1]['site_total']} | {wall:.2f}{runs_note} | {per_host} | {checks[-1][0]} | "
                     f"{'PASS' if passed else 'FAIL'} |")
    noop = {site: statistics.median(run["wall"] for run in group) for (key, site), group in grouped.items() if key == "noop"}
    lines.append("")
    if "seeded" in noop and "empty" in noop:
        ratio = noop["seeded"] / noop["empty"]
        lines.append(f"{'PASS' if ratio <= 1.25 else 'FAIL'}  no-op on the seeded site as fast as on the empty one (at most 1.25x): "
                     f"{noop['seeded']:.2f} s vs {noop['empty']:.2f} s = {ratio:.2f}x  (timing: reported, not enforced)")
    lines.append(f"{len(grouped) - failed} rows passed their page-count rule, {failed} failed")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    _write(os.path.join(args.results, "scale-table.md"), text)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed")
    seeding.add_argument("url")
    seeding.add_argument("--site-id", type=int, required=True)
    seeding.add_argument("--count", type=int, required=True)
    seeding.add_argument("--out", required=True)
    fault = commands.add_parser("faults")
    fault.add_argument("url")
    fault.add_argument("document", help="JSON, as POST /_emulator/faults takes it")
    record = commands.add_parser("row")
    record.add_argument("results")
    record.add_argument("--url", required=True)
    record.add_argument("--key", choices=sorted(TITLES), required=True)
    record.add_argument("--site", choices=["seeded", "empty"], required=True)
    record.add_argument("--site-id", type=int, required=True)
    record.add_argument("--name", required=True, help="the run's files: RESULTS/NAME-timing.json, RESULTS/NAME-stats.json")
    record.add_argument("--log", required=True)
    record.add_argument("--hosts", type=int, required=True, help="hosts the run should have reported on")
    record.add_argument("--started", type=float, required=True, help="epoch seconds when the run started")
    show = commands.add_parser("table")
    show.add_argument("results")
    args = parser.parse_args(argv)
    return {"seed": seed, "faults": faults, "row": row, "table": table}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
