"""No ride of a route falls in a part-day leave (tester seeds 352–354, 384): he goes on
leave from the office and comes back by it, as the timetable plans it (SPEC §3). The
routes rode from the block before the leave to the one after it, waiting at the next
store through the leave and lunch, and rode back to the office into an afternoon leave;
then they had him at the office after the leave with no ride there before it."""

from __future__ import annotations

import math

from engine.check.routes import check_routes
from engine.domain import Department, GeoPoint, Leave, Manager, Retailer
from engine.policy import Policy, format_clock, parse_clock
from engine.routing.plan import plan_routes
from tests.engine.routing.line_territory import MONDAY, block, timetable

OFFICE = GeoPoint(lat=30.0, lon=104.0)
TUESDAY = MONDAY.replace(day=MONDAY.day + 1)


def _store(store_id: str, km_east: float) -> Retailer:
    lon = OFFICE.lon + km_east / (111.195 * math.cos(math.radians(OFFICE.lat)))
    return Retailer(id=store_id, name=store_id, lat=OFFICE.lat, lon=lon, manager="m1", retailer_class="B",
                    visits_per_4_weeks=0, area="town", opens=parse_clock("07:00"), closes=parse_clock("22:00"),
                    service_min=8)


def _department(policy: Policy, leave: tuple[Leave, ...]) -> Department:
    return Department(name="leave", office=OFFICE, policy=policy.name, market_manager="boss",
                      managers=(Manager(id="m1", name="m1", years=3),),
                      retailers=(_store("A", 3.0), _store("B", 6.0)), leave=leave)


def _tuesday(policy: Policy, leave: tuple[Leave, ...], blocks: list) -> object:
    week = timetable([block("visit", "08:30", "16:00"), *blocks], policy)
    plan = plan_routes(_department(policy, leave), policy, week, MONDAY, time_limit_s=1.0, processes=1)
    (route,) = [r for r in plan.routes if r.date == TUESDAY]
    assert check_routes(plan, _department(policy, leave), policy, week).feasible
    return route


def test_after_a_leave_between_two_stores_he_rides_from_the_office(policy_15_13_7: Policy) -> None:
    leave = (Leave(manager="m1", date=TUESDAY, start=parse_clock("10:00"), end=parse_clock("11:00")),)
    route = _tuesday(policy_15_13_7, leave, [
        block("pos_project", "08:40", "09:40", day=1, retailer_id="A"),
        block("lunch", "11:30", "12:30", day=1),
        block("maintenance", "12:50", "14:50", day=1, retailer_id="B")])
    assert [(s.kind, s.origin) for s in route.stops] == [("pos_project", "office"), ("maintenance", "office")]
    assert route.waiting_minutes == 0
    to_leave, back = route.office_returns
    assert to_leave.origin == "A" and to_leave.arrive <= parse_clock("10:00") and back.origin == "B"


def test_going_on_leave_from_a_store_he_rides_back_to_the_office_first(policy_15_13_7: Policy) -> None:
    leave = (Leave(manager="m1", date=TUESDAY, start=parse_clock("11:30"), end=parse_clock("17:30")),)
    route = _tuesday(policy_15_13_7, leave, [block("pos_project", "09:30", "10:30", day=1, retailer_id="B")])
    assert [(s.kind, s.origin, format_clock(s.start)) for s in route.stops] == [("pos_project", "office", "09:30")]
    (back,) = route.office_returns
    assert back.origin == "B" and back.leave == parse_clock("10:30") and back.arrive <= parse_clock("11:30")


def test_the_checker_refuses_a_leave_that_leaves_no_room_to_ride_back(policy_15_13_7: Policy) -> None:
    """A POS hour at B (a ~40-min ride out) to 11:00 and a leave from 11:30: the ride back
    would run into the leave."""
    leave = (Leave(manager="m1", date=TUESDAY, start=parse_clock("11:30"), end=parse_clock("17:30")),)
    week = timetable([block("visit", "08:30", "16:00"), block("pos_project", "10:00", "11:00", day=1,
                                                                retailer_id="B")], policy_15_13_7)
    plan = plan_routes(_department(policy_15_13_7, leave), policy_15_13_7, week, MONDAY, time_limit_s=1.0,
                       processes=1)
    found = check_routes(plan, _department(policy_15_13_7, leave), policy_15_13_7, week).violations
    assert [v.rule for v in found] == ["leave"] and "after the leave from 11:30 starts" in found[0].message


def test_without_leave_the_route_rides_store_to_store(policy_15_13_7: Policy) -> None:
    route = _tuesday(policy_15_13_7, (), [
        block("pos_project", "09:00", "10:00", day=1, retailer_id="A"),
        block("lunch", "11:30", "12:30", day=1),
        block("maintenance", "12:50", "14:50", day=1, retailer_id="B")])
    assert [(s.kind, s.origin) for s in route.stops] == [("pos_project", "office"), ("maintenance", "A")]


def test_a_ride_to_an_appointment_after_lunch_sets_off_before_the_lunch(policy_15_13_7: Policy) -> None:
    """Lunch 11:30-12:30 and a promotion at 12:30 a ride from the office: the route set off
    at 12:30 less the ride, inside the lunch (tester seed 351); it sets off before it."""
    route = _tuesday(policy_15_13_7, (), [block("lunch", "11:30", "12:30", day=1),
                                          block("promotion", "12:30", "14:10", day=1, retailer_id="B")])
    (stop,) = route.stops
    assert stop.origin == "office" and stop.ride_min > 0
    assert route.depart == parse_clock("11:30") - stop.ride_min


def test_one_day_asked_for_still_lists_the_weeks_visits_no_day_took(policy_15_13_7: Policy) -> None:
    """`routes --day`: the week's due visits are counted, and a retailer no day of the week
    could take (too far) is listed with the day too (it vanished: 19 due, 4 visited, none
    unvisited, tester seed 383)."""
    far = _store("F", 90.0).model_copy(update={"visits_per_4_weeks": 4})
    department = _department(policy_15_13_7, ()).model_copy(update={
        "retailers": (_store("A", 3.0), far)})
    week = timetable([block("visit", "08:30", "11:00")], policy_15_13_7)
    whole = plan_routes(department, policy_15_13_7, week, MONDAY, time_limit_s=1.0, processes=1)
    one_day = plan_routes(department, policy_15_13_7, week, MONDAY, day=TUESDAY, time_limit_s=1.0, processes=1)
    assert [u.retailer for u in whole.unvisited] == ["F"] and whole.unvisited[0].date is None
    assert [u.retailer for u in one_day.unvisited] == ["F"]
    assert one_day.due_visits == whole.due_visits == 1
