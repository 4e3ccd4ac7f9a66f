"""The visits of a manager away all week that no neighbour takes were listed with three
possible causes ("none within replan.neighbour_max_km, its replan.handover names no
neighbour, or one manager alone is planned"); now with the one that holds."""

from __future__ import annotations

import datetime as dt

from engine.domain import Leave, Timetable
from engine.policy import Policy
from engine.routing.neighbours import why_no_hand_over
from engine.routing.plan import plan_routes
from tests.strategies import WEEK, simple_department

FAR = {"m01": (30.0, 104.0), "m02": (30.0625, 104.0)}  # centres 6.95 km apart


def test_no_colleague_at_work_within_the_distance_names_the_nearest() -> None:
    why = why_no_hand_over("m01", FAR, absent=["m01"], max_km=6.0, alone=False)
    assert "within 6 km" in why and "the nearest, m02, is 6.95 km away" in why


def test_the_policy_without_a_neighbour_hand_over_and_a_manager_planned_alone_are_told_apart() -> None:
    assert "names no neighbour" in why_no_hand_over("m01", FAR, ["m01"], max_km=None, alone=False)
    assert "planned alone" in why_no_hand_over("m01", FAR, ["m01"], max_km=6.0, alone=True)


def test_the_routes_give_the_one_reason(policy_15_13_7: Policy) -> None:
    """Both managers away all week (no solve): each one's neighbour is away too."""
    days = [WEEK + dt.timedelta(days=i) for i in range(6)]
    department = simple_department(2, leave=tuple(Leave(manager=m, date=d) for m in ("m01", "m02") for d in days))
    empty = Timetable(department=department.name, policy="15-13-7", week_start=WEEK, status="feasible")
    plan = plan_routes(department, policy_15_13_7, empty, WEEK, time_limit_s=1)
    details = {item.detail for item in plan.unvisited if item.manager == "m01"}
    assert details == {"m01 is on leave every working day of the week and his neighbours within 6 km "
                       "(replan.neighbour_max_km), m02, are away too"}
