"""A manager's week alone as a floor of the department's week (alone.py): the floors
never cut off a week the plain joint model accepts, so the optimum with them equals the
optimum without them; and a week planned by the solver keeps every floor it was given."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.check.timetable import check_timetable
from engine.domain import Leave
from engine.policy import Policy, load_policy
from engine.timetable.alone import add_shortfall_floors, shortfall_table
from engine.timetable.solve import SolveParams, solve_timetable
from tests.engine.timetable.short_weeks import MONDAY, department_north, joint_model, optimum


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy("15-13-7")


@pytest.mark.parametrize("north, leave", [
    ({"m1": 0.005, "m2": 0.25}, ()),
    # The three-manager case with leave proves its optimum twice (6 s): opt-in (pytest -m bench).
    pytest.param({"m1": 0.005, "m2": 0.17, "m3": 0.22}, (Leave(manager="m1", date=MONDAY + dt.timedelta(days=2)),),
                 marks=pytest.mark.bench),
])
def test_floors_keep_the_joint_optimum_and_hold_in_it(policy: Policy, north, leave) -> None:
    department = department_north(north, leave)
    plain, floored = joint_model(department, policy), joint_model(department, policy)
    table = shortfall_table(floored, 30.0, workers=2, solve_cap_s=15.0)
    assert add_shortfall_floors(floored, table) > 0, "the far manager's rides force hours short: he has a floor"
    plain_optimum, short = optimum(plain)
    floored_optimum, _ = optimum(floored)
    assert floored_optimum == plain_optimum
    for manager, slots in short.items():
        floors = [alone.proven for (m, _), alone in table.items() if m == manager]
        assert slots >= min(floors, default=0)


def test_a_week_solved_with_the_floors_passes_the_checker(policy: Policy) -> None:
    """With `forced_hours` the weekly solve adds the floors and prices pairs by them; its
    week still keeps every rule the independent checker reads, and only the far manager
    is short."""
    department = department_north({"m1": 0.005, "m2": 0.25})
    result = solve_timetable(department, policy, MONDAY,
                             SolveParams(time_limit_s=4, workers=2, forced_hours=True))
    assert result.status in ("optimal", "feasible")
    assert check_timetable(department, policy, result.timetable.to_json_dict()) == []
    short = {s.manager for s in result.timetable.shortfalls}
    assert "m2" in short
    if result.status == "optimal":  # a loaded machine may stop before the proof: m1 then may be short too
        assert short == {"m2"}
