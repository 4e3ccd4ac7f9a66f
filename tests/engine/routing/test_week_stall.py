"""The week's VRPTW of visit days stops once it has settled (`visit_days.WEEK_STALL_ITERATIONS`
solver iterations without a better week), not at its whole time limit; the day routes keep
their own stall (plan.DAY_ROUTE_STALL_ITERATIONS). Speed itself is measured in
benchmarks/RESULTS.md, not here."""

from __future__ import annotations

import engine.routing.visit_days as visit_days
from engine.routing.vrptw import stall_iterations
from tests.engine.routing.test_plan import _block, _department, _plan, _retailer, _timetable


def test_the_week_solve_runs_under_its_stall(policy_15_13_7, monkeypatch):
    seen: list[int | None] = []
    solve = visit_days.solve_day_problem

    def spy(*args, **kwargs):
        seen.append(stall_iterations())
        return solve(*args, **kwargs)

    monkeypatch.setattr(visit_days, "solve_day_problem", spy)
    department = _department([_retailer("R1", 1), _retailer("R2", 1.5)], policy_15_13_7)
    plan = _plan(department, policy_15_13_7, _timetable([_block("visit", 1, "09:00", "11:00")], policy_15_13_7))
    assert plan.routes[0].visits == 2
    assert seen and set(seen) == {visit_days.WEEK_STALL_ITERATIONS}
