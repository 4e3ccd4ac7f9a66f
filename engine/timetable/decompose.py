"""A fast first timetable for large departments, used as the joint model's hint.

The week almost falls apart by group: once the pairs are chosen and the department
slots (meetings, site study) are placed, a group's week touches no one else's. So:
1. choose the pairs on the pair rules alone (senior–newcomer, repeats, distance);
2. place the department slots by solving one representative group;
3. solve every group with those slots fixed — groups whose members have the same
   leave, quotas and rides between their places get the same week, so each distinct
   case is solved once.
The joint model then starts from this plan and tries to improve and prove it."""

from __future__ import annotations

import datetime as dt
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ortools.sat.python import cp_model

from engine.domain import Block, Department
from engine.policy import Policy
from engine.timetable.constraints import add_hard_rules
from engine.timetable.extract import extract_blocks
from engine.timetable.model import TimetableModel, build_variables
from engine.timetable.objective import add_objective, pair_terms
from engine.timetable.shortfalls import price_above_other_rules, short_weeks_allowed
from engine.timetable.venues import Venues, week_venues

MIN_GROUP_SECONDS = 0.5
"""A group's week needs this much solver time to be found at all: the shortcut may
overrun its own share of the time for it, never the caller's whole limit."""
MAX_GROUP_SECONDS = 8.0
"""Beyond this a group is given up (the joint model then starts without a hint)."""
MAX_ANCHOR_ROUNDS = 4
GROUP_GAP_LIMIT = 0.05


@dataclass(frozen=True)
class DepartmentSlot:
    kind: str
    day: int
    start: int
    size: int


def choose_pairs(tm: TimetableModel, time_limit_s: float) -> list[tuple[str, ...]] | None:
    """Groups for the week that are best on the pair rules alone (None: no grouping exists)."""
    if not tm.pairs and not tm.solo:
        return [(m,) for m in tm.frame.managers]
    cp = cp_model.CpModel()
    pair = {k: cp.new_bool_var(f"pair[{k}]") for k in tm.pairs}
    trio = {m: cp.new_bool_var(f"trio[{m}]") for m in tm.in_trio}
    solo = {m: cp.new_bool_var(f"solo[{m}]") for m in tm.solo}
    for m in tm.frame.paired_managers:
        degree = sum(v for k, v in pair.items() if m in k)
        cp.add(degree == 1 + trio.get(m, 0) - solo.get(m, 0))
    if trio:
        cp.add(sum(trio.values()) == 3)
        for (a, b), v in pair.items():
            cp.add(trio[a] == trio[b]).only_enforce_if(v)
    if solo:
        cp.add(sum(solo.values()) == 1)
    weights = {k: sum(weight for _, weight in named) for k, named in pair_terms(tm).items()}
    cp.minimize(sum(w * pair[k] for k, w in weights.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1
    if solver.solve(cp) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    partners: dict[str, set[str]] = {m: {m} for m in tm.frame.managers}
    for (a, b), v in pair.items():
        if solver.boolean_value(v):
            partners[a] |= partners[b]
            for m in partners[a]:
                partners[m] = partners[a]
    return sorted({tuple(sorted(group)) for group in partners.values()})


def _sub_department(department: Department, members: tuple[str, ...]) -> Department:
    keep = set(members)
    return department.model_copy(update=dict(
        managers=tuple(m for m in department.managers if m.id in keep),
        retailers=tuple(r for r in department.retailers if r.manager in keep),
        leave=tuple(lv for lv in department.leave if lv.manager in keep),
        history=tuple(h for h in department.history if h.manager in keep and h.partner in keep),
    ))


def _member_signature(tm: TimetableModel, venues: Venues, group: tuple[str, ...], manager: str) -> tuple:
    mw = tm.frame.managers[manager]
    latest_visit_slot = (tm.policy.route.first_stop_by - tm.approach.get(manager, 0)) // tm.grid
    return (latest_visit_slot, _ride_table(tm, venues, group, manager), tuple(sorted(mw.whole_day_leave)),
            tuple((d, tuple(s)) for d, s in sorted(mw.partial_leave.items())),
            tuple(sorted(mw.quotas.items())), mw.exempt_from_pairs)


def _ride_table(tm: TimetableModel, venues: Venues, group: tuple[str, ...], manager: str) -> tuple[int, ...]:
    """The rides in grid slots between every two of the manager's places (his kinds'
    places and his group's store), in a fixed order: two members with the same table
    have the same week of rides (constraints.add_rides_between_places)."""
    places = [venues.of(kind, manager) for kind in sorted(tm.policy.kinds)]
    places.append(venues.pair_venue(group))
    return tuple(-(-venues.minutes(a, b) // tm.grid) for a in places for b in places)


def _by_signature(tm: TimetableModel, venues: Venues, members: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(members, key=lambda m: (_member_signature(tm, venues, members, m), m)))


def _signature(tm: TimetableModel, venues: Venues, members: tuple[str, ...]) -> tuple:
    """What a group's week depends on: its members' ride to the field, the rides between
    their places, leave and quotas (not who they are)."""
    return tuple(_member_signature(tm, venues, members, m) for m in _by_signature(tm, venues, members))


def _solve_group(department: Department, policy: Policy, week_start: dt.date, groups: list[tuple[str, ...]],
                 slots: list[DepartmentSlot] | None, time_limit_s: float, hard_deadline: float,
                 ) -> tuple[TimetableModel, cp_model.CpSolver] | None:
    """Solve the week of `groups` (their pairs fixed), with the department slots fixed
    when `slots` is given."""
    members = tuple(m for group in groups for m in group)
    sub = build_variables(_sub_department(department, members), policy, week_start)
    short_weeks_allowed(sub)
    add_hard_rules(sub)
    add_objective(sub)
    price_above_other_rules(sub)
    group_of = {m: i for i, group in enumerate(groups) for m in group}
    for (a, b), paired in sub.pairs.items():
        sub.cp.add(paired == int(group_of[a] == group_of[b]))
    if slots is not None:
        fixed = {(s.kind, s.day): s for s in slots}
        for kind, occurrences in sub.department_blocks.items():
            for occ in occurrences:
                slot = fixed.get((kind, occ.day))
                sub.cp.add(occ.present == (1 if slot else 0))
                if slot:
                    sub.cp.add(occ.start == slot.start)
                    if not isinstance(occ.size, int):
                        sub.cp.add(occ.size == slot.size)
    def capped(seconds: float) -> float:
        return min(seconds, hard_deadline - time.perf_counter())

    limit = capped(max(MIN_GROUP_SECONDS, time_limit_s))
    while limit > 0:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = limit
        solver.parameters.num_workers = 1
        # A start for the joint model need not be proven optimal: near enough frees time.
        solver.parameters.relative_gap_limit = GROUP_GAP_LIMIT
        code = solver.solve(sub.cp)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return sub, solver
        if code == cp_model.INFEASIBLE or limit >= MAX_GROUP_SECONDS:
            return None
        # Out of time before any week was found: feasibility comes first, so try longer
        # (beyond the share of the time given to this shortcut, never beyond the caller's limit).
        limit = capped(min(MAX_GROUP_SECONDS, limit * 4))
    return None


def _slots_of(sub: TimetableModel, solver: cp_model.CpSolver) -> list[DepartmentSlot]:
    slots = []
    for kind, occurrences in sub.department_blocks.items():
        for occ in occurrences:
            present = occ.present if isinstance(occ.present, int) else solver.value(occ.present)
            if present:
                size = occ.size if isinstance(occ.size, int) else solver.value(occ.size)
                slots.append(DepartmentSlot(kind, occ.day, solver.value(occ.start), size))
    return slots


def _presence(tm: TimetableModel, group: tuple[str, ...]) -> float:
    return sum(tm.frame.managers[m].presence for m in group)


def decomposed_plan(tm: TimetableModel, time_limit_s: float,
                    hard_limit_s: float | None = None) -> list[Block] | None:
    """A complete week built group by group (None when the shortcut finds none).

    The department slots are placed by a few anchor groups solved together: first the
    most common kind of group and the one with the least presence; when another group
    cannot live with the slots, it joins the anchors and the slots are placed again."""
    deadline = time.perf_counter() + time_limit_s
    hard_deadline = time.perf_counter() + (hard_limit_s if hard_limit_s is not None else time_limit_s)
    groups = choose_pairs(tm, min(2.0, time_limit_s / 4))
    if groups is None:
        return None
    venues = week_venues(tm.department, tm.policy, tm.frame.week_start)
    by_signature: dict[tuple, list[tuple[str, ...]]] = {}
    for group in groups:
        by_signature.setdefault(_signature(tm, venues, group), []).append(group)
    cases = sorted(by_signature.values(), key=lambda case: _presence(tm, case[0]))
    anchors = [max(cases, key=len)[0]]
    if cases[0][0] not in anchors:
        anchors.append(cases[0][0])
    department, policy, week_start = tm.department, tm.policy, tm.frame.week_start
    for _ in range(MAX_ANCHOR_ROUNDS):
        placed = _solve_group(department, policy, week_start, anchors, None,
                              (deadline - time.perf_counter()) / 3, hard_deadline)
        if placed is None:
            return None
        slots = _slots_of(*placed)
        # Groups are independent once the slots are placed: solve them side by side
        # (CP-SAT releases the interpreter while it searches).
        workers = max(1, min(len(cases), os.cpu_count() or 1))
        budget = (deadline - time.perf_counter()) * workers / len(cases)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_solve_group, department, policy, week_start, [case[0]], slots,
                                   budget, hard_deadline) for case in cases]
            solved_cases = [future.result() for future in futures]
        blocks: list[Block] = []
        misfit = None
        for case, solved in zip(cases, solved_cases, strict=True):
            if solved is None:
                misfit = case[0]
                break
            template, _ = extract_blocks(*solved)
            for group in case:
                rename = dict(zip(_by_signature(tm, venues, case[0]), _by_signature(tm, venues, group),
                                  strict=True))
                blocks += [b.model_copy(update={"manager": rename[b.manager],
                                                "with_": tuple(rename.get(w, w) for w in b.with_)})
                           for b in template]
        if misfit is None:
            return blocks
        if misfit in anchors:
            return None
        anchors.append(misfit)
    return None
