"""A visit moved to another day of its week for fewer km (step 5) keeps the spacing of
the visits it leaves behind: its neighbours before and after become neighbours."""

from __future__ import annotations

import dataclasses
import datetime as dt

from engine.month import _may_take, gap_bounds
from engine.policy import Policy
from tests.engine.month_cases import line_month
from tests.engine.routing.line_territory import MONDAY

TWICE_A_WEEK = 8


def test_a_moved_visit_does_not_leave_too_long_a_gap_behind(policy_15_13_7: Policy) -> None:
    """Twice weekly (2-3 working days apart) on Tue/Thu, Mon/Wed, Tue/Thu: Monday's visit
    moved to Friday would leave Thursday to Wednesday, 4 days (was allowed: only the gaps
    around the new day were checked)."""
    plan = line_month(policy_15_13_7, {"a": "A"}, {"a": 5}, weeks=3, days_per_week=5)
    mondays = [MONDAY + dt.timedelta(weeks=w) for w in range(3)]
    plan = dataclasses.replace(plan, weeks_of={"a": [m for m in mondays for _ in range(2)]},
                               gaps={"a": gap_bounds(TWICE_A_WEEK, policy_15_13_7)})
    assert plan.gaps["a"] == (2, 3)
    planned = {"a": [1, 3, 5, 7, 11, 13]}
    assert not _may_take(plan, planned, "a", 5, 9)
    assert _may_take(plan, planned, "a", 7, 8)  # Wednesday to Thursday keeps 3 and 3
