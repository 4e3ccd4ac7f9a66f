"""The month checker's edge rule for a retailer whose visits two managers make: its own
manager away every day of its first week, a neighbour makes that week's visit (step 7).
The edge was judged by the visit days of whoever made the retailer's first visit in the
plan's route order, a neighbour at work that week, while the planner frees it by the
owner's days (engine/month.py `_edges_in_reach`): tester's d519L, m02 away 12-07..11."""

from __future__ import annotations

import datetime as dt

from engine.check.month import check_month
from engine.domain import Department, GeoPoint, Leave, Manager, Retailer
from engine.policy import Policy


def _shop(rid: str, manager: str, klass: str) -> Retailer:
    return Retailer.model_validate({"id": rid, "name": rid, "lat": 30.66, "lon": 104.05, "manager": manager,
                                    "class": klass, "visits_per_4_weeks": 4, "area": "town", "opens": 7 * 60,
                                    "closes": 22 * 60, "service_min": 15})


def _route(manager: str, day: str, rid: str) -> dict:
    return {"manager": manager, "date": f"2026-{day}", "visit_start": "08:00", "visit_end": "11:00",
            "stops": [{"retailer": rid, "arrive": "09:00", "start": "09:00", "end": "09:15"}]}


def test_the_edge_of_a_visit_a_neighbour_makes_is_the_owners(policy_15_13_7: Policy) -> None:
    """a0 (weekly, its week of 11-30 counted on Mon 11-30, one working day before the
    month) is m1's; m1 away 12-07..11, m0 makes that week's visit on 12-10, 8 working days
    after 11-30, m1 the others 4 apart: no fault, as m1 had no day then to keep the edge.
    Before: a spacing fault, m0's days of that week (at work) holding the edge."""
    away = tuple(Leave(manager="m1", date=dt.date(2026, 12, 7) + dt.timedelta(days=n)) for n in range(5))
    department = Department(name="d", office=GeoPoint(lat=30.66, lon=104.05), policy="15-13-7",
                            market_manager="boss", managers=(Manager(id="m0", name="N", years=5),
                                                             Manager(id="m1", name="M", years=5)),
                            retailers=(_shop("a0", "m1", "A"), _shop("c0", "m0", "C")), leave=away)
    first = dt.date(2026, 12, 1)
    working = [first + dt.timedelta(days=n) for n in range(31) if (first + dt.timedelta(days=n)).weekday() < 5]
    plan = {"month": "2026-12", "days": [d.isoformat() for d in working],
            "routes": [_route("m0", "12-10", "a0"), _route("m1", "12-16", "a0"), _route("m1", "12-22", "a0"),
                       _route("m1", "12-28", "a0")],
            "unplanned": [{"retailer": "c0", "manager": "m0", "wanted": 4, "planned": 0, "reason": "no_room_in_day",
                           "detail": "listed"}]}
    found = [(v.rule, v.date, v.message) for v in check_month(plan, department, policy_15_13_7) if v.retailer == "a0"]
    assert found == []
    # m1 at work that week: the edge holds, and 12-10 lies over 6 working days after 11-30.
    at_work = department.model_copy(update={"leave": ()})
    mine = plan | {"routes": [_route("m1", "12-10", "a0"), *plan["routes"][1:]]}
    found = [v.rule for v in check_month(mine, at_work, policy_15_13_7) if v.retailer == "a0"]
    assert found == ["spacing"]
