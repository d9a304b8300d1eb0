"""The fleet projection (scripts/bench_fleet.sh): from fleet benchmarks of a few sizes, what 1,000 hosts cost.

    python scripts/bench_projection.py RESULTS_DIR [RESULTS_DIR ...] [--hosts 1000] [--qps 10 --qps 20] [--slices 4]

Each RESULTS_DIR is what one `BENCH_ROWS=fleet scripts/bench.sh` run left (summary.json). Runs with the same forks and
at least two fleet sizes give a straight line, wall = fixed + hosts x per-host (least squares); it is extrapolated to
--hosts. Runs at other forks with one size are scaled by their measured ratio to the line at that size. ESA calls are
counted, not modelled: the emulator counted each row's calls, and their number per host does not depend on the fleet's
size. A QPS limit gives a floor no forks can beat (calls / limit); AWX job slicing splits the hosts into --slices jobs
that run at once (each a smaller fleet on the line) while their ESA requests add up against the same limit.
Prints Markdown; the numbers are projections from this machine's measurements, which the text says.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

ROWS = {
    "issue": "issue (fresh files)",
    "renew": "renewal, every host expiring",
    "noop_verify": "no-op, verify_remote: true",
    "stat": "ansible.builtin.stat (baseline)",
}


def load(results_dir: str) -> dict:
    with open(os.path.join(results_dir, "summary.json"), encoding="utf-8") as handle:
        summary = json.load(handle)
    return {"hosts": len(summary["meta"]["hosts"]), "forks": summary["meta"]["forks"], "rows": summary["rows"], "meta": summary["meta"]}


def fit(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least squares wall = fixed + hosts * per_host over (hosts, wall) points of at least two sizes."""
    count = len(points)
    mean_x = sum(point[0] for point in points) / count
    mean_y = sum(point[1] for point in points) / count
    spread = sum((point[0] - mean_x) ** 2 for point in points)
    per_host = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return mean_y - per_host * mean_x, per_host


def calls_per_host(row: dict, hosts: int) -> float:
    return sum(row["calls"].values()) / hosts


def minutes(seconds: float) -> str:
    return f"{seconds:.0f} s ({seconds / 60:.1f} min)"


def project(runs: list[dict], hosts: int, qps_limits: list[float], slices: int) -> str:
    by_forks: dict[int, list[dict]] = {}
    for run in runs:
        by_forks.setdefault(run["forks"], []).append(run)
    base_forks = next((forks for forks, group in sorted(by_forks.items()) if len({run["hosts"] for run in group}) >= 2), None)
    if base_forks is None:
        raise SystemExit("need runs of at least two fleet sizes at the same forks")
    base = sorted(by_forks[base_forks], key=lambda run: run["hosts"])
    lines = ["| run | " + " | ".join(f"{run['hosts']} hosts, forks {run['forks']}: wall (s)" for run in runs) + " | ESA calls per host |",
             "|---|" + "---:|" * len(runs) + "---|"]
    for key, label in ROWS.items():
        if all(key in run["rows"] for run in runs):
            walls = " | ".join(f"{run['rows'][key]['wall']:.1f}" for run in runs)
            lines.append(f"| {label} | {walls} | {calls_per_host(runs[0]['rows'][key], runs[0]['hosts']):g} |")
    lines += ["", f"Projection to {hosts:,} hosts: a straight line through the forks-{base_forks} runs ("
              + ", ".join(f"{run['hosts']} hosts" for run in base) + "); its slope is the cost of one more host, which"
              " includes how the cost per host grows with the fleet:", ""]
    header = ["run", f"s per host at forks {base_forks}: " + ", ".join(f"{run['hosts']} hosts" for run in base) + "; slope",
              f"{hosts:,} hosts, forks {base_forks}"]
    others = sorted(forks for forks in by_forks if forks != base_forks)
    header += [f"{hosts:,} hosts, forks {forks}" for forks in others]
    header += [f"ESA calls for {hosts:,} hosts", f"ESA req/s at forks {base_forks}"]
    header += [f"floor at {limit:g} req/s" for limit in qps_limits]
    header += [f"AWX {slices} slices: wall, ESA req/s together"]
    lines += ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    for key, label in ROWS.items():
        if not all(key in run["rows"] for run in base):
            continue
        fixed, per_host = fit([(run["hosts"], run["rows"][key]["wall"]) for run in base])
        wall = fixed + per_host * hosts
        calls = calls_per_host(base[-1]["rows"][key], base[-1]["hosts"]) * hosts
        each = ", ".join(f"{run['rows'][key]['wall'] / run['hosts']:.3f}" for run in base)
        cells = [label, f"{each}; {per_host:.3f}", minutes(wall)]
        for forks in others:
            scaled = [run for run in by_forks[forks] if key in run["rows"]]
            if not scaled:
                cells.append("-")
                continue
            run = scaled[0]
            ratio = run["rows"][key]["wall"] / (fixed + per_host * run["hosts"])
            cells.append(f"{minutes(wall * ratio)} (x{ratio:.2f}, from {run['hosts']} hosts)")
        rate = calls / wall
        cells += [f"{calls:,.0f}", f"{rate:.1f}"]
        cells += [minutes(calls / limit) if calls else "-" for limit in qps_limits]
        slice_wall = fixed + per_host * hosts / slices
        cells.append(f"{minutes(slice_wall)}, {calls / slice_wall:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    meta = base[-1]["meta"]
    lines += ["", f"Measured on {meta['cpus']} CPUs with every host local (ansible_connection=local), ansible-core "
              f"{meta['ansible_core']}, Python {meta['python']}: the controller, the targets and the emulator share those CPUs."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", help="results directories of BENCH_ROWS=fleet runs (summary.json)")
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--qps", type=float, action="append", default=[], help="an ESA request-rate limit to show the floor of")
    parser.add_argument("--slices", type=int, default=4, help="AWX job slices")
    args = parser.parse_args(argv)
    print(project([load(path) for path in args.results], args.hosts, args.qps or [10.0, 20.0], args.slices))
    return 0


if __name__ == "__main__":
    sys.exit(main())
