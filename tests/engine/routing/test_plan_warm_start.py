"""Next week's routes start from last week's (SPEC §3-4): the warm-started plan is judged
by the same independent checker, and a retailer due again keeps its weekday when the
start already fits."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.check.routes import check_routes
from engine.routing import visit_days
from engine.routing.daily import solve_day_problem
from engine.routing.plan import plan_routes
from engine.timetable.solve import SolveParams, solve_timetable
from tests.strategies import WEEK, simple_department


def test_next_week_starts_from_last_weeks_routes_and_passes_the_checker(policy_15_13_7, monkeypatch):
    """Each manager's visit-day solve of the next week starts from this week's routes:
    every retailer due again is seeded on the weekday it was visited (where the manager
    has a visit block that weekday), and the plan passes the independent checker."""
    department = simple_department(2)
    next_week = WEEK + dt.timedelta(weeks=1)
    this_tt = solve_timetable(department, policy_15_13_7, WEEK, SolveParams(time_limit_s=4)).timetable
    next_tt = solve_timetable(department, policy_15_13_7, next_week, SolveParams(time_limit_s=4),
                              warm_start=this_tt).timetable
    last = plan_routes(department, policy_15_13_7, this_tt, WEEK, time_limit_s=2)
    starts: dict[str, set[tuple[str, int]]] = {}
    offered: dict[str, set[tuple[str, int]]] = {}

    def spy(stated, *, initial=None, **kwargs):
        manager = stated.days[0].manager
        weekdays = [day.date.weekday() for day in stated.days]
        starts[manager] = {(stated.clients[c], weekdays[d]) for d, clients in (initial or {}).items()
                           for c in clients}
        offered[manager] = {(r, weekdays[d]) for d in range(len(weekdays)) for r in stated.clients}
        return solve_day_problem(stated, initial=initial, **kwargs)

    monkeypatch.setattr(visit_days, "solve_day_problem", spy)
    warm = plan_routes(department, policy_15_13_7, next_tt, next_week, time_limit_s=2, previous=last)
    assert set(starts) == {m.id for m in department.managers}
    for manager, seeded in starts.items():
        visited_last_week = {(s.retailer, r.date.weekday()) for r in last.routes if r.manager == manager
                             for s in r.stops if s.kind == "visit"}
        assert seeded, manager
        assert seeded == visited_last_week & offered[manager]
    assert check_routes(warm, department, policy_15_13_7, next_tt).route_violations == ()


@pytest.mark.bench  # plans a week of routes twice (6.6 s): opt-in
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
