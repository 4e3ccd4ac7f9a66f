"""Missed visits roll over (SPEC §4: every retailer due is visited): a due visit
not done in a week joins the next week's due list. The missed visits of a week are
`due + carried in - done`, retailer by retailer, so a visit missed twice keeps
rolling until it is done. Adding carried visits to a due list is
`engine.routing.due.due_with_carry_over`, where the route planner finds it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from engine.actuals.records import Actuals
from engine.actuals.storage import load_actuals, stored_weeks
from engine.domain import Department
from engine.policy import Policy
from engine.routing.due import due_with_carry_over, week_monday

__all__ = ["carried_into", "due_with_carry_over", "missed_in_week", "owed_in_week"]


def owed_in_week(
    department: Department, week_start: dt.date, carried_in: Mapping[str, int],
    *, policy: Policy | None = None, planned: Mapping[str, int] | None = None,
) -> Counter[str]:
    """Per retailer, the visits the week owes: its due plus `carried_in`
    (`due_with_carry_over`), or the visits the week's plan puts on a day (`planned`) when
    it puts more. A re-plan's urgent visit is of a retailer not due this week, or a visit
    more than its due: the plan asked it, so it is made or missed like any other."""
    owed: Counter[str] = Counter({item.retailer.id: item.visits
                                  for item in due_with_carry_over(department, week_monday(week_start), carried_in,
                                                                  policy=policy)})
    for retailer, visits in (planned or {}).items():
        owed[retailer] = max(owed[retailer], visits)
    return owed


def missed_in_week(
    department: Department, week_start: dt.date, actuals: Actuals, carried_in: Mapping[str, int],
    *, policy: Policy | None = None, planned: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Per retailer, visits the week owes (`owed_in_week`: its own due plus `carried_in`,
    the plan's urgent visits with `planned`) not done. With `policy`, a retailer owes the
    week at most one visit a working day (`due_with_carry_over`): a daily retailer visited
    on all 4 days of a week with a holiday misses nothing, and no 5th visit rolls into the
    next week."""
    monday = week_monday(week_start)
    owed = owed_in_week(department, monday, carried_in, policy=policy, planned=planned)
    done = Counter(v.retailer for v in actuals.in_week(monday).visits if v.status == "done")
    return {r: owed[r] - done[r] for r in owed if owed[r] > done[r]}


def carried_into(folder: Path | str, department: Department, policy: Policy, week_start: dt.date) -> dict[str, int]:
    """Visits carried into the week starting `week_start`: what was due and not done in
    the week before, which itself includes what was carried into it. The chain starts
    at the earliest week the folder holds actuals for and breaks at a week without
    any (nothing is known about it, so nothing is carried out of it)."""
    monday = week_monday(week_start)
    weeks = [w for w in stored_weeks(folder) if w < monday]
    if not weeks:
        return {}
    carried: dict[str, int] = {}
    week = weeks[0]
    while week < monday:
        actuals = load_actuals(folder, department, policy, week)
        if not actuals.blocks and not actuals.visits:
            carried = {}
        else:
            carried = missed_in_week(department, week, actuals, carried, policy=policy)
        week += dt.timedelta(weeks=1)
    return carried
