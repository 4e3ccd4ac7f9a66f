"""A tester's finding: a manager-day with field blocks at retailers (maintenance,
promotion, POS project) but no visit block, e.g. a day shortened by leave, had no route
in the plan: its rides office -> store -> office were in no km total and the phone page
showed no stop that day. Now such a day has its route (engine/routing/plan.py with
daily.appointment_days), and the independent route checker (engine/check/routes.py)
flags a plan that leaves one out."""

from __future__ import annotations

import math

import pytest

from engine.check.routes import check_routes
from engine.check.spec import ride
from engine.domain import Department, GeoPoint, Manager, Retailer
from engine.policy import Policy, format_clock, parse_clock
from engine.routing.plan import plan_routes
from tests.engine.routing.line_territory import MONDAY, block, timetable

OFFICE = GeoPoint(lat=30.0, lon=104.0)
STORE_EAST_KM = 3.0


def _department(policy: Policy) -> Department:
    lon = OFFICE.lon + STORE_EAST_KM / (111.195 * math.cos(math.radians(OFFICE.lat)))
    store = Retailer(id="S", name="store", lat=OFFICE.lat, lon=lon, manager="m1", retailer_class="B",
                     visits_per_4_weeks=0, area="town", opens=parse_clock("07:00"),
                     closes=parse_clock("22:00"), service_min=8)
    return Department(name="fixed only", office=OFFICE, policy=policy.name, market_manager="boss",
                      managers=(Manager(id="m1", name="m1", years=3),), retailers=(store,))


def _week(policy: Policy):
    """Monday a visit block; Tuesday (leave in the morning) only lunch, a maintenance and
    a promotion at S: the tester's e6 m01 Tuesday."""
    return timetable([block("visit", "08:30", "16:00"),
                      block("lunch", "11:30", "12:30", day=1),
                      block("maintenance", "12:30", "14:30", day=1, retailer_id="S"),
                      block("promotion", "14:40", "16:20", day=1, retailer_id="S")], policy)


@pytest.fixture(scope="module")
def planned(policy_15_13_7):
    department, week = _department(policy_15_13_7), _week(policy_15_13_7)
    plan = plan_routes(department, policy_15_13_7, week, MONDAY, time_limit_s=1.0, processes=1)
    return department, week, plan


def test_a_day_of_fixed_field_blocks_only_has_its_route_and_its_rides(planned, policy_15_13_7):
    department, _, plan = planned
    store = department.retailers[0]
    km, minutes = ride(policy_15_13_7, (OFFICE.lat, OFFICE.lon, "town"), (store.lat, store.lon, "town"))
    tuesday = [r for r in plan.routes if r.date == MONDAY.replace(day=24)]
    assert len(tuesday) == 1, [r.date for r in plan.routes]
    (route,) = tuesday
    assert [(s.kind, s.origin, format_clock(s.start)) for s in route.stops] == [
        ("maintenance", "office", "12:30"), ("promotion", "S", "14:40")]
    assert route.visits == 0 and route.required_stops is None
    assert route.travel_minutes == 2 * minutes
    assert route.distance_km == pytest.approx(2 * km, abs=0.01)
    assert route.return_ == parse_clock("16:20") + minutes
    # The week's total (what the console and routes.html add up) holds the day's rides.
    assert sum(r.distance_km for r in plan.routes) >= route.distance_km > 0
    assert not any(r.date == MONDAY.replace(day=24) for r in plan.shortfalls)


def test_the_checker_passes_the_day_and_flags_a_plan_without_it(planned, policy_15_13_7):
    department, week, plan = planned
    assert check_routes(plan, department, policy_15_13_7, week).feasible
    data = plan.to_json_dict()
    data["routes"] = [r for r in data["routes"] if r["date"] != "2026-11-24"]
    check = check_routes(data, department, policy_15_13_7, week)
    assert [(v.rule, v.retailer, v.date.isoformat()) for v in check.violations if v.date] == [
        ("appointment", "S", "2026-11-24"), ("appointment", "S", "2026-11-24")]
    assert "no route" in check.violations[0].message


def test_the_checker_recomputes_the_day_s_rides(planned, policy_15_13_7):
    """The checker's own rides judge the new day: a ride stated 5 min short is flagged."""
    department, week, plan = planned
    data = plan.to_json_dict()
    (tuesday,) = [r for r in data["routes"] if r["date"] == "2026-11-24"]
    tuesday["stops"][0]["ride_min"] -= 5
    tuesday["travel_minutes"] -= 5
    check = check_routes(data, department, policy_15_13_7, week)
    assert [(v.rule, v.retailer) for v in check.violations] == [("travel", "S")]


def test_the_checker_flags_a_departure_too_late_for_the_first_fixed_block(planned, policy_15_13_7):
    """Leaving the office 10 min later than the ride allows (the route sets off before the
    11:30 lunch; this one after it), the ride cannot reach the 12:30 maintenance by its
    stated arrival: the checker times the ride itself."""
    department, week, plan = planned
    data = plan.to_json_dict()
    (tuesday,) = [r for r in data["routes"] if r["date"] == "2026-11-24"]
    assert parse_clock(tuesday["depart"]) <= parse_clock("11:30")
    tuesday["depart"] = format_clock(parse_clock("12:30") - tuesday["stops"][0]["ride_min"] + 10)
    check = check_routes(data, department, policy_15_13_7, week)
    assert [(v.rule, v.retailer) for v in check.violations] == [("travel", "S")]
    assert "reached at 12:30" in check.violations[0].message
