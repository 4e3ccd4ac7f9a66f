"""Summarise a route plan JSON (`fieldweek routes --json`) as markdown tables for
the routes tables of benchmarks/RESULTS.md: visits per day per manager, unvisited by reason,
km and riding minutes, and the independent checker's verdict.

    python benchmarks/routes_summary.py ROUTES.json DEPT_DIR TIMETABLE.json [--policy NAME]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

from engine.check.routes import check_routes
from engine.domain import Timetable
from engine.load import load_department_with_policy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("routes", type=Path)
    parser.add_argument("department", type=Path)
    parser.add_argument("timetable", type=Path)
    parser.add_argument("--policy")
    args = parser.parse_args()
    plan = json.loads(args.routes.read_text("utf-8"))
    department, policy = load_department_with_policy(args.department, args.policy)
    timetable = Timetable.model_validate(json.loads(args.timetable.read_text("utf-8")))

    dates = sorted({r["date"] for r in plan["routes"]})
    visits: dict[str, dict[str, int]] = defaultdict(dict)
    km: Counter[str] = Counter()
    ride: Counter[str] = Counter()
    notes: Counter[str] = Counter()
    for route in plan["routes"]:
        visits[route["manager"]][route["date"]] = route["visits"]
        km[route["manager"]] += route["distance_km"]
        ride[route["manager"]] += route["travel_minutes"]
        notes[route["manager"]] += len(route.get("notes", []))
    missing: dict[str, Counter[str]] = defaultdict(Counter)
    for item in plan["unvisited"]:
        missing[item["manager"]][item["reason"]] += 1

    header = ["manager", *[f"{d[5:]}" for d in dates], "visits", "unvisited", "km", "ride min", "notes"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for manager in sorted(visits):
        per_day = [str(visits[manager].get(d, "–")) for d in dates]
        reasons = ", ".join(f"{n} {r}" for r, n in sorted(missing[manager].items())) or "0"
        print(f"| {manager} | " + " | ".join(per_day)
              + f" | {sum(visits[manager].values())} | {reasons} | {km[manager]:.1f} | "
              f"{ride[manager]} | {notes[manager]} |")
    total_visits = sum(sum(v.values()) for v in visits.values())
    reasons = Counter(item["reason"] for item in plan["unvisited"])
    print()
    print(f"- due visits: {plan['due_visits']}; planned: {total_visits}; unvisited: "
          f"{len(plan['unvisited'])} ({', '.join(f'{n} {r}' for r, n in sorted(reasons.items()))})")
    print(f"- km: {sum(km.values()):.1f}; riding minutes: {sum(ride.values())}; "
          f"solve seconds: {plan['solve_seconds']}")
    print(f"- shortfalls: {len(plan.get('shortfalls', []))} days below the policy's minimum stops")
    check = check_routes(plan, department, policy, timetable)
    by_rule = Counter(v.rule for v in check.violations)
    print(f"- independent checker: {len(check.route_violations)} route violations; "
          f"{len(check.timetable_transfers)} timetable transfers too short"
          + (f" ({dict(by_rule)})" if by_rule else ""))


if __name__ == "__main__":
    main()
