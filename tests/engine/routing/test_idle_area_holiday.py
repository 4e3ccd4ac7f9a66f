"""Three faults of the week's route report (engine/routing/daily.py, plan.py), found by
an outside tester on seed-003 departments:
- a day that waits on the road for the 11:00 lunch window (visits over at 09:05) reported
  0 min of waiting and its shortfall said "the last visit is over at 11:30" (the lunch's
  end); now the route states `idle_minutes` and the shortfall the last visit's own end;
- an all-countryside manager's day without stops counted as a town day (30 stops
  required, 25 on his worked days); now an empty day is judged by his territory;
- a holiday week's due visits were listed `no_room_in_day` ("the timetable has no visit
  block"); now `no_visit_days`, saying it is a holiday week, which the route checker
  accepts only for a week without a working day.
Every day here is typed by hand and timed without a solve."""

from __future__ import annotations

import datetime as dt
import types

import pytest

from engine.check.routes import check_routes
from engine.domain import CalendarDay, Department, GeoPoint, Manager, Timetable
from engine.policy import parse_clock
from engine.routing.daily import build_itinerary, day_area, route_day
from engine.routing.plan import _day_plan, _shortfall, _where_the_time_went, plan_routes
from tests.engine.routing.line_territory import (
    block,
    day_of,
    first_stop_every_day,
    line_territory,
    retailer,
)


@pytest.fixture(scope="module")
def policy(policy_seed_003):
    """seed-003: the lunch taken inside the visit block, from 11:00; 30 stops in town, 25 in
    the countryside."""
    policy = first_stop_every_day(policy_seed_003)
    assert policy.lunch.during_visit and policy.lunch.earliest == parse_clock("11:00")
    return policy


def _early_day(policy):
    """One visit at a (5 min out, 8 min of service): over at 08:43, then the lunch at 11:00."""
    day = day_of([block("visit", "08:30", "14:00")], policy)
    territory = line_territory({"a": 5})
    shops = {"a": retailer("a", service=8)}
    return route_day(day, ["a"], shops, territory, policy), territory, shops


# -- idle time in the field ----------------------------------------------------------


def test_the_wait_on_the_road_for_the_lunch_window_is_idle_time(policy):
    route, territory, shops = _early_day(policy)
    assert route.timed.stops[-1].end == parse_clock("08:43")
    assert route.timed.lunch == (parse_clock("11:00"), parse_clock("11:30"))
    itinerary = build_itinerary(route, territory, policy)
    assert itinerary.waiting_minutes == 0  # no stop was reached before it started
    assert itinerary.idle_minutes == 137  # 08:43 to 11:00
    planned = _day_plan(route, itinerary, shops, policy, territory)
    assert (planned.waiting_minutes, planned.idle_minutes) == (0, 137)


def test_a_day_without_stops_has_no_idle_time(policy):
    day = day_of([block("visit", "08:30", "14:00")], policy)
    territory = line_territory({"a": 5})
    itinerary = build_itinerary(route_day(day, [], {}, territory, policy), territory, policy)
    assert itinerary.idle_minutes == 0


def test_the_shortfall_gives_the_last_visit_s_own_end_not_the_lunch_s(policy):
    route, _, shops = _early_day(policy)
    (_, last) = _where_the_time_went(route, shops)
    assert "the last visit is over at 08:43, 317 min before visiting must end" in last
    assert "11:30" in last and "lunch" in last  # the lunch after it is named as such


# -- an empty day's area -------------------------------------------------------------


def _country(rid: str):
    return retailer(rid).model_copy(update={"area": "country"})


def test_an_empty_day_takes_the_area_of_the_manager_s_territory(policy):
    shops = {"c1": _country("c1"), "c2": _country("c2"), "t1": retailer("t1")}
    assert day_area([], shops, ["c1", "c2", "t1"]) == "country"
    assert day_area([], shops, ["t1"]) == "town"
    assert day_area(["t1"], shops, ["c1", "c2"]) == "town"  # a day with stops: its stops


def test_an_all_countryside_manager_s_empty_day_asks_the_countryside_minimum(policy):
    day = day_of([block("visit", "08:30", "14:00")], policy)
    territory = line_territory({"c1": 60})
    shops = {"c1": _country("c1"), "c2": _country("c2")}
    route = route_day(day, [], shops, territory, policy)
    planned = _day_plan(route, build_itinerary(route, territory, policy), shops, policy, territory)
    assert planned.required_stops == policy.route.min_stops_country == 25
    week = types.SimpleNamespace(due_visits=1, days=[day])
    shortfall = _shortfall(planned, route, week, [], shops, territory, policy)  # type: ignore[arg-type]
    assert shortfall is not None and (shortfall.area, shortfall.required) == ("country", 25)


# -- a holiday week ------------------------------------------------------------------

SPRING_MONDAY = dt.date(2026, 2, 16)


def _holiday_department(policy) -> Department:
    shops = tuple(retailer(rid).model_copy(update={"lat": 30.0 + 0.01 * n})
                  for n, rid in enumerate(("a", "b"), start=1))
    holidays = tuple(CalendarDay(date=SPRING_MONDAY + dt.timedelta(days=n), kind="holiday", name="Spring Festival")
                     for n in range(7))
    return Department(name="holiday", office=GeoPoint(lat=30.0, lon=104.0), policy=policy.name,
                      market_manager="boss", managers=(Manager(id="m1", name="m1", years=3),),
                      retailers=shops, calendar_days=holidays)


def test_a_holiday_week_lists_its_visits_as_no_visit_days(policy):
    department = _holiday_department(policy)
    empty = Timetable(department="holiday", policy=policy.name, week_start=SPRING_MONDAY, status="optimal")
    plan = plan_routes(department, policy, empty, SPRING_MONDAY, time_limit_s=1.0, processes=1)
    assert plan.routes == ()
    assert {u.retailer for u in plan.unvisited} == {"a", "b"}
    assert {u.reason for u in plan.unvisited} == {"no_visit_days"}
    assert all("holiday week" in u.detail and "Spring Festival" in u.detail for u in plan.unvisited)
    assert check_routes(plan, department, policy, empty).feasible

    # The same words for an ordinary week are false: the checker says so.
    ordinary = plan.to_json_dict() | {"week_start": (SPRING_MONDAY + dt.timedelta(days=14)).isoformat()}
    faults = [v for v in check_routes(ordinary, department, policy).violations if "no_visit_days" in v.message]
    assert {v.retailer for v in faults} == {"a", "b"}
