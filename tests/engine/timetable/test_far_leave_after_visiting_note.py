"""Tester's d673 (15-13-7): m04, a 120-min ride out, on leave Thu 12:00-13:00, was noted to
reach "his first retailer after his leave to 13:00 by 15:00, not 14:30 (Thu 11-26)" though
visiting ends at 15:00 and Thursday's visit block lies before the leave. A first stop that
would come at or after the end of visiting is not claimed,
nor the other days' time: the day is not named."""

from __future__ import annotations

import datetime as dt

from engine.domain import Leave
from engine.timetable.model import build_variables
from engine.timetable.week import build_week, late_first_stop_notes
from tests.strategies import WEEK, simple_department

THURSDAY = WEEK + dt.timedelta(days=3)
KM_PER_DEGREE = 111.2


def test_no_first_stop_after_a_midday_leave_at_the_end_of_visiting(policy_15_13_7):
    department = simple_department(2, (Leave(manager="m02", date=THURSDAY, start=12 * 60, end=13 * 60),))
    moved = tuple(r.model_copy(update={"lat": r.lat + 40 / KM_PER_DEGREE, "area": "country"})
                  if r.manager == "m02" else r for r in department.retailers)
    department = department.model_copy(update={"retailers": moved})
    tm = build_variables(department, policy_15_13_7, WEEK)
    assert tm.back_from_leave == {("m02", 3): 13 * 60}, "the leave is read as taking the start of his day"
    notes = late_first_stop_notes(build_week(department, policy_15_13_7, WEEK), tm.approach)
    assert not any("after his leave" in note for note in notes)
    assert any("Tue 11-24" in note for note in notes), "the other days are still noted"
    assert not any("Thu 11-26" in note for note in notes)
    assert not any(" by 15:00" in note for note in notes)
