"""A short leave in a holiday week does not take a manager out of pair work: exemption
from pairs is judged on his share of the week's working days (a holiday is everyone's),
by the planner's week (week.py), the checker's spec and the scorer alike. No solve."""

from __future__ import annotations

import datetime as dt

from engine.check.spec import exempt_from_pairs, presence
from engine.domain import CalendarDay, Leave
from engine.quality import owed_minutes
from engine.timetable.week import build_week
from tests.strategies import WEEK, simple_department

TUESDAY, WEDNESDAY, THURSDAY = (WEEK + dt.timedelta(days=i) for i in (1, 2, 3))


def _three_day_week(*leave: Leave):
    """Two managers, a pair; Tue and Wed holidays: 3 of the policy's 5 days worked (0.60)."""
    calendar = tuple(CalendarDay(date=d, kind="holiday") for d in (TUESDAY, WEDNESDAY))
    return simple_department(2, leave).model_copy(update={"calendar_days": calendar})


def test_a_two_hour_leave_in_a_three_day_week_keeps_him_paired(policy_15_13_7):
    """m01 away 09:00-11:00 on Thursday: 0.60 of the policy's week less 2 h fell under
    `exempt_below_presence` (0.6) and he lost all pair work; of the 3 working days he is
    present 95 %, so he owes the pair's prorated quotas like his partner."""
    leave = Leave(manager="m01", date=THURSDAY, start=9 * 60, end=11 * 60)
    department = _three_day_week(leave)
    frame = build_week(department, policy_15_13_7, WEEK)
    assert not frame.managers["m01"].exempt_from_pairs
    assert frame.paired_managers == ["m01", "m02"]
    assert frame.managers["m01"].quotas["maintenance"].total_minutes == 120
    share = presence(department, policy_15_13_7, WEEK)["m01"]
    assert share < 0.6  # single kinds are still prorated by the policy's week
    assert not exempt_from_pairs(share, policy_15_13_7)
    owed = owed_minutes(department, policy_15_13_7, WEEK)["m01"]
    assert (owed["maintenance"], owed["promotion"]) == (120, 180)


def test_two_days_off_of_three_still_exempts_him(policy_15_13_7):
    """Leave on 2 of the 3 working days: a third of them present, under the threshold."""
    department = _three_day_week(Leave(manager="m01", date=WEEK), Leave(manager="m01", date=THURSDAY))
    frame = build_week(department, policy_15_13_7, WEEK)
    assert frame.managers["m01"].exempt_from_pairs
    assert exempt_from_pairs(presence(department, policy_15_13_7, WEEK)["m01"], policy_15_13_7)
    assert owed_minutes(department, policy_15_13_7, WEEK)["m01"]["maintenance"] == 0
