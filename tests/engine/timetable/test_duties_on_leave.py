"""A manager on leave all week carries no specialist duty: it goes to a present manager
with the skill, or is reported unfilled saying who is away (SPEC §2: duties are done in
admin time, which such a manager has none of)."""

from __future__ import annotations

import datetime as dt

from engine.domain import Leave
from engine.timetable.duties import on_leave_all_week, staff_duties
from engine.timetable.week import build_week
from tests.strategies import simple_department

MONDAY = dt.date(2026, 11, 23)


def _department(skills: dict[str, tuple[str, ...]], away: tuple[str, ...] = ()):
    leave = tuple(Leave(manager=m, date=MONDAY + dt.timedelta(days=d)) for m in away for d in range(5))
    department = simple_department(4, leave=leave)
    managers = tuple(m.model_copy(update={"skills": skills.get(m.id, ())}) for m in department.managers)
    return department.model_copy(update={"managers": managers})


def test_only_a_manager_on_leave_every_working_day_is_away_all_week(policy_15_13_7):
    department = _department({}, away=("m02",))
    department = department.model_copy(update={"leave": department.leave[:-1]})  # m02 in on Friday
    assert on_leave_all_week(build_week(department, policy_15_13_7, MONDAY)) == frozenset()
    department = _department({}, away=("m02",))
    assert on_leave_all_week(build_week(department, policy_15_13_7, MONDAY)) == {"m02"}


def test_a_duty_passes_over_a_manager_on_leave_all_week(policy_15_13_7):
    """m01 (12 years) is the most senior with 'showcase' but away: m02 and m03 take it,
    and the most-senior fallback also skips him."""
    department = _department({"m01": ("showcase", "it"), "m02": ("showcase",), "m03": ("showcase",)},
                             away=("m01",))
    away = on_leave_all_week(build_week(department, policy_15_13_7, MONDAY))
    duties, gaps = staff_duties(department, policy_15_13_7, away)
    assert "m01" not in {d.manager for d in duties}
    assert sorted(d.manager for d in duties if d.duty == "image_showcase") == ["m02", "m03"]
    assert [(g.duty, g.managers_assigned) for g in gaps] == [("terminal_devices", 0)]
    assert "every manager with the skill 'it' (m01) is on leave all week" in gaps[0].reason


def test_a_duty_short_because_of_leave_says_so(policy_15_13_7):
    department = _department({"m02": ("showcase",), "m03": ("showcase",), "m01": ("it",)}, away=("m02",))
    duties, gaps = staff_duties(department, policy_15_13_7, frozenset({"m02"}))
    assert [d.manager for d in duties if d.duty == "image_showcase"] == ["m03"]
    assert [(g.duty, g.managers_needed, g.managers_assigned) for g in gaps] == [("image_showcase", 2, 1)]
    assert "only 1 manager(s) present this week have the skill 'showcase' (m03)" in gaps[0].reason
    assert "m02 with the skill on leave all week" in gaps[0].reason
