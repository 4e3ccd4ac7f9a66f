"""An absent manager's key customer goes on to the next neighbour when the nearest has no
room (engine/routing/plan.py, `_key_visits_onward`), judged by the route checker."""

from __future__ import annotations

from engine.check.routes import check_routes
from engine.domain import Retailer
from tests.engine.routing.test_plan import (
    _away_all_week,
    _block,
    _department,
    _plan,
    _retailer,
    _timetable,
)


def _classed(rid: str, east_km: float, retailer_class: str, manager: str) -> Retailer:
    # 15-min visits: a 30-min visit block holds one of them, never two.
    return _retailer(rid, east_km, manager=manager, service=15).model_copy(update={"retailer_class": retailer_class})


def test_a_key_customer_the_nearest_neighbour_has_no_room_for_is_made_by_the_next_one(policy_15_13_7):
    """m2 on leave all week: his class-A A1 (1.3 km east) is handed to m1, whose centre lies
    nearest (0.5 km), but m1's one-visit block holds his own class-A visit, which A1 cannot
    displace. m3, the next neighbour (0.7 km), makes a class-C visit in his one-visit block:
    A1 takes its place there, and the C visit is left out saying for whose key customer
    (was: A1 left out "no room" while m3 made his class-C visit, the checker's
    key_customer_dropped)."""
    retailers = [_classed("A0", 0.8, "A", "m1"), _classed("A1", 1.3, "A", "m2"), _classed("C3", 2.0, "C", "m3")]
    department = _away_all_week(_department(retailers, policy_15_13_7, managers=("m1", "m2", "m3")), "m2")
    timetable = _timetable([_block("visit", 1, "09:00", "09:30"), _block("visit", 1, "09:00", "09:30", "m3")],
                           policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    made = {(r.manager, s.retailer) for r in plan.routes for s in r.stops if s.kind == "visit"}
    assert made == {("m1", "A0"), ("m3", "A1")}, made
    [left] = plan.unvisited
    assert left.retailer == "C3" and left.manager == "m3"
    assert "m2's key customer A1" in left.detail
    check = check_routes(plan, department, policy_15_13_7, timetable)
    assert check.feasible, check.messages()
