"""Build → solve → result: the department's weekly timetable (SPEC §2-3).

`solve_timetable` never prints; it returns a `TimetableResult` with status, objective,
bound, timings, the cost of each soft rule, the search progress and the plan."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from engine.budget import EXPLAIN_S, FIRST_WEEK_SHARE, TimetableBudget
from engine.domain import Block, Conflict, Department, ManagerRef, Status, Timetable
from engine.errors import ModelInvalid
from engine.policy import Policy
from engine.search_stall import StallWatch
from engine.timetable.alone import ShortfallTable, add_shortfall_floors, shortfall_table
from engine.timetable.constraints import add_hard_rules
from engine.timetable.decompose import decomposed_plan
from engine.timetable.duties import on_leave_all_week, staff_duties
from engine.timetable.explain import check_capacity, explain_with_assumptions
from engine.timetable.extract import extract_blocks
from engine.timetable.group_floors import (
    WeekFloor,
    add_floor_cuts,
    has_no_week,
    objective_floor,
    preferred_groups,
    week_floor,
)
from engine.timetable.hints import complete_hints, hint_from_blocks
from engine.timetable.model import Shortfall, TimetableModel, build_variables
from engine.timetable.objective import add_objective
from engine.timetable.shortfalls import (
    NOT_PROVEN,
    data_limit_slots,
    excused_day_shortfalls,
    not_proven,
    price_above_other_rules,
    short_weeks_allowed,
    shortfall_proven,
    week_shortfalls,
)
from engine.timetable.week import late_first_stop_notes, makeup_day_notes

STATUS_NAMES: dict[cp_model.CpSolverStatus, Status] = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.UNKNOWN: "unknown",
}
"""The statuses a valid model can end in; MODEL_INVALID is a bug and raises `ModelInvalid`."""

EXCUSED_RETRY_MIN_S = 3.0
"""The least the second solve of an infeasible week (its part-leave days' daily blocks
excused, `_excused_retry`) gets after its first week is built, however little of the
caller's limit the first solve left."""


EXTENSION_STALL_S = 5.0
"""A week searched again for the hours its first search left short (`SolveParams.extend_to_s`)
ends this long after its last better week: the longer limit is for the hours, and a search
that has settled only polishes preferences with it."""


@dataclass(frozen=True)
class Progress:
    """The search at one moment: best objective found and best bound proved."""

    seconds: float
    objective: float
    bound: float


@dataclass
class TimetableResult:
    timetable: Timetable
    build_seconds: float = 0.0
    penalties: dict[str, int] = field(default_factory=dict)
    progress: list[Progress] = field(default_factory=list)
    week_floor: WeekFloor | None = field(default=None, repr=False)
    """The floors on hours short proven on the way (group_floors.py): a second search of the
    same week starts from them instead of proving them again."""

    @property
    def status(self) -> str:
        return self.timetable.status

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound (0 = proven optimal)."""
        obj, bound = self.timetable.objective, self.timetable.best_bound
        if obj is None or bound is None:
            return None
        return abs(obj - bound) / max(1.0, abs(obj))


@dataclass(frozen=True)
class SolveParams:
    time_limit_s: float = 10.0
    workers: int = 8
    """CP-SAT portfolio size. More workers than cores still pays: the portfolio mixes
    LP-based bounds with local search (see benchmarks/RESULTS.md)."""
    seed: int = 0
    explain_time_limit_s: float = EXPLAIN_S
    decompose: bool = True
    """Build a first week group by group and hand it to the joint model as a hint."""
    stall_s: float | None = None
    """End the joint search this long after its last better week (never before its first);
    None: it keeps the whole limit. For callers that plan many weeks (the month), where a
    search that has settled is better spent on the next week."""
    warm_start_or_nothing: bool = False
    """With a warm start that does not complete into a whole week of this model, return
    at once (status unknown) instead of searching without it: for a caller that tries a
    known week first and otherwise solves afresh anyway (the month)."""
    hours_floor: bool = True
    """When hours may be planned short, first find the fewest each possible group's rides
    force and the fewest the whole week's do (group_floors.py): the bound then holds the
    hours no week can keep, and the first week is built from the groups that lose fewest."""
    extend_to_s: float | None = None
    """When the week found within `time_limit_s` is short of weekly hours no proof forces,
    search again from scratch with this limit and keep the better week (None: never). For a
    caller who named no limit: a week that loses hours only for want of time gets it."""
    first_week_by_s: float | None = None
    """When no week at all is found within `time_limit_s` (a loaded machine), search on for
    the first one up to this (None: never): for a caller who named his limit, which
    `extend_to_s` keeps to otherwise. A limit above the default then never ends with no
    week where the default finds one (tester's d16a: 20 s none, the default 10 s one)."""
    forced_hours: bool = False
    """When hours may be planned short, first solve each manager's week alone at each
    store he could be at (alone.py): its floors go into the joint model and its hours
    choose the first week's pairs. Off by default: at 10 s on a loaded 2-core machine it
    has not yet beaten the plain first week on the whole (benchmarks/RESULTS.md §11)."""

    @property
    def budget(self) -> TimetableBudget:
        """How the time limit is shared between the first week, hints and the joint solve."""
        return TimetableBudget(self.time_limit_s, self.explain_time_limit_s)

    @classmethod
    def within(cls, budget: TimetableBudget, workers: int = 8, seed: int = 0,
               extend_to_s: float | None = None, first_week_by_s: float | None = None) -> SolveParams:
        """The parameters of a solve that keeps to `budget` (or, with `extend_to_s`, to that
        when the week found is short of hours no proof forces; with `first_week_by_s`, to that
        when no week is found at all)."""
        return cls(time_limit_s=budget.limit_s, workers=workers, seed=seed,
                   explain_time_limit_s=budget.explain_s, extend_to_s=extend_to_s,
                   first_week_by_s=first_week_by_s)


class _ProgressRecorder(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_progress: Callable[[Progress], None] | None, stall: StallWatch):
        super().__init__()
        self.started = time.perf_counter()
        self.progress: list[Progress] = []
        self.on_progress = on_progress
        self.stall = stall

    def on_solution_callback(self) -> None:
        self.stall.improved()
        point = Progress(round(time.perf_counter() - self.started, 3), self.objective_value,
                         self.best_objective_bound)
        self.progress.append(point)
        if self.on_progress is not None:
            self.on_progress(point)


def _starting_point(tm: TimetableModel, params: SolveParams, warm_start: Timetable | None,
                    started: float, hours: ShortfallTable, floor: WeekFloor | None) -> cp_model.CpSolver | None:
    """Hint the model with the given plan or with a week built group by group, completed
    into a full assignment; returns the solver holding that start (the fallback plan)."""
    budget = params.budget
    if warm_start is not None:
        hint_from_blocks(tm, warm_start.blocks)
        return complete_hints(tm, budget.warm_start_hint_s)
    if not params.decompose or len(tm.frame.managers) <= 1:
        return None
    spent = time.perf_counter() - started
    # Groups by their floors, those not yet solved priced as losing (preferred_groups).
    groups = preferred_groups(tm, floor) if floor is not None else None
    first_week = decomposed_plan(tm, budget.first_week_within_s(spent),
                                 hard_limit_s=budget.first_week_deadline_s(spent), hours=hours,
                                 groups=groups, known_lost=floor.floors if floor is not None else None,
                                 stall_s=params.stall_s)
    if first_week is None:
        return None
    hint_from_blocks(tm, first_week)
    return complete_hints(tm, budget.first_week_hint_s(time.perf_counter() - started))


def _forced_hours(tm: TimetableModel, params: SolveParams) -> ShortfallTable:
    """Each manager's week alone at each store he could be at (alone.py), when the week may
    be planned short: its floors go into the model, its hours guide the first week."""
    if not params.forced_hours or tm.shortfall is None or len(tm.frame.managers) <= 1:
        return {}
    hours = shortfall_table(tm, params.budget.alone_s, workers=min(params.workers, os.cpu_count() or 1))
    add_shortfall_floors(tm, hours)
    return hours


def _week_floor(tm: TimetableModel, params: SolveParams, known: WeekFloor | None = None) -> WeekFloor | None:
    """The fewest slots short each group and the week can have (group_floors.py), added
    to the model as constraints; None when the week cannot be short or this is off.
    `known`: the floors an earlier search of this same week proved, taken as they are
    when complete and carried on from otherwise."""
    if not params.hours_floor or len(tm.frame.managers) <= 1 or not params.budget.floors_s:
        return None
    if known is not None and known.exact:
        floor: WeekFloor | None = known
    else:
        floor = week_floor(tm, params.budget.floors_s, workers=min(params.workers, os.cpu_count() or 1),
                           known=known)
    if floor is not None:
        add_floor_cuts(tm, floor)
    return floor


def solve_timetable(
    department: Department,
    policy: Policy,
    week_start: dt.date,
    params: SolveParams = SolveParams(),
    on_progress: Callable[[Progress], None] | None = None,
    warm_start: Timetable | None = None,
) -> TimetableResult:
    """The department's optimal week, or the conflicting rules when there is none
    (`_solve_week`); with `params.extend_to_s`, a week short of hours no proof forces, or
    no week found in the time at all (a loaded machine), is solved again with that limit
    and the better of the two kept."""
    started = time.perf_counter()
    first = _solve_week(department, policy, week_start, params, on_progress, warm_start)
    no_week = not first.timetable.blocks and first.timetable.status == "unknown"
    extend_to, week_only = params.extend_to_s, False
    if extend_to is None and params.first_week_by_s is not None:
        extend_to, week_only = params.first_week_by_s, True
    if extend_to is None or extend_to <= params.time_limit_s or not (no_week or (not week_only and any(
            NOT_PROVEN in s.reason for s in first.timetable.shortfalls))):
        return first
    longer = dataclasses.replace(params, time_limit_s=extend_to - (time.perf_counter() - started),
                                 extend_to_s=None, first_week_by_s=None, stall_s=params.stall_s or EXTENSION_STALL_S)
    second_started = time.perf_counter()
    again = _solve_week(department, policy, week_start, longer, on_progress, warm_start,
                        known_floor=first.week_floor)
    better = again.timetable.objective is not None and (
        first.timetable.objective is None or again.timetable.objective < first.timetable.objective)
    kept = again if better else first
    # The seconds are the whole call's: the first week was known after the first search,
    # or, when that found none, after the second's first week.
    spent = round(time.perf_counter() - started, 3)
    first_week = first.timetable.first_feasible_seconds
    if first_week is None and again.timetable.first_feasible_seconds is not None:
        first_week = round(second_started - started + again.timetable.first_feasible_seconds, 3)
    update: dict[str, Any] = dict(solve_seconds=spent, first_feasible_seconds=first_week,
                                  proof_seconds=spent if kept.timetable.status == "optimal" else None)
    if not kept.timetable.blocks and kept.timetable.status == "unknown":
        # Neither search found a week: say how long both searched (it said the first's 10 s).
        update["conflicts"] = (Conflict(rules=(), message=f"no timetable found within {spent:.0f} s "
                                                          f"(searched on from {params.time_limit_s:g} s); "
                                                          "allow more time"),)
    kept.timetable = kept.timetable.model_copy(update=update)
    return kept


def _solve_week(
    department: Department,
    policy: Policy,
    week_start: dt.date,
    params: SolveParams,
    on_progress: Callable[[Progress], None] | None,
    warm_start: Timetable | None,
    excused: frozenset[tuple[str, int]] = frozenset(),
    known_floor: WeekFloor | None = None,
) -> TimetableResult:
    """The department's optimal week, or the conflicting rules when there is none.

    Under a policy that prices missing weekly hours, a week whose rides leave no room
    for every hour is planned short and lists what it lacks (`Timetable.shortfalls`,
    shortfalls.py); only a week that cannot hold at all has conflicts.

    `warm_start` (e.g. last week's plan, or the plan being re-planned) is given to the
    solver as its starting point; otherwise large departments start from a week built
    group by group (decompose.py).

    `excused`: (manager, day index) whose daily block may be missing, at the price of its
    minutes (`_excused_retry`); such a solve that is infeasible is not explained.
    `known_floor`: the floors an earlier search of this week proved (`TimetableResult.week_floor`)."""
    if week_start.weekday() != 0:
        raise ValueError(f"the week must start on a Monday; {week_start} is a {week_start:%A}")
    started = time.perf_counter()
    budget = params.budget
    header: dict[str, Any] = dict(
        department=department.name,
        policy=policy.name,
        week_start=week_start,
        managers=tuple(ManagerRef(id=m.id, name=m.name) for m in department.managers),
    )
    tm = build_variables(department, policy, week_start)
    if not tm.frame.days:
        # Every day of the week a holiday: nothing is owed, so the empty week is the plan.
        return TimetableResult(Timetable(
            status="optimal", objective=0.0, best_bound=0.0, solve_seconds=0.0, first_feasible_seconds=0.0,
            proof_seconds=0.0, conflicts=(Conflict(rules=(), message=(
                f"the week of {week_start} has no working day (every day a holiday in the department's "
                "calendar): nothing to plan")),), **header), build_seconds=time.perf_counter() - started)
    short_weeks_allowed(tm)
    if excused and tm.shortfall is not None:
        tm.shortfall = Shortfall(per_slot=tm.shortfall.per_slot, excused_days=excused)
    # The model's places, worked out once: the check and the model read the same.
    conflicts = check_capacity(department, policy, tm.frame, tm.approach, short_weeks=tm.shortfall is not None,
                               venues=tm.week_venues())
    if conflicts:
        # Proven by arithmetic on the week's minutes, before any search.
        proven = round(time.perf_counter() - started, 3)
        return TimetableResult(Timetable(status="infeasible", solve_seconds=proven, proof_seconds=proven,
                                         conflicts=tuple(conflicts), **header), build_seconds=proven)
    if not excused and _leave_leaves_no_week(tm):
        # Known at once: the floors and the first week would spend the limit finding it.
        retry = _excused_retry(department, policy, week_start, params, on_progress, warm_start, tm, started)
        if retry is not None:
            return retry
    add_hard_rules(tm)
    add_objective(tm)
    price_above_other_rules(tm)
    hours = _forced_hours(tm, params)
    floor = _week_floor(tm, params, known_floor)
    start_plan = _starting_point(tm, params, warm_start, started, hours, floor)
    build_seconds = time.perf_counter() - started
    if warm_start is not None and start_plan is None and params.warm_start_or_nothing:
        return TimetableResult(Timetable(status="unknown", solve_seconds=round(build_seconds, 3), conflicts=(
            Conflict(rules=(), message="the given week does not fit this week's rules and rides"),), **header),
            build_seconds=build_seconds)

    solver = cp_model.CpSolver()
    # What is left of the caller's limit, however little: the limit is a promise.
    solver.parameters.max_time_in_seconds = budget.joint_s(build_seconds)
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    with StallWatch(solver, params.stall_s) as stall:
        recorder = _ProgressRecorder(on_progress, stall)
        code = solver.solve(tm.cp, recorder)
    if code == cp_model.MODEL_INVALID:
        raise ModelInvalid(tm.cp.validate())
    status = STATUS_NAMES[code]
    solve_seconds = round(time.perf_counter() - started, 3)

    if code == cp_model.INFEASIBLE:
        if excused:
            # The week as first asked is the one to explain (by the caller).
            return TimetableResult(Timetable(status="infeasible", solve_seconds=solve_seconds,
                                             proof_seconds=solve_seconds, **header), build_seconds=build_seconds)
        retry = _excused_retry(department, policy, week_start, params, on_progress, warm_start, tm, started)
        if retry is not None:
            return retry
        conflicts = explain_with_assumptions(department, policy, week_start, budget.explain_s)
        if not conflicts:
            conflicts = [Conflict(rules=(), message="no timetable exists, and the explanation ran out of time")]
        timetable = Timetable(status="infeasible", solve_seconds=solve_seconds, proof_seconds=solve_seconds,
                              conflicts=tuple(conflicts), **header)
        return TimetableResult(timetable, build_seconds=build_seconds)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE) and start_plan is not None:
        # The search found nothing better than where it started: keep the start.
        bound = solver.best_objective_bound
        solver, code, status = start_plan, cp_model.FEASIBLE, "feasible"
    else:
        bound = solver.best_objective_bound
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        timetable = Timetable(status="unknown", solve_seconds=solve_seconds, conflicts=(Conflict(
            rules=(), message=f"no timetable found within {params.time_limit_s:g} s; "
                              f"allow more time"),), **header)
        return TimetableResult(timetable, build_seconds=build_seconds, progress=recorder.progress)

    # What the managers' own data cannot hold (shortfalls.data_limits) is short in every week.
    least = max(floor.slots if floor is not None else 0, sum(data_limit_slots(tm).values()))
    if floor is not None or least:
        # The floors are proven whatever the search reached in its time (group_floors.py).
        bound = max(bound, objective_floor(tm, WeekFloor(slots=least)) or bound)
        if status == "feasible" and solver.objective_value <= bound:
            status = "optimal"
    blocks, notes = extract_blocks(tm, solver)
    # The first week known: the joint search's first, or the start it could not better.
    first_feasible = round(build_seconds + recorder.progress[0].seconds, 3) if recorder.progress else round(
        build_seconds, 3)
    short_floor = least * tm.grid if least or (floor is not None and floor.exact) else None
    shortfalls = week_shortfalls(tm, blocks)
    missed = excused_day_shortfalls(tm, blocks)
    # A block the leave leaves no room for is not the search's to prove (no variable holds it).
    searched = sum(s.minutes_short for s in shortfalls + missed if not s.not_owed)
    if not shortfall_proven(status, searched, short_floor):
        # Short of more than is proven: the rides are not shown to force it.
        shortfalls, missed = not_proven(tm, shortfalls), excused_day_shortfalls(tm, blocks, proven=False)
    shortfalls += missed
    duties, unfilled_duties = staff_duties(department, policy, on_leave_all_week(tm.frame))
    timetable = Timetable(
        status=status,
        objective=solver.objective_value,
        best_bound=bound,
        solve_seconds=solve_seconds,
        first_feasible_seconds=first_feasible,
        proof_seconds=solve_seconds if status == "optimal" else None,
        blocks=tuple(blocks),
        duties=tuple(duties),
        unfilled_duties=tuple(unfilled_duties),
        conflicts=tuple(notes),
        shortfalls=tuple(shortfalls),
        hours_short_floor_minutes=short_floor,
        week_notes=makeup_day_notes(policy, tm.frame.days) + late_first_stop_notes(tm.frame, tm.approach),
        **header,
    )
    penalties = {name: weight * int(solver.value(expr)) for name, weight, expr in tm.penalties}
    return TimetableResult(timetable, build_seconds=build_seconds,
                           penalties={k: v for k, v in penalties.items() if v},
                           progress=recorder.progress, week_floor=floor)


PARTNERS_PROBED = 2
"""A manager's part-day leave is taken to leave him no week when his week is shown to
have none with this many partners, or with every one he may have when fewer (with one of
several, the partner could be the cause). A wrong guess costs time, not correctness: the
week excused still keeps every daily block it has room for (each missing one is priced)."""


def _leave_leaves_no_week(tm: TimetableModel) -> bool:
    """Some manager with part-day leave owing a daily block has no week with any of
    `PARTNERS_PROBED` partners (partners without such leave first): his leave leaves a
    daily block no room beside the rest of his week, so the week as asked is infeasible
    (group_floors.has_no_week) and is solved at once with those days excused
    (`_excused_retry`). Only where missing hours are priced."""
    if tm.shortfall is None:
        return False
    with_leave = {manager for manager, _ in _part_leave_days(tm)}
    for manager in sorted(with_leave):
        partners = sorted((b if a == manager else a for a, b in tm.pairs if manager in (a, b)),
                          key=lambda partner: (partner in with_leave, partner))[:PARTNERS_PROBED]
        if partners and all(has_no_week(tm, (manager, partner)) for partner in partners):
            return True
    return False


def _part_leave_days(tm: TimetableModel) -> frozenset[tuple[str, int]]:
    """(manager, day index) of each working day with part-day leave that owes a daily
    block (the model has one only where it fits its window outside the leave)."""
    found: set[tuple[str, int]] = set()
    for (manager, kind), blocks in tm.blocks.items():
        if tm.policy.kinds[kind].per_day_minutes is None:
            continue
        leave = tm.frame.managers[manager].partial_leave
        found.update((manager, block.day) for block in blocks if leave.get(block.day))
    return frozenset(found)


def _excused_retry(
    department: Department,
    policy: Policy,
    week_start: dt.date,
    params: SolveParams,
    on_progress: Callable[[Progress], None] | None,
    warm_start: Timetable | None,
    tm: TimetableModel,
    started: float,
) -> TimetableResult | None:
    """The week solved again with the daily blocks of its part-day leave days excused,
    when it has no plan with them all, the policy prices missing hours and some manager
    has such a day: a block that fits beside the leave alone may find no room beside the
    day's fixed slots too (the department meeting, the ride to the first stop, lunch), and
    one such day must not leave the whole department without a week. The missed block is
    then declared short (shortfalls.excused_day_shortfalls). None when that does not apply
    or the week has no plan even so (the caller explains the week as first asked)."""
    days = _part_leave_days(tm)
    if tm.shortfall is None or not days:
        return None
    spent = time.perf_counter() - started
    # What is left of the caller's limit, but enough for a week to be found at all.
    limit = max(EXCUSED_RETRY_MIN_S, params.time_limit_s - spent)
    start = warm_start
    if start is None and params.decompose and len(tm.frame.managers) > 1:
        start = _week_beside_leave(department, policy, week_start, tm, days, limit * FIRST_WEEK_SHARE, params)
    limit = max(EXCUSED_RETRY_MIN_S, limit - (time.perf_counter() - started - spent))
    again = _solve_week(department, policy, week_start,
                        dataclasses.replace(params, time_limit_s=limit, extend_to_s=None,
                                            warm_start_or_nothing=params.warm_start_or_nothing and start is warm_start),
                        on_progress, start, excused=days)
    if again.timetable.status == "infeasible":
        return None
    # The seconds are the whole call's: the first solve is part of the answer.
    whole = round(time.perf_counter() - started, 3)
    week = again.timetable
    again.timetable = week.model_copy(update=dict(
        solve_seconds=whole,
        first_feasible_seconds=None if week.first_feasible_seconds is None else round(
            week.first_feasible_seconds + spent, 3),
        proof_seconds=whole if week.status == "optimal" else None))
    return again


def _week_beside_leave(department: Department, policy: Policy, week_start: dt.date, tm: TimetableModel,
                       days: frozenset[tuple[str, int]], time_limit_s: float,
                       params: SolveParams) -> Timetable | None:
    """A first week for the solve with `days` excused: the week built group by group
    (decompose.py) as if the part-day leave of those days were not taken — the groups'
    own models hold every daily block, so with the leave they find no week — less each
    block of those managers on those days that is the daily block or meets the leave."""
    dates = {(manager, tm.frame.days[day].date): day for manager, day in days}
    free = department.model_copy(update={"leave": tuple(
        leave for leave in department.leave if leave.start is None or (leave.manager, leave.date) not in dates)})
    whole = build_variables(free, policy, week_start)
    short_weeks_allowed(whole)
    add_hard_rules(whole)
    add_objective(whole)
    price_above_other_rules(whole)
    blocks = decomposed_plan(whole, time_limit_s, stall_s=params.stall_s)
    if blocks is None:
        return None
    daily = {kind for kind, rule in policy.kinds.items() if rule.per_day_minutes is not None}

    def meets_leave(block: Block) -> bool:
        """The block is one of his on a day of `days` that is its daily block or meets his
        leave, or a partner's share of such a paired block."""
        for manager in (block.manager, *block.with_):
            day = dates.get((manager, block.date))
            if day is not None and ((block.kind in daily and manager == block.manager)
                                    or tm.frame.managers[manager].on_leave_during(day, block.start, block.end)):
                return True
        return False

    kept = tuple(b for b in blocks if not meets_leave(b))
    return Timetable(status="feasible", department=department.name, policy=policy.name, week_start=week_start,
                     managers=tuple(ManagerRef(id=m.id, name=m.name) for m in department.managers), blocks=kept)
