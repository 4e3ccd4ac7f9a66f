"""The re-planned routes keep what happened before `now` (tester C4). A stop he rode to
and found closed was not made, but the ride there was: the next leg leaves from that
shop and the day's distance and travel count the ride (F1: the next stop read `from:
office` with the closed shop's distance at the short leg's minutes). A lunch under way
when he falls ill stays as it was (F2: the route dropped it when the re-planned visit
block ended during it)."""

from __future__ import annotations

import datetime as dt

from engine.domain import Department, Manager, Timetable
from engine.policy import Policy, ReplanRules, parse_clock
from engine.replan import ManagerSick, RetailerClosed
from engine.replan.handover import replan_routes
from engine.replan.situation import situation_at
from engine.routing.plan import plan_routes
from tests.engine.routing.line_territory import MONDAY, block, first_stop_every_day, timetable
from tests.engine.routing.test_lunch_before_a_midday_leave import OFFICE, _store

FRIDAY = MONDAY + dt.timedelta(days=4)
RULES = ReplanRules(moved_block=10, missing_per_10min=5, handover=("next_days",), neighbour_max_km=5)


def _department(policy: Policy) -> Department:
    return Department(name="kept", office=OFFICE, policy=policy.name, market_manager="boss",
                      managers=(Manager(id="m1", name="m1", years=3),),
                      retailers=(_store("A", 3.0), _store("B", 7.0)))


def _week(policy: Policy, visit_end: str = "14:00") -> Timetable:
    return timetable([block("meeting", "08:00", "08:20", day=4), block("visit", "08:30", visit_end, day=4),
                      block("admin", "15:00", "15:30", day=4)], policy)


def _friday(routes) -> dict:
    (route,) = [r for r in routes if r["date"] == FRIDAY.isoformat()]
    return route


def _clock(minute: int) -> dt.time:
    return dt.time(minute // 60, minute % 60)


def test_a_shop_found_closed_keeps_the_ride_there(policy_seed_003: Policy) -> None:
    policy = first_stop_every_day(policy_seed_003)
    department, week = _department(policy), _week(policy)
    routes = plan_routes(department, policy, week, MONDAY, time_limit_s=1.0, processes=1).to_json_dict()
    before = _friday(routes["routes"])
    first, second = [s for s in before["stops"] if s["kind"] == "visit"][:2]
    closed = RetailerClosed.model_validate({"type": "retailer_closed", "retailer": first["retailer"],
                                            "date": FRIDAY.isoformat()})
    now = dt.datetime.combine(FRIDAY, _clock(parse_clock(second["end"]) + 1))
    situation = situation_at(department, policy, week, now, [closed])
    replanned, *_ = replan_routes(situation, week, routes, RULES)
    after = _friday([r.model_dump(mode="json", by_alias=True) for r in replanned])
    assert [s["retailer"] for s in after["stops"] if s["kind"] == "visit"][:1] == [second["retailer"]]
    kept = after["stops"][0] if after["stops"][0]["retailer"] == second["retailer"] else None
    assert kept is not None and kept["from"] == first["retailer"], "he rode on from the closed shop"
    assert (kept["ride_km"], kept["ride_min"]) == (second["ride_km"], second["ride_min"])
    (gone,) = after["stops_not_made"]
    assert (gone["retailer"], gone["ride_km"], gone["ride_min"]) == (first["retailer"], first["ride_km"],
                                                                      first["ride_min"])
    assert after["visits"] == before["visits"] - 1
    legs = [*after["stops"], *after["stops_not_made"], *after["office_returns"]]
    assert after["distance_km"] == round(sum(leg["ride_km"] for leg in legs), 3)
    assert after["travel_minutes"] == sum(leg["ride_min"] for leg in legs)


def test_a_lunch_under_way_when_he_falls_ill_stays(policy_seed_003: Policy) -> None:
    policy = first_stop_every_day(policy_seed_003)
    department, week = _department(policy), _week(policy)
    routes = plan_routes(department, policy, week, MONDAY, time_limit_s=1.0, processes=1).to_json_dict()
    before = _friday(routes["routes"])
    assert before["lunch_start"] is not None, "seed-003 lunches on the road"
    ill = parse_clock(before["lunch_start"]) + 10
    sick = ManagerSick.model_validate({"type": "manager_sick", "manager": "m1",
                                       "from": dt.datetime.combine(FRIDAY, _clock(ill)).isoformat()})
    now = dt.datetime.combine(FRIDAY, _clock(ill))
    cut = _week(policy, _clock(ill).strftime("%H:%M"))  # the re-planned timetable: his block ends then
    situation = situation_at(department, policy, cut, now, [sick])
    replanned, *_ = replan_routes(situation, cut, routes, RULES)
    after = _friday([r.model_dump(mode="json", by_alias=True) for r in replanned])
    assert (after["lunch_start"], after["lunch_end"]) == (before["lunch_start"], before["lunch_end"])
