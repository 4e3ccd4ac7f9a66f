"""A manager's week alone as a floor of the department's week (alone.py): the floors
never cut off a week the plain joint model accepts, so the optimum with them equals the
optimum without them; and a week planned by the solver keeps every floor it was given."""

from __future__ import annotations

import datetime as dt

import pytest
from ortools.sat.python import cp_model

from engine.check.timetable import check_timetable
from engine.domain import Department, GeoPoint, Leave, Manager, Retailer
from engine.policy import Policy, load_policy
from engine.timetable.alone import add_shortfall_floors, shortfall_table
from engine.timetable.constraints import add_hard_rules
from engine.timetable.model import TimetableModel, build_variables
from engine.timetable.objective import add_objective
from engine.timetable.shortfalls import MISSING_HOURS, price_above_other_rules, short_weeks_allowed
from engine.timetable.solve import SolveParams, solve_timetable

MONDAY = dt.date(2026, 11, 23)
OFFICE = GeoPoint(lat=30.69, lon=104.08)


def _shop(retailer_id: str, manager: str, lat: float, lon: float, **flags: bool) -> Retailer:
    return Retailer(id=retailer_id, name=retailer_id, lat=lat, lon=lon, manager=manager, **{"class": "A"},
                    visits_per_4_weeks=4, area="country", opens=8 * 60, closes=21 * 60, service_min=10, **flags)


def _department(north: dict[str, float], leave: tuple[Leave, ...] = ()) -> Department:
    """One manager per entry, his territory that many degrees north of the office (about an
    hour's ride per 0.2 degree in the countryside), each with POS households and a store."""
    retailers = []
    for i, (manager, far) in enumerate(north.items()):
        lon = OFFICE.lon + 0.01 * i
        for k in range(6):
            retailers.append(_shop(f"{manager}-{k}", manager, OFFICE.lat + far + k * 0.002, lon + k * 0.002,
                                   pos_target=k < 3, promo_store=k >= 4))
    managers = tuple(Manager(id=m, name=m, years=12 if i % 2 == 0 else 1) for i, m in enumerate(north))
    return Department(name="floors", office=OFFICE, policy="15-13-7", market_manager="boss",
                      managers=managers, retailers=tuple(retailers), leave=leave)


def _joint(department: Department, policy: Policy) -> TimetableModel:
    """The weekly model as solve_timetable states it, before the floors."""
    tm = build_variables(department, policy, MONDAY)
    short_weeks_allowed(tm)
    add_hard_rules(tm)
    add_objective(tm)
    price_above_other_rules(tm)
    return tm


def _optimum(tm: TimetableModel) -> tuple[int, dict[str, int]]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 60
    solver.parameters.num_workers = 2
    assert solver.solve(tm.cp) == cp_model.OPTIMAL, "a small department is solved to optimality"
    short: dict[str, int] = {}
    for name, _, expr in tm.penalties:
        if name.startswith(MISSING_HOURS):
            manager = name[len(MISSING_HOURS):].split(",")[0]
            short[manager] = short.get(manager, 0) + int(solver.value(expr))
    return round(solver.objective_value), short


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy("15-13-7")


@pytest.mark.parametrize("north, leave", [
    ({"m1": 0.005, "m2": 0.25}, ()),
    ({"m1": 0.005, "m2": 0.17, "m3": 0.22}, (Leave(manager="m1", date=MONDAY + dt.timedelta(days=2)),)),
])
def test_floors_keep_the_joint_optimum_and_hold_in_it(policy: Policy, north, leave) -> None:
    department = _department(north, leave)
    plain, floored = _joint(department, policy), _joint(department, policy)
    table = shortfall_table(floored, 30.0, workers=2, solve_cap_s=15.0)
    assert add_shortfall_floors(floored, table) > 0, "the far manager's rides force hours short: he has a floor"
    plain_optimum, short = _optimum(plain)
    floored_optimum, _ = _optimum(floored)
    assert floored_optimum == plain_optimum
    for manager, slots in short.items():
        floors = [alone.proven for (m, _), alone in table.items() if m == manager]
        assert slots >= min(floors, default=0)


def test_a_week_solved_with_the_floors_passes_the_checker(policy: Policy) -> None:
    """With `forced_hours` the weekly solve adds the floors and prices pairs by them; its
    week still keeps every rule the independent checker reads, and only the far manager
    is short."""
    department = _department({"m1": 0.005, "m2": 0.25})
    result = solve_timetable(department, policy, MONDAY,
                             SolveParams(time_limit_s=3, workers=2, forced_hours=True))
    assert result.status in ("optimal", "feasible")
    assert check_timetable(department, policy, result.timetable.to_json_dict()) == []
    assert {s.manager for s in result.timetable.shortfalls} == {"m2"}
