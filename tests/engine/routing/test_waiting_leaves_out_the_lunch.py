"""The tester's fault: `waiting_minutes` and `idle_minutes` counted the lunch block of
the timetable as waiting when the manager reached a fixed appointment before the lunch
for a start after it (m01 arrived 10:47 for a 13:30 maintenance, lunch 12:30-13:30:
163 min of waiting). Idle is "neither riding, serving nor at lunch" (SPEC §6): the
lunch between arrival and start is lunch. Days typed by hand, timed without a solve."""

from __future__ import annotations

import pytest

from engine.policy import parse_clock
from engine.routing.daily import build_itinerary, route_day
from engine.routing.plan import _day_plan
from tests.engine.routing.line_territory import block, day_of, line_territory


@pytest.fixture(scope="module")
def policy(lunch_apart_policy):
    return lunch_apart_policy


def _day(policy):
    """A promotion at s (20 min out) until 10:37, 10 min on to p: arrival 10:47 for the
    13:30 maintenance at p, the 12:30-13:30 lunch in between."""
    return day_of([block("promotion", "10:00", "10:37", retailer_id="s"), block("lunch", "12:30", "13:30"),
                   block("maintenance", "13:30", "15:30", retailer_id="p"), block("visit", "15:50", "17:00")],
                  policy)


def test_the_lunch_between_arrival_and_start_is_not_waiting(policy):
    territory = line_territory({"s": 20, "p": 30})
    route = route_day(_day(policy), [], {}, territory, policy)
    itinerary = build_itinerary(route, territory, policy)
    maintenance = itinerary.stops[-1]
    assert (maintenance.kind, maintenance.arrive, maintenance.start) == (
        "maintenance", parse_clock("10:47"), parse_clock("13:30"))
    assert itinerary.waiting_minutes == 163 - 60
    assert itinerary.idle_minutes == 103
    planned = _day_plan(route, itinerary, {}, policy, territory)
    assert (planned.waiting_minutes, planned.idle_minutes) == (103, 103)


def test_the_wait_before_the_lunch_is_still_waiting(policy):
    """Reached 10:47 for a 12:00 start with lunch 11:00-12:00: the 13 min before the
    lunch are waiting, the lunch is not."""
    day = day_of([block("promotion", "10:00", "10:37", retailer_id="s"), block("lunch", "11:00", "12:00"),
                  block("maintenance", "12:00", "13:00", retailer_id="p"), block("visit", "14:00", "16:00")],
                 policy)
    territory = line_territory({"s": 20, "p": 30})
    itinerary = build_itinerary(route_day(day, [], {}, territory, policy), territory, policy)
    assert itinerary.waiting_minutes == 13
