"""The one time budget (engine/budget.py): how a timetable limit, a route limit or one
limit for both is shared between the planners."""

from __future__ import annotations

import pytest

from engine.budget import (
    EXPLAIN_S,
    RouteBudget,
    TimetableBudget,
    shared_time_budget,
    time_budget,
)
from engine.timetable.solve import SolveParams


def test_timetable_shares_stay_within_the_limit() -> None:
    """The first week, its completion and the joint solve never ask for more than the limit
    (the joint solve gets what is left), and the explanation comes on top of it."""
    budget = TimetableBudget(10.0)
    assert budget.first_week_s == pytest.approx(6.0)
    assert budget.first_week_deadline_s(1.0) == pytest.approx(9.0)
    spent = 6.5
    assert spent + budget.first_week_hint_s(spent) <= budget.limit_s
    assert budget.joint_s(8.0) == pytest.approx(2.0)
    assert budget.joint_s(12.0) > 0  # over the limit already: a token of time, never negative
    assert budget.warm_start_hint_s == pytest.approx(2.5)
    assert budget.explain_s == EXPLAIN_S


def test_route_limit_is_shared_between_managers_then_week_and_days() -> None:
    """Each manager gets an equal part; within it the visit days and the day routes add up to it."""
    routes = RouteBudget(30.0)
    assert routes.per_manager_s(3) == pytest.approx(10.0)
    assert routes.visit_days_s(3) + 5 * routes.day_route_s(3, 5) == pytest.approx(10.0)
    assert routes.per_manager_s(0) == pytest.approx(30.0)


def test_one_limit_for_timetable_and_routes_is_split_once() -> None:
    """A shared limit gives the timetable half (at least a second) and the routes the rest."""
    shared = shared_time_budget(30.0)
    assert shared.timetable.limit_s + shared.routes.limit_s == pytest.approx(30.0)
    assert shared_time_budget(1.0).timetable.limit_s == pytest.approx(1.0)


def test_separate_limits_are_kept_as_given() -> None:
    """`--time-limit` and `--route-time-limit` each keep their own seconds; no routes, no route budget."""
    budget = time_budget(10.0, 30.0, explain_s=5.0)
    assert budget.timetable == TimetableBudget(10.0, 5.0)
    assert budget.routes == RouteBudget(30.0)
    assert time_budget(10.0).routes is None


def test_solve_params_carry_the_budget_both_ways() -> None:
    """SolveParams built from a budget give the same budget back (what solve_timetable uses)."""
    budget = TimetableBudget(7.0, 3.0)
    assert SolveParams.within(budget, workers=2).budget == budget
    assert SolveParams(time_limit_s=7.0).budget == TimetableBudget(7.0)


def test_a_limit_must_be_positive() -> None:
    """A zero or negative limit is refused where the budget is made, not deep in a solver."""
    with pytest.raises(ValueError, match="positive"):
        TimetableBudget(0.0)
