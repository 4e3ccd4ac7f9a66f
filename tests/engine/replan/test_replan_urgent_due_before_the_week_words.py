"""Tester C4 F4: an urgent visit due by a `now` before the week (Sunday) is made late on
the week's first day; its words never hold empty parentheses."""

from __future__ import annotations

import datetime as dt

from engine.domain import Timetable
from engine.replan import read_events
from engine.replan.handover import replan_routes
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department
from tests.engine.replan.test_replan_urgent_by_its_deadline import NEAR

SUNDAY_BEFORE = dt.datetime.combine(MONDAY - dt.timedelta(days=1), dt.time(10, 0))


def test_an_urgent_visit_due_before_the_week_says_why_without_empty_parentheses() -> None:
    events = read_events([{"type": "urgent_visit", "retailer": "r-m02-4"}])
    situation = situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()),
                             SUNDAY_BEFORE, events)
    routes = [{"manager": "m02", "date": (MONDAY + dt.timedelta(days=2)).isoformat(), "stops": [
        {"retailer": "r-m02-4", "arrive": "09:10", "start": "09:10", "end": "09:30"}]}]
    _, _, _, late, _ = replan_routes(situation, situation.timetable, {"routes": routes}, NEAR)
    [visit] = late
    assert "()" not in visit.detail
    assert "no working day of the week falls from now" in visit.detail
