"""A department meeting a manager's part-day leave makes him miss, and a daily report
session (`min_per_day`) it leaves no room for, are not owed, but the week's plan must
say so: the checker accepts them missing only when declared `not_owed` (they were excused
in silence), and faults a declaration with nothing missing. On the hand-typed test week."""

from __future__ import annotations

import datetime as dt
import tomllib

from engine.check.timetable import check_timetable
from engine.domain import HoursShortfall
from engine.policy import policy_from_mapping
from tests.engine.check.test_timetable_checker import (
    TEST_POLICY,
    TEST_POLICY_TOML,
    build_week,
    find,
    make_department,
    on,
)

MEETING_LEAVE = [{"manager": "m02", "date": on("mon"), "start": "08:00", "end": "08:50"}]


def _without_m02_monday_meeting(claims: list[HoursShortfall]) -> dict:
    plan = build_week()
    plan["blocks"].remove(find(plan, "m02", "meeting", "mon"))
    for manager in ("m01", "m03"):
        find(plan, manager, "meeting", "mon")["with"] = sorted({"m01", "m03"} - {manager})
    plan["shortfalls"] = [c.model_dump() for c in claims]
    return plan


def _missed(manager: str, kind: str, minutes: int) -> HoursShortfall:
    return HoursShortfall(manager=manager, kind=kind, minutes_short=minutes, sessions_short=1, not_owed=True,
                          reason="his leave takes it")


def test_an_undeclared_meeting_missed_for_leave_is_a_fault():
    [fault] = check_timetable(make_department(leave=MEETING_LEAVE), TEST_POLICY, _without_m02_monday_meeting([]))
    assert (fault.rule, fault.manager, fault.date) == ("meetings_together", "m02", dt.date.fromisoformat(on("mon")))
    assert "must declare" in fault.message


def test_a_declared_meeting_missed_for_leave_is_no_fault():
    plan = _without_m02_monday_meeting([_missed("m02", "meeting", 30)])
    assert check_timetable(make_department(leave=MEETING_LEAVE), TEST_POLICY, plan) == []


def test_a_declared_meeting_with_nothing_missed_is_a_false_claim():
    plan = build_week()
    plan["shortfalls"] = [_missed("m02", "meeting", 30).model_dump()]
    [fault] = check_timetable(make_department(), TEST_POLICY, plan)
    assert (fault.rule, fault.manager) == ("meetings_together", "m02")


# Office work owed every working day from 16:30 (a daily report slot): m01's Wednesday
# leave 16:30-17:30 leaves him no room (his 120 min fall on Mon and Tue; the others' 30
# min of it on Wednesday, after the site study).
REPORT_POLICY = policy_from_mapping(tomllib.loads(TEST_POLICY_TOML.replace(
    'total_minutes = 120\nearliest_start = "08:00"\nlatest_end = "17:30"',
    'total_minutes = 120\nmin_per_day = 1\nearliest_start = "16:30"\nlatest_end = "17:30"')), "test policy")
REPORT_LEAVE = [{"manager": "m01", "date": on("wed"), "start": "16:30", "end": "17:30"}]


def _daily_report_week(claims: list[HoursShortfall]) -> dict:
    plan = build_week()
    for manager in ("m01", "m02", "m03"):
        find(plan, manager, "admin", "mon").update(start="16:30", end="17:30")
        find(plan, manager, "admin", "tue").update(start="16:30", end="17:30" if manager == "m01" else "17:00")
    for manager in ("m02", "m03"):
        plan["blocks"].append({**find(plan, manager, "admin", "tue"), "date": on("wed"), "start": "16:40",
                               "end": "17:10"})
    plan["shortfalls"] = [c.model_dump() for c in claims]
    return plan


def test_an_undeclared_daily_report_session_the_leave_leaves_no_room_for_is_a_fault():
    assert REPORT_POLICY.kinds["admin"].min_per_day == 1
    [fault] = check_timetable(make_department(leave=REPORT_LEAVE), REPORT_POLICY, _daily_report_week([]))
    assert (fault.rule, fault.manager, fault.date) == ("admin_time", "m01", dt.date.fromisoformat(on("wed")))


def test_a_declared_daily_report_session_the_leave_leaves_no_room_for_is_no_fault():
    plan = _daily_report_week([_missed("m01", "admin", 30)])
    assert check_timetable(make_department(leave=REPORT_LEAVE), REPORT_POLICY, plan) == []
