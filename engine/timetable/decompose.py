"""A fast first timetable for large departments, used as the joint model's hint.

The week almost falls apart by group: once the pairs are chosen and the department
slots (meetings, site study) are placed, a group's week touches no one else's. So:
1. choose the pairs on the pair rules alone (senior–newcomer, repeats, distance);
2. place the department slots by solving one representative group;
3. solve every group with those slots fixed — groups whose members have the same
   leave, quotas and rides between their places get the same week, so each distinct
   case is solved once;
4. when some group's week is planned short (its rides leave no room for every hour,
   SPEC §2-3), choose the pairs again with the hours each group tried has been seen
   to lose, and solve the new groups around the same slots; keep the week that loses
   the fewest hours (`_pairs_that_keep_the_hours`);
5. move the department slots one at a time while the week costs less, every group's
   week solved again around them (slot_moves.py).
The joint model then starts from this plan and tries to improve and prove it."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from ortools.sat.python import cp_model

from engine.domain import Block, Department
from engine.policy import Policy
from engine.routing.approach import first_stop_time
from engine.timetable.alone import ShortfallTable
from engine.timetable.constraints import add_hard_rules, group_store_rules
from engine.timetable.extract import extract_blocks
from engine.timetable.group_floors import StopAtFloor
from engine.timetable.hints import hint_solution
from engine.timetable.model import TimetableModel, build_variables
from engine.timetable.objective import add_objective, pair_terms
from engine.timetable.shortfalls import (
    price_above_other_rules,
    short_weeks_allowed,
    shortfall_terms,
)
from engine.timetable.slot_moves import DepartmentSlot, move_slots, week_cost
from engine.timetable.venues import Venues, without_own_store

MIN_GROUP_SECONDS = 0.5
"""A group's week needs this much solver time to be found at all: the shortcut may
overrun its own share of the time for it, never the caller's whole limit."""
MAX_GROUP_SECONDS = 8.0
"""Beyond this a group is given up (the joint model then starts without a hint)."""
MAX_ANCHOR_ROUNDS = 4
GROUP_GAP_LIMIT = 0.05
"""A group's week is near enough within this share of its cost (`_NearEnough`)."""
MAX_PAIRING_ROUNDS = 6
"""Pairs are chosen again at most this many times when the groups' weeks are planned short."""
WHOLE_WEEK_SHARE = 0.5
"""Share of a group's time for looking for its week with no hour short first."""
SLOT_MOVES_SHARE = 0.5
"""Share of the time left after the first week for moving its department slots while
the week gets cheaper (slot_moves.py); the joint model keeps the rest."""
MOVE_SECONDS = 1.5
"""Each move's groups are solved again within this (they prove their weeks in well under
a second); a group still searching then gives its best week found."""
PAIRING_SECONDS = 0.5
"""The matching of managers into groups is small: it gets at most this each time it is redone."""


def _hours_lost(hours: ShortfallTable, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Slots each pair is expected to lose, each member alone at the pair's store (alone.py);
    a store not looked at is taken as costly as the worst one looked at for him (the
    stores are looked at nearest first)."""
    worst: dict[str, int] = {}
    for (manager, _), known in hours.items():
        worst[manager] = max(worst.get(manager, 0), known.found)

    def expected(manager: str, partner: str) -> int:
        known = hours.get((manager, partner))
        return known.found if known is not None else worst.get(manager, 0)

    return {(a, b): expected(a, b) + expected(b, a) for a, b in pairs}


def choose_pairs(tm: TimetableModel, time_limit_s: float, hours: ShortfallTable | None = None,
                 seen_lost: dict[tuple[str, str], int] | None = None) -> list[tuple[str, ...]] | None:
    """Groups for the week that are best on the pair rules and, when the week may be
    planned short, on the hours each pair is expected to lose at its store (`hours`) or
    has been seen to lose in a group's week already solved (`seen_lost`, slots; the
    larger of the two counts). None: no grouping exists."""
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
    group_store_rules(cp, pair, solo, without_own_store(tm.department, tm.policy))
    weights = {k: sum(weight for _, weight in named) for k, named in pair_terms(tm).items()}
    if (hours or seen_lost) and tm.shortfall is not None:
        expected = _hours_lost(hours or {}, weights)
        seen = seen_lost or {}
        weights = {k: w + tm.shortfall.per_slot * max(expected[k], seen.get(k, 0)) for k, w in weights.items()}
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
    approach = tm.approach.get(manager, 0)
    latest_visit_slots = tuple((first_stop_time(tm.policy, d.weekday, approach,
                                                tm.back_from_leave.get((manager, d.index))) - approach) // tm.grid
                               for d in tm.frame.days)
    first_rides = tuple(-(-ride // tm.grid) for ride in tm.first_rides.get(manager, ()))
    return (latest_visit_slots, first_rides, _ride_table(tm, venues, group, manager), tuple(sorted(mw.whole_day_leave)),
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
                 least_short: int = 0, hours_only: bool = False) -> tuple[TimetableModel, cp_model.CpSolver] | None:
    """Solve the week of `groups` (their pairs fixed), with the department slots fixed
    when `slots` is given. `least_short`: slots short these groups cannot go below (their
    floors, group_floors.py); a week at that floor is looked for first. `hours_only`:
    the week with the fewest slots short, preferences aside, ended at `least_short` (to
    place the department slots where the groups that must lose hours lose no more)."""
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
    if hours_only:
        sub.cp.minimize(sum(shortfall_terms(sub)))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = limit
        solver.parameters.num_workers = 1
        code = solver.solve(sub.cp, StopAtFloor(least_short))
        return (sub, solver) if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
    whole = _whole_or_short(sub, least_short)
    if whole is not None:
        looked = time.perf_counter()
        solved = _solve_whole_week_first(sub, whole, capped(limit * WHOLE_WEEK_SHARE), least_short)
        if solved is not None:
            return sub, solved
        limit = capped(max(MIN_GROUP_SECONDS, limit - (time.perf_counter() - looked)))
    while limit > 0:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = limit
        solver.parameters.num_workers = 1
        code = solver.solve(sub.cp, _NearEnough(sub))
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return sub, solver
        if code == cp_model.INFEASIBLE or limit >= MAX_GROUP_SECONDS:
            return None
        # Out of time before any week was found: feasibility comes first, so try longer
        # (beyond the share of the time given to this shortcut, never beyond the caller's limit).
        limit = capped(min(MAX_GROUP_SECONDS, limit * 4))
    return None


def _whole_or_short(sub: TimetableModel, least: int = 0) -> cp_model.IntVar | None:
    """A literal that splits the group's weeks in two: true, no more slots short than
    `least` (0: no hour short); false, more. The groups cannot be short of fewer than
    `least` (their floors), so together the two halves are every week the model holds and
    the model stays the same; the split lets a search look at the weeks at the floor alone
    first."""
    short = shortfall_terms(sub)
    if not short:
        return None
    whole = sub.cp.new_bool_var("no_hour_short")
    sub.cp.add(sum(short) <= least).only_enforce_if(whole)
    sub.cp.add(sum(short) >= least + 1).only_enforce_if(~whole)
    return whole


def _solve_whole_week_first(sub: TimetableModel, whole: cp_model.IntVar, limit_s: float,
                            least: int = 0) -> cp_model.CpSolver | None:
    """The group's week at its floor `least` (no hour short when 0), when one is found
    within `limit_s`. Searching for it alone is much quicker than among every week
    planned short: the quotas then prune as hard rules do, and a group whose rides
    cannot hold every hour is refuted in a moment. None: no such week, or none found in
    time (the caller then searches all)."""
    if limit_s <= 0:
        return None
    deadline = time.perf_counter() + limit_s
    if least and not _start_at_floor(sub, whole, limit_s / 2):
        return None
    sub.cp.add_assumptions([whole])
    try:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, deadline - time.perf_counter())
        solver.parameters.num_workers = 1
        code = solver.solve(sub.cp, _NearEnough(sub))
    finally:
        sub.cp.clear_assumptions()
    return solver if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def _start_at_floor(sub: TimetableModel, whole: cp_model.IntVar, limit_s: float) -> bool:
    """Hint the group's model with a week at its floor, found by the fewest slots short
    alone: with hours to lose, the preferences steer a search away from such a week.
    False: none found in time."""
    short = shortfall_terms(sub)
    sub.cp.minimize(sum(short))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit_s
    solver.parameters.num_workers = 1
    code = solver.solve(sub.cp)
    sub.cp.minimize(sum(weight * expr for _, weight, expr in sub.penalties))
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or not solver.boolean_value(whole):
        return False
    hint_solution(sub.cp, solver)
    return True


class _NearEnough(cp_model.CpSolverSolutionCallback):
    """A start for the joint model need not be proven optimal: near enough frees time.
    Near enough is within `GROUP_GAP_LIMIT` of the week's cost and within less than a
    slot short (a relative gap alone would let a week short by many hours pass, its
    cost being mostly the hours)."""

    def __init__(self, sub: TimetableModel):
        super().__init__()
        self.per_slot = sub.shortfall.per_slot if sub.shortfall is not None else None

    def on_solution_callback(self) -> None:
        gap = self.objective_value - self.best_objective_bound
        if gap <= GROUP_GAP_LIMIT * max(1.0, abs(self.objective_value)) and (
                self.per_slot is None or gap < self.per_slot):
            self.stop_search()


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


Solved = tuple[TimetableModel, cp_model.CpSolver]
Cases = dict[tuple, list[tuple[str, ...]]]
"""Groups by signature (`_signature`): the groups of one case share one week."""


def _cases(tm: TimetableModel, venues: Venues, groups: list[tuple[str, ...]]) -> Cases:
    """The groups by signature, the case with the least presence first."""
    by_signature: Cases = {}
    for group in groups:
        by_signature.setdefault(_signature(tm, venues, group), []).append(group)
    return dict(sorted(by_signature.items(), key=lambda item: _presence(tm, item[1][0])))


def _solve_cases(tm: TimetableModel, cases: Cases, slots: list[DepartmentSlot], solved: dict[tuple, Solved],
                 deadline: float, hard_deadline: float,
                 known_lost: dict[tuple[str, ...], int] | None = None) -> tuple[str, ...] | None:
    """Each case's week around the placed slots, added to `solved` (cases already in it
    are not solved again), or the first group found to have none (the groups not yet
    started are then left: the slots are placed again). The groups with the longest
    rides out start first (they are the likeliest to have no week); each group's share
    of the time is taken when it starts, so what a quick group leaves over goes to the
    groups still waiting."""
    department, policy, week_start = tm.department, tm.policy, tm.frame.week_start
    todo = [signature for signature in cases if signature not in solved]
    # Groups are independent once the slots are placed: solve them side by side
    # (CP-SAT releases the interpreter while it searches).
    workers = max(1, min(len(todo), os.cpu_count() or 1))
    todo.sort(key=lambda signature: -max(tm.approach.get(m, 0) for m in cases[signature][0]))
    waiting = [len(todo)]
    misfits: list[tuple[str, ...]] = []
    lock = threading.Lock()

    def solve(signature: tuple) -> None:
        group = cases[signature][0]
        with lock:
            if misfits:
                return
            share = (deadline - time.perf_counter()) * workers / max(1, waiting[0])
            waiting[0] -= 1
        one = _solve_group(department, policy, week_start, [group], slots, share, hard_deadline,
                           (known_lost or {}).get(group, 0))
        with lock:
            if one is None:
                misfits.append(group)
            else:
                solved[signature] = one

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(solve, todo))
    return misfits[0] if misfits else None


def _week_of(tm: TimetableModel, venues: Venues, cases: Cases, solved: dict[tuple, Solved]) -> list[Block]:
    """The department's week: each case's week, given to every group of the case."""
    blocks: list[Block] = []
    for signature, case in cases.items():
        sub, solver = solved[signature]
        template, _ = extract_blocks(sub, solver)
        # The week was solved for whichever group of this signature came first, perhaps
        # in an earlier pairing round and in no group of `case`: rename from its members.
        solved_group = tuple(m.id for m in sub.department.managers)
        for group in case:
            rename = dict(zip(_by_signature(tm, venues, solved_group), _by_signature(tm, venues, group),
                              strict=True))
            blocks += [b.model_copy(update={"manager": rename[b.manager],
                                            "with_": tuple(rename.get(w, w) for w in b.with_)})
                       for b in template]
    return blocks


def _slots_short(solved: Solved) -> int:
    """Grid slots a group's week is planned short (shortfalls.py)."""
    sub, solver = solved
    return sum(int(solver.value(expr)) for expr in shortfall_terms(sub))


def _week_slots_short(cases: Cases, solved: dict[tuple, Solved]) -> int:
    return sum(_slots_short(solved[signature]) * len(case) for signature, case in cases.items())


def _first_anchors(tm: TimetableModel, cases: Cases,
                   known_lost: dict[tuple[str, ...], int] | None = None) -> list[tuple[str, ...]]:
    """The groups whose needs place the department slots: those known to lose hours
    whatever the slots (`known_lost`, their floors: slots placed for anyone else would
    cost them more), the one with the longest ride out (slots placed for the town alone
    can cost the countryside hours, SPEC §3), the most common kind of group and a group
    of three."""
    ordered = list(cases.values())
    anchors = [case[0] for case in ordered if (known_lost or {}).get(case[0], 0) > 0]
    farthest = max(ordered, key=lambda case: max(tm.approach.get(m, 0) for m in case[0]))
    trios = [case for case in ordered if len(case[0]) > 2]
    for case in (farthest, max(ordered, key=len), *trios[:1]):
        if case[0] not in anchors:
            anchors.append(case[0])
    return anchors


def _pairs_that_keep_the_hours(tm: TimetableModel, venues: Venues, cases: Cases, slots: list[DepartmentSlot],
                               solved: dict[tuple, Solved], deadline: float, hard_deadline: float,
                               hours: ShortfallTable | None,
                               known_lost: dict[tuple[str, ...], int] | None = None) -> tuple[Cases, int]:
    """The groups of `cases`, or other pairs whose week loses fewer hours (their weeks in
    `solved`), with the slots that week is short.

    A pair's store and its members' rides decide how many hours the pair's week can
    hold (SPEC §2-3), which the pair rules alone do not see. While the week is planned
    short and time is left, every group solved so far lends its pairs the slots its
    week lost, the pairs are chosen again with those losses priced as the joint model
    prices them (a pair not yet tried counts as losing nothing, so the matching tries
    it), and only the new groups are solved, around the same department slots. Stops
    when the pairs come out the same, no more hours are short than the week's floor
    (`known_lost`: pairs' floors, group_floors.py), or the time is up."""
    best_cases, best_short = cases, _week_slots_short(cases, solved)
    seen_lost: dict[tuple[str, str], int] = {
        (group[0], group[1]): lost for group, lost in (known_lost or {}).items() if len(group) == 2}
    least = _least_possible(known_lost, cases)
    for _ in range(MAX_PAIRING_ROUNDS):
        if best_short <= least or deadline - time.perf_counter() < MIN_GROUP_SECONDS:
            break
        for signature, case in cases.items():
            lost = _slots_short(solved[signature])
            for group in case:
                for a, b in itertools.permutations(group, 2):  # pair keys follow the department's order
                    seen_lost[(a, b)] = max(seen_lost.get((a, b), 0), lost)
        groups = choose_pairs(tm, PAIRING_SECONDS, hours, seen_lost)
        if groups is None:
            break
        tried = _cases(tm, venues, groups)
        if set(tried) <= set(solved) and all(s in cases for s in tried):
            break  # the same groups again: nothing new to learn
        if _solve_cases(tm, tried, slots, solved, deadline, hard_deadline, known_lost) is not None:
            break  # a new group cannot live with the slots: keep the week found
        cases = tried
        short = _week_slots_short(cases, solved)
        if short < best_short:
            best_cases, best_short = cases, short
    return best_cases, best_short


def _least_possible(known_lost: dict[tuple[str, ...], int] | None, cases: Cases) -> int:
    """Slots short the week's groups cannot go below: the sum of their known floors."""
    known = known_lost or {}
    return sum(max(0, known.get(group, 0)) for case in cases.values() for group in case)


def decomposed_plan(tm: TimetableModel, time_limit_s: float, hard_limit_s: float | None = None,
                    hours: ShortfallTable | None = None, groups: list[tuple[str, ...]] | None = None,
                    known_lost: dict[tuple[str, ...], int] | None = None,
                    stall_s: float | None = None) -> list[Block] | None:
    """A complete week built group by group (None when the shortcut finds none).

    The pairs are chosen on the pair rules and, when hours may be short, on the hours
    each pair's store costs its members (`hours`, alone.py). The department slots are
    placed by a few anchor groups solved together (`_first_anchors`); when another
    group cannot live with the slots, it joins the anchors and the slots are placed
    again. A week planned short then tries other pairs (`_pairs_that_keep_the_hours`).
    `groups` given (e.g. those that lose fewest hours by their floors, group_floors.py)
    are taken as they are; `known_lost` (group -> slots its week must lose) prices the
    pairs chosen again. The department slots are then moved while the week gets cheaper,
    for at most `stall_s` without a move that pays (None: while the time lasts)."""
    deadline = time.perf_counter() + time_limit_s
    hard_deadline = time.perf_counter() + (hard_limit_s if hard_limit_s is not None else time_limit_s)
    if groups is None:
        groups = choose_pairs(tm, min(2.0, time_limit_s / 4), hours)
    if groups is None:
        return None
    venues = tm.week_venues()
    cases = _cases(tm, venues, groups)
    anchors = _first_anchors(tm, cases, known_lost)
    best: tuple[list[Block], int] | None = None
    for _ in range(MAX_ANCHOR_ROUNDS):
        least = sum((known_lost or {}).get(g, 0) for g in anchors)
        placed = _solve_group(tm.department, tm.policy, tm.frame.week_start, anchors, None,
                              (deadline - time.perf_counter()) / 3, hard_deadline, least,
                              hours_only=known_lost is not None)
        if placed is None:
            return None
        slots = _slots_of(*placed)
        solved: dict[tuple, Solved] = {}
        misfit = _solve_cases(tm, cases, slots, solved, deadline, hard_deadline, known_lost)
        if misfit is None:
            above = _above_their_floors(cases, solved, known_lost)
            if above and not set(above) <= set(anchors) and deadline - time.perf_counter() > MIN_GROUP_SECONDS:
                # The slots cost these groups hours their floors do not: place them again
                # with these groups among the anchors, keeping the better week.
                week = _week_of(tm, venues, cases, solved)
                short = _week_slots_short(cases, solved)
                if best is None or short < best[1]:
                    best = (week, short)
                anchors += [g for g in above if g not in anchors]
                continue
            cases, short = _pairs_that_keep_the_hours(tm, venues, cases, slots, solved, deadline, hard_deadline,
                                                      hours, known_lost)
            if best is not None and best[1] < short:
                return best[0]
            polish_until = time.perf_counter() + SLOT_MOVES_SHARE * (hard_deadline - time.perf_counter())
            return _week_of(tm, venues, cases,
                            _slots_moved(tm, cases, slots, solved, polish_until, known_lost, stall_s))
        if misfit in anchors:
            break
        anchors.append(misfit)
    return best[0] if best is not None else None


def _slots_moved(tm: TimetableModel, cases: Cases, slots: list[DepartmentSlot], solved: dict[tuple, Solved],
                 until: float, known_lost: dict[tuple[str, ...], int] | None,
                 stall_s: float | None) -> dict[tuple, Solved]:
    """The groups' weeks around the department slots moved while the week gets cheaper
    (slot_moves.py), until `until`; `solved` when no move pays."""
    def groups_around(moved: list[DepartmentSlot]) -> tuple[float, dict[tuple, Solved]] | None:
        weeks: dict[tuple, Solved] = {}
        deadline = min(until, time.perf_counter() + MOVE_SECONDS)
        if _solve_cases(tm, cases, moved, weeks, deadline, deadline, known_lost) is not None:
            return None
        return _cost(cases, weeks), weeks

    _, _, moved_weeks = move_slots(tm, slots, _cost(cases, solved), groups_around, until, stall_s)
    return moved_weeks if moved_weeks is not None else solved


def _cost(cases: Cases, solved: dict[tuple, Solved]) -> float:
    return week_cost([(solved[signature][1], solved[signature][0], len(case)) for signature, case in cases.items()])


def _above_their_floors(cases: Cases, solved: dict[tuple, Solved],
                        known_lost: dict[tuple[str, ...], int] | None) -> list[tuple[str, ...]]:
    """Groups whose week around the placed slots is shorter of hours than their floor."""
    if known_lost is None:
        return []
    return [case[0] for signature, case in cases.items()
            if _slots_short(solved[signature]) > known_lost.get(case[0], 0)]
