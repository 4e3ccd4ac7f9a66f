"""A department meeting a manager misses for his leave costs the policy's `meeting_absence`
(SPEC §2: the whole department, same time), in the model and in the score alike: the
tester's dJ put the Friday review at 16:20–17:20 beside m01's leave from 17:00 with 15:00
open, and the absence cost nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.domain import Block, Leave
from engine.policy import parse_clock
from engine.quality import objective_terms, parse_timetable
from engine.timetable.solve import SolveParams, TimetableResult, solve_timetable
from tests.strategies import WEEK, simple_department

FRIDAY = WEEK + dt.timedelta(days=4)
LEAVE = (Leave(manager="m01", date=FRIDAY, start=parse_clock("16:30"), end=parse_clock("17:30")),)


def test_the_policy_prices_a_missed_meeting(policy_15_13_7):
    assert policy_15_13_7.objective.meeting_absence > 0


@pytest.fixture(scope="module")
def solved(policy_15_13_7) -> TimetableResult:
    """The two managers' week, m01 away Friday from 16:30 (one solve for the module)."""
    return solve_timetable(simple_department(2, LEAVE), policy_15_13_7, WEEK, SolveParams(time_limit_s=6, workers=2))


def test_the_friday_review_keeps_clear_of_a_leave_at_the_end_of_the_day(solved):
    result = solved
    assert result.status in ("optimal", "feasible")
    [review] = {(b.start, b.end) for b in result.timetable.blocks if b.kind == "meeting" and b.date == FRIDAY}
    assert review[1] <= parse_clock("16:30"), review
    assert not any(name.startswith("meeting_absence") for name in result.penalties)


def test_the_score_charges_a_meeting_missed_for_leave(policy_15_13_7, solved):
    """The same week by hand: the review at 16:30 with m02 alone costs one absence."""
    department = simple_department(2, LEAVE)
    week = solved.timetable
    held = [b for b in week.blocks if not (b.kind == "meeting" and b.date == FRIDAY)]
    late = Block(manager="m02", date=FRIDAY, kind="meeting", start=parse_clock("16:30"), end=parse_clock("17:30"))
    moved = week.model_copy(update={"blocks": (*held, late)})
    terms = objective_terms(parse_timetable(moved), department, policy_15_13_7)
    assert terms["meeting_absence"] == policy_15_13_7.objective.meeting_absence
    assert objective_terms(parse_timetable(week), department, policy_15_13_7)["meeting_absence"] == 0
