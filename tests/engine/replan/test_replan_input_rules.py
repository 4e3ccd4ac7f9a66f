"""The input rules the CLI and the HTTP API share, in the re-planner: one conversion of
moments with an offset into the timetable's clock time, one rule for how far `now` may
lie from the week (the CLI took any `now`), events named "event 1 (manager_sick), field
from" (they were "0.manager_sick.from"), routes of another week refused, and an urgent
visit refused when no routes are there to place it in."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.domain import Timetable
from engine.errors import InputError
from engine.replan import read_events
from engine.replan.events import clock_times
from engine.replan.situation import replan_input_problems, situation_at
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

WEDNESDAY = MONDAY + dt.timedelta(days=2)


def test_a_moment_with_an_offset_is_the_zone_s_clock_time_and_a_clock_time_stays() -> None:
    utc = dt.datetime.combine(WEDNESDAY, dt.time(2, 30), dt.UTC)
    sick = read_events([{"type": "manager_sick", "manager": "m01", "from": f"{WEDNESDAY}T02:00:00Z"},
                        {"type": "manager_sick", "manager": "m02", "from": f"{WEDNESDAY}T09:00"}])
    now, events = clock_times(utc, sick, "Asia/Shanghai")
    assert now == dt.datetime.combine(WEDNESDAY, dt.time(10, 30))
    assert [e.from_ for e in events] == [dt.datetime.combine(WEDNESDAY, dt.time(10, 0)),  # type: ignore[union-attr]
                                         dt.datetime.combine(WEDNESDAY, dt.time(9, 0))]


def test_a_moment_outside_the_calendar_or_an_unknown_zone_is_named() -> None:
    late = dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    with pytest.raises(InputError) as caught:
        clock_times(late, (), "Asia/Shanghai")
    assert caught.value.problems[0].column == "now"
    with pytest.raises(InputError) as caught:
        clock_times(late, (), "Mars/Olympus")
    assert "unknown time zone" in caught.value.problems[0].message


def test_a_bad_event_field_is_named_by_event_number_type_and_field() -> None:
    with pytest.raises(InputError) as caught:
        read_events([{"type": "manager_sick", "manager": "m01", "from": "soon"}, {"type": "flood"}])
    first, second = caught.value.problems
    assert (first.row, first.column) == (1, "from")
    assert first.message.startswith("event 1 (manager_sick), field from: ")
    assert (second.row, second.column) == (2, "type") and second.message.startswith("event 2: ")


@pytest.mark.parametrize("now", [dt.datetime.combine(MONDAY + dt.timedelta(days=15), dt.time(9)),
                                 dt.datetime.combine(MONDAY - dt.timedelta(days=8), dt.time(9))])
def test_now_more_than_a_week_from_the_week_is_refused(now: dt.datetime) -> None:
    with pytest.raises(InputError) as caught:
        situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), now, ())
    [problem] = caught.value.problems
    assert problem.column == "now" and str(MONDAY) in problem.message


def problems(events: list[dict], routes: dict | None, routes_to_come: bool = False) -> list[tuple]:
    found = replan_input_problems(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()),
                                  dt.datetime.combine(WEDNESDAY, dt.time(12)), read_events(events), routes,
                                  routes_to_come=routes_to_come)
    return [(p.file, p.row, p.column) for p in found if "[replan]" not in p.message]


def test_routes_of_another_week_are_named_by_week_start_and_date() -> None:
    next_week = str(MONDAY + dt.timedelta(days=7))
    routes = {"week_start": next_week, "routes": [{"manager": "m01", "date": str(WEDNESDAY), "stops": []},
                                                  {"manager": "m01", "date": next_week, "stops": []}],
              "unvisited": [{"retailer": "r-m01-1", "date": next_week}]}
    assert problems([], routes) == [("routes", None, "week_start"), ("routes", None, "routes.1.date"),
                                    ("routes", None, "unvisited.0.date")]
    assert problems([], {"week_start": str(MONDAY), "routes": [], "unvisited": []}) == []


def test_an_urgent_visit_without_routes_is_refused_unless_they_are_to_come() -> None:
    urgent = [{"type": "retailer_closed", "retailer": "r-m02-1"}, {"type": "urgent_visit", "retailer": "r-m01-1"}]
    assert problems(urgent, None) == [("events", 2, "type")]
    assert problems(urgent, None, routes_to_come=True) == []
    assert problems(urgent, {"routes": [], "unvisited": []}) == []
