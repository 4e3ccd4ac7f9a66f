"""A part-day leave that ends the visit block near midday under seed 003 (lunch on the road,
11:00-14:30): the block 08:30-12:00 before a leave 12:00-13:00 holds the lunch window's 30
minutes, so the route states its lunch there, and he must be back at the office when the
leave starts. Every route was timed with the lunch taken after a stop and then the ride
back, so with the lunch no earlier than 11:00 a store more than a few minutes out never fit
and the block stayed empty, its note saying no store could be reached (outside tester,
seed-003: m08's Friday, a 46-min ride: 08:30 + 46 + 18 + 46 = 10:20). He rides back and
lunches by the office before the leave; the planner's route and the checkers agree."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

from engine.check.routes import check_routes
from engine.domain import Department, GeoPoint, Leave, Manager, Retailer
from engine.policy import Policy, format_clock, parse_clock
from engine.routing.daily import build_itinerary, field_days, route_day, time_visit_route
from engine.routing.plan import _day_notes, plan_routes
from tests.engine.routing.line_territory import (
    MONDAY,
    block,
    first_stop_every_day,
    line_territory,
    retailer,
    timetable,
)

LEAVE = ((parse_clock("12:00"), parse_clock("13:00")),)


def _day(policy: Policy, visit_end: str = "12:00", leave=LEAVE):
    blocks = [block("meeting", "08:00", "08:20"), block("visit", "08:30", visit_end), block("admin", "15:00", "15:30")]
    (day,) = field_days(timetable(blocks, policy), policy, "m1", leave={MONDAY: leave})
    return day


def test_a_store_46_min_out_is_visited_and_he_lunches_back_by_the_office(policy_seed_003: Policy) -> None:
    policy = first_stop_every_day(policy_seed_003)
    day = _day(policy)
    assert day.lunch_minutes == 30 and day.end_deadline == parse_clock("12:00")
    territory = line_territory({"near": 15, "far": 46})
    shops = {"near": retailer("near", service=18), "far": retailer("far", service=18)}
    for rid in shops:
        timed = time_visit_route(day, [rid], shops, territory, policy)
        assert timed.feasible, rid
    route = route_day(day, ["near", "far"], shops, territory, policy)
    assert [s.retailer for s in route.timed.stops] == ["near", "far"] and not route.dropped
    itinerary = build_itinerary(route, territory, policy)
    (back,) = itinerary.office_returns
    assert itinerary.lunch is not None
    lunch_start, lunch_end = itinerary.lunch
    assert back.arrive <= lunch_start and lunch_end <= parse_clock("12:00")
    assert parse_clock("11:00") <= lunch_start and itinerary.lunch_wait == 0


def test_with_room_on_the_road_the_lunch_stays_after_a_stop(policy_seed_003: Policy) -> None:
    """A block to 14:00 and the admin at 15:00: the lunch is still taken on the road."""
    policy = first_stop_every_day(policy_seed_003)
    day = _day(policy, visit_end="14:00", leave=())
    territory = line_territory({"near": 15})
    timed = time_visit_route(day, ["near"], {"near": retailer("near", service=18)}, territory, policy)
    assert timed.feasible and timed.lunch is not None and timed.lunch[1] <= timed.leave_last


def test_the_words_name_the_lunch_when_it_is_what_leaves_no_room(policy_seed_003: Policy) -> None:
    """08:30-11:30 before a leave at 11:30: a 75-min ride each way is back at 11:08, in time
    for the leave but not for the lunch 11:00-11:30 first; the plan says so."""
    policy = first_stop_every_day(policy_seed_003)
    day = dataclasses.replace(_day(policy, visit_end="11:30", leave=((parse_clock("11:30"), parse_clock("12:30")),)),
                              first_stop_by=parse_clock("10:00"))
    territory = line_territory({"far": 75})
    shops = {"far": retailer("far", service=8)}
    assert not time_visit_route(day, ["far"], shops, territory, policy).feasible
    assert time_visit_route(dataclasses.replace(day, lunch_minutes=0), ["far"], shops, territory, policy).feasible
    route = route_day(day, ["far"], shops, territory, policy)
    (note,) = _day_notes(route, build_itinerary(route, territory, policy), territory, policy, ["far"], 1, shops)
    assert "but not with the 30-min lunch on the road" in note and "no due retailer can be reached" not in note


OFFICE = GeoPoint(lat=30.0, lon=104.0)


def _store(store_id: str, km_east: float) -> Retailer:
    lon = OFFICE.lon + km_east / (111.195 * math.cos(math.radians(OFFICE.lat)))
    return Retailer(id=store_id, name=store_id, lat=OFFICE.lat, lon=lon, manager="m1", retailer_class="B",
                    visits_per_4_weeks=4, area="town", opens=parse_clock("07:00"), closes=parse_clock("22:00"),
                    service_min=8)


def test_the_week_visits_before_the_leave_and_passes_the_checker(policy_seed_003: Policy) -> None:
    policy = first_stop_every_day(policy_seed_003)
    friday = MONDAY + dt.timedelta(days=4)
    leave = (Leave(manager="m1", date=friday, start=parse_clock("12:00"), end=parse_clock("13:00")),)
    department = Department(name="leave", office=OFFICE, policy=policy.name, market_manager="boss",
                            managers=(Manager(id="m1", name="m1", years=3),),
                            retailers=(_store("A", 3.0), _store("B", 7.0)), leave=leave)
    week = timetable([block("meeting", "08:00", "08:20", day=4), block("visit", "08:30", "12:00", day=4),
                      block("admin", "15:00", "15:30", day=4)], policy)
    plan = plan_routes(department, policy, week, MONDAY, time_limit_s=1.0, processes=1)
    (route,) = [r for r in plan.routes if r.date == friday]
    assert sorted(s.retailer for s in route.stops) == ["A", "B"], route.notes
    assert route.lunch_start is not None and route.lunch_end is not None
    assert route.return_ is not None and route.return_ <= route.lunch_start, (
        format_clock(route.return_), format_clock(route.lunch_start))
    found = check_routes(plan, department, policy, week)
    assert found.feasible, [v.message for v in found.violations]
