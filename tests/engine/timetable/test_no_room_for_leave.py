"""A daily block a part-day leave leaves no room for is not owed (model.add_manager_blocks
builds none), but the manager is told: the week declares it short with the day, the
minutes and the leave (shortfalls.excused_day_shortfalls). No solve."""

from __future__ import annotations

import datetime as dt

from engine.domain import Leave
from engine.timetable.model import build_variables
from engine.timetable.shortfalls import excused_day_shortfalls
from tests.strategies import WEEK, simple_department

WEDNESDAY = WEEK + dt.timedelta(days=2)


def test_a_visit_block_the_leave_leaves_no_room_for_is_declared(policy_15_13_7):
    """m01 away 10:00–12:00 on Wednesday: the visit block fits no start around it (it was
    dropped with nothing said)."""
    department = simple_department(2, (Leave(manager="m01", date=WEDNESDAY, start=10 * 60, end=12 * 60),))
    tm = build_variables(department, policy_15_13_7, WEEK)
    assert not any(b.day == 2 for b in tm.blocks[("m01", "visit")])
    [declared] = excused_day_shortfalls(tm, [])
    minutes = (policy_15_13_7.kinds["visit"].per_day_minutes or {})["wed"]
    assert (declared.manager, declared.kind, declared.minutes_short, declared.sessions_short) == (
        "m01", "visit", minutes, 1)
    assert "Wed 11-25" in declared.reason and "10:00–12:00" in declared.reason
    assert declared.date == WEDNESDAY
    # Without proof of the search's week the words stay: the leave forces it on every week.
    assert excused_day_shortfalls(tm, [], proven=False) == [declared]


def test_a_leave_that_leaves_room_declares_nothing(policy_15_13_7):
    department = simple_department(2, (Leave(manager="m01", date=WEDNESDAY, start=16 * 60, end=17 * 60),))
    assert excused_day_shortfalls(build_variables(department, policy_15_13_7, WEEK), []) == []
