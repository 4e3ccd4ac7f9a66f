"""Tester C4 F3: an urgent visit asked after the working day's end on its deadline is
not made because no time is left, not because its manager is off; the checker says so."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import DeclaredNotMade, Urgent, UrgentReach, judge_urgent
from tests.engine.check.test_replan_checker import MANAGERS
from tests.engine.check.test_replan_urgent_no_neighbour import policy
from tests.engine.check.test_timetable_checker import MONDAY, make_department

TUESDAY = MONDAY + dt.timedelta(days=1)
ASKED = [Urgent("r-m02-4", TUESDAY)]
SAID = [DeclaredNotMade("r-m02-4", "m02", "NOT MADE: no visit time left after now")]


def test_no_time_left_after_now_is_not_read_as_the_manager_off() -> None:
    late_evening = dt.datetime.combine(TUESDAY, dt.time(19, 0))
    reach = UrgentReach.of(make_department(MANAGERS), policy(6), MONDAY, (), ())
    faults, late, not_made = judge_urgent(late_evening, ASKED, [], (), SAID, reach)
    assert faults == [] and late == []
    [shortfall] = not_made
    assert "sick or on leave" not in shortfall.message and " off" not in shortfall.message
    assert "at 19:00 no time is left" in shortfall.message
