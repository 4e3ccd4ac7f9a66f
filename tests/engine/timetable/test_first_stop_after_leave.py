"""A part-day leave that takes the start of a manager's day (a doctor's appointment 08:00–
10:00) moves his first stop and visit block on by as long as it keeps him, under the
policy's `route.later_first_stop_after_leave` (both bundled policies). Before, the first
stop by 09:30 left such a day no visit block at all: 180 min of visits "not owed" while he
was free from 10:00 to 15:00. The planner, the timetable checker, the scorer's and the route
checker's first-stop time agree; with the switch off the day keeps the old rule."""

from __future__ import annotations

import datetime as dt

from engine.capacity.figures import _available_by_day
from engine.check.spec import first_stop_deadline, late_start_for_leave
from engine.check.timetable import judge_timetable
from engine.domain import Block, Leave, Timetable
from engine.policy import Policy
from engine.routing.approach import back_from_leave, first_stop_time
from engine.routing.daily import field_days
from engine.routing.due import due_retailers
from engine.timetable.model import build_variables
from engine.timetable.solve import SolveParams, solve_timetable
from tests.engine.timetable.test_part_leave_fallback import two_of_seed_191
from tests.strategies import WEEK, simple_department

TUESDAY = WEEK + dt.timedelta(days=1)
MORNING = Leave(manager="m01", date=TUESDAY, start=8 * 60, end=10 * 60)


def _switched_off(policy: Policy) -> Policy:
    return policy.model_copy(update={"route": policy.route.model_copy(update={"later_first_stop_after_leave": False})})


def test_the_first_stop_moves_on_by_as_long_as_the_leave_keeps_him(policy_15_13_7):
    route = policy_15_13_7.route
    assert route.later_first_stop_after_leave
    back = back_from_leave(policy_15_13_7, "tue", 5, [(8 * 60, 10 * 60)])
    assert back == 10 * 60
    assert first_stop_time(policy_15_13_7, "tue", 5, back) == route.first_stop_by + 2 * 60
    # A leave that begins after the first stop is due moves nothing; nor does the switch off.
    assert back_from_leave(policy_15_13_7, "tue", 5, [(12 * 60, 13 * 60)]) is None
    assert back_from_leave(_switched_off(policy_15_13_7), "tue", 5, [(8 * 60, 10 * 60)]) is None
    # The checkers read the same rule from the department's leave, on their own.
    department = simple_department(2, (MORNING,))
    assert late_start_for_leave(policy_15_13_7, TUESDAY, department, "m01") == 2 * 60
    assert first_stop_deadline(policy_15_13_7, TUESDAY, department, "m01") == route.first_stop_by + 2 * 60
    assert first_stop_deadline(policy_15_13_7, TUESDAY, department, "m02") == route.first_stop_by


def test_after_a_morning_leave_the_block_fits_beside_the_leave_and_the_lunch(policy_15_13_7):
    """Back at 10:00 the whole 180 min would run into the lunch window (11:30–13:30): the
    block is as long as leaves a lunch 10 min (the field transfer) after it, 10:00–12:20
    (lunch 12:30–13:30), instead of no block."""
    tm = build_variables(simple_department(2, (MORNING,)), policy_15_13_7, WEEK)
    assert tm.back_from_leave == {("m01", 1): 10 * 60}
    assert tm.room_beside_leave == {("m01", "visit", 1): 140}
    off = build_variables(simple_department(2, (MORNING,)), _switched_off(policy_15_13_7), WEEK)
    assert off.room_beside_leave == {}
    assert not any(b.day == 1 for b in off.blocks[("m01", "visit")])


def test_a_short_morning_leave_keeps_the_whole_block_later(policy_15_13_7):
    """Away 08:00–09:00: the whole block fits from 09:00 (09:00–12:00, lunch 12:00–13:00)."""
    early = Leave(manager="m01", date=TUESDAY, start=8 * 60, end=9 * 60)
    tm = build_variables(simple_department(2, (early,)), policy_15_13_7, WEEK)
    assert tm.room_beside_leave == {}
    [block] = [b for b in tm.blocks[("m01", "visit")] if b.day == 1]
    assert block.size == 180 // tm.grid
    assert list(block.start.proto.domain)[-1] * tm.grid >= 9 * 60  # the usual latest start, 09:30, moved on


def test_the_solved_week_visits_after_the_leave_and_passes_the_checker(policy_15_13_7):
    department = simple_department(2, (MORNING,))
    result = solve_timetable(department, policy_15_13_7, WEEK, SolveParams(time_limit_s=5, workers=2))
    assert result.status in ("optimal", "feasible")
    [visit] = [b for b in result.timetable.blocks if (b.manager, b.kind, b.date) == ("m01", "visit", TUESDAY)]
    assert visit.start >= MORNING.end and visit.end - visit.start >= 140
    assert judge_timetable(department, policy_15_13_7, result.timetable).violations == []


def _week_with(visit_start: int, department, policy: Policy) -> Timetable:
    blocks = (Block(manager="m01", date=TUESDAY, kind="visit", start=visit_start, end=visit_start + 140),)
    return Timetable(department=department.name, policy=policy.name, week_start=WEEK, status="feasible",
                     blocks=blocks)


def test_the_checker_allows_the_later_start_only_after_such_a_leave(policy_15_13_7):
    """The timetable checker's window rule: a visit block from 10:00 is late on a day without
    leave, and in time after the 08:00–10:00 leave (the rest of the sketch week is faulted
    alike either way)."""
    with_leave = simple_department(2, (MORNING,))
    without = simple_department(2)

    def late_starts(department) -> list[str]:
        verdict = judge_timetable(department, policy_15_13_7, _week_with(10 * 60, department, policy_15_13_7))
        return [v.message for v in verdict.violations if "start by" in v.message and "m01" in v.message
                and v.date == TUESDAY]

    assert late_starts(without)
    assert late_starts(with_leave) == []


def test_the_routes_read_the_later_first_stop(policy_15_13_7):
    """The day's route is held to the first stop the leave moves (routing/daily.field_days),
    not to 09:30, which a block from 10:00 could never meet."""
    department = simple_department(2, (MORNING,))
    timetable = _week_with(10 * 60, department, policy_15_13_7)
    [day] = field_days(timetable, policy_15_13_7, "m01", approach=5, leave={TUESDAY: ((8 * 60, 10 * 60),)})
    assert day.first_stop_by == policy_15_13_7.route.first_stop_by + 2 * 60
    [usual] = field_days(timetable, policy_15_13_7, "m01", approach=5, leave={})
    assert usual.first_stop_by == policy_15_13_7.route.first_stop_by


def test_capacity_counts_the_block_after_the_leave(policy_15_13_7):
    """The capacity figures read the day's visit minutes from the same first stop: a block
    from 10:00 after the leave holds visits (it read 09:30, found no retailer reachable by
    then, and counted the day's minutes as none)."""
    department = simple_department(2, (MORNING,))
    timetable = _week_with(10 * 60, department, policy_15_13_7)
    [day] = field_days(timetable, policy_15_13_7, "m01", leave={TUESDAY: ((8 * 60, 10 * 60),)})
    assert day.first_stop_by == policy_15_13_7.route.first_stop_by + 2 * 60
    due = due_retailers(department, WEEK, "m01")
    assert due
    available = _available_by_day(department, timetable, policy_15_13_7, "m01", WEEK, due)
    assert available[TUESDAY] == 140


def test_a_leave_from_0930_that_leaves_no_block_before_it_moves_the_first_stop_too(policy_15_13_7):
    """Tester's d10_483c: a manager 54 min from his nearest retailer away Wed 09:30–10:00 had
    no block before the leave (not even the shortest worth planning fits 08:00–09:30) and,
    the leave beginning at 09:30, none after it: 180 min lost to half an hour, while a
    longer leave from 09:20 kept 140. The leave takes his morning all the same."""
    leave = Leave(manager="m04", date=WEEK + dt.timedelta(days=2), start=9 * 60 + 30, end=10 * 60)
    department = two_of_seed_191((leave,))
    tm = build_variables(department, policy_15_13_7, WEEK)
    assert tm.approach["m04"] >= 45
    assert tm.back_from_leave == {("m04", 2): 10 * 60}
    assert tm.room_beside_leave[("m04", "visit", 2)] >= 2 * tm.approach["m04"] + policy_15_13_7.route.min_service_min
    assert late_start_for_leave(policy_15_13_7, leave.date, department, "m04") == 2 * 60
    # A near manager's leave from 09:30 leaves him 90 min before it but more after it
    # (tester's d8_485 under seed-003: an empty 08:30–09:30 kept, 10:00–15:00 lost): the
    # block is as long as fits on either side, here after it.
    near = simple_department(2, (Leave(manager="m01", date=TUESDAY, start=9 * 60 + 30, end=10 * 60),))
    near_tm = build_variables(near, policy_15_13_7, WEEK)
    assert near_tm.back_from_leave == {("m01", 1): 10 * 60}
    assert near_tm.room_beside_leave == {("m01", "visit", 1): 140}
    assert late_start_for_leave(policy_15_13_7, TUESDAY, near, "m01") == 2 * 60
    # A leave late in the window leaves more before it: the usual first stop stays.
    late = simple_department(2, (Leave(manager="m01", date=TUESDAY, start=12 * 60, end=13 * 60),))
    assert build_variables(late, policy_15_13_7, WEEK).back_from_leave == {}
    assert late_start_for_leave(policy_15_13_7, TUESDAY, late, "m01") == 0
    timetable = solve_timetable(department, policy_15_13_7, WEEK,
                                SolveParams(time_limit_s=8, workers=2, stall_s=0.2)).timetable
    [visit] = [b for b in timetable.blocks if (b.manager, b.kind, b.date) == ("m04", "visit", leave.date)]
    assert visit.start >= leave.end
    assert judge_timetable(department, policy_15_13_7, timetable).violations == []


def test_under_seed_003_a_short_leave_at_0930_keeps_the_afternoon(policy_seed_003):
    """Tester's d8_485/d8_487: away 09:30–10:00, the 08:30–09:30 block before the leave held
    no visit (back at the office by 09:30) and 270 min were "not owed" while he was free
    10:00–15:00; now the block runs 10:00–15:00 (lunch inside)."""
    leave = Leave(manager="m01", date=TUESDAY, start=9 * 60 + 30, end=10 * 60)
    department = simple_department(2, (leave,)).model_copy(update={"policy": "seed-003"})
    tm = build_variables(department, policy_seed_003, WEEK)
    assert tm.room_beside_leave == {("m01", "visit", 1): 300}
    timetable = solve_timetable(department, policy_seed_003, WEEK,
                                SolveParams(time_limit_s=8, workers=2, stall_s=0.2)).timetable
    [visit] = [b for b in timetable.blocks if (b.manager, b.kind, b.date) == ("m01", "visit", TUESDAY)]
    assert (visit.start, visit.end) == (10 * 60, 15 * 60)
    assert judge_timetable(department, policy_seed_003, timetable).violations == []
