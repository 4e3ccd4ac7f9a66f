"""Under a policy that takes lunch on the road inside the visit block (seed-003), a part-day
leave that cuts the block short of the lunch window left the day no lunch at all (tester's
d10_483: m08 away 11:00–12:00, his block 08:30–11:00, free from 12:00, no lunch; here away
11:00–13:30, so that the block before the leave is the longer one). Such a
day now gets a lunch of its own when the block does not hold it; the timetable checker asks
it on its own, and the route checker takes it as the day's lunch."""

from __future__ import annotations

import datetime as dt

from engine.check.routes import check_routes
from engine.check.timetable import check_timetable
from engine.domain import Block, Leave, Timetable
from engine.policy import Policy
from engine.routing.plan import plan_routes
from engine.timetable.model import build_variables
from engine.timetable.solve import SolveParams, solve_timetable
from tests.strategies import WEEK, simple_department

TUESDAY = WEEK + dt.timedelta(days=1)


def _department(start: int, end: int):
    leave = Leave(manager="m01", date=TUESDAY, start=start, end=end)
    return simple_department(2, (leave,)).model_copy(update={"policy": "seed-003"})


def _lunch(timetable: Timetable) -> list[Block]:
    return [b for b in timetable.blocks if (b.manager, b.kind, b.date) == ("m01", "lunch", TUESDAY)]


def test_a_block_cut_before_the_lunch_window_gets_a_lunch_apart(policy_seed_003: Policy):
    department = _department(11 * 60, 13 * 60 + 30)
    assert ("m01", 1) in build_variables(department, policy_seed_003, WEEK).lunches
    timetable = solve_timetable(department, policy_seed_003, WEEK,
                                SolveParams(time_limit_s=8, workers=2, stall_s=0.2)).timetable
    [visit] = [b for b in timetable.blocks if (b.manager, b.kind, b.date) == ("m01", "visit", TUESDAY)]
    assert visit.end <= 11 * 60
    [lunch] = _lunch(timetable)
    rules = policy_seed_003.lunch
    assert lunch.start >= 13 * 60 + 30 and lunch.end <= rules.latest_end and lunch.end - lunch.start == rules.minutes
    assert check_timetable(department, policy_seed_003, timetable) == []


def test_a_block_that_holds_the_lunch_gets_none_apart(policy_seed_003: Policy):
    """Away 12:00–13:00: the block 08:30–12:00 holds the lunch inside (the routes take it)."""
    department = _department(12 * 60, 13 * 60)
    timetable = solve_timetable(department, policy_seed_003, WEEK,
                                SolveParams(time_limit_s=8, workers=2, stall_s=0.2)).timetable
    assert _lunch(timetable) == []
    assert check_timetable(department, policy_seed_003, timetable) == []
    # Days without leave keep no lunch block of their own either.
    assert all(day == 1 for (_, day) in build_variables(department, policy_seed_003, WEEK).lunches)


def test_the_checker_asks_the_lunch_a_cut_block_leaves_out(policy_seed_003: Policy):
    department = _department(11 * 60, 13 * 60 + 30)
    timetable = solve_timetable(department, policy_seed_003, WEEK,
                                SolveParams(time_limit_s=8, workers=2, stall_s=0.2)).timetable
    without = timetable.model_copy(update={"blocks": tuple(b for b in timetable.blocks if b not in _lunch(timetable))})
    assert any(v.rule == "lunch" and "no lunch" in v.message for v in check_timetable(department, policy_seed_003,
                                                                                      without))
    # A lunch apart on a day whose block holds one is still a separate lunch the policy refuses.
    holds = _department(12 * 60, 13 * 60)
    week = solve_timetable(holds, policy_seed_003, WEEK, SolveParams(time_limit_s=8, workers=2, stall_s=0.2)).timetable
    extra = Block(manager="m01", date=TUESDAY, kind="lunch", start=13 * 60, end=13 * 60 + 30)
    faults = check_timetable(holds, policy_seed_003, week.model_copy(update={"blocks": (*week.blocks, extra)}))
    assert any(v.rule == "lunch" and "separate lunch" in v.message for v in faults)


def test_the_routes_take_the_lunch_apart_and_pass_their_checker(policy_seed_003: Policy):
    department = _department(11 * 60, 13 * 60 + 30)
    timetable = solve_timetable(department, policy_seed_003, WEEK,
                                SolveParams(time_limit_s=8, workers=2, stall_s=0.2)).timetable
    plan = plan_routes(department, policy_seed_003, timetable, WEEK, time_limit_s=2)
    [lunch] = _lunch(timetable)
    [route] = [r for r in plan.routes if (r.manager, r.date) == ("m01", TUESDAY)]
    assert (route.lunch_start, route.lunch_end) in ((None, None), (lunch.start, lunch.end))
    check = check_routes(plan, department, policy_seed_003, timetable)
    assert [v for v in check.violations if v.rule == "lunch"] == []
