"""The re-plan reads the department's part-day leave as the week's routes do: its days
carry the leave (no ride in it, back at the office by its start: the re-plan's routes rode
into it, tester seed 413), and a day a part-day leave left without a visit block is not
said to be "on leave" (tester seed 412: an urgent visit "not made", m04 "on leave on Tue,
Wed, Thu" for leaves of one to five hours)."""

from __future__ import annotations

import datetime as dt

from engine.domain import Leave, Timetable
from engine.policy import parse_clock
from engine.replan.handover import _Handover, _PlannedRoutes
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department
from tests.engine.replan.test_replan_ride_under_way import RULES

TUESDAY, WEDNESDAY = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)


def test_the_replan_days_carry_the_part_day_leave_and_say_it() -> None:
    leave = (Leave(manager="m01", date=TUESDAY, start=parse_clock("12:00"), end=parse_clock("13:00")),
             Leave(manager="m01", date=WEDNESDAY, start=parse_clock("08:00"), end=parse_clock("10:00")))
    department = make_department(MANAGERS).model_copy(update={"leave": leave})
    plan = week()
    plan["blocks"] = [b for b in plan["blocks"]
                      if not (b["manager"] == "m01" and b["date"] == WEDNESDAY.isoformat() and b["kind"] == "visit")]
    situation = situation_at(department, TEST_POLICY, Timetable.model_validate(plan),
                             dt.datetime.combine(TUESDAY, dt.time(8, 0)), [])
    handover = _Handover(situation, situation.timetable, RULES, _PlannedRoutes())
    assert handover.days["m01"][TUESDAY].leave == ((parse_clock("12:00"), parse_clock("13:00")),)
    words = handover._why_not_of("m01", "r-m01-1", [WEDNESDAY])
    assert "no visit block beside his part-day leave" in words and "on leave" not in words
