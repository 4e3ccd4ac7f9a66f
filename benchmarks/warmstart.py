"""Warm start vs cold start on the sample department, printed as Markdown.

1. Next week's timetable: cold (the product's default start, a week built group by
   group) vs warm (this week's plan moved on by a week), same time limit, same seed.
   The search is followed through `solve_timetable`'s progress callback, timed from
   the call (building and completing the start included).
2. A mid-week re-plan (m03 off sick from Wednesday 13:00): with the repaired old plan
   as the start vs without it, at several time limits.

    python benchmarks/warmstart.py [--limit 20] [--seeds 0 1 2] [--workers 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from pathlib import Path

from engine.domain import Timetable
from engine.load import load_department_with_policy
from engine.replan import read_events, replan
from engine.routing.plan import plan_routes
from engine.timetable.solve import Progress, SolveParams, solve_timetable

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
WEEK = dt.date(2026, 11, 23)
NEXT = WEEK + dt.timedelta(weeks=1)


def moved(timetable: Timetable, monday: dt.date) -> Timetable:
    shift = monday - timetable.week_start
    return timetable.model_copy(update={"week_start": monday, "blocks": tuple(
        b.model_copy(update={"date": b.date + shift}) for b in timetable.blocks)})


def timed_solve(department, policy, week, params, warm_start=None):
    """(result, [(seconds since the call, objective)])."""
    started = time.perf_counter()
    trace: list[tuple[float, float]] = []

    def record(point: Progress) -> None:
        trace.append((time.perf_counter() - started, point.objective))

    result = solve_timetable(department, policy, week, params, on_progress=record, warm_start=warm_start)
    return result, trace


def first_at_most(trace: list[tuple[float, float]], target: float) -> float | None:
    return next((t for t, objective in trace if objective <= target + 1e-9), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=float, default=20.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    department, policy = load_department_with_policy(SAMPLE)

    base = solve_timetable(department, policy, WEEK, SolveParams(time_limit_s=args.limit, workers=args.workers))
    start = moved(base.timetable, NEXT)
    same_leave = department.model_copy(update={"leave": tuple(
        leave.model_copy(update={"date": leave.date + dt.timedelta(weeks=1)}) for leave in department.leave)})
    for title, next_department in (("the same leave as this week (leave moved on a week)", same_leave),
                                   ("other leave than this week (the sample's leave is this week only)",
                                    department)):
        print(f"## Next week's timetable, {title}\n\nsample, {len(department.managers)} managers, "
              f"{args.limit:g} s, {args.workers} workers; start = this week's plan moved on a week\n")
        print("| seed | start | first solution at (s) | objective at first | final objective | bound | "
              "reaches cold's final at (s) |")
        print("|---|---|---|---|---|---|---|")
        rows = []
        for seed in args.seeds:
            params = SolveParams(time_limit_s=args.limit, workers=args.workers, seed=seed)
            cold, cold_trace = timed_solve(next_department, policy, NEXT, params)
            warm, warm_trace = timed_solve(next_department, policy, NEXT, params, warm_start=start)
            target = cold.timetable.objective
            for name, result, trace in (("cold", cold, cold_trace), ("warm", warm, warm_trace)):
                first = trace[0] if trace else (None, None)
                reach = first_at_most(trace, target) if target is not None else None
                rows.append((name, result.timetable.objective, reach))
                print(f"| {seed} | {name} | {first[0] if first[0] is None else round(first[0], 1)} | "
                      f"{first[1]} | {result.timetable.objective} | {result.timetable.best_bound} | "
                      f"{'–' if reach is None else round(reach, 1)} |")
        for name in ("cold", "warm"):
            finals = [o for n, o, _ in rows if n == name and o is not None]
            reaches = [r for n, _, r in rows if n == name and r is not None]
            print(f"\n{name}: median final objective {statistics.median(finals) if finals else '–'}, "
                  f"median time to cold's final {statistics.median(reaches) if reaches else '–'} s\n")

    routes = plan_routes(department, policy, base.timetable, WEEK, time_limit_s=args.limit).to_json_dict()
    events = read_events([{"type": "manager_sick", "manager": "m03", "from": "2026-11-25T13:00"}])
    now = dt.datetime(2026, 11, 25, 13, 0)
    print("\n## Re-plan: m03 off sick from Wednesday 13:00\n")
    print("| time limit (s) | seed | start | status | objective | repaired start's objective | wall (s) |")
    print("|---|---|---|---|---|---|---|")
    for limit in (1.0, 3.0, 10.0):
        for seed in args.seeds:
            for warm in (False, True):
                began = time.perf_counter()
                result = replan(department, policy, base.timetable, now, events, routes,
                                SolveParams(time_limit_s=limit, workers=args.workers, seed=seed), warm=warm)
                print(f"| {limit:g} | {seed} | {'warm' if warm else 'cold'} | {result.status} | {result.objective} | "
                      f"{result.start_objective if warm else '–'} | {time.perf_counter() - began:.1f} |")


if __name__ == "__main__":
    main()
