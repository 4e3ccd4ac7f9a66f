"""The timetable's grid on the terminal shows a part-day leave among the day's blocks and
names a day off in the labels' language (tester seed 386: a 12:00-13:30 leave was not
shown, and a whole-day leave printed the English "leave" on the Chinese screen)."""

from __future__ import annotations

import datetime as dt

from api.commands.console import console
from api.commands.timetable import render_week
from engine.domain import Block, Leave, ManagerRef, Timetable
from engine.policy import Policy, parse_clock

MONDAY = dt.date(2026, 11, 23)
TUESDAY = MONDAY + dt.timedelta(days=1)


def test_leave_is_shown_in_the_grid(policy_15_13_7: Policy) -> None:
    week = Timetable(department="d", policy="15-13-7", week_start=MONDAY, status="feasible",
                     managers=(ManagerRef(id="m01", name="甲"), ManagerRef(id="m02", name="乙")),
                     blocks=(Block(manager="m01", date=MONDAY, kind="visit", start=480, end=660),
                             Block(manager="m02", date=TUESDAY, kind="visit", start=480, end=660)))
    leave = (Leave(manager="m01", date=MONDAY, start=parse_clock("12:00"), end=parse_clock("13:30")),
             Leave(manager="m01", date=TUESDAY))
    with console.capture() as captured:
        render_week(week, policy_15_13_7, "zh", leave)
    text = captured.get()
    m01 = text.split("m02")[0]
    assert "12:00-13:30 请假" in m01
    assert "Tue 11-24 请假" in " ".join(m01.split())
    assert "leave" not in text
