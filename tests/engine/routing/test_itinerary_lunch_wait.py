"""Two faults of the day's itinerary (engine/routing/daily.py, build_itinerary):
- the ride back to the office went straight through a lunch block of the timetable
  (arriving at a time nobody can keep, or on time for an office block he is late for);
  now it stops for the lunch as a ride between stops does, and the independent route
  checker (engine/check/routes.py) flags a stated return that rides through lunch;
- the waiting counted only the waits before visits; a fixed appointment reached
  before its start is waiting too.
Every day here is typed by hand and timed without a solve."""

from __future__ import annotations

import math

import pytest

from engine.check.routes import check_routes
from engine.check.spec import ride
from engine.domain import Department, GeoPoint, Manager, Retailer
from engine.policy import Policy, format_clock, parse_clock
from engine.routing.daily import build_itinerary, route_day, time_visit_route
from engine.routing.plan import _day_plan
from tests.engine.routing.line_territory import (
    MONDAY,
    block,
    day_of,
    line_territory,
    retailer,
    timetable,
)


@pytest.fixture(scope="module")
def policy(lunch_apart_policy):
    return lunch_apart_policy


# -- the ride back to the office and the lunch block --------------------------------


def test_the_ride_back_after_the_visits_stops_for_the_lunch_it_runs_into(policy):
    """The one visit ends 11:10 (a opens 10:50, 20 min); the 30-min ride back rides 20
    min, stops for the lunch 11:30-12:30 and rides the other 10: back 12:40, in time
    for the 13:00 office block (not 11:40, in the middle of lunch)."""
    day = day_of([block("visit", "08:00", "11:30"), block("lunch", "11:30", "12:30"),
                  block("admin", "13:00", "14:00")], policy)
    territory = line_territory({"a": 30})
    route = route_day(day, ["a"], {"a": retailer("a", opens="10:50", service=20)}, territory, policy)
    assert route.timed.feasible and not route.dropped

    itinerary = build_itinerary(route, territory, policy)
    (back,) = itinerary.office_returns
    assert (back.origin, back.leave, back.arrive, back.due_by) == (
        "a", parse_clock("11:10"), parse_clock("12:40"), parse_clock("13:00"))
    assert itinerary.back_at_office == parse_clock("12:40")


def test_a_visit_whose_ride_back_the_lunch_makes_late_is_not_kept(policy):
    """The same visit before a 12:30 office block: back 12:40 is 10 min late, so the
    timed route misses a rule by 10 min and the visit is dropped."""
    day = day_of([block("visit", "08:00", "11:30"), block("lunch", "11:30", "12:30"),
                  block("admin", "12:30", "13:30")], policy)
    territory = line_territory({"a": 30})
    shops = {"a": retailer("a", opens="10:50", service=20)}
    assert time_visit_route(day, ["a"], shops, territory, policy).lateness == 10
    assert route_day(day, ["a"], shops, territory, policy).dropped == ("a",)


def test_the_ride_back_from_an_appointment_through_lunch_arrives_late(policy):
    """A promotion until 11:20, 20 min from the office, then lunch 11:30-12:30 and an
    office block at 12:30: he rides 10 min, lunches, rides 10: back 12:40, 10 min
    after the block starts (before, the itinerary said 11:40)."""
    day = day_of([block("promotion", "10:20", "11:20", retailer_id="s"), block("lunch", "11:30", "12:30"),
                  block("admin", "12:30", "13:30"), block("visit", "14:00", "16:00")], policy)
    territory = line_territory({"s": 20})
    itinerary = build_itinerary(route_day(day, [], {}, territory, policy), territory, policy)
    back = itinerary.office_returns[0]
    assert (back.origin, back.leave, back.arrive) == ("s", parse_clock("11:20"), parse_clock("12:40"))
    assert back.due_by is not None and back.arrive - back.due_by == 10


def test_a_ride_back_that_ends_before_the_lunch_is_not_delayed(policy):
    """Leaving s at 10:20, the 20-min ride is over (10:40) before the 11:30 lunch."""
    day = day_of([block("promotion", "09:20", "10:20", retailer_id="s"), block("lunch", "11:30", "12:30"),
                  block("admin", "12:30", "13:30"), block("visit", "14:00", "16:00")], policy)
    territory = line_territory({"s": 20})
    itinerary = build_itinerary(route_day(day, [], {}, territory, policy), territory, policy)
    assert itinerary.office_returns[0].arrive == parse_clock("10:40")


# -- waiting -------------------------------------------------------------------------


def test_waiting_counts_the_wait_before_a_fixed_appointment(policy):
    """a (10 min out) opens 08:30: arrival 08:10, 20 min of waiting; the visit ends 08:40
    and the POS project at p (10 min on) starts 11:00: arrival 08:50, 130 min more."""
    day = day_of([block("visit", "08:00", "10:00"),
                  block("pos_project", "11:00", "12:00", retailer_id="p")], policy)
    territory = line_territory({"a": 10, "p": 20})
    route = route_day(day, ["a"], {"a": retailer("a", opens="08:30", service=10)}, territory, policy)
    itinerary = build_itinerary(route, territory, policy)
    visit, appointment = itinerary.stops
    assert (visit.arrive, visit.start) == (parse_clock("08:10"), parse_clock("08:30"))
    assert (appointment.kind, appointment.arrive, appointment.start) == (
        "pos_project", parse_clock("08:50"), parse_clock("11:00"))
    assert itinerary.waiting_minutes == 20 + 130



def test_the_day_plan_reports_the_wait_before_the_appointment_too(policy):
    """The route the plan hands out (and `routes --json` writes) states the same
    waiting as the itinerary: 20 min at a visit and 130 before the POS project."""
    day = day_of([block("visit", "08:00", "10:00"),
                  block("pos_project", "11:00", "12:00", retailer_id="p")], policy)
    territory = line_territory({"a": 10, "p": 20})
    retailers = {"a": retailer("a", opens="08:30", service=10)}
    route = route_day(day, ["a"], retailers, territory, policy)
    planned = _day_plan(route, build_itinerary(route, territory, policy), retailers, policy, territory)
    assert planned.waiting_minutes == 20 + 130

def test_a_late_arrival_at_an_appointment_is_no_negative_waiting(policy):
    """The tester's lunch case reversed: a POS project reached 10 min after it starts
    waits 0, it does not take 10 min off the visits' waiting."""
    day = day_of([block("promotion", "10:20", "11:20", retailer_id="s"), block("lunch", "11:30", "12:30"),
                  block("pos_project", "12:30", "13:30", retailer_id="p"), block("visit", "14:00", "16:00")],
                 policy)
    territory = line_territory({"s": 20, "p": 40})
    itinerary = build_itinerary(route_day(day, [], {}, territory, policy), territory, policy)
    appointment = itinerary.stops[-1]
    assert appointment.arrive - appointment.start == 10
    assert itinerary.waiting_minutes == 0


# -- the independent checker ---------------------------------------------------------

OFFICE = GeoPoint(lat=30.0, lon=104.0)
STORE_EAST_KM = 3.0  # about a 20-min ride in town on the 15-13-7 policy


def _store() -> Retailer:
    lon = OFFICE.lon + STORE_EAST_KM / (111.195 * math.cos(math.radians(OFFICE.lat)))
    return Retailer(id="S", name="store", lat=OFFICE.lat, lon=lon, manager="m1", retailer_class="B",
                    visits_per_4_weeks=0, area="town", opens=parse_clock("07:00"),
                    closes=parse_clock("22:00"), service_min=8)


def _department(policy: Policy) -> Department:
    return Department(name="lunch", office=OFFICE, policy=policy.name, market_manager="boss",
                      managers=(Manager(id="m1", name="m1", years=3),), retailers=(_store(),))


def _plan_back_at(policy: Policy, arrive: str) -> tuple[dict, int]:
    """A day typed by hand: promotion at S 10:20-11:20, the ride back leaving 11:20 and
    arriving at `arrive`; returns the plan and the ride's minutes."""
    store = _store()
    km, minutes = ride(policy, (OFFICE.lat, OFFICE.lon, "town"), (store.lat, store.lon, "town"))
    leg = {"from": "office", "ride_min": minutes, "ride_km": round(km, 3)}
    route = {
        "manager": "m1", "date": MONDAY.isoformat(), "depart": format_clock(parse_clock("10:20") - minutes),
        "return": arrive, "distance_km": round(2 * km, 3), "travel_minutes": 2 * minutes,
        "stops": [{"retailer": "S", "kind": "promotion", "arrive": "10:20", "start": "10:20",
                   "end": "11:20", **leg}],
        "visits": 0, "visit_start": "14:00", "visit_end": "16:00", "start_from": "office",
        "lunch_start": "11:30", "lunch_end": "12:30", "waiting_minutes": 0,
        "office_returns": [{"from": "S", "leave": "11:20", "arrive": arrive, "ride_min": minutes,
                            "ride_km": round(km, 3)}],
    }
    plan = {"week_start": MONDAY.isoformat(), "scope": {"dates": [MONDAY.isoformat()]},
            "matrix_source": "straight_line", "routes": [route], "unvisited": []}
    return plan, minutes


def _blocks(office_at: str) -> list:
    end = format_clock(parse_clock(office_at) + 60)
    return [block("promotion", "10:20", "11:20", retailer_id="S"), block("lunch", "11:30", "12:30"),
            block("admin", office_at, end), block("visit", "14:00", "16:00")]


def test_the_checker_flags_a_ride_back_through_the_lunch(policy):
    """Back at 11:40 from an 11:20 departure means riding through the 11:30-12:30
    lunch: a travel violation. Back after the lunch (12:40) keeps every rule."""
    department = _department(policy)
    week = timetable(_blocks("13:00"), policy)
    plan, minutes = _plan_back_at(policy, "11:40")
    assert minutes == 20
    check = check_routes(plan, department, policy, week)
    assert [(v.rule, v.retailer) for v in check.violations] == [("travel", "S")]
    assert "12:40" in check.violations[0].message

    honest, _ = _plan_back_at(policy, "12:40")
    assert check_routes(honest, department, policy, week).feasible


def test_the_checker_flags_a_return_the_lunch_makes_late_for_the_office_block(policy):
    """The same honest ride before an office block at 12:30: 10 min late."""
    plan, _ = _plan_back_at(policy, "12:40")
    check = check_routes(plan, _department(policy), policy, timetable(_blocks("12:30"), policy))
    assert [v.rule for v in check.violations] == ["late_for_appointment"]
    assert not check.feasible
