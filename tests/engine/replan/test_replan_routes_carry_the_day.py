"""The re-plan's routes carry the fields of the day the week's routes carry, lunch on the
road included (tester C2: a seed-003 re-plan's routes had no lunch_start / lunch_end). A
day wholly before `now` is the week's day, field by field, even when its lunch was taken
by the office after the ride back before a midday leave (`LUNCH_AT_NEXT_PLACE`); a day
re-timed after `now` states its lunch where the re-plan's timing takes it."""

from __future__ import annotations

import datetime as dt

from engine.domain import Department, Leave, Manager, Timetable
from engine.policy import Policy, ReplanRules, parse_clock
from engine.replan.handover import replan_routes
from engine.replan.situation import situation_at
from engine.routing.plan import plan_routes
from tests.engine.routing.line_territory import MONDAY, block, first_stop_every_day, timetable
from tests.engine.routing.test_lunch_before_a_midday_leave import OFFICE, _store

FRIDAY = MONDAY + dt.timedelta(days=4)
DAY_FIELDS = ("depart", "return", "distance_km", "travel_minutes", "visits", "visit_start", "visit_end",
              "start_from", "lunch_start", "lunch_end", "waiting_minutes", "idle_minutes", "office_returns",
              "required_stops")


def _week(policy: Policy) -> tuple[Department, Timetable, dict]:
    """seed-003's Friday 08:30-12:00 before a leave at 12:00: the two stores are visited,
    and he rides back and lunches by the office before the leave (the week's routes)."""
    leave = (Leave(manager="m1", date=FRIDAY, start=parse_clock("12:00"), end=parse_clock("13:00")),)
    department = Department(name="leave", office=OFFICE, policy=policy.name, market_manager="boss",
                            managers=(Manager(id="m1", name="m1", years=3),),
                            retailers=(_store("A", 3.0), _store("B", 7.0)), leave=leave)
    week = timetable([block("meeting", "08:00", "08:20", day=4), block("visit", "08:30", "12:00", day=4),
                      block("admin", "15:00", "15:30", day=4)], policy)
    routes = plan_routes(department, policy, week, MONDAY, time_limit_s=1.0, processes=1).to_json_dict()
    return department, week, routes


RULES = ReplanRules(moved_block=10, missing_per_10min=5, handover=("next_days",), neighbour_max_km=5)


def _replanned(department, policy: Policy, week, routes: dict, now: dt.time) -> list[dict]:
    """The week's routes re-planned at `now` on Friday with no event (the timetable as it was)."""
    situation = situation_at(department, policy, week, dt.datetime.combine(FRIDAY, now), [])
    replanned, *_ = replan_routes(situation, week, routes, RULES)
    return [r.model_dump(mode="json", by_alias=True) for r in replanned]


def _friday(routes) -> dict:
    (route,) = [r for r in routes if r["date"] == FRIDAY.isoformat()]
    return route


def test_a_past_day_lunching_by_the_office_is_the_weeks_day(policy_seed_003: Policy) -> None:
    policy = first_stop_every_day(policy_seed_003)
    department, week, routes = _week(policy)
    before = _friday(routes["routes"])
    assert before["return"] <= before["lunch_start"], "the week lunches by the office after the ride back"
    after = _friday(_replanned(department, policy, week, routes, dt.time(14, 0)))
    assert {k: after[k] for k in DAY_FIELDS} == {k: before[k] for k in DAY_FIELDS}


def test_a_day_replanned_before_it_starts_states_its_lunch(policy_seed_003: Policy) -> None:
    policy = first_stop_every_day(policy_seed_003)
    department, week, routes = _week(policy)
    after = _friday(_replanned(department, policy, week, routes, dt.time(7, 0)))
    assert after["visits"] == 2
    assert after["lunch_start"] is not None and after["lunch_end"] is not None
    assert after["return"] <= after["lunch_start"] and after["idle_minutes"] == _friday(routes["routes"])["idle_minutes"]
