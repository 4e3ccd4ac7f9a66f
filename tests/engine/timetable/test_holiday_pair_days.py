"""A pair in a week with holidays needs as many shared days as its prorated paired
sessions, not as the policy's full week (week.py `can_pair`). No solve."""

from __future__ import annotations

import datetime as dt

from engine.domain import CalendarDay, Leave
from engine.timetable.explain import _no_common_day_to_pair
from engine.timetable.week import build_week, paired_days_needed
from tests.strategies import WEEK, simple_department

TUESDAY, THURSDAY, FRIDAY = (WEEK + dt.timedelta(days=i) for i in (1, 3, 4))


def test_a_day_of_leave_in_a_three_day_week_still_leaves_him_a_partner(policy_15_13_7):
    """Thu and Fri holidays, m01 away Tuesday: he shares Mon and Wed with m02. The pair
    owes 0.6 of the week (promotion 180 min: 2 sessions), so 2 shared days suffice; the
    full week's 300 min (3 days) made the week infeasible ('shares too few working days')."""
    calendar = tuple(CalendarDay(date=d, kind="holiday") for d in (THURSDAY, FRIDAY))
    department = simple_department(2, (Leave(manager="m01", date=TUESDAY),)).model_copy(
        update={"calendar_days": calendar})
    frame = build_week(department, policy_15_13_7, WEEK)
    assert frame.paired_managers == ["m01", "m02"]
    assert paired_days_needed(policy_15_13_7, frame.managers["m01"].quotas) == 2
    assert frame.can_pair("m01", "m02")
    assert _no_common_day_to_pair(policy_15_13_7, frame) == []


def test_a_full_week_still_needs_the_policys_days(policy_15_13_7):
    """No holiday: the policy's promotion (300 min, sessions of at most 120) needs 3 days."""
    frame = build_week(simple_department(2, ()), policy_15_13_7, WEEK)
    assert paired_days_needed(policy_15_13_7, frame.managers["m01"].quotas) == 3
