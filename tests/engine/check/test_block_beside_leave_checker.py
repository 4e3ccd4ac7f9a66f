"""A daily block a part-day leave leaves no room for whole may be planned shorter beside
the leave when the kind sets `shortest_beside_leave`: the checker accepts it when the
plan declares the minutes it lacks, and refuses one shorter than the setting, one
undeclared, and a short block where the leave leaves the whole block room. On the
hand-typed test week; no solve."""

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
from tests.engine.timetable.test_solve import edited

SHORTER = edited(TEST_POLICY, kinds={"visit": {"shortest_beside_leave": 40}})
# m01's Wednesday visit (120 min, starting by 09:30) has no start clear of 09:40–10:40; the
# department meeting is 08:00–08:20.
NO_ROOM_LEAVE = [{"manager": "m01", "date": on("wed"), "start": "09:40", "end": "10:40"}]
WEDNESDAY = dt.date.fromisoformat(on("wed"))


def _week_with_wednesday_visit(start: str, end: str, claims: list[HoursShortfall]) -> dict:
    plan = build_week()
    visit = find(plan, "m01", "visit", "wed")
    visit["start"], visit["end"] = start, end
    plan["shortfalls"] = [c.model_dump(mode="json") for c in claims]
    return plan


def _not_owed(minutes: int) -> HoursShortfall:
    return HoursShortfall(manager="m01", kind="visit", minutes_short=minutes, sessions_short=0, not_owed=True,
                          date=WEDNESDAY, reason="his leave 09:40–10:40 leaves room for at most 40 min")


def test_a_declared_shorter_block_beside_the_leave_is_a_deviation():
    verdict = judge_timetable(make_department(leave=NO_ROOM_LEAVE), SHORTER,
                              _week_with_wednesday_visit("08:40", "09:20", [_not_owed(80)]))
    assert verdict.violations == []
    [deviation] = verdict.deviations
    assert (deviation.manager, deviation.kind, deviation.lost) == ("m01", "visit", 80)
    assert "40 min kept" in deviation.message


def test_an_undeclared_shorter_block_is_a_fault():
    verdict = judge_timetable(make_department(leave=NO_ROOM_LEAVE), SHORTER,
                              _week_with_wednesday_visit("08:40", "09:20", []))
    assert [(v.rule, v.manager, v.date) for v in verdict.violations] == [("visit_daily", "m01", WEDNESDAY)]


def test_a_block_shorter_than_the_setting_is_a_fault():
    verdict = judge_timetable(make_department(leave=NO_ROOM_LEAVE), SHORTER,
                              _week_with_wednesday_visit("08:40", "09:10", [_not_owed(90)]))
    assert any(v.rule == "visit_daily" and "at least 40 min" in v.message for v in verdict.violations)


def test_a_shorter_block_where_the_whole_block_fits_is_a_fault():
    """A leave in the afternoon leaves the morning's visit room: 40 min is 80 short."""
    afternoon = [{"manager": "m01", "date": on("wed"), "start": "15:30", "end": "16:30"}]
    verdict = judge_timetable(make_department(leave=afternoon), SHORTER,
                              _week_with_wednesday_visit("08:40", "09:20", [_not_owed(80)]))
    assert any(v.rule == "visit_daily" and "the policy asks 120" in v.message for v in verdict.violations)


def test_without_the_setting_a_shorter_block_is_a_fault():
    verdict = judge_timetable(make_department(leave=NO_ROOM_LEAVE), TEST_POLICY,
                              _week_with_wednesday_visit("08:40", "09:20", [_not_owed(80)]))
    assert any(v.rule == "visit_daily" and v.date == WEDNESDAY for v in verdict.violations)
