"""The department's weekly site study (a department kind without `per_day_minutes`) a
manager misses because his part-day leave overlaps it is not owed, but declared with the
day, the slot and the leave, as the daily meeting is (shortfalls.missed_for_leave read
the daily kinds alone: the tester's d11_452 week told nobody of m09's site study, missed
for his Tuesday leave 13:30–17:30). No solve: build_variables and hand-typed slots."""

from __future__ import annotations

import datetime as dt

from engine.domain import Block, Leave
from engine.policy import parse_clock
from engine.timetable.model import build_variables
from engine.timetable.shortfalls import excused_day_shortfalls
from tests.strategies import WEEK, simple_department

TUESDAY = WEEK + dt.timedelta(days=1)


def _site_study(manager: str, start: str, end: str) -> Block:
    return Block(manager=manager, date=TUESDAY, kind="site_study", start=parse_clock(start), end=parse_clock(end))


def _declared(policy, leave_start: str, held: list[Block]) -> list:
    department = simple_department(3, (Leave(manager="m01", date=TUESDAY, start=parse_clock(leave_start),
                                             end=parse_clock("17:30")),))
    tm = build_variables(department, policy, WEEK)
    return [s for s in excused_day_shortfalls(tm, held) if s.kind == "site_study"]


def test_a_site_study_the_leave_makes_him_miss_is_declared_not_owed(policy_15_13_7):
    """15-13-7's site study (one 60-min session a week) held Tue 15:20–16:20 by m02, m03;
    m01 away 13:30–17:30 that day."""
    rule = policy_15_13_7.kinds["site_study"]
    assert rule.group == "department" and rule.per_day_minutes is None
    held = [_site_study(m, "15:20", "16:20") for m in ("m02", "m03")]
    [declared] = _declared(policy_15_13_7, "13:30", held)
    assert (declared.manager, declared.minutes_short, declared.sessions_short, declared.not_owed, declared.date) == (
        "m01", 60, 1, True, TUESDAY)
    assert all(words in declared.reason for words in ("Tue 11-24", "misses", "site study", "15:20–16:20",
                                                      "13:30–17:30", "not owed"))


def test_a_site_study_clear_of_the_leave_declares_nothing(policy_15_13_7):
    """Away from 16:30, after the study: he attends it, nothing is declared."""
    held = [_site_study(m, "15:20", "16:20") for m in ("m01", "m02", "m03")]
    assert _declared(policy_15_13_7, "16:30", held) == []
