"""Part-day leave rows that take the whole working day are a whole day of leave, for the
planner (timetable/week.build_week) and the independent judges alike (engine/check,
engine/quality): nothing is planned that day, nothing is owed, nothing needs declaring.

Tester C2: `m03,2026-11-26,08:00,17:30` on a 08:00–17:30 day was a whole day to the planner
(it declared nothing) and a part-day leave to the checkers ("... but the plan must declare
it short", plan and score exit 1); the same with a row past the day (07:00–18:00), and two
rows 08:00–12:00 and 12:00–17:30 were part-day to both. One short solve per policy; the
weeks are judged against each way of writing the day's leave."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.check.spec import WHOLE_DAY, leave_spans
from engine.check.timetable import judge_timetable
from engine.domain import Department, Leave, Timetable
from engine.policy import Policy, parse_clock
from engine.quality import score_plan
from engine.timetable.solve import SolveParams, solve_timetable
from engine.timetable.week import build_week
from tests.strategies import WEEK, simple_department

THURSDAY = WEEK + dt.timedelta(days=3)
FAST = SolveParams(time_limit_s=10.0, workers=2, stall_s=0.5)


def _rows(*spans: tuple[str, str]) -> tuple[Leave, ...]:
    return tuple(Leave(manager="m01", date=THURSDAY, start=parse_clock(a), end=parse_clock(b)) for a, b in spans)


def _covering(policy: Policy) -> dict[str, tuple[Leave, ...]]:
    """The ways of writing m01's whole Thursday off as part-day rows, on the policy's day."""
    start, end = policy.day.start, policy.day.end
    return {
        "the working day": (Leave(manager="m01", date=THURSDAY, start=start, end=end),),
        "past the working day": (Leave(manager="m01", date=THURSDAY, start=start - 60, end=end + 30),),
        "two rows meeting at noon": (Leave(manager="m01", date=THURSDAY, start=start, end=12 * 60),
                                     Leave(manager="m01", date=THURSDAY, start=12 * 60, end=end)),
        "three rows overlapping": (Leave(manager="m01", date=THURSDAY, start=start - 30, end=10 * 60),
                                   Leave(manager="m01", date=THURSDAY, start=9 * 60, end=14 * 60),
                                   Leave(manager="m01", date=THURSDAY, start=13 * 60, end=end)),
    }


@pytest.fixture(scope="module")
def planned(request) -> dict[str, tuple[Policy, Timetable]]:
    """Per policy, the week planned for the department with m01's Thursday off as a
    whole-day row: what the planner plans for every way of writing it (the test above)."""
    weeks = {}
    for name in ("policy_15_13_7", "policy_seed_003"):
        policy = request.getfixturevalue(name)
        department = simple_department(2, (Leave(manager="m01", date=THURSDAY),))
        timetable = solve_timetable(department, policy, WEEK, FAST).timetable
        assert timetable.status in ("optimal", "feasible"), timetable.conflicts
        weeks[name] = (policy, timetable)
    return weeks


@pytest.mark.parametrize("policy_name", ["policy_15_13_7", "policy_seed_003"])
def test_the_planner_reads_rows_covering_the_day_as_a_whole_day(request, policy_name):
    policy = request.getfixturevalue(policy_name)
    for way, rows in _covering(policy).items():
        frame = build_week(simple_department(2, rows), policy, WEEK)
        day = next(d.index for d in frame.days if d.date == THURSDAY)
        m01 = frame.managers["m01"]
        assert day in m01.whole_day_leave and day not in m01.partial_leave, way


@pytest.mark.parametrize("policy_name", ["policy_15_13_7", "policy_seed_003"])
def test_a_week_planned_for_rows_covering_the_day_passes_the_checker_and_the_score(planned, policy_name):
    policy, timetable = planned[policy_name]
    assert not [b for b in timetable.blocks if b.manager == "m01" and b.date == THURSDAY]
    assert not [s for s in timetable.shortfalls if s.manager == "m01" and s.date == THURSDAY]
    for way, rows in _covering(policy).items():
        department = simple_department(2, rows)
        assert judge_timetable(department, policy, timetable).violations == [], way
        assert score_plan(timetable, department, policy).violations == [], way


def test_two_rows_meeting_at_noon_are_planned_as_a_day_off(policy_15_13_7):
    """The planner read each row alone (a part-day leave each), so the checker's verdict
    rested on how the two read the day: now both read a day off, declared nowhere."""
    department = simple_department(2, _covering(policy_15_13_7)["two rows meeting at noon"])
    timetable = solve_timetable(department, policy_15_13_7, WEEK, FAST).timetable
    assert timetable.status in ("optimal", "feasible"), timetable.conflicts
    assert not [b for b in timetable.blocks if b.manager == "m01" and b.date == THURSDAY]
    assert not [s for s in timetable.shortfalls if s.manager == "m01" and s.date == THURSDAY]
    assert judge_timetable(department, policy_15_13_7, timetable).violations == []
    assert score_plan(timetable, department, policy_15_13_7).violations == []


def test_a_leave_short_of_the_whole_day_still_needs_its_declaration(planned):
    """08:00–17:00 on a day to 17:30 leaves the day's last half hour: the blocks a plan
    leaves out for it are owed unless declared (the checker was right to ask there)."""
    policy, timetable = planned["policy_15_13_7"]
    department = simple_department(2, _rows(("08:00", "17:00")))
    faults = judge_timetable(department, policy, timetable).violations
    assert faults and all(f.manager == "m01" for f in faults)
    assert any("declare" in f.message for f in faults), [f.message for f in faults]


def test_leave_spans_with_the_policy_name_a_covered_day_whole(policy_15_13_7):
    """Clipped to the working day and merged: covered is `[WHOLE_DAY]`; a gap of 10 min
    anywhere keeps the rows as they are; without the policy the rows stay as written."""
    covered = simple_department(2, _rows(("07:00", "12:00"), ("11:00", "18:00")))
    gap = simple_department(2, _rows(("08:00", "12:00"), ("12:10", "17:30")))
    assert leave_spans(covered, policy_15_13_7)[("m01", THURSDAY)] == [WHOLE_DAY]
    assert leave_spans(gap, policy_15_13_7)[("m01", THURSDAY)] == [(480, 720), (730, 1050)]
    assert leave_spans(covered)[("m01", THURSDAY)] == [(420, 720), (660, 1080)]
    assert Department.away_all_day(covered, "m01", THURSDAY, 480, 1050)
    assert not Department.away_all_day(gap, "m01", THURSDAY, 480, 1050)
