"""Daily slots a part-day leave takes from a manager besides his own daily blocks: the
department meeting his leave overlaps (he is absent, model.add_attendance) and the daily
report session (`min_per_day`) his leave leaves no room for. Not owed, but each is
declared with the day, the minutes and the leave (shortfalls.excused_day_shortfalls; they
were dropped in silence). No solve: build_variables and a hand-typed meeting."""

from __future__ import annotations

import datetime as dt

from engine.domain import Block, Leave
from engine.timetable.model import build_variables
from engine.timetable.shortfalls import excused_day_shortfalls
from tests.strategies import WEEK, simple_department

TUESDAY = WEEK + dt.timedelta(days=1)
FRIDAY = WEEK + dt.timedelta(days=4)


def _meeting(manager: str, date: dt.date, start: int, end: int) -> Block:
    return Block(manager=manager, date=date, kind="meeting", start=start, end=end)


def test_a_meeting_the_leave_makes_him_miss_is_declared(policy_15_13_7):
    """15-13-7's Friday meeting (60 min, 15:00–17:30) held 15:00–16:00; m01 away 15:00–17:30."""
    department = simple_department(2, (Leave(manager="m01", date=FRIDAY, start=15 * 60, end=17 * 60 + 30),))
    tm = build_variables(department, policy_15_13_7, WEEK)
    held = [_meeting("m02", FRIDAY, 15 * 60, 16 * 60)]
    [declared] = [s for s in excused_day_shortfalls(tm, held) if s.kind == "meeting"]
    assert (declared.manager, declared.minutes_short, declared.sessions_short, declared.not_owed) == (
        "m01", 60, 1, True)
    assert all(words in declared.reason for words in ("Fri 11-27", "misses", "15:00–16:00", "15:00–17:30"))
    # At it (no leave in the way), nothing is declared.
    assert not [s for s in excused_day_shortfalls(tm, [*held, _meeting("m01", FRIDAY, 15 * 60, 16 * 60)])
                if s.kind == "meeting"]


def test_a_meeting_clear_of_the_leave_declares_nothing(policy_15_13_7):
    department = simple_department(2, (Leave(manager="m01", date=FRIDAY, start=16 * 60 + 30, end=17 * 60 + 30),))
    tm = build_variables(department, policy_15_13_7, WEEK)
    held = [_meeting(m, FRIDAY, 15 * 60, 16 * 60) for m in ("m01", "m02")]
    assert not [s for s in excused_day_shortfalls(tm, held) if s.kind == "meeting"]


def test_a_daily_report_session_the_leave_leaves_no_room_for_is_declared(policy_seed_003):
    """seed-003's office slot for the daily report (`min_per_day`, 15:00–17:30): m01 away
    13:00–17:30 on Tuesday."""
    department = simple_department(2, (Leave(manager="m01", date=TUESDAY, start=13 * 60, end=17 * 60 + 30),))
    tm = build_variables(department, policy_seed_003, WEEK)
    [declared] = [s for s in excused_day_shortfalls(tm, []) if s.kind == "admin"]
    shortest = tm.frame.managers["m01"].quotas["admin"].session_minutes_min
    assert (declared.manager, declared.minutes_short, declared.sessions_short, declared.not_owed) == (
        "m01", shortest, 1, True)
    assert "Tue 11-24" in declared.reason and "13:00–17:30" in declared.reason
