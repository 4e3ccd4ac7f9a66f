"""A daily block a part-day leave leaves no room for is not owed, but the week's plan
must say so: the checker accepts it missing only when the plan declares it short (it was
excused in silence). On the hand-typed test week; no solve."""

from __future__ import annotations

import datetime as dt

from engine.check.timetable import judge_timetable
from engine.domain import HoursShortfall
from tests.engine.check.test_timetable_checker import (
    TEST_POLICY,
    build_week,
    find,
    make_department,
    on,
)

# m01's Wednesday visit (120 min, starting by 09:30) has no start clear of 09:00–10:00.
NO_ROOM_LEAVE = [{"manager": "m01", "date": on("wed"), "start": "09:00", "end": "10:00"}]


def _week_without_wednesday_visit(claims: list[HoursShortfall]) -> dict:
    plan = build_week()
    plan["blocks"].remove(find(plan, "m01", "visit", "wed"))
    plan["shortfalls"] = [c.model_dump() for c in claims]
    return plan


def test_an_undeclared_block_the_leave_leaves_no_room_for_is_a_fault():
    verdict = judge_timetable(make_department(leave=NO_ROOM_LEAVE), TEST_POLICY, _week_without_wednesday_visit([]))
    [fault] = verdict.violations
    assert (fault.rule, fault.manager, fault.date) == ("visit_daily", "m01", dt.date.fromisoformat(on("wed")))
    assert "no room" in fault.message


def test_a_declared_block_the_leave_leaves_no_room_for_is_a_deviation():
    claim = HoursShortfall(manager="m01", kind="visit", minutes_short=120, sessions_short=1,
                           reason="his leave 09:00–10:00 leaves no room")
    verdict = judge_timetable(make_department(leave=NO_ROOM_LEAVE), TEST_POLICY,
                              _week_without_wednesday_visit([claim]))
    assert verdict.violations == []
    [deviation] = verdict.deviations
    assert (deviation.manager, deviation.kind, deviation.lost) == ("m01", "visit", 120)
