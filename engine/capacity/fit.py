"""Propose, plan, propose again (SPEC §6 "every retailer due is visited"): the loop
that makes a capacity proposal provably enough.

Capacity figures estimate the riding a visit costs; the routes decide. So the loop
plans the week (timetable and routes, through the caller's `plan_week`), measures
what the routes left out (`figures.week_capacity`), proposes changes for it
(`proposal.propose_changes`), applies them and plans again, until every due visit is
planned and every manager who gave visits up keeps the policy's `capacity.margin_percent`
of his visit minutes free, or the policy's `capacity.max_rounds` proposals were made.
The margin is kept, not only the visits: a fresh plan of the changed week (another
timetable solve, another route search) packs the days a little differently, and the
margin is what lets it still hold every due visit. A later round
never touches a retailer an earlier one changed, and works on the department as
changed so far, so the changes only add up. The result says whether the last plan
holds every due visit (`fits`).

The loop stops: each round either ends it (nothing left out, nothing left to
propose) or changes at least one retailer that no later round touches again, and
there are at most `max_rounds` rounds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from engine.capacity.figures import WeekCapacity, week_capacity
from engine.capacity.proposal import Proposal, apply_changes, capacity_rules, propose_changes
from engine.domain import Department, Timetable
from engine.policy import Policy
from engine.routing.plan import RoutePlan

PlanWeek = Callable[[Department], tuple[Timetable, RoutePlan]]
"""Plans a department's week: its timetable and the routes planned on it."""


class FitRound(BaseModel):
    """One plan of the loop: how many due visits it left out, and the changes made after it."""

    model_config = ConfigDict(frozen=True)

    round: int
    due_visits: int
    unplanned_visits: int
    changes: int


class CapacityFit(BaseModel):
    """The capacity before the changes, the changes, every round, and the last plan's capacity."""

    model_config = ConfigDict(frozen=True)

    before: WeekCapacity
    after: WeekCapacity
    proposal: Proposal
    rounds: tuple[FitRound, ...]
    fits: bool | None = None
    """Whether the last plan holds every due visit; None when it was not planned again."""


@dataclass(frozen=True)
class FittedWeek:
    """The loop's result and the department with the changes made."""

    fit: CapacityFit
    department: Department
    routes: RoutePlan


def fit_week(department: Department, policy: Policy, week_start: dt.date, plan_week: PlanWeek,
             carried: Mapping[str, int] | None = None, *, verify: bool = True) -> FittedWeek:
    """Propose changes until the week's routes plan every due visit (module docstring).
    Without `verify`, the first proposal only: the week is planned once, `fits` is None."""
    rules = capacity_rules(policy)
    current = department
    timetable, routes = plan_week(current)
    before = after = week_capacity(current, policy, timetable, week_start, routes, carried)
    proposal = Proposal(week_start=before.week_start, margin_percent=rules.margin_percent)
    rounds: list[FitRound] = []
    for number in range(1, rules.max_rounds + 2):
        givers = {c.manager for c in proposal.changes}
        if (not routes.unvisited and not _into_margin(after, givers, rules.margin_percent)) \
                or number > rules.max_rounds:
            rounds.append(_round(number, routes, 0))
            break
        touched = {c.retailer for c in proposal.changes}
        more = propose_changes(current, policy, after, carried=carried, keep=touched, round_number=number,
                               givers=givers)
        rounds.append(_round(number, routes, len(more.changes)))
        if not verify:
            return FittedWeek(CapacityFit(before=before, after=before, proposal=more, rounds=tuple(rounds),
                                          fits=None), apply_changes(department, more.changes), routes)
        if not more.changes:
            break
        proposal = proposal.merged(more)
        current = apply_changes(department, proposal.changes)
        timetable, routes = plan_week(current)
        after = week_capacity(current, policy, timetable, week_start, routes, carried)
    fit = CapacityFit(before=before, after=after, proposal=proposal, rounds=tuple(rounds),
                      fits=not routes.unvisited)
    return FittedWeek(fit, current, routes)


def _into_margin(capacity: WeekCapacity, givers: set[str], margin_percent: float) -> bool:
    """Whether a manager who gave visits up needs more than his visit minutes less the margin."""
    share = 1 - margin_percent / 100
    return any(m.need_min > share * m.available_min for m in capacity.managers if m.manager in givers)


def _round(number: int, routes: RoutePlan, changes: int) -> FitRound:
    return FitRound(round=number, due_visits=routes.due_visits, unplanned_visits=len(routes.unvisited),
                    changes=changes)

