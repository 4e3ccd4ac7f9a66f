"""A daily block a part-day leave leaves no room for whole is planned as long as it fits
beside the leave when the kind sets `shortest_beside_leave` (the tester's seed-003 week:
a one-hour leave inside the 330-min visit window took the whole day's visits). What the
leave takes is declared not owed; what the week keeps less than what fits is declared
short; the solved week passes the independent checker."""

from __future__ import annotations

import datetime as dt

from engine.check.timetable import judge_timetable
from engine.domain import Block, Leave
from engine.timetable.model import Shortfall, build_variables
from engine.timetable.shortfalls import excused_day_shortfalls
from engine.timetable.solve import SolveParams, solve_timetable
from tests.strategies import WEEK, simple_department

WEDNESDAY = WEEK + dt.timedelta(days=2)
LEAVE = Leave(manager="m01", date=WEDNESDAY, start=10 * 60, end=11 * 60)


def _visit(start: int, end: int) -> Block:
    return Block(manager="m01", date=WEDNESDAY, kind="visit", start=start, end=end)


def test_the_visit_block_is_as_long_as_fits_before_the_leave(policy_15_13_7):
    """The 180-min block from 08:00 would end at 11:00, inside the 10:00–11:00 leave; 120
    min fit before it."""
    tm = build_variables(simple_department(2, (LEAVE,)), policy_15_13_7, WEEK)
    assert tm.room_beside_leave == {("m01", "visit", 2): 120}
    [block] = [b for b in tm.blocks[("m01", "visit")] if b.day == 2]
    assert not isinstance(block.size, int)
    domain = list(block.size.proto.domain)
    low, high = domain[0], domain[-1]
    # At least the policy's shortest, and the ride out to his nearest retailer, a visit
    # and the ride back.
    useful = max(policy_15_13_7.kinds["visit"].shortest_beside_leave,
                 2 * tm.approach["m01"] + policy_15_13_7.route.min_service_min)
    assert (low * tm.grid, high * tm.grid) == (-(-useful // tm.grid) * tm.grid, 120)


def test_no_shorter_block_that_could_hold_no_visit(policy_15_13_7):
    """Away 09:00–14:00: the hour before the leave, and the hour after it to 15:00, are the
    policy's shortest, but m01's ride to his nearest retailer and back with one visit takes
    longer (tester's d6b: an 80-min block for a 37-min ride each way held no visit)."""
    leave = Leave(manager="m01", date=WEDNESDAY, start=9 * 60, end=14 * 60)
    tm = build_variables(simple_department(2, (leave,)), policy_15_13_7, WEEK)
    assert 2 * tm.approach["m01"] + policy_15_13_7.route.min_service_min > 60
    assert tm.room_beside_leave == {}
    assert not any(b.day == 2 for b in tm.blocks[("m01", "visit")])


def test_no_shorter_block_when_less_than_the_shortest_fits(policy_15_13_7):
    """Away 08:30–14:10: 30 min before the leave, and 50 after it to 15:00, are less than
    the policy's shortest."""
    leave = Leave(manager="m01", date=WEDNESDAY, start=8 * 60 + 30, end=14 * 60 + 10)
    tm = build_variables(simple_department(2, (leave,)), policy_15_13_7, WEEK)
    assert tm.room_beside_leave == {}
    assert not any(b.day == 2 for b in tm.blocks[("m01", "visit")])


def test_the_leave_s_part_is_not_owed_and_the_rest_is_short(policy_15_13_7):
    tm = build_variables(simple_department(2, (LEAVE,)), policy_15_13_7, WEEK)
    [not_owed] = excused_day_shortfalls(tm, [_visit(8 * 60, 10 * 60)])
    assert (not_owed.not_owed, not_owed.minutes_short, not_owed.date) == (True, 60, WEDNESDAY)
    assert "at most 120 of the 180-min" in not_owed.reason
    not_owed_again, short = excused_day_shortfalls(tm, [_visit(8 * 60, 9 * 60 + 20)])
    assert not_owed_again == not_owed
    assert (short.not_owed, short.minutes_short, short.sessions_short) == (False, 40, 0)
    [_, missing] = excused_day_shortfalls(tm, [])
    assert (missing.minutes_short, missing.sessions_short) == (120, 1)


def test_the_solved_week_keeps_visits_beside_the_leave_and_passes_the_checker(policy_15_13_7):
    department = simple_department(2, (LEAVE,))
    result = solve_timetable(department, policy_15_13_7, WEEK, SolveParams(time_limit_s=5, workers=2))
    assert result.status in ("optimal", "feasible")
    [visit] = [b for b in result.timetable.blocks if (b.manager, b.kind, b.date) == ("m01", "visit", WEDNESDAY)]
    assert visit.end <= LEAVE.start and visit.end - visit.start >= 60
    verdict = judge_timetable(department, policy_15_13_7, result.timetable)
    assert verdict.violations == []
    assert any(s.manager == "m01" and s.kind == "visit" and s.date == WEDNESDAY and s.not_owed
               for s in result.timetable.shortfalls)


def test_what_fits_beside_a_monday_leave_leaves_out_the_monday_meeting(policy_15_13_7):
    """Tester's d10: the Monday meeting holds 08:00–08:40, so a leave from 10:00 leaves 80
    min before it, not 120 (the plan declared 40 of them short, "more time may find a week
    that keeps it", where no week could)."""
    monday = Leave(manager="m01", date=WEEK, start=10 * 60, end=11 * 60)
    tm = build_variables(simple_department(2, (monday,)), policy_15_13_7, WEEK)
    _, meeting_end = policy_15_13_7.kinds["meeting"].window("mon")
    assert tm.room_beside_leave == {("m01", "visit", 0): 10 * 60 - meeting_end}


def test_a_day_the_week_excuses_is_declared_once(policy_15_13_7):
    """Tester's d8: a day of part-day leave the week excuses (solve._excused_retry) lost its
    block beside the leave, and the whole day's 180 min were declared short besides."""
    tm = build_variables(simple_department(2, (LEAVE,)), policy_15_13_7, WEEK)
    tm.shortfall = Shortfall(per_slot=1, excused_days=frozenset({("m01", 2)}))
    lines = [s for s in excused_day_shortfalls(tm, []) if s.kind == "visit"]
    assert sorted((s.not_owed, s.minutes_short) for s in lines) == [(False, 120), (True, 60)]
