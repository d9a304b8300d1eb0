"""Check an ansible-runner job the way AWX reads it: from its artifacts, not its console output.

    python runner_check.py --artifacts PDD/artifacts/IDENT --recap RECAP.json --hosts HOSTS.json

--artifacts: the job's artifact directory (rc, status, job_events/*.json); --recap: ansible-playbook's PLAY RECAP of the
same play from the same starting state (scripts/demo_fleet.py recap); --hosts: {"hosts": [...]} of the inventory.
Prints one PASS or FAIL line per check and exits 1 when any failed. Checks: the job ended successful with rc 0; every
event file parses and the event counters run 1..N without a gap, from playbook_on_start to playbook_on_stats; for every
host, the ok and changed counts of the stats event, those counted from the runner_on_ok events, and ansible-playbook's
recap are equal.
"""

from __future__ import annotations

import argparse
import collections
import json
import pathlib
import sys


def load_events(artifacts: pathlib.Path) -> tuple[list[dict], list[str]]:
    events, broken = [], []
    for path in sorted((artifacts / "job_events").glob("*.json")):
        try:
            events.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as error:
            broken.append(f"{path.name}: {error}")
    events.sort(key=lambda event: event.get("counter", 0))
    return events, broken


def counted_from_task_events(events: list[dict]) -> dict[str, collections.Counter]:
    """ok and changed per host from runner_on_ok events; as in Ansible's stats, a changed task also counts as ok."""
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for event in events:
        if event.get("event") != "runner_on_ok":
            continue
        data = event.get("event_data", {})
        host = data.get("host")
        counts[host]["ok"] += 1
        if (data.get("res") or {}).get("changed"):
            counts[host]["changed"] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=pathlib.Path, required=True)
    parser.add_argument("--recap", type=pathlib.Path, required=True)
    parser.add_argument("--hosts", type=pathlib.Path, required=True)
    args = parser.parse_args()
    failed = 0

    def check(ok: bool, what: str, why: str = "") -> None:
        nonlocal failed
        print(f"PASS  {what}" if ok else f"FAIL  {what}{': ' + why if why else ''}")
        failed += 0 if ok else 1

    status = (args.artifacts / "status").read_text(encoding="utf-8").strip() if (args.artifacts / "status").is_file() else "missing"
    rc = (args.artifacts / "rc").read_text(encoding="utf-8").strip() if (args.artifacts / "rc").is_file() else "missing"
    check(status == "successful" and rc == "0", f"job {args.artifacts.name}: status {status}, rc {rc}")

    events, broken = load_events(args.artifacts)
    counters = [event.get("counter") for event in events]
    kinds = [event.get("event") for event in events]
    complete = bool(events) and counters == list(range(1, len(events) + 1)) and kinds[0] == "playbook_on_start" and kinds[-1] == "playbook_on_stats"
    check(
        not broken and complete,
        f"{len(events)} job events parse, counters 1..{len(events)} without a gap, playbook_on_start to playbook_on_stats",
        "; ".join(broken[:3]) or f"counters {counters[:5]}..., first {kinds[:1]}, last {kinds[-1:]}",
    )

    hosts = json.loads(args.hosts.read_text(encoding="utf-8"))["hosts"]
    recap = json.loads(args.recap.read_text(encoding="utf-8"))["recap"]
    stats = next((event.get("event_data", {}) for event in reversed(events) if event.get("event") == "playbook_on_stats"), {})
    from_tasks = counted_from_task_events(events)
    rows, mismatches = [], []
    for host in hosts:
        playbook = (recap.get(host, {}).get("ok"), recap.get(host, {}).get("changed"))
        runner_stats = (stats.get("ok", {}).get(host, 0), stats.get("changed", {}).get(host, 0))
        runner_tasks = (from_tasks[host]["ok"], from_tasks[host]["changed"])
        rows.append(f"{host} ok={runner_stats[0]} changed={runner_stats[1]}")
        if not playbook[0] or not playbook == runner_stats == runner_tasks:
            mismatches.append(f"{host}: ansible-playbook ok/changed {playbook}, runner stats {runner_stats}, runner_on_ok events {runner_tasks}")
        if stats.get("failures", {}).get(host) or stats.get("dark", {}).get(host):
            mismatches.append(f"{host}: failed or unreachable in the runner job")
    check(
        bool(hosts) and not mismatches,
        f"ok/changed per host equal in the stats event, the runner_on_ok events and ansible-playbook's recap ({'; '.join(rows)})",
        "; ".join(mismatches),
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
