"""The timetable suite (SPEC §6): departments of several head-counts, each week solved
and built by hand, both scored by the independent measures of engine.quality."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from benchmarks.cases import (
    BENCH_WEEK,
    SAMPLE_DEPARTMENT,
    CaseResult,
    SuiteProgress,
    hand_made_week,
    no_progress,
    solve_week,
)
from benchmarks.departments import generate_department
from engine.domain import Department
from engine.load import load_department_with_policy
from engine.policy import Policy, load_policy
from engine.quality import score_plan

TIMETABLE_SIZES = (6, 13, 24, 48)
SAMPLE_SIZE = 13
"""The suite's 13-manager case is the bundled sample department, when it is there."""


def timetable_cases(sizes: Sequence[int], seed: int) -> list[tuple[str, Department, Policy]]:
    """The suite's departments: generated ones, the sample department for 13."""
    cases = []
    for size in sizes:
        if size == SAMPLE_SIZE and SAMPLE_DEPARTMENT.is_dir():
            department, policy = load_department_with_policy(SAMPLE_DEPARTMENT)
            cases.append((f"sample-{size}", department, policy))
        else:
            department = generate_department(size, seed)
            cases.append((f"generated-{size}", department, load_policy(department.policy)))
    return cases


def run_timetable_case(name: str, department: Department, policy: Policy, week: dt.date,
                       time_limit: float, seed: int, workers: int) -> CaseResult:
    """Solve the week, build the hand-made week, score both."""
    result = solve_week(department, policy, week, time_limit, seed, workers)
    timetable = result.timetable
    case = CaseResult(
        suite="timetable", case=name, managers=len(department.managers), status=timetable.status,
        objective=timetable.objective, bound=timetable.best_bound, gap=result.gap,
        seconds=timetable.solve_seconds,
        progress=[(p.seconds, p.objective, p.bound) for p in result.progress],
        policy=policy,
    )
    if timetable.blocks:
        case.optimised = score_plan(timetable, department, policy).summary()
        case.timetables["optimised"] = timetable
    base, note = hand_made_week(department, policy, week)
    case.note = note
    if base is not None:
        case.baseline = score_plan(base, department, policy).summary()
        case.timetables["baseline"] = base
    return case


def run_timetable_suite(sizes: Sequence[int], time_limit: float, seed: int, workers: int,
                        progress: SuiteProgress = no_progress) -> list[CaseResult]:
    """Every case of the suite, in the order of `sizes`."""
    cases = timetable_cases(sizes, seed)
    results = []
    for done, (name, department, policy) in enumerate(cases):
        progress(f"timetable · {name} ({len(department.managers)} managers)", done, len(cases))
        results.append(run_timetable_case(name, department, policy, BENCH_WEEK, time_limit, seed,
                                          workers))
    progress("timetable", len(cases), len(cases))
    return results


SHORT_WEEK_CASES = (("region", 2, 0, 12), ("region", 1, 0, 12), ("region", 3, 1, 8), ("region", 4, 2, 16),
                    ("region", 5, 0, 24), ("gen", 0, 0, 6), ("gen", 1, 0, 12), ("gen", 0, 0, 24))
"""Weeks whose far managers' rides may cost hours (benchmarks/RESULTS.md §11): generated
region departments (seed, index, managers; a day of leave, two from 12 managers) and
generated departments (seed, -, managers; no leave)."""


def short_week_cases() -> list[tuple[str, Department, Policy, dt.date]]:
    """The sample's week with leave and the generated weeks of `SHORT_WEEK_CASES`."""
    from api.region.generated import region_department  # the region generator lives with the CLI

    department, policy = load_department_with_policy(SAMPLE_DEPARTMENT)
    cases = [("sample 2026-11-23", department, policy, dt.date(2026, 11, 23))]
    for kind, seed, index, managers in SHORT_WEEK_CASES:
        generated = (region_department(index, managers, seed, 30, "r") if kind == "region"
                     else generate_department(managers, seed=seed))
        cases.append((f"{kind} s{seed} i{index} {managers}", generated, load_policy("15-13-7"), BENCH_WEEK))
    return cases


if __name__ == "__main__":
    # python -m benchmarks.timetable_suite [SECONDS] [forced-hours] [no-floors]: minutes short
    # of each week (RESULTS §11); `forced-hours` turns on SolveParams.forced_hours,
    # `no-floors` turns off SolveParams.hours_floor
    import os
    import sys

    from engine.timetable.solve import SolveParams, solve_timetable

    limit = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    params = SolveParams(time_limit_s=limit, forced_hours="forced-hours" in sys.argv[2:],
                         hours_floor="no-floors" not in sys.argv[2:])
    for name, department, policy, week in short_week_cases():
        timetable = solve_timetable(department, policy, week, params).timetable
        short = sum(s.minutes_short for s in timetable.shortfalls)
        print(f"{name}: {timetable.status} objective={timetable.objective} bound={timetable.best_bound} "
              f"minutes_short={short} floor={timetable.hours_short_floor_minutes} "
              f"load={os.getloadavg()[0]:.1f}", flush=True)
