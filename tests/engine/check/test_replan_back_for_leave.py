"""The re-plan checker's routes rule for a part-day leave (SPEC §3: taken from the office):
the last visit to come before the leave leaves the ride back. The re-plan's routes rode
into the leave (tester seed 413: m08 back at 11:35 for a leave from 11:30) and the checker
said executable."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import _RouteJudge, _Stop
from engine.check.spec import ride
from engine.domain import Leave, Timetable
from engine.policy import Policy, parse_clock
from tests.strategies import WEEK, simple_department

TUESDAY = WEEK + dt.timedelta(days=1)


def test_a_visit_that_leaves_no_ride_back_before_the_leave_is_a_fault(policy_15_13_7: Policy) -> None:
    leave = Leave(manager="m01", date=TUESDAY, start=parse_clock("11:30"), end=parse_clock("13:00"))
    department = simple_department(2, (leave,))
    shop = department.territory("m01")[0]
    back = ride(policy_15_13_7, (shop.lat, shop.lon, shop.area),
                (department.office.lat, department.office.lon, "town"))[1]
    assert back > 2
    week = Timetable(department="d", policy="15-13-7", week_start=WEEK, status="feasible")
    judge = _RouteJudge(department, policy_15_13_7, week, week, dt.datetime.combine(WEEK, dt.time(8)), (), ())

    def faults(end: int) -> list[str]:
        stop = _Stop("m01", TUESDAY, shop.id, end - 20, end - 30, end)
        return [v.message for v in judge._back_for_leave({("m01", TUESDAY): [stop]})]

    assert faults(parse_clock("11:30") - back) == []
    (message,) = faults(parse_clock("11:30") - back + 5)
    assert "goes on leave at 11:30" in message and "from the office" in message
