"""`routes --day D` JSON: `due_visits` stays the week's (035fe5f's contract) and the
unvisited list holds the week's visits no day took beside the day's own, so nothing in
the JSON said what the day itself owed. `day_due_visits` does: the day's visits and its
own (dated) unvisited add up to it; it is null for the whole week."""

from __future__ import annotations

import datetime as dt

from engine.domain import Department, GeoPoint, Manager
from engine.routing.plan import plan_routes
from tests.engine.routing.line_territory import MONDAY, block, retailer, timetable

TUESDAY = MONDAY + dt.timedelta(days=1)


def test_a_day_s_visits_and_its_unvisited_add_up_to_its_own_due(lunch_apart_policy):
    policy = lunch_apart_policy
    shops = (retailer("daily").model_copy(update={"visits_per_4_weeks": 20, "lat": 30.01}),
             retailer("weekly").model_copy(update={"visits_per_4_weeks": 4, "lat": 30.02}))
    department = Department(name="line", office=GeoPoint(lat=30.0, lon=104.0), policy=policy.name,
                            market_manager="boss", managers=(Manager(id="m1", name="m1", years=3),),
                            retailers=shops)
    week = timetable([block("visit", "08:30", "11:30", day=day) for day in range(5)], policy)
    whole = plan_routes(department, policy, week, MONDAY, time_limit_s=1.0, processes=1)
    assert whole.to_json_dict()["day_due_visits"] is None and whole.due_visits == 6
    tuesday = plan_routes(department, policy, week, MONDAY, day=TUESDAY, time_limit_s=1.0, processes=1)
    data = tuesday.to_json_dict()
    assert data["due_visits"] == 6  # the week's, as before
    visits = sum(r["visits"] for r in data["routes"])
    own = [u for u in data["unvisited"] if u["date"] == TUESDAY.isoformat()]
    assert data["day_due_visits"] == visits + len(own)
    assert data["day_due_visits"] == sum(1 for r in whole.routes if r.date == TUESDAY for s in r.stops
                                         if s.kind == "visit")
