"""The routes suite (SPEC §6): a department's week, timetable and routes, optimised
against the hand-made week, and hand-made routes on the optimised timetable to
isolate the route planner."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from benchmarks.cases import BENCH_WEEK, CaseResult, SuiteProgress, no_progress, solve_week
from engine.baseline import BaselineImpossible, baseline_plan, baseline_routes
from engine.domain import Timetable
from engine.load import load_department_with_policy
from engine.quality import score_plan
from engine.routing.plan import plan_routes


def run_routes_case(department_dir: Path, week: dt.date, time_limit: float, seed: int,
                    workers: int, solved: CaseResult | None = None) -> CaseResult:
    """The department's week: optimised timetable + routes against the hand-made week,
    and, to isolate the route planner, hand-made routes on the optimised timetable.

    The timetable gets `time_limit` seconds, then the routes as many; a timetable already
    solved for the same department and week (`solved`, from the timetable suite) is reused.
    """
    department, policy = load_department_with_policy(department_dir)
    case = CaseResult(suite="routes", case=f"{department_dir.name}-{len(department.managers)}",
                      managers=len(department.managers), status="unknown", objective=None,
                      bound=None, gap=None, seconds=0.0, policy=policy)
    if solved is not None and "optimised" in solved.timetables:
        timetable = solved.timetables["optimised"]
        for name in ("status", "objective", "bound", "gap", "seconds", "progress"):
            setattr(case, name, getattr(solved, name))
    else:
        result = solve_week(department, policy, week, time_limit, seed, workers)
        timetable = result.timetable
        case.status, case.objective, case.bound = timetable.status, timetable.objective, timetable.best_bound
        case.gap, case.seconds = result.gap, timetable.solve_seconds
        case.progress = [(p.seconds, p.objective, p.bound) for p in result.progress]
    if timetable.blocks:
        started = time.perf_counter()
        routes = plan_routes(department, policy, timetable, week, time_limit_s=time_limit, seed=seed)
        case.seconds = round(case.seconds + time.perf_counter() - started, 3)
        plan = {"timetable": timetable.to_json_dict(), "routes": routes.to_json_dict()}
        case.optimised = score_plan(plan, department, policy).summary()
        case.timetables["optimised"] = timetable
        by_hand = {"timetable": timetable.to_json_dict(),
                   "routes": baseline_routes(department, policy, timetable)}
        case.extra["hand_routes_on_optimised"] = score_plan(by_hand, department, policy).summary()
    try:
        base = baseline_plan(department, policy, week)
    except BaselineImpossible as impossible:
        case.note = "baseline impossible: " + "; ".join(impossible.reasons)
    else:
        case.baseline = score_plan(base, department, policy).summary()
        case.timetables["baseline"] = Timetable.model_validate(base["timetable"])
    return case


def run_routes_suite(department_dir: Path, time_limit: float, seed: int, workers: int,
                     solved: CaseResult | None = None,
                     progress: SuiteProgress = no_progress) -> list[CaseResult]:
    """The suite's one case: the department's bench week."""
    progress(f"routes · {department_dir.name}", 0, 1)
    case = run_routes_case(department_dir, BENCH_WEEK, time_limit, seed, workers, solved)
    progress(f"routes · {department_dir.name}", 1, 1)
    return [case]
