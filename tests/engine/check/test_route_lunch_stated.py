"""The route checker (engine/check/routes.py): under `lunch.during_visit` a day of visits
whose visit block holds the lunch's minutes inside the lunch window, clear of leave, owes
its lunch on the road, and a route that states none breaks `lunch`. The checker judged the
lunch only when both `lunch_start` and `lunch_end` were there: a week with them deleted
scored 0 violations."""

from __future__ import annotations

import datetime as dt

import pytest

from benchmarks.departments import generate_department
from engine.check.routes import check_routes
from engine.domain import Department, Leave, Timetable
from engine.policy import Policy

MONDAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def department() -> Department:
    return generate_department(4, 0)


def _plan(department: Department, visit: tuple[str, str] = ("09:00", "14:00"),
          lunch: tuple[str, str] | None = None, visits: int = 2) -> dict:
    """m01's Monday: `visits` short visits early in his visit block."""
    stops = [{"retailer": r.id, "kind": "visit", "arrive": f"09:{10 * n + 10}", "start": f"09:{10 * n + 10}",
              "end": f"09:{10 * n + 15}"} for n, r in enumerate(department.territory("m01")[:visits])]
    route: dict = {"manager": "m01", "date": MONDAY.isoformat(), "distance_km": 0, "travel_minutes": 0,
                   "stops": stops, "visit_start": visit[0], "visit_end": visit[1]}
    if lunch is not None:
        route["lunch_start"], route["lunch_end"] = lunch
    return {"week_start": MONDAY.isoformat(), "routes": [route], "unvisited": []}


def _lunch(plan: dict, department: Department, policy: Policy, timetable: Timetable | None = None) -> list:
    return [v for v in check_routes(plan, department, policy, timetable) if v.rule == "lunch"]


def test_a_day_of_visits_without_its_lunch_on_the_road_is_a_violation(department, policy_seed_003):
    assert policy_seed_003.lunch.during_visit
    found = _lunch(_plan(department), department, policy_seed_003)
    assert [(v.manager, v.date) for v in found] == [("m01", MONDAY)]
    assert "m01 has no lunch on Mon 2026-11-23" in found[0].message
    assert "lunch_start / lunch_end" in found[0].message
    only_start = _plan(department)
    only_start["routes"][0]["lunch_start"] = "11:00"
    assert "states no lunch_end" in _lunch(only_start, department, policy_seed_003)[0].message


def test_the_timetable_visit_block_decides_as_the_stated_one(department, policy_seed_003):
    plan = _plan(department, visit=("09:00", "11:20"))
    assert _lunch(plan, department, policy_seed_003) == []  # the block it states: 20 min of the window
    timetable = Timetable.model_validate({
        "department": department.name, "policy": policy_seed_003.name, "week_start": MONDAY.isoformat(),
        "status": "feasible", "blocks": [{"manager": "m01", "date": MONDAY.isoformat(), "kind": "visit",
                                          "start": "09:00", "end": "14:00"}]})
    assert [v.manager for v in _lunch(plan, department, policy_seed_003, timetable)] == ["m01"]


def test_no_lunch_is_owed_where_the_route_has_none_to_state(department, policy_seed_003, policy_15_13_7):
    assert _lunch(_plan(department, lunch=("11:00", "11:30")), department, policy_seed_003) == []
    assert _lunch(_plan(department, visit=("09:00", "11:20")), department, policy_seed_003) == []  # 20 min of window
    assert _lunch(_plan(department, visits=0), department, policy_seed_003) == []  # not on the road
    if not policy_15_13_7.lunch.during_visit:  # lunch a block of its own: the timetable's to judge
        assert _lunch(_plan(department), department, policy_15_13_7) == []


def test_a_leave_over_the_lunch_window_leaves_no_lunch_owed(department, policy_seed_003):
    def on_leave(start: str, end: str) -> Department:
        return department.model_copy(update={"leave": (Leave(manager="m01", date=MONDAY, start=start, end=end),)})

    assert _lunch(_plan(department), on_leave("11:10", "13:50"), policy_seed_003) == []  # 10 + 10 min free
    assert [v.manager for v in _lunch(_plan(department), on_leave("12:00", "14:00"), policy_seed_003)] == ["m01"]
