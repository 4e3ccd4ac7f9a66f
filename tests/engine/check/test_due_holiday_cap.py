"""The route checker's own reading of the due rule in a week with a holiday: a retailer
owes the week at most one visit a working day of the department's calendar (README, the
due rule; engine/check/spec.working_dates), so a daily retailer (20 visits in 4 weeks)
visited on all 4 working days owes nothing more (an outside tester's g496, Wednesday a
holiday: the planner had listed a 5th visit unvisited, 'due 5 times … only 4 visit days')."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from engine.check.routes import _check_due
from engine.domain import CalendarDay, Department, GeoPoint, Manager, Retailer
from engine.policy import parse_clock

MONDAY = dt.date(2026, 11, 23)


def _department(*, holiday: bool) -> Department:
    daily = Retailer(id="daily", name="daily", lat=30.01, lon=104.0, manager="m1", retailer_class="B",
                     visits_per_4_weeks=20, area="town", opens=parse_clock("07:00"),
                     closes=parse_clock("22:00"), service_min=10)
    days = (CalendarDay(date=MONDAY + dt.timedelta(days=2), kind="holiday", name="local"),) if holiday else ()
    return Department(name="d", office=GeoPoint(lat=30.0, lon=104.0), policy="15-13-7", market_manager="boss",
                      managers=(Manager(id="m1", name="m1", years=3),), retailers=(daily,), calendar_days=days)


def _faults(department, policy, visits: int, unvisited: int) -> list[str]:
    data = {"week_start": MONDAY.isoformat(), "scope": {},
            "unvisited": [{"retailer": "daily", "manager": "m1", "reason": "no_room_in_day"}] * unvisited}
    return [v.message for v in _check_due(data, department, policy, Counter({"daily": visits}), {})]


def test_a_daily_retailer_owes_a_holiday_week_one_visit_per_working_day(policy_15_13_7):
    holiday = _department(holiday=True)
    assert _faults(holiday, policy_15_13_7, 4, 0) == []
    assert _faults(holiday, policy_15_13_7, 4, 1) == ["daily is due 4 visits: 4 planned and 1 listed unvisited"]
    assert _faults(holiday, policy_15_13_7, 3, 0) == ["daily is due 4 visits: 3 planned and 0 listed unvisited"]
    # A week without the holiday still owes all 5; carried visits do not lift it past the days.
    assert _faults(_department(holiday=False), policy_15_13_7, 4, 0) == [
        "daily is due 5 visits: 4 planned and 0 listed unvisited"]
    data = {"week_start": MONDAY.isoformat(), "scope": {}, "unvisited": []}
    assert [v.message for v in _check_due(data, holiday, policy_15_13_7, Counter({"daily": 4}), {"daily": 2})] == []
