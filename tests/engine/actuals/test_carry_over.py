"""Visits missed in earlier weeks roll into the week's routes (SPEC §3), and the
independent route checker holds the plan to them only when the caller says so."""

from __future__ import annotations

import pytest

from engine.check.routes import check_routes
from engine.routing.due import due_retailers
from engine.routing.plan import plan_routes
from engine.timetable.solve import SolveParams, solve_timetable
from tests.strategies import WEEK, simple_department


@pytest.fixture(scope="module")
def week(policy_15_13_7):
    """Two managers, their solved week, and one of m01's retailers not due this week."""
    department = simple_department(2)
    timetable = solve_timetable(department, policy_15_13_7, WEEK, SolveParams(time_limit_s=4)).timetable
    due = {d.retailer.id for d in due_retailers(department, WEEK)}
    not_due = next(r.id for r in department.territory("m01") if r.id not in due)
    return department, timetable, not_due


def test_a_carried_visit_is_planned_or_listed(week, policy_15_13_7):
    """A retailer not due this week but owed one visit from last week is visited once or
    listed unvisited with a reason, and the plan records what it carried."""
    department, timetable, not_due = week
    plan = plan_routes(department, policy_15_13_7, timetable, WEEK, time_limit_s=4,
                       carried={not_due: 1})
    visited = sum(1 for r in plan.routes for s in r.stops if s.retailer == not_due and s.kind == "visit")
    listed = sum(1 for u in plan.unvisited if u.retailer == not_due)
    assert visited + listed == 1
    assert plan.carried_over == {not_due: 1}
    assert check_routes(plan, department, policy_15_13_7, timetable,
                        carried={not_due: 1}).route_violations == ()


def test_the_checker_flags_a_carried_visit_it_was_not_told_about(week, policy_15_13_7):
    """Without the carry-over the checker sees a visit (or a listed miss) of a retailer
    that is not due: the due rule names it."""
    department, timetable, not_due = week
    plan = plan_routes(department, policy_15_13_7, timetable, WEEK, time_limit_s=4,
                       carried={not_due: 1})
    flagged = [v for v in check_routes(plan, department, policy_15_13_7, timetable).violations
               if v.rule == "due"]
    assert any(not_due in v.message for v in flagged)
