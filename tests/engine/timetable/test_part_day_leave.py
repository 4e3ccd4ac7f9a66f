"""Leave that cuts a day short or takes the whole week, and a week of holidays: the blocks
that still fit are planned, nothing is owed where nothing is worked, and the arithmetic
checks (explain.check_capacity) never call such a week infeasible."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.check.timetable import check_timetable
from engine.domain import Leave
from engine.policy import parse_clock
from engine.timetable.explain import check_capacity
from engine.timetable.solve import SolveParams, solve_timetable
from engine.timetable.week import build_week
from tests.strategies import WEEK, simple_department

FAST = SolveParams(time_limit_s=3.0, workers=2)
THURSDAY, FRIDAY = WEEK + dt.timedelta(days=3), WEEK + dt.timedelta(days=4)
SPRING_FESTIVAL = dt.date(2026, 2, 16)  # every weekday a holiday in the CN calendar


def _afternoon_off(day: dt.date, start: str, manager: str = "m01") -> Leave:
    return Leave(manager=manager, date=day, start=parse_clock(start), end=parse_clock("17:30"))


@pytest.mark.parametrize("day, start", [(THURSDAY, "12:00"), (THURSDAY, "10:00"), (FRIDAY, "11:00"),
                                        (FRIDAY, "12:00")])
def test_a_day_cut_short_by_leave_passes_the_arithmetic_checks(policy_15_13_7, day, start):
    """The phone slot, lunch and the Friday meeting lie in the leave: only the blocks he
    still owes count against the part of the day he works (was: "do not fit")."""
    department = simple_department(2, leave=(_afternoon_off(day, start),))
    frame = build_week(department, policy_15_13_7, WEEK)
    assert check_capacity(department, policy_15_13_7, frame) == []


def test_a_manager_on_leave_all_week_owes_nothing(policy_15_13_7):
    """Five whole days of leave: no field work owed, the site study included (was: "needs
    1 h this week ... at most 0 h over 0 working days"), and he is not paired."""
    leave = tuple(Leave(manager="m03", date=WEEK + dt.timedelta(days=i)) for i in range(5))
    department = simple_department(3, leave=leave)
    frame = build_week(department, policy_15_13_7, WEEK)
    assert check_capacity(department, policy_15_13_7, frame) == []
    assert "m03" not in frame.paired_managers
    assert all(q.empty for q in frame.managers["m03"].quotas.values())


def test_a_morning_of_visits_up_to_a_leave_from_11(policy_15_13_7):
    """Leave from 11:00: the visit block 08:00-11:00 is owed and planned (it needs no ride
    on to a next field place before the leave), the afternoon's blocks are not; the
    independent checker accepts the week."""
    department = simple_department(2, leave=(_afternoon_off(THURSDAY, "11:00"),))
    tt = solve_timetable(department, policy_15_13_7, WEEK, FAST).timetable
    assert tt.status in ("optimal", "feasible"), tt.conflicts
    thursday = [b for b in tt.blocks if b.manager == "m01" and b.date == THURSDAY]
    assert [b.kind for b in thursday if b.kind == "visit"] == ["visit"]
    assert all(b.end <= parse_clock("11:00") for b in thursday)
    assert check_timetable(department, policy_15_13_7, tt) == []


def test_a_week_of_holidays_has_nothing_to_plan(policy_15_13_7):
    """No working day at all: an empty week, said plainly, not "infeasible"."""
    department = simple_department(2).model_copy(update={"public_calendar": "CN"})
    tt = solve_timetable(department, policy_15_13_7, SPRING_FESTIVAL, FAST).timetable
    assert tt.status == "optimal" and not tt.blocks
    assert any("no working day" in c.message for c in tt.conflicts)
    assert check_timetable(department, policy_15_13_7, tt) == []
