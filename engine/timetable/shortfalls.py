"""A week planned short (SPEC §2 hours, §3 rides): when the rides between a manager's
places leave no room for every weekly hour the policy asks, the weekly solve plans the
week short rather than not at all, and says by how much and why.

The quotas become soft only through the policy (`objective.missing_weekly_hours_per_10min`).
Its cost per grid slot short is raised above the most that every other soft rule of the
week could cost together (`other_soft_ceiling`): the solver then gives up an hour only
when no week holds it, never to buy a preference (a pair, a late finish, a piece of
office time). Daily blocks stay hard: no day is excused.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from engine.domain import Block, HoursShortfall
from engine.timetable.model import Shortfall, TimetableModel
from engine.timetable.venues import Venue, Venues, week_venues

MISSING_HOURS = "missing_hours["
"""The prefix of the penalties a shortfall adds (model's `add_weekly_quotas`)."""


def shortfall_terms(tm: TimetableModel) -> list[cp_model.LinearExprT]:
    """The model's slots short, one term per (manager, weekly kind) that may be short."""
    return [expr for name, _, expr in tm.penalties if name.startswith(MISSING_HOURS)]


def short_weeks_allowed(tm: TimetableModel) -> None:
    """Make the weekly quotas soft when the policy prices a missing 10 min (before the
    hard rules are added); the cost is raised later by `price_above_other_rules`."""
    per_10min = tm.policy.objective.missing_weekly_hours_per_10min
    if per_10min is not None:
        tm.shortfall = Shortfall(per_slot=max(1, -(-per_10min * tm.grid // 10)))


def expression_range(expr: cp_model.LinearExprT) -> tuple[int, int]:
    """The least and the largest value `expr` can take over its variables' domains."""
    if not isinstance(expr, cp_model.LinearExpr):
        return int(expr), int(expr)
    flat = cp_model.FlatIntExpr(expr)
    low = high = int(flat.offset)
    for var, coeff in zip(flat.vars, flat.coeffs, strict=True):
        domain = var.proto.domain
        low += coeff * (domain[0] if coeff > 0 else domain[-1])
        high += coeff * (domain[-1] if coeff > 0 else domain[0])
    return low, high


def other_soft_ceiling(tm: TimetableModel) -> int:
    """The most the week's soft rules other than missing hours can cost together: the
    sum over their terms of weight times the term's largest value (rewards count 0)."""
    return sum(max(0, weight * expression_range(expr)[1]) for name, weight, expr in tm.penalties
               if not name.startswith(MISSING_HOURS))


def price_above_other_rules(tm: TimetableModel) -> None:
    """Raise the cost of a missing slot above `other_soft_ceiling` (after the objective
    is built) and minimise again: one slot short then costs more than any week's
    preferences, so hours are given up only where no week holds them."""
    if tm.shortfall is None:
        return
    floor = other_soft_ceiling(tm) + 1
    if tm.shortfall.per_slot >= floor:
        return
    tm.shortfall = Shortfall(per_slot=floor, excused_days=tm.shortfall.excused_days, floors=tm.shortfall.floors)
    tm.penalties = [(name, floor if name.startswith(MISSING_HOURS) else weight, expr)
                    for name, weight, expr in tm.penalties]
    tm.cp.minimize(sum(weight * expr for _, weight, expr in tm.penalties))


NOT_PROVEN = ("not kept in the week found within the time limit (it is not proven that the "
              "rides leave no room for it: more time may find a week that keeps it)")
"""The reason of a shortfall the search did not prove forced."""


def shortfall_proven(status: str, minutes_short: int, floor_minutes: int | None) -> bool:
    """Whether a week short of `minutes_short` is proven to be short of no more than any
    week can be: the solve is optimal (a missing slot costs more than every other soft
    rule together), or a proven floor is as large."""
    return status == "optimal" or (floor_minutes is not None and minutes_short <= floor_minutes)


def week_shortfalls(tm: TimetableModel, blocks: tuple[Block, ...] | list[Block]) -> list[HoursShortfall]:
    """Each manager's weekly kinds planned below their (prorated) quota: minutes and
    sessions short, and the rides that took the room (a caller whose search did not prove
    that no week is short of less says `NOT_PROVEN` instead)."""
    if tm.shortfall is None:
        return []
    venues: Venues | None = None
    found: list[HoursShortfall] = []
    for (manager, kind), variables in sorted(tm.blocks.items()):
        rule = tm.policy.kinds[kind]
        if rule.per_day_minutes is not None or not variables:
            continue
        quota = tm.frame.managers[manager].quotas[kind]
        mine = [b for b in blocks if b.manager == manager and b.kind == kind]
        minutes_short = max(0, quota.total_minutes - sum(b.end - b.start for b in mine))
        sessions_short = max(0, quota.sessions_min - len(mine))
        if not minutes_short and not sessions_short:
            continue
        venues = venues or week_venues(tm.department, tm.policy, tm.frame.week_start)
        found.append(HoursShortfall(manager=manager, kind=kind, minutes_short=minutes_short,
                                    sessions_short=sessions_short,
                                    reason=_reason(venues, manager, _partners(tm, blocks, manager))))
    return found


def _partners(tm: TimetableModel, blocks: tuple[Block, ...] | list[Block], manager: str) -> set[str]:
    paired = {k for k, r in tm.policy.kinds.items() if r.group == "pair"}
    return {w for b in blocks if b.manager == manager and b.kind in paired for w in b.with_}


def _reason(venues: Venues, manager: str, partners: set[str]) -> str:
    """The rides of the manager's week, in words, from his visit area."""
    area = venues.visit_area.get(manager)
    if area is None or not area.points:
        return "the week's blocks and their rides leave no room for it"
    office = Venue((None,))
    rides = [f"office {venues.minutes(area, office)} min"]
    households = venues.households.get(manager)
    if households is not None and households.points:
        rides.append(f"POS households up to {venues.minutes(area, households)} min")
    store = venues.pair_venue({manager, *partners}) if partners else None
    if store is not None and store.points:
        rides.append(f"the pair's store {venues.minutes(area, store)} min")
    return f"the rides between his places (from his visit area: {', '.join(rides)}) leave no room for it"
