"""A visit moved to another day of its week for fewer km (step 5) keeps the spacing of
the visits it leaves behind: its neighbours before and after become neighbours. A visit
added keeps the spacing of the visits further on whose due slots it renumbers."""

from __future__ import annotations

import dataclasses
import datetime as dt

from engine.month import _may_take, _spacing_holds, gap_bounds
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


def test_a_visit_added_before_its_weeks_other_does_not_leave_too_long_a_gap_after(policy_15_13_7: Policy) -> None:
    """Twice weekly, visits on week 3's Thursday and week 4's Wednesday (slots 3.1 and 4.1
    with 3.2 missing: the 4-day gap is a listed visit's). Week 3's other visit put on its
    Tuesday makes Thursday slot 3.2, next to 4.1 and 4 days from it (was allowed: only the
    new visit's own gaps were checked)."""
    week_3, week_4 = MONDAY, MONDAY + dt.timedelta(weeks=1)
    weeks, gaps = [week_3, week_3, week_4, week_4], gap_bounds(TWICE_A_WEEK, policy_15_13_7)
    thursday, next_wednesday = (3, week_3), (7, week_4)
    assert not _spacing_holds([thursday, next_wednesday], (1, week_3), weeks, gaps)
    assert _spacing_holds([thursday, next_wednesday], (9, week_4), weeks, gaps)  # week 4's Friday


def test_the_visit_that_completes_the_month_leaves_no_gap_too_long(policy_15_13_7: Policy) -> None:
    """Three a week (12 per 4 weeks: 1-2 working days apart): Wed-Fri of week 1, then Wed
    and Thu of week 2, its third visit missing. That gap (Fri to Wed, 3 days) read as the
    missing visit's; the third put on Friday made the month complete with the gap still 3
    (was allowed: no new fault, the old one kept; the month checker then found it). On
    Monday it closes the gap."""
    week_1, week_2 = MONDAY, MONDAY + dt.timedelta(weeks=1)
    weeks, gaps = [week_1] * 3 + [week_2] * 3, gap_bounds(12, policy_15_13_7)
    assert gaps == (1, 2)
    visits = [(2, week_1), (3, week_1), (4, week_1), (7, week_2), (8, week_2)]
    assert not _spacing_holds(visits, (9, week_2), weeks, gaps)
    assert _spacing_holds(visits, (5, week_2), weeks, gaps)
    assert _spacing_holds(visits[:-1], (9, week_2), weeks, gaps)  # still one missing: its gap is excused
