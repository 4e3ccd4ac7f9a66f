"""The tasks a Dask worker runs for a region (SPEC §1-4): each a pure function of its
inputs, so the scheduler can run it again on another worker when one dies.

A department's week is cut into one timetable task, one visit-day-and-routes task per
manager (the engine's `plan_routes` for that manager, with the manager's share of the
department's route seconds — the split `plan_routes` makes itself), and one task that
joins the managers' routes and has the independent checkers judge the week. A month is
one timetable task per ISO week and one task that plans and checks the month. Each
result carries the seconds its task took: the report's figures and critical path."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from engine.budget import RouteBudget, first_week_by, time_budget, timetable_limits
from engine.check.month import check_month
from engine.check.routes import check_routes
from engine.check.timetable import judge_timetable
from engine.domain import Department, Timetable
from engine.month import MonthParams, MonthPlan, month_timetables, plan_month
from engine.policy import Policy
from engine.routing.plan import STRAIGHT_LINE, PlanScope, RoutePlan, plan_routes
from engine.timetable.solve import SolveParams, solve_timetable

T = TypeVar("T")

PLANNED = ("optimal", "feasible")
"""Timetable statuses that hold a week to route."""


@dataclass(frozen=True)
class Timed(Generic[T]):
    """A task's result and the seconds the task took."""

    value: T
    seconds: float


def hold(value: T) -> T:
    """A department (or any input) as a task's result: every task of the department reads
    it from the cluster, and a copy lost with a worker is made again from the task."""
    return value


def solve_week(department: Department, policy: Policy, week_start: dt.date, time_limit_s: float | None,
               cp_workers: int) -> Timed[Timetable]:
    """The department's week timetable, as `fieldweek plan` solves it, by its limits'
    rules (engine.budget): a limit named is kept to, but searches on for a first week
    when it finds none; none named (None), the default, extended for a short week."""
    started = time.perf_counter()
    limit, extend_to = timetable_limits(time_limit_s)
    params = SolveParams.within(time_budget(limit).timetable, workers=cp_workers, extend_to_s=extend_to,
                                first_week_by_s=first_week_by(time_limit_s))
    result = solve_timetable(department, policy, week_start, params)
    return Timed(result.timetable, time.perf_counter() - started)


def manager_route_seconds(route_time_limit_s: float, managers: int) -> float:
    """A manager's share of the department's route seconds (`RouteBudget`'s even split)."""
    return RouteBudget(route_time_limit_s).per_manager_s(managers)


def plan_manager_week(department: Department, policy: Policy, week: Timed[Timetable], manager: str,
                      time_limit_s: float, matrix_source: str = STRAIGHT_LINE,
                      carried: Mapping[str, int] | None = None) -> Timed[RoutePlan | None]:
    """One manager's visit days and routes in the week's timetable; None when the week
    has no timetable to route in."""
    if week.value.status not in PLANNED:
        return Timed(None, 0.0)
    started = time.perf_counter()
    plan = plan_routes(department, policy, week.value, week.value.week_start, manager=manager,
                       time_limit_s=time_limit_s, matrix_source=matrix_source, carried=carried)
    return Timed(plan, time.perf_counter() - started)


def join_routes(department: Department, parts: Sequence[RoutePlan],
                carried: Mapping[str, int] | None = None) -> RoutePlan:
    """The department's route plan from its managers' plans, in the managers' order: the
    plan `plan_routes` returns for the whole department (its seconds the managers' sum)."""
    first = parts[0]
    return RoutePlan(
        week_start=first.week_start, department=department.name, policy=first.policy,
        matrix_source=first.matrix_source, scope=PlanScope(),
        routes=tuple(route for part in parts for route in part.routes),
        unvisited=tuple(item for part in parts for item in part.unvisited),
        shortfalls=tuple(item for part in parts for item in part.shortfalls),
        due_visits=sum(part.due_visits for part in parts),
        carried_over=dict(sorted((carried or {}).items())),
        solve_seconds=round(sum(part.solve_seconds for part in parts), 3),
    )


@dataclass(frozen=True)
class JudgedWeek:
    """A department's week with the independent checkers' findings, one line each."""

    timetable: Timetable
    routes: RoutePlan | None
    timetable_faults: tuple[str, ...]
    route_faults: tuple[str, ...]
    short_hours: tuple[str, ...]
    manager_due: dict[str, int]
    """Each manager's due visits this week (the department's sum is `routes.due_visits`)."""


def judge_week(department: Department, policy: Policy, week: Timed[Timetable],
               parts: Sequence[Timed[RoutePlan | None]],
               carried: Mapping[str, int] | None = None) -> Timed[JudgedWeek]:
    """The managers' routes joined, and the week judged by the independent checkers."""
    started = time.perf_counter()
    timetable = week.value
    plans = [part.value for part in parts if part.value is not None]
    if timetable.status not in PLANNED or not plans:
        return Timed(JudgedWeek(timetable, None, (), (), (), {}), time.perf_counter() - started)
    routes = join_routes(department, plans, carried)
    verdict = judge_timetable(department, policy, timetable)
    check = check_routes(routes, department, policy, timetable, carried=carried)
    judged = JudgedWeek(
        timetable, routes,
        timetable_faults=tuple(f"{v.rule}: {v.message}" for v in verdict.violations),
        route_faults=tuple(check.messages()),
        short_hours=tuple(d.message for d in verdict.deviations),
        manager_due={m: p.due_visits for p in plans for m in p.scope.managers},
    )
    return Timed(judged, time.perf_counter() - started)


def solve_month_week(department: Department, policy: Policy, days: Sequence[dt.date],
                     holidays: frozenset[dt.date], params: MonthParams) -> Timed[dict[dt.date, Timetable]]:
    """The timetable of one ISO week of a month (the month plan's own week solve, SPEC §3)."""
    started = time.perf_counter()
    weeks = month_timetables(department, policy, days, set(holidays), params)
    return Timed(weeks, time.perf_counter() - started)


@dataclass(frozen=True)
class JudgedMonth:
    """A department's month plan with the independent month checker's findings."""

    plan: MonthPlan
    faults: tuple[str, ...]


def plan_and_judge_month(department: Department, policy: Policy, year: int, month: int,
                         holidays: frozenset[dt.date], weeks: Sequence[Timed[dict[dt.date, Timetable]]],
                         params: MonthParams) -> Timed[JudgedMonth]:
    """The month plan in the weeks' timetables, judged by the month checker."""
    started = time.perf_counter()
    timetables = {monday: timetable for week in weeks for monday, timetable in week.value.items()}
    plan = plan_month(department, policy, year, month, set(holidays), timetables=timetables, params=params)
    faults = check_month(plan, department, policy, set(holidays), timetables)
    lines = tuple(f"[{v.rule}] {v.manager or ''} {v.date or ''} {v.retailer or ''} {v.message}" for v in faults)
    return Timed(JudgedMonth(plan, lines), time.perf_counter() - started)
