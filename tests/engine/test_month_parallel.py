"""The month and the week's routes solved in parallel (SPEC §3): managers planned in a
process pool give plans the independent checkers accept, in the department's order; the
month's first day assignment (greedy) keeps every rule the CP-SAT model states; a route
search asked to stop on a stall stops early but still returns its best routes."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

import pytest

from engine.check.month import check_month
from engine.check.routes import check_routes
from engine.domain import Department, Timetable
from engine.month import (
    MonthParams,
    MonthPlan,
    _calendar_holidays,
    _day_budgets,
    _field_days_in,
    _greedy_days,
    _manager_days,
    _wanted_visits,
    focus_dates,
    month_due,
    plan_month,
    working_days,
)
from engine.policy import Policy
from engine.routing import plan as route_plan
from engine.routing.vrptw import solve, stop_when_stalled
from engine.timetable.solve import SolveParams, solve_timetable
from tests.engine.month_cases import CHRISTMAS, DECEMBER, FAST, MONDAYS, moved_weeks
from tests.engine.routing.test_vrptw import tiny_problem  # noqa: F401 (a fixture)
from tests.strategies import WEEK, simple_department


@pytest.fixture(scope="module")
def department() -> Department:
    """Three managers, eight retailers each; every fifth retailer volatile."""
    plain = simple_department(3)
    return plain.model_copy(update={"retailers": tuple(
        r.model_copy(update={"volatile": i % 5 == 0}) for i, r in enumerate(plain.retailers))})


@pytest.fixture(scope="module")
def week(department: Department, policy_15_13_7: Policy) -> Timetable:
    solved = solve_timetable(department, policy_15_13_7, WEEK, SolveParams(time_limit_s=3, workers=2)).timetable
    assert solved.blocks
    return solved


@pytest.fixture(scope="module")
def weeks(week: Timetable) -> dict[dt.date, Timetable]:
    """The solved week moved to every ISO week of December 2026."""
    return moved_weeks(week, MONDAYS)


@pytest.fixture(scope="module")
def pooled(department: Department, policy_15_13_7: Policy, weeks) -> MonthPlan:
    """December planned with two processes."""
    return plan_month(department, policy_15_13_7, *DECEMBER, {CHRISTMAS}, weeks,
                      MonthParams(**{**FAST.__dict__, "processes": 2}))


def test_a_month_planned_in_a_pool_passes_the_checker_in_the_departments_order(
        pooled: MonthPlan, department: Department, policy_15_13_7: Policy, weeks) -> None:
    """Each manager's month comes back whole and in the department's order, and the
    independent checker finds nothing wrong with the pooled plan."""
    assert pooled.routes and pooled.visits == sum(len(r.stops) for r in pooled.routes)
    order = list(dict.fromkeys(r.manager for r in pooled.routes))
    assert order == [m.id for m in department.managers]
    assert check_month(pooled, department, policy_15_13_7, {CHRISTMAS}, weeks) == []


def test_the_greedy_first_assignment_keeps_the_models_rules(department: Department, policy_15_13_7: Policy,
                                                            weeks) -> None:
    """Every visit the greedy start places is on a day of its own week the retailer fits,
    at most once a day, spaced by the retailer's gaps, and no day goes over its budget:
    a start the CP-SAT model accepts as it is."""
    holidays = {CHRISTMAS} | _calendar_holidays(department, policy_15_13_7, *DECEMBER)
    days = working_days(policy_15_13_7, *DECEMBER, holidays, department)
    focus = set(focus_dates(days, policy_15_13_7))
    due = month_due(department, policy_15_13_7, days, holidays)
    manager = department.managers[0].id
    mine, weeks_of = _wanted_visits(department, manager, [d for d in due if d.manager == manager])
    field = _field_days_in(department, weeks, policy_15_13_7, manager, days)
    dates = [d for d in days if d in field]
    plan = _manager_days(department, policy_15_13_7, manager, days, mine, weeks_of, field, dates, focus, 0)
    budget = _day_budgets(plan)
    chosen = _greedy_days(plan, budget)
    assert sum(map(len, chosen.values())) > 0
    load: Counter[int] = Counter()
    for r in plan.mine:
        days_of = chosen[r.id]
        assert len(days_of) == len(set(days_of)) <= plan.wants[r.id]
        assert set(days_of) <= set(plan.allowed[r.id])
        assert Counter(plan.week_of(i) for i in days_of) <= Counter(plan.weeks_of[r.id])
        gmin = plan.gaps[r.id][0]
        ordered = sorted(days_of)
        assert all(plan.slot[b] - plan.slot[a] >= gmin for a, b in itertools.pairwise(ordered))
        for i in days_of:
            load[i] += plan.cost[r.id]
    assert all(load[i] <= budget[i] for i in load)


def test_a_stalled_search_stops_early_with_its_best_routes(tiny_problem) -> None:  # noqa: F811
    """Asked to stop after a few iterations without improvement, PyVRP runs far fewer
    iterations than within its time limit, and still returns routes that hold."""
    whole = solve(tiny_problem, time_limit_s=0.3)
    with stop_when_stalled(5):
        stalled = solve(tiny_problem, time_limit_s=0.3)
    assert stalled.iterations is not None and whole.iterations is not None
    assert stalled.iterations < whole.iterations
    assert stalled.feasible and stalled.distance == whole.distance


def test_the_weeks_routes_planned_in_a_pool_pass_the_route_checker(
        department: Department, policy_15_13_7: Policy, week: Timetable,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With the pool forced on a small budget, every manager's routes come back in the
    department's order and the independent route checker finds no fault."""
    monkeypatch.setattr(route_plan, "POOL_PAYS_FROM_S", 0.0)
    plan = route_plan.plan_routes(department, policy_15_13_7, week, WEEK, time_limit_s=1.5, processes=2)
    assert plan.routes
    assert list(dict.fromkeys(r.manager for r in plan.routes)) == [m.id for m in department.managers]
    assert not check_routes(plan, department, policy_15_13_7, week).violations
