"""Fixtures the re-plan tests share."""

from __future__ import annotations

import pytest

from engine.domain import Department, Timetable
from engine.policy import Policy
from engine.timetable.solve import SolveParams, solve_timetable
from tests.strategies import WEEK, simple_department


@pytest.fixture(scope="module")
def week(policy_15_13_7: Policy) -> tuple[Department, Timetable]:
    """Four managers in two pairs and their solved week (a module may define its own)."""
    department = simple_department(4)
    solved = solve_timetable(department, policy_15_13_7, WEEK, SolveParams(time_limit_s=5, workers=2))
    assert solved.status in ("optimal", "feasible")
    return department, solved.timetable
