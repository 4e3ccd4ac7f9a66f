"""A manager's week alone: the fewest weekly hours the rides of his places let him plan
at a given group store (SPEC §2 hours, §3 rides), with nobody else to keep time with.

It is a relaxation of the department's week. Take any week the joint model accepts and
look only at one manager's blocks: they keep every rule the model states about him alone
(his windows, daily blocks, lunch, one place at a time, the rides between his places);
the rides to his paired sessions are read from his group's store, which is the store of
one of his possible pairs (constraints._store_rides); what the alone model leaves out is
only what ties him to others (partners' same times, the department's shared slots). So
his slots short in any week of the department are at least the fewest slots short of his
week alone at that store, and a solver's proven bound on the alone week is a valid floor.

Two uses: the first week (decompose.py) chooses pairs that do not cost hours, and the
joint model gets each manager's floor as a constraint (`add_shortfall_floors`), which
lifts its bound from the preferences alone to the hours the rides force."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ortools.sat.python import cp_model

from engine.timetable.constraints import add_hard_rules
from engine.timetable.model import TimetableModel, variables_for_week
from engine.timetable.shortfalls import MISSING_HOURS, short_weeks_allowed, shortfall_terms
from engine.timetable.venues import Venues, week_venues
from engine.timetable.week import WeekFrame

SOLVE_CAP_S = 0.5
"""One alone week is cut off after this (its proven bound stays valid, only weaker)."""


@dataclass(frozen=True)
class AloneShortfall:
    """Grid slots short of a manager's week alone at one store."""

    found: int
    """Slots short of the best week found (what a pairing should expect to lose)."""
    proven: int
    """No week of his at that store is shorter by fewer slots (a floor for the joint model)."""


ShortfallTable = dict[tuple[str, str], AloneShortfall]
"""(manager, partner) -> the manager's week alone at the store of that pair."""


def _store_rides_key(tm: TimetableModel, venues: Venues, manager: str, partner: str) -> tuple[int, ...]:
    """The grid slots of the rides between the pair's store and each of the manager's own
    places: two partners with the same key give the manager the same week alone."""
    store = venues.pair_venue((manager, partner))
    places = [venues.of(kind, manager) for kind in sorted(tm.policy.kinds)]
    return tuple(-(-venues.minutes(a, b) // tm.grid) for p in places for a, b in ((store, p), (p, store)))


def alone_model(tm: TimetableModel, manager: str, partner: str) -> TimetableModel:
    """The manager's week alone, his paired sessions at the store of (manager, partner),
    minimising his slots short."""
    frame = WeekFrame(tm.policy, tm.frame.week_start, tm.frame.days, {manager: tm.frame.managers[manager]})
    sub = variables_for_week(tm.department, tm.policy, frame, choose_pairs=False)
    sub.known_groups = {manager: frozenset((manager, partner))}
    short_weeks_allowed(sub)
    add_hard_rules(sub)
    sub.cp.minimize(sum(shortfall_terms(sub)))
    return sub


def _solve_alone(tm: TimetableModel, manager: str, partner: str, limit_s: float) -> AloneShortfall | None:
    if limit_s <= 0:
        return None
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit_s
    solver.parameters.num_workers = 1
    code = solver.solve(alone_model(tm, manager, partner).cp)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return AloneShortfall(found=round(solver.objective_value), proven=max(0, int(solver.best_objective_bound + 1e-6)))


def _stores_by_ride(tm: TimetableModel, venues: Venues) -> dict[str, list[str]]:
    """Each manager's possible partners, one per distinct store ride, nearest store first."""
    ranked: dict[str, list[tuple[int, str]]] = {}
    for (a, b) in tm.pairs:
        for manager, partner in ((a, b), (b, a)):
            ride = venues.minutes(venues.of("visit", manager), venues.pair_venue((manager, partner)))
            ranked.setdefault(manager, []).append((ride, partner))
    stores: dict[str, list[str]] = {}
    for manager, partners in ranked.items():
        seen: set[tuple[int, ...]] = set()
        for _, partner in sorted(partners):
            key = _store_rides_key(tm, venues, manager, partner)
            if key not in seen:
                seen.add(key)
                stores.setdefault(manager, []).append(partner)
    return stores


def shortfall_table(tm: TimetableModel, time_limit_s: float, workers: int = 2,
                    solve_cap_s: float = SOLVE_CAP_S) -> ShortfallTable:
    """Each manager's week alone at the store of each of his possible pairs, as far as
    `time_limit_s` goes (pairs left out have no entry). Partners that give the same store
    rides share one solve. Each manager's farthest store is looked at first: when even it
    costs him nothing, his other stores are left out (they are nearer, so likely free
    too); the others' stores follow, nearest first, so that a missing entry is at least
    as costly as the farthest one found for him."""
    if tm.shortfall is None or not tm.pairs:
        return {}
    deadline = time.perf_counter() + time_limit_s
    venues = week_venues(tm.department, tm.policy, tm.frame.week_start)
    stores = _stores_by_ride(tm, venues)

    def solve(item: tuple[str, str]) -> AloneShortfall | None:
        return _solve_alone(tm, *item, min(solve_cap_s, deadline - time.perf_counter()))

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        farthest = [(m, partners[-1]) for m, partners in stores.items()]
        solved = dict(zip(farthest, pool.map(solve, farthest), strict=True))
        costly = [m for m, p in farthest if (found := solved[(m, p)]) is not None and found.found]
        rounds = max((len(stores[m]) - 1 for m in costly), default=0)
        rest = [(m, stores[m][i]) for i in range(rounds) for m in costly if i < len(stores[m]) - 1]
        solved.update(zip(rest, pool.map(solve, rest), strict=True))
    by_rides = {(m, _store_rides_key(tm, venues, m, p)): result for (m, p), result in solved.items()
                if result is not None}
    table: ShortfallTable = {}
    for (a, b) in tm.pairs:
        for manager, partner in ((a, b), (b, a)):
            result = by_rides.get((manager, _store_rides_key(tm, venues, manager, partner)))
            if result is not None:
                table[(manager, partner)] = result
    return table


def slots_short(tm: TimetableModel, manager: str) -> cp_model.LinearExprT | None:
    """The manager's slots short over his weekly kinds, as the joint model counts them."""
    names = {f"{MISSING_HOURS}{manager},{kind}]" for (m, kind) in tm.blocks if m == manager}
    terms = [expr for name, _, expr in tm.penalties if name in names]
    return sum(terms) if terms else None


def add_shortfall_floors(tm: TimetableModel, table: ShortfallTable) -> int:
    """Each manager is short of at least his floor alone at his group's store (module
    docstring): when paired with one partner outside a group of three, the floor at that
    pair's store; in any case the least floor over every store he could be at (known only
    when every possible pair of his is in `table`). Redundant for the optimum, strong for
    the bound. Returns how many constraints were added."""
    if tm.shortfall is None or tm.shortfall.floors or tm.shortfall.excused_days or tm.explain:
        return 0  # the floors are proved for the weekly solve's quotas only
    added = 0
    for manager in tm.frame.managers:
        mine = [(a if b == manager else b, lit) for (a, b), lit in tm.pairs.items() if manager in (a, b)]
        short = slots_short(tm, manager)
        if not mine or short is None:
            continue
        floors = [table.get((manager, partner)) for partner, _ in mine]
        if all(f is not None for f in floors):
            least = min(f.proven for f in floors if f is not None)
            if least:
                # a manager who may work alone (tm.solo) may be at his own store instead
                solo = tm.solo.get(manager)
                tm.cp.add(short >= least).only_enforce_if([] if solo is None else [~solo])
                added += 1
        trio = tm.in_trio.get(manager)
        for (_, lit), floor in zip(mine, floors, strict=True):
            if floor is None or not floor.proven:
                continue
            tm.cp.add(short >= floor.proven).only_enforce_if([lit] if trio is None else [lit, ~trio])
            added += 1
    return added
