"""What a manager is already doing at `now` does not change: a stop he set out for
before `now` (its arrival less its ride) is kept as planned, ride and all, and his route
goes on from there; a re-plan with no events changes no route. The independent checker
flags a re-planned first stop after the first-stop time and a due visit dropped from a
day nothing changed."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from engine.check.replan import Sickness, check_replan
from engine.domain import Timetable
from engine.policy import ReplanRules, format_clock
from engine.replan.handover import _Handover, _PlannedRoutes, _remaining_day, replan_routes
from engine.replan.situation import Situation, situation_at
from engine.routing.daily import time_visit_route
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

TUESDAY = MONDAY + dt.timedelta(days=1)
RULES = ReplanRules(moved_block=10, missing_per_10min=5, handover=("next_days",), neighbour_max_km=5)
ORDER = ("r-m01-1", "r-m01-2", "r-m01-3", "r-m01-4")


def at(hour: int, minute: int) -> Situation:
    return situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()),
                        dt.datetime.combine(TUESDAY, dt.time(hour, minute)), [])


def planned_routes() -> dict:
    """m01's Tuesday as the week's route plan times it (visit block 09:00-11:00, rides
    of 3 min): r-m01-1 reached 09:03 after setting out at 09:00, r-m01-2 09:16 after
    leaving r-m01-1 at 09:13."""
    situation = at(8, 0)
    handover = _Handover(situation, situation.timetable, RULES, _PlannedRoutes())
    day = handover.days["m01"][TUESDAY]
    timed = time_visit_route(day, ORDER, handover.retailers, handover.territories["m01"], TEST_POLICY)
    assert timed.feasible
    stops = [{"retailer": s.retailer, "kind": "visit", "arrive": format_clock(s.arrive),
              "start": format_clock(s.start), "end": format_clock(s.end), "ride_min": s.ride_minutes}
             for s in timed.stops]
    return {"week_start": MONDAY.isoformat(),
            "routes": [{"manager": "m01", "date": TUESDAY.isoformat(), "stops": stops}]}


def as_times(routes: dict | list) -> list[tuple[str, str, str, str]]:
    """The visits' times (the timetable's appointments, which the re-plan's routes add, left out)."""
    items = routes["routes"] if isinstance(routes, dict) else routes
    return [(s["retailer"], s["arrive"], s["start"], s["end"]) for r in items for s in r["stops"]
            if s.get("kind", "visit") == "visit"]


@pytest.mark.parametrize("now", [(9, 1), (9, 14)], ids=["riding-from-the-office", "riding-between-two-stops"])
def test_a_replan_without_events_keeps_the_ride_under_way_and_every_stop(now: tuple[int, int]) -> None:
    plan = planned_routes()
    situation = at(*now)
    routes, changes, unplaced, _, _ = replan_routes(situation, situation.timetable, plan, RULES)
    after = [r.model_dump(mode="json") for r in routes]
    assert as_times(after) == as_times(plan)
    assert not changes and not [u for u in unplaced if u.reason != "not_planned"]
    # the stop he set out for is pinned, with its ride
    tuesday = next(r for r in after if (r["manager"], r["date"]) == ("m01", TUESDAY.isoformat()))
    pinned = [s for s in tuesday["stops"] if s["pinned"]]
    assert pinned[-1]["ride_min"] == 3


def test_before_setting_out_the_first_stop_rule_still_holds() -> None:
    """At 09:05 of a visit block from 09:00 with no stop set out for (the plan leaves at
    09:10, say), the rest of the day still reaches its first retailer by 09:30."""
    situation = at(9, 5)
    day = _Handover(situation, situation.timetable, RULES, _PlannedRoutes()).days["m01"][TUESDAY]
    remaining = _remaining_day(day, [], situation, lunch_taken=False)
    assert remaining is not None
    assert (remaining.block_start, remaining.first_stop_by) == (9 * 60 + 5, day.first_stop_by)


def test_a_lunch_under_way_at_now_ends_before_the_route_goes_on() -> None:
    situation = at(12, 10)
    day = _Handover(situation, situation.timetable, RULES, _PlannedRoutes()).days["m01"][TUESDAY]
    longer = dataclasses.replace(day, visiting_ends=14 * 60, block_end=14 * 60)
    remaining = _remaining_day(longer, [], situation, lunch_taken=True, lunch_end=12 * 60 + 30)
    assert remaining is not None and remaining.block_start == 12 * 60 + 30


def judge_routes(after_stops: list[dict], sick: bool = False) -> list[tuple[str, str]]:
    plan = planned_routes()
    after = [{"manager": "m01", "date": TUESDAY.isoformat(), "stops": after_stops}]
    sicknesses = [Sickness("m01", dt.datetime.combine(TUESDAY, dt.time(10, 0)), TUESDAY)] if sick else []
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, week(), week(),
                           dt.datetime.combine(TUESDAY, dt.time(8, 0)), sicknesses, (), plan, after)
    return [(v.rule, v.message) for v in verdict.violations if v.rule in ("first_stop", "replan_visit_cancelled")]


def test_the_checker_flags_a_late_first_stop_and_a_visit_dropped_on_an_unchanged_day() -> None:
    late = [{"retailer": "r-m01-1", "arrive": "09:40", "start": "09:40", "end": "09:50"},
            {"retailer": "r-m01-2", "arrive": "09:53", "start": "09:53", "end": "10:03"},
            {"retailer": "r-m01-3", "arrive": "10:06", "start": "10:06", "end": "10:16"}]
    found = judge_routes(late)
    assert [rule for rule, _ in found] == ["first_stop", "replan_visit_cancelled"]
    assert "09:40" in found[0][1] and "09:30" in found[0][1]
    assert "r-m01-4" in found[1][1]


def test_the_checker_takes_the_plan_as_it_was_and_a_changed_day() -> None:
    as_planned = [s for r in planned_routes()["routes"] for s in r["stops"]]
    assert judge_routes(as_planned) == []
    # his sickness that day changed it: a visit it took is no fault of the routes
    assert [rule for rule, _ in judge_routes(as_planned[:2], sick=True)] == []
