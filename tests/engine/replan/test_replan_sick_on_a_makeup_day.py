"""A sickness reaching a make-up working day (调休, a Saturday worked for a holiday,
SPEC §5): the re-plan checker reads it as leave on that day too, as the re-plan does
(situation.py reads the department's calendar), so the sick manager owes nothing there."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import Sickness, check_replan, sick_leave
from engine.domain import CalendarDay
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

SATURDAY = MONDAY + dt.timedelta(days=5)


def test_a_sickness_to_the_week_s_end_covers_its_make_up_saturday() -> None:
    department = make_department(MANAGERS).model_copy(
        update={"calendar_days": (CalendarDay(date=SATURDAY, kind="workday"),)})
    wednesday_11 = dt.datetime.combine(MONDAY + dt.timedelta(days=2), dt.time(11, 0))
    leave = sick_leave(TEST_POLICY, week(), wednesday_11, [Sickness("m02", wednesday_11)], department)
    assert [(entry.date, entry.start) for entry in leave] == [(wednesday_11.date(), 11 * 60), (SATURDAY, None)]


def test_a_sickness_falling_on_the_make_up_saturday_is_leave_there() -> None:
    department = make_department(MANAGERS).model_copy(
        update={"calendar_days": (CalendarDay(date=SATURDAY, kind="workday"),)})
    saturday_11 = dt.datetime.combine(SATURDAY, dt.time(11, 0))
    leave = sick_leave(TEST_POLICY, week(), saturday_11, [Sickness("m02", saturday_11)], department)
    assert [(entry.date, entry.start) for entry in leave] == [(SATURDAY, 11 * 60)]


def test_the_re_plan_checker_owes_a_sick_manager_nothing_on_the_make_up_saturday() -> None:
    """The hand-typed week has no Saturday blocks: the others' faults there are not this
    test's; m02, off sick from Wednesday to the week's end, owes none."""
    department = make_department(MANAGERS).model_copy(
        update={"calendar_days": (CalendarDay(date=SATURDAY, kind="workday"),)})
    wednesday_17 = dt.datetime.combine(MONDAY + dt.timedelta(days=2), dt.time(17, 0))
    verdict = check_replan(department, TEST_POLICY, week(), week(), wednesday_17, [Sickness("m02", wednesday_17)])
    assert any(v.manager == "m01" and v.date == SATURDAY for v in verdict.violations)
    assert [v.message for v in verdict.violations if v.manager == "m02" and v.date == SATURDAY] == []
