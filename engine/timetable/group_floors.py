"""The fewest weekly hours the week's rides force: each group's floor, and the week's.

Why a floor holds (the argument, also in the README's design section): once the groups
are chosen, a manager's week touches only his group's weeks and the department's shared
slots (meetings, site study); no rule of the model reads two groups at once. Take any
week the joint model accepts and keep only one pair's blocks: they keep every rule the
model states about the two of them (windows, daily blocks, lunch, one place at a time,
the rides between their places, the pair's same time at its store); all that is left
out is that the department slots are shared with everybody else. So the pair's week
with department slots of its own is a relaxation, and its fewest slots short (a
solver's proven bound is enough) is a floor on the pair's slots short in every
department week in which the two are paired.

A group of three holds its paired sessions at its host's store (venues.py), which is
also the store of the host's pair with either other member: restricted to the host and
one member, the trio's week is a week of that pair, so the trio is short of at least the
larger of those two pairs' floors (or of its own floor, when its week alone is solved).

The week's floor: every week partitions the paired managers into groups, so it is short
by at least the sum of its groups' floors, and the least such sum over every partition
(a small set-partitioning problem) is a floor for the week. Groups not yet solved count
as 0, so the floor is valid at any moment; it is exact once the cheapest partition uses
groups proven to their least only. Groups are solved lazily: those the cheapest
partition uses (again, with a longer cut-off, when only bounded), and every pair of a
manager who lost hours in every group of his solved so far (`week_floor`)."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from engine.timetable.alone import slots_short
from engine.timetable.constraints import add_hard_rules
from engine.timetable.model import TimetableModel, variables_for_week
from engine.timetable.objective import pair_terms
from engine.timetable.shortfalls import (
    MISSING_HOURS,
    data_limit_slots,
    expression_range,
    short_weeks_allowed,
    shortfall_terms,
)
from engine.timetable.venues import holds_a_store, without_own_store
from engine.timetable.week import WeekFrame

GROUP_SECONDS = 0.05
"""About what one group's floor takes (build and solve; the sample week, 2 cores): with
more possible pairs than the floors' time covers at this rate, they are not looked for."""
GROUP_CAP_S = 1.0
"""One group's week is cut off after this (its proven bound stays valid, only weaker)."""
MAX_GROUP_CAP_S = 16.0
"""A group the cheapest partition needs and whose floor is not yet proven the least is
solved again with four times its last cap, up to this."""
PARTITION_CAP_S = 2.0
"""The set partitioning is small; it is cut off after this (its bound stays valid)."""

Group = tuple[str, ...]


@dataclass
class WeekFloor:
    """The fewest grid slots short any week of the department can have, as far as known."""

    slots: int = 0
    """No week is short by fewer slots (valid whether or not `exact`)."""
    groups: list[Group] = field(default_factory=list)
    """The partition that reaches `slots` on the floors known."""
    floors: dict[Group, int] = field(default_factory=dict)
    """Each group solved: no week of it is short by fewer slots (proven; the least itself
    when its solve ended optimal), or `NO_WEEK`."""
    exact: bool = False
    """The cheapest partition uses solved groups only: `slots` is the least any partition
    by these floors can have, not merely a lower bound of it."""
    seconds: float = 0.0
    proven: frozenset[Group] = frozenset()
    """The groups of `floors` whose floor is their least, not merely a bound."""


def group_model(tm: TimetableModel, members: Group) -> TimetableModel:
    """The week of one group with department slots of its own, minimising its slots short."""
    frame = WeekFrame(tm.policy, tm.frame.week_start, tm.frame.days,
                      {m: tm.frame.managers[m] for m in members})
    sub = variables_for_week(tm.department, tm.policy, frame, like=tm)
    short_weeks_allowed(sub)
    add_hard_rules(sub)
    for paired in sub.pairs.values():
        sub.cp.add(paired == 1)
    for together in sub.in_trio.values():
        sub.cp.add(together == 1)
    sub.cp.minimize(sum(shortfall_terms(sub)))
    return sub


NO_WEEK = -1
"""A group solved and found to have no week at all: no department week forms it."""


def has_no_week(tm: TimetableModel, members: Group) -> bool:
    """The group's week with department slots of its own is shown infeasible by presolve
    alone (cheap: a tenth of a second for a pair), so no week of the department pairs
    them (the relaxation argument above). False also when presolve cannot tell."""
    solver = cp_model.CpSolver()
    solver.parameters.stop_after_presolve = True
    solver.parameters.num_workers = 1
    return solver.solve(group_model(tm, members).cp) == cp_model.INFEASIBLE


def _solve_floor(tm: TimetableModel, members: Group, limit_s: float,
                 likely_short: bool = False) -> tuple[int, bool] | None:
    """The group's floor (its fewest slots short as far as proven, or `NO_WEEK`) and whether
    it is proven the least (not merely a bound); None: nothing proven in time. Unless the
    group is `likely_short`, a week with no hour short is looked for first: with the quotas
    held exactly the search prunes as it does with hard rules, which settles a group with
    no hour to lose in half the time (and costs a group with hours to lose a third more)."""
    if limit_s <= 0:
        return None
    deadline = time.perf_counter() + limit_s
    sub = group_model(tm, members)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    if not likely_short:
        short = sum(shortfall_terms(sub))
        whole = sub.cp.new_bool_var("no_hour_short")
        sub.cp.add(short == 0).only_enforce_if(whole)
        sub.cp.add(short >= 1).only_enforce_if(~whole)
        sub.cp.add_assumptions([whole])
        solver.parameters.max_time_in_seconds = limit_s
        code = solver.solve(sub.cp)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return 0, True
        if code != cp_model.INFEASIBLE or time.perf_counter() >= deadline:
            return None
        sub.cp.clear_assumptions()
        sub.cp.add(whole == 0)
    left = deadline - time.perf_counter()
    if left <= 0:
        return None  # CP-SAT refuses a limit below zero as an invalid model
    solver.parameters.max_time_in_seconds = left
    code = solver.solve(sub.cp)
    if code == cp_model.INFEASIBLE:
        return NO_WEEK, True
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return max(0, math.ceil(solver.best_objective_bound - 1e-6)), code == cp_model.OPTIMAL


def _groups(tm: TimetableModel) -> list[Group]:
    """Every group the joint model may form: its pairs, and its groups of three (all three
    pairs allowed) or single managers when the head-count is odd; each with a promotion
    store of its own when the week's promotion asks one (venues.without_own_store)."""
    groups: list[Group] = list(tm.pairs)
    if tm.in_trio:
        groups += [t for t in itertools.combinations(tm.frame.paired_managers, 3)
                   if all(p in tm.pairs for p in itertools.combinations(t, 2))]
    groups += [(m,) for m in tm.solo]
    storeless = without_own_store(tm.department, tm.policy)
    return [g for g in groups if holds_a_store(g, storeless)]


def _known_floor(group: Group, floors: dict[Group, int], host: str, forced: dict[str, int] | None = None) -> int:
    """A group's floor from what is solved: its own, or for a group of three the larger
    of its host's two pairs' floors (module docstring); never less than what its members'
    own data forces (`forced`, shortfalls.data_limit_slots), which holds in every week."""
    least = sum((forced or {}).get(m, 0) for m in group)
    if group in floors or len(group) != 3:
        return max(least, floors.get(group, 0))
    others = [m for m in group if m != host]
    via_pairs = [floors.get((host, m), floors.get((m, host), 0)) for m in others]
    return max(least, *via_pairs)


def _losing_everywhere(floors: dict[Group, int], times: int = 2) -> set[str]:
    """Managers short in every group of theirs solved so far, and in at least `times` of
    them (one loss may be his partner's)."""
    losses: dict[str, int] = {}
    keeping: set[str] = set()
    for group, lost in floors.items():
        for m in group:
            if lost > 0:
                losses[m] = losses.get(m, 0) + 1
            else:
                keeping.add(m)
    return {m for m, count in losses.items() if count >= times} - keeping


def cheapest_partition(tm: TimetableModel, groups: list[Group], cost: dict[Group, int],
                       limit_s: float = PARTITION_CAP_S) -> tuple[int, list[Group]] | None:
    """The partition of the paired managers into allowed groups with the least total cost:
    (its proven least cost, the groups of the best partition found). None: none exists."""
    cp = cp_model.CpModel()
    chosen = {g: cp.new_bool_var(f"group[{','.join(g)}]") for g in groups}
    for m in tm.frame.paired_managers:
        cp.add_exactly_one(v for g, v in chosen.items() if m in g)
    # One group of three, or one manager alone, exactly when the head-count is odd (SPEC §2).
    cp.add(sum(v for g, v in chosen.items() if len(g) == 3) == int(bool(tm.in_trio)))
    cp.add(sum(v for g, v in chosen.items() if len(g) == 1) == int(bool(tm.solo)))
    cp.minimize(sum(cost[g] * v for g, v in chosen.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit_s
    solver.parameters.num_workers = 1
    if solver.solve(cp) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    picked = [g for g, v in chosen.items() if solver.boolean_value(v)]
    return max(0, math.ceil(solver.best_objective_bound - 1e-6)), picked


def week_floor(tm: TimetableModel, time_limit_s: float, workers: int = 2,
               group_cap_s: float = GROUP_CAP_S, known: WeekFloor | None = None) -> WeekFloor | None:
    """The week's floor on slots short (module docstring), as far as `time_limit_s` goes.
    None when the week cannot be short (no price on missing hours), has no groups, or has
    too many possible pairs for the time. `known`: what an earlier call for this same
    week found; its groups are not solved again unless the cheapest partition needs
    them proven."""
    if tm.shortfall is None or tm.shortfall.floors or tm.shortfall.excused_days or tm.explain or not tm.pairs:
        return None  # proved for the weekly solve's quotas only
    if len(tm.pairs) * GROUP_SECONDS > time_limit_s * max(1, workers):
        return None  # even every pair solved once would not fit: the time goes to the week
    started = time.perf_counter()
    deadline = started + time_limit_s
    venues = tm.week_venues()
    groups = _groups(tm)
    hosts: dict[Group, str] = {g: venues.host(g) for g in groups if len(g) == 3}
    forced = data_limit_slots(tm)
    # Managers in no group (not paired this week) are short at least what their data forces.
    alone = sum(slots for m, slots in forced.items() if m not in tm.frame.paired_managers)
    floors: dict[Group, int] = dict(known.floors) if known is not None else {}
    proven: set[Group] = set(known.proven) if known is not None else set()
    tried: set[Group] = set(floors)
    cap: dict[Group, float] = dict.fromkeys(tried - proven, group_cap_s * 4)
    """A group's cut-off the next time it is solved."""
    losing: set[str] = set()
    found = WeekFloor()

    def solve(group: Group) -> tuple[int, bool] | None:
        likely_short = bool(set(group) & losing)
        return _solve_floor(tm, group, min(cap.get(group, group_cap_s), deadline - time.perf_counter()), likely_short)

    def of_managers(managers: Iterable[str]) -> list[Group]:
        wanted = set(managers)
        return [g for g in groups if len(g) == 2 and wanted & set(g) and g not in tried]

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        while True:
            groups = [g for g in groups if floors.get(g) != NO_WEEK]
            cost = {g: _known_floor(g, floors, hosts.get(g, ""), forced) for g in groups}
            best = cheapest_partition(tm, groups, cost, min(PARTITION_CAP_S, max(0.1, deadline - time.perf_counter())))
            if best is None:
                return None
            found = WeekFloor(best[0] + alone, best[1], dict(floors), exact=all(g in proven for g in best[1]),
                              seconds=round(time.perf_counter() - started, 3), proven=frozenset(proven))
            todo = [g for g in best[1] if g not in proven and cap.get(g, group_cap_s) <= max(MAX_GROUP_CAP_S, group_cap_s)]
            if not todo or time.perf_counter() >= deadline:
                return found
            # A manager who has lost hours in every group solved so far is likely to lose
            # them in the others too: solve all his pairs now rather than one a round.
            losing = _losing_everywhere(floors)
            todo += [g for g in of_managers(losing) if g not in todo]
            tried.update(todo)
            for group, solved in zip(todo, pool.map(solve, todo), strict=True):
                cap[group] = cap.get(group, group_cap_s) * 4
                if solved is not None:
                    floors[group] = max(solved[0], floors.get(group, solved[0]))
                    if solved[1]:
                        proven.add(group)


def objective_floor(tm: TimetableModel, floor: WeekFloor) -> float | None:
    """A bound on the week's objective from its floor alone: every slot of the floor at
    its price, every other soft rule at the least its terms can cost (a reward at its
    most). Valid whatever the search has proven; None when missing hours have no price."""
    if tm.shortfall is None:
        return None
    others = 0
    for name, weight, expr in tm.penalties:
        if not name.startswith(MISSING_HOURS):
            low, high = expression_range(expr)
            others += weight * (low if weight > 0 else high)
    return float(tm.shortfall.per_slot * floor.slots + others)


UNSOLVED_SLOTS = 1
"""A group whose week the floors' time did not reach is taken, for choosing the first week's
groups only, to lose this many slots: at 0 an incomplete table chose the groups not yet
solved (free by their floor of 0) over those proven to lose nothing."""


def preferred_groups(tm: TimetableModel, floor: WeekFloor) -> list[Group] | None:
    """The partition the joint model would choose on what is known of the groups: fewest
    slots short by their floors first (priced as the joint model prices a slot; a group not
    solved, `UNSOLVED_SLOTS`, when the floors are not complete), then the pair rules
    (objective.pair_terms) of every pair inside each group."""
    if tm.shortfall is None:
        return None
    terms = {pair: sum(weight for _, weight in named) for pair, named in pair_terms(tm).items()}
    venues = tm.week_venues()
    groups = [g for g in _groups(tm) if floor.floors.get(g) != NO_WEEK]
    forced = data_limit_slots(tm)

    def slots(group: Group) -> int:
        host = venues.host(group) if len(group) == 3 else ""
        known = _known_floor(group, floor.floors, host, forced)
        solved = group in floor.floors or (len(group) == 3 and any(
            (host, m) in floor.floors or (m, host) in floor.floors for m in group if m != host))
        return known if floor.exact or solved else max(known, UNSOLVED_SLOTS)

    cost = {g: tm.shortfall.per_slot * slots(g) + sum(terms.get(p, 0) for p in itertools.combinations(g, 2))
            for g in groups}
    best = cheapest_partition(tm, groups, cost)
    return None if best is None else sorted(best[1])


def add_floor_cuts(tm: TimetableModel, floor: WeekFloor) -> int:
    """The floors as constraints of the joint model: the week is short by at least its
    floor, and a pair (a group of three) formed is short by at least its own. Redundant
    for the optimum (module docstring), strong for the bound. Returns how many were added."""
    short = {m: slots_short(tm, m) for m in tm.frame.managers}
    everyone = [s for s in short.values() if s is not None]
    added = 0
    if floor.slots and everyone:
        tm.cp.add(sum(everyone) >= floor.slots)
        added += 1
    for group, least in floor.floors.items():
        members = [slots for m in group if (slots := short[m]) is not None]
        if least <= 0 or not members:
            continue
        when: list = []
        if len(group) == 1:
            when = [tm.solo[group[0]]]
        elif len(group) == 2:
            when = [tm.pairs[group]] + ([~tm.in_trio[group[0]]] if group[0] in tm.in_trio else [])
        else:
            when = [tm.pairs[p] for p in itertools.combinations(group, 2)]
        tm.cp.add(sum(members) >= least).only_enforce_if(when)
        added += 1
    return added


class StopAtFloor(cp_model.CpSolverSolutionCallback):
    """Ends the search once a week is short by no more than the floor (none can be less)."""

    def __init__(self, floor: int):
        super().__init__()
        self.floor = floor

    def on_solution_callback(self) -> None:
        if self.objective_value <= self.floor:
            self.stop_search()
