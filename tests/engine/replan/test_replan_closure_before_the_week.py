"""Tester C4 F4: at a `now` before the week (Sunday), a closure without a date is the
day of now, outside the week: refused with its row and field, as a dated one is."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.domain import Timetable
from engine.errors import InputError
from engine.replan import read_events
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

SUNDAY_BEFORE = dt.datetime.combine(MONDAY - dt.timedelta(days=1), dt.time(10, 0))


def test_an_undated_closure_at_a_now_before_the_week_is_refused() -> None:
    events = read_events([{"type": "urgent_visit", "retailer": "r-m01-1"},
                          {"type": "retailer_closed", "retailer": "r-m02-1"}])
    with pytest.raises(InputError) as caught:
        situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), SUNDAY_BEFORE,
                     events)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (2, "date")
    assert "not given: the day of now" in problem.message and "not in the week" in problem.message
