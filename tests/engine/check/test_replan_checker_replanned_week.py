"""A re-plan of a re-planned week: the first re-plan's `after` is the second's `before`,
and it already holds the part a manager worked of a block under way when he fell ill.
The checker judges that piece as the piece it is, as it did in the first re-plan (a
tester's D8 chain: m02's visit Wed 08:10-10:00, sick from 10:00, passed the first
re-plan and was "110 of 180" in the second)."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import Sickness, check_replan
from tests.engine.check.test_replan_checker import (
    MANAGERS,
    cut_at,
    off_tuesday_afternoon,
    replanned,
    week,
)
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

TUESDAY_1430 = dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(14, 30))
WEDNESDAY_10 = dt.datetime.combine(MONDAY + dt.timedelta(days=2), dt.time(10, 0))
SICK = [Sickness("m02", TUESDAY_1430, MONDAY + dt.timedelta(days=1))]


def _first_replan() -> dict:
    """m02 falls ill at 14:30 in his POS-project session (14:20-15:20): ten minutes of it stay."""
    return cut_at(replanned(week(), TUESDAY_1430, off_tuesday_afternoon), "m02", "pos_project", "14:20", "14:30")


def test_the_piece_an_earlier_re_plan_cut_is_judged_as_a_piece() -> None:
    """The second re-plan changes nothing and declares, as the re-plan does, the hours
    the first one's sickness took: no fault, the ten-minute piece included."""
    first = _first_replan()
    department = make_department(MANAGERS)
    assert check_replan(department, TEST_POLICY, week(), first, TUESDAY_1430, SICK).violations == []
    second = {**first, "shortfalls": [{"manager": "m02", "kind": "admin", "minutes_short": 50},
                                      {"manager": "m02", "kind": "pos_project", "minutes_short": 50}]}
    again = check_replan(department, TEST_POLICY, first, second, WEDNESDAY_10, SICK)
    assert again.violations == []


def test_a_short_past_block_not_ending_where_he_fell_ill_is_still_a_fault() -> None:
    """Only a piece ending where its manager's absence begins is read as cut: the same
    ten minutes of m01, who is not ill, break the session's length."""
    first = cut_at(_first_replan(), "m01", "pos_project", "14:20", "14:30")
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, first, first, WEDNESDAY_10, SICK)
    assert any(v.manager == "m01" and v.rule == "pos_project_households" and "10 min" in v.message
               for v in verdict.violations)
