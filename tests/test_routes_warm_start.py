"""Next week's routes start from last week's (issue 6): the warm-started plan is judged
by the same independent checker, and a retailer due again keeps its weekday when the
start already fits."""

from __future__ import annotations

import datetime as dt

from engine.check.routes import check_routes
from engine.routing.plan import plan_routes
from engine.timetable.solve import SolveParams, solve_timetable
from tests.strategies import WEEK, simple_department


def test_next_week_from_last_weeks_routes_passes_the_checker(policy_15_13_7):
    """Routes of the next week started from this week's pass the independent checker and
    owe the same due list as a cold start (how they compare is measured in RESULTS.md)."""
    department = simple_department(2)
    next_week = WEEK + dt.timedelta(weeks=1)
    this_tt = solve_timetable(department, policy_15_13_7, WEEK, SolveParams(time_limit_s=4)).timetable
    next_tt = solve_timetable(department, policy_15_13_7, next_week, SolveParams(time_limit_s=4),
                              warm_start=this_tt).timetable
    last = plan_routes(department, policy_15_13_7, this_tt, WEEK, time_limit_s=4)
    warm = plan_routes(department, policy_15_13_7, next_tt, next_week, time_limit_s=4, previous=last)
    cold = plan_routes(department, policy_15_13_7, next_tt, next_week, time_limit_s=4)
    assert check_routes(warm, department, policy_15_13_7, next_tt).route_violations == ()
    assert warm.due_visits == cold.due_visits > 0


def test_a_start_that_fits_keeps_each_retailer_on_its_weekday(policy_15_13_7):
    """Planning the same week again from its own plan, with another seed and almost no
    time to search, keeps every visit on its day: the solver starts where the plan was."""
    department = simple_department(3)
    tt = solve_timetable(department, policy_15_13_7, WEEK, SolveParams(time_limit_s=4)).timetable
    first = plan_routes(department, policy_15_13_7, tt, WEEK, time_limit_s=3)
    warm = plan_routes(department, policy_15_13_7, tt, WEEK, time_limit_s=0.05, seed=1, previous=first)

    def days(plan):
        return {(r.manager, s.retailer): r.date for r in plan.routes for s in r.stops if s.kind == "visit"}

    assert days(warm) == days(first)
