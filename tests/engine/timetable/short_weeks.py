"""Small departments whose far managers' rides force hours short, and the joint weekly
model as solve_timetable states it: for the tests of the floors on hours short
(alone.py, group_floors.py)."""

from __future__ import annotations

import datetime as dt

from ortools.sat.python import cp_model

from engine.domain import Department, GeoPoint, Leave, Manager, Retailer
from engine.policy import Policy
from engine.timetable.constraints import add_hard_rules
from engine.timetable.model import TimetableModel, build_variables
from engine.timetable.objective import add_objective
from engine.timetable.shortfalls import MISSING_HOURS, price_above_other_rules, short_weeks_allowed

MONDAY = dt.date(2026, 11, 23)
OFFICE = GeoPoint(lat=30.69, lon=104.08)


def _shop(retailer_id: str, manager: str, lat: float, lon: float, **flags: bool) -> Retailer:
    return Retailer(id=retailer_id, name=retailer_id, lat=lat, lon=lon, manager=manager, **{"class": "A"},
                    visits_per_4_weeks=4, area="country", opens=8 * 60, closes=21 * 60, service_min=10, **flags)


def department_north(north: dict[str, float], leave: tuple[Leave, ...] = ()) -> Department:
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


def joint_model(department: Department, policy: Policy) -> TimetableModel:
    """The weekly model as solve_timetable states it, before any floor."""
    tm = build_variables(department, policy, MONDAY)
    short_weeks_allowed(tm)
    add_hard_rules(tm)
    add_objective(tm)
    price_above_other_rules(tm)
    return tm


def optimum(tm: TimetableModel) -> tuple[int, dict[str, int]]:
    """The model's proven optimum and each manager's slots short in it."""
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


def fewest_slots_short(tm: TimetableModel) -> int:
    """The joint model's proven fewest slots short, preferences aside."""
    tm.cp.minimize(sum(expr for name, _, expr in tm.penalties if name.startswith(MISSING_HOURS)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 60
    solver.parameters.num_workers = 2
    assert solver.solve(tm.cp) == cp_model.OPTIMAL, "a small department is solved to optimality"
    return round(solver.objective_value)
