"""A week whose routes hand an absent manager's visits to his neighbours can be re-planned:
each neighbour's riding matrix holds the retailers the week's routes give him (the re-plan
ended in a KeyError on the first such visit: tester's d8_464, m06 away all week, R06024
handed to m01)."""

from __future__ import annotations

import datetime as dt

from engine.domain import Leave
from engine.replan import read_events, replan
from engine.routing.plan import plan_routes
from engine.timetable.solve import SolveParams, solve_timetable
from tests.strategies import WEEK, simple_department


def test_a_week_with_visits_handed_to_neighbours_is_re_planned(policy_15_13_7):
    away = tuple(Leave(manager="m04", date=WEEK + dt.timedelta(days=k)) for k in range(5))
    department = simple_department(4, away)
    week = solve_timetable(department, policy_15_13_7, WEEK, SolveParams(time_limit_s=3, workers=2)).timetable
    routes = plan_routes(department, policy_15_13_7, week, WEEK, time_limit_s=1).to_json_dict()
    handed = {(r["manager"], s["retailer"]) for r in routes["routes"] for s in r["stops"]
              if s.get("kind", "visit") == "visit" and s["retailer"].startswith("m04")}
    assert handed, "no visit of m04 was handed over: the test no longer reaches the fault"
    taker, retailer = sorted(handed)[0]
    day = next(dt.date.fromisoformat(str(r["date"])) for r in routes["routes"] if r["manager"] == taker
               and any(s["retailer"] == retailer for s in r["stops"]))
    now = dt.datetime.combine(WEEK, dt.time(7, 0))
    events = read_events([{"type": "retailer_closed", "retailer": f"{taker}-r01", "date": str(day)}])
    result = replan(department, policy_15_13_7, week, now, events, routes, SolveParams(time_limit_s=3, workers=2))
    assert result.routes is not None
    kept = {(r.manager, s.retailer) for r in result.routes for s in r.stops}
    lost = {u.retailer for u in result.unplaced}
    assert (taker, retailer) in kept or retailer in lost


def test_a_handed_visit_of_a_manager_who_falls_ill_goes_to_his_neighbours(policy_15_13_7):
    """The neighbour holding m04's visit falls ill: another neighbour with room takes it
    (it was left out, "none has room", while a neighbour made class-C visits: the
    neighbours' riding matrices held the sick manager's own retailers only; tester's
    sample, R00767 handed to m02)."""
    away = tuple(Leave(manager="m04", date=WEEK + dt.timedelta(days=k)) for k in range(5))
    department = simple_department(4, away)
    week = solve_timetable(department, policy_15_13_7, WEEK, SolveParams(time_limit_s=3, workers=2)).timetable
    routes = plan_routes(department, policy_15_13_7, week, WEEK, time_limit_s=1).to_json_dict()
    handed = sorted({(r["manager"], s["retailer"]) for r in routes["routes"] for s in r["stops"]
                     if s.get("kind", "visit") == "visit" and s["retailer"].startswith("m04")})
    assert handed, "no visit of m04 was handed over: the test no longer reaches the fault"
    taker, retailer = handed[0]
    now = dt.datetime.combine(WEEK, dt.time(7, 0))
    events = read_events([{"type": "manager_sick", "manager": taker, "from": now.isoformat()}])
    result = replan(department, policy_15_13_7, week, now, events, routes, SolveParams(time_limit_s=3, workers=2))
    assert result.routes is not None
    takers = {r.manager for r in result.routes for s in r.stops if s.retailer == retailer}
    assert takers and taker not in takers, [u.detail for u in result.unplaced if u.retailer == retailer]
