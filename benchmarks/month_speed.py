"""The month in a minute (issue 12, item 2): `fieldweek month` as a user runs it, timed
from outside, with what it planned.

    python -m benchmarks.month_speed DEPARTMENT_DIR [--month 2026-12] [--runs 2]

Runs the command in a fresh interpreter (`python -m api.cli month`; set PYTHONPATH to
measure another checkout of the code), then reads its JSON: visits planned of wanted,
km of the visit routes (straight line, from where each day's route starts through its
stops in order), the minutes each week's timetable is short, the wall time and the
machine's load before and after."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from geopy.distance import great_circle

from engine.load import load_department


def route_km(plan: dict, department_dir: Path) -> float:
    """Km of the month's visit routes along straight lines: from the office (or the
    appointment before the block) through the stops in order."""
    department = load_department(department_dir)
    where = {r.id: (r.lat, r.lon) for r in department.retailers}
    office = (department.office.lat, department.office.lon)
    km = 0.0
    for route in plan["routes"]:
        points = [where.get(route["start_from"], office)] + [where[s["retailer"]] for s in route["stops"]]
        km += sum(great_circle(a, b).km for a, b in itertools.pairwise(points))
    return km


def run_once(department_dir: Path, month: str) -> dict:
    """One timed run of `fieldweek month` and what it planned."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "month.json"
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "api.cli", "month", str(department_dir), "--month", month,
                               "--json", str(out)], capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        # Exit 1 with the JSON written: a month its checker rejects, measured and marked as such.
        if done.returncode not in (0, 1) or not out.exists():
            raise SystemExit(f"fieldweek month failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        plan = json.loads(out.read_text(encoding="utf-8"))
    problems = done.returncode != 0 or "found no problem" not in done.stdout
    if problems:
        # What the checker said goes to stderr, so that a rare problem is not lost with its run.
        lines = done.stdout.splitlines()
        said = next((i for i, line in enumerate(lines) if "checker found" in line), max(0, len(lines) - 15))
        print("\n".join(lines[said:said + 60]), file=sys.stderr)
        # The command prints the checker's problems on its own stderr: keep them too.
        print(done.stderr[-6000:], file=sys.stderr)
        print(json.dumps(plan.get("check", {}), ensure_ascii=False)[:6000], file=sys.stderr)
    return {
        "wall_s": round(wall, 1), "visits": plan["visits"], "wanted": plan["wanted"],
        "km": round(route_km(plan, department_dir), 1),
        "weeks_minutes_short": [w.get("minutes_short") for w in plan["weeks"]],
        "checker": "PROBLEMS" if problems else "no problem",
        "load": f"{load_before:.1f}–{os.getloadavg()[0]:.1f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("department", type=Path)
    parser.add_argument("--month", default="2026-12")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    print("| run | wall (s) | visits planned | km | weeks' minutes short | month checker | load |")
    print("|---|---|---|---|---|---|---|")
    for run in range(1, args.runs + 1):
        r = run_once(args.department, args.month)
        short = " · ".join("—" if m is None else str(m) for m in r["weeks_minutes_short"])
        print(f"| {run} | {r['wall_s']} | {r['visits']:,} of {r['wanted']:,} | {r['km']:,.1f} | {short} | "
              f"{r['checker']} | {r['load']} |", flush=True)


if __name__ == "__main__":
    main()
