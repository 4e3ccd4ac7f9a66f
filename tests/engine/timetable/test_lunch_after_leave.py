"""Lunch on a day of part-day leave (SPEC §3, lunch every working day): owed whenever the
leave leaves it room in the lunch window. It was optional as soon as a leave touched the
window, so a manager back from a leave at 12:00 worked to 17:30 with no lunch (tester seed
323: two such days, both with room for it)."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.check.timetable import check_timetable
from engine.domain import Leave
from engine.policy import Policy, load_policy, parse_clock
from engine.timetable.solve import SolveParams, solve_timetable
from engine.timetable.week import build_week
from tests.strategies import WEEK, simple_department

WEDNESDAY = WEEK + dt.timedelta(days=2)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy("15-13-7")


def _leave(start: str, end: str) -> Leave:
    return Leave(manager="m01", date=WEDNESDAY, start=parse_clock(start), end=parse_clock(end))


@pytest.mark.parametrize("start, end, owed", [
    ("10:00", "12:00", True),   # 12:00-13:00 is free
    ("08:00", "12:30", True),   # 12:30-13:30, the window's last hour
    ("11:00", "13:00", False),  # 13:00-14:00 would end after the window
    ("12:00", "17:30", False),  # 11:30-12:30 would touch the leave
    ("14:00", "17:30", True),   # the leave is after the window
])
def test_lunch_is_owed_where_the_leave_leaves_it_room(policy: Policy, start: str, end: str, owed: bool) -> None:
    assert (policy.lunch.earliest, policy.lunch.latest_end, policy.lunch.minutes) == (
        parse_clock("11:30"), parse_clock("13:30"), 60)
    frame = build_week(simple_department(2, leave=(_leave(start, end),)), policy, WEEK)
    assert frame.managers["m01"].owes_lunch(2, policy.lunch, policy.grid_minutes) is owed


def test_back_from_leave_at_noon_the_week_has_lunch_and_the_checker_asks_it(policy: Policy) -> None:
    department = simple_department(2, leave=(_leave("10:00", "12:00"),))
    timetable = solve_timetable(department, policy, WEEK, SolveParams(time_limit_s=5, workers=2, stall_s=0.5)).timetable
    assert timetable.status in ("optimal", "feasible")
    wednesday = [b for b in timetable.blocks if b.manager == "m01" and b.date == WEDNESDAY]
    (lunch,) = [b for b in wednesday if b.kind == "lunch"]
    assert lunch.start >= parse_clock("12:00")
    assert check_timetable(department, policy, timetable) == []
    week = timetable.to_json_dict()
    week["blocks"] = [b for b in week["blocks"]
                      if not (b["manager"] == "m01" and b["date"] == WEDNESDAY.isoformat() and b["kind"] == "lunch")]
    assert [v.rule for v in check_timetable(department, policy, week)] == ["lunch"]
