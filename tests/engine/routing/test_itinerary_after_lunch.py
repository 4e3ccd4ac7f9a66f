"""The itinerary's clock times around a timetable lunch block (engine/routing/daily.py,
build_itinerary): the ride to the next fixed appointment arrives when the ride from
the previous place ends, the lunch is where the timetable puts it, and the waiting is
start - arrival. A tester's generated department (generator seed 81, m01 on
2026-11-24) showed the appointment reached an hour after the ride: the 60-min lunch
put right after the last visit, before its earliest time."""

from __future__ import annotations

import pytest

from engine.policy import parse_clock
from engine.routing.daily import build_itinerary, route_day
from tests.engine.routing.line_territory import (
    block,
    day_of,
    line_territory,
    retailer,
)


@pytest.fixture(scope="module")
def policy(lunch_apart_policy):
    return lunch_apart_policy


def test_the_appointment_after_an_early_route_is_reached_when_the_ride_ends(policy):
    """The tester's day: visits until 08:45, lunch 11:30-12:30, then a POS project at
    the last shop visited. Arrival 08:45 (no ride), not 09:45."""
    day = day_of([block("visit", "08:00", "11:00"), block("lunch", "11:30", "12:30"),
                  block("pos_project", "12:30", "13:30", retailer_id="c")], policy)
    territory = line_territory({"a": 4, "b": 9, "c": 17})
    shops = {rid: retailer(rid) for rid in "abc"}
    route = route_day(day, ["a", "b", "c"], shops, territory, policy)
    assert [s.retailer for s in route.timed.stops] == ["a", "b", "c"]
    last_visit_ends = route.timed.stops[-1].end
    assert last_visit_ends < parse_clock("11:30")

    itinerary = build_itinerary(route, territory, policy)
    appointment = itinerary.stops[-1]
    assert (appointment.kind, appointment.origin, appointment.ride_minutes) == ("pos_project", "c", 0)
    assert appointment.arrive == last_visit_ends
    assert appointment.start - appointment.arrive == parse_clock("12:30") - last_visit_ends
    assert itinerary.lunch == (parse_clock("11:30"), parse_clock("12:30"))


def test_a_ride_between_appointments_before_the_lunch_arrives_before_it(policy):
    """From a promotion ending 09:00 a 10-min ride arrives 09:10; the lunch block
    (11:30-12:30) is taken there, not on the way."""
    day = day_of([block("promotion", "08:00", "09:00", retailer_id="s"),
                  block("visit", "14:00", "16:00"), block("lunch", "11:30", "12:30"),
                  block("pos_project", "12:30", "13:30", retailer_id="p")], policy)
    territory = line_territory({"s": 20, "p": 30})
    route = route_day(day, [], {}, territory, policy)
    itinerary = build_itinerary(route, territory, policy)
    appointment = next(s for s in itinerary.stops if s.kind == "pos_project")
    assert (appointment.origin, appointment.ride_minutes) == ("s", 10)
    assert appointment.arrive == parse_clock("09:10")
    assert itinerary.lunch == (parse_clock("11:30"), parse_clock("12:30"))


def test_a_ride_that_runs_into_the_lunch_goes_on_after_it(policy):
    """From 11:20 a 20-min ride rides 10 min, stops for the lunch 11:30-12:30 and
    rides the other 10: arrival 12:40."""
    day = day_of([block("promotion", "10:20", "11:20", retailer_id="s"),
                  block("lunch", "11:30", "12:30"),
                  block("pos_project", "12:45", "13:30", retailer_id="p"),
                  block("visit", "14:00", "16:00")], policy)
    territory = line_territory({"s": 20, "p": 40})
    route = route_day(day, [], {}, territory, policy)
    appointment = next(s for s in build_itinerary(route, territory, policy).stops
                       if s.kind == "pos_project")
    assert appointment.arrive == parse_clock("12:40")
