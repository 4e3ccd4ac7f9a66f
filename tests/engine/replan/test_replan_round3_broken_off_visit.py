"""A visit a sickness broke off before its service was done was not made: it is handed
on like the sick manager's visits he had not started, not kept as a stop cut short
(tester rp1: m02 off sick from 09:10, R02029, a 10-min visit planned 09:04-09:14,
stayed pinned at 09:04-09:10, not handed over, not unplaced, and the checker found the
week executable). One whose service was done by then was made, and ends there."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import BROKEN_OFF, Sickness, check_replan_routes
from engine.domain import Timetable
from engine.replan import read_events
from engine.replan.handover import replan_routes
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department
from tests.engine.replan.test_replan_urgent_by_its_deadline import NEAR

ILL = dt.datetime.combine(MONDAY, dt.time(9, 10))
"""m02 falls ill on Monday at 09:10, on the grid; the re-plan is made then."""


def replan(start: str, end: str):
    """m02's Monday visit of r-m02-4 (10 min of service) is planned `start`-`end`; he is
    off sick from 09:10 to the end of Monday."""
    events = read_events([{"type": "manager_sick", "manager": "m02", "from": ILL.isoformat(),
                           "until": MONDAY.isoformat()}])
    situation = situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), ILL, events)
    planned = {"routes": [{"manager": "m02", "date": MONDAY.isoformat(), "stops": [
        {"retailer": "r-m02-4", "arrive": start, "start": start, "end": end, "ride_min": 4}]}]}
    return replan_routes(situation, situation.timetable, planned, NEAR)


def test_a_visit_broken_off_before_its_service_was_done_is_handed_on() -> None:
    routes, changes, unplaced, _, _ = replan("09:04", "09:14")
    stops = [(r.manager, r.date, s.start, s.end, s.pinned) for r in routes for s in r.stops
             if s.retailer == "r-m02-4"]
    assert ("m02", MONDAY, 9 * 60 + 4, 9 * 60 + 10, True) not in stops  # the old re-plan kept it as made
    assert all(not pinned for *_, pinned in stops)
    [change] = [c for c in changes if c.retailer == "r-m02-4" and c.manager_before == "m02"]
    lost = [u for u in unplaced if u.retailer == "r-m02-4"]
    assert len(stops) + len(lost) == 1  # made once after the sickness, or said why not
    reason = lost[0].detail if lost else change.reason
    assert "broke off his visit under way then (09:04-09:14) before its service was done" in reason


def test_a_visit_whose_service_was_done_when_he_fell_ill_stays_made_and_ends_there() -> None:
    routes, changes, unplaced, _, _ = replan("09:00", "09:15")
    stops = [(r.manager, s.start, s.end, s.pinned) for r in routes for s in r.stops if s.retailer == "r-m02-4"]
    assert stops == [("m02", 9 * 60, 9 * 60 + 10, True)]
    assert not [c for c in changes if c.retailer == "r-m02-4"] and not [u for u in unplaced
                                                                       if u.retailer == "r-m02-4"]


def test_the_re_plan_s_routes_keep_no_broken_off_visit_for_the_checker() -> None:
    routes, _, _, _, _ = replan("09:04", "09:14")
    after = [{"manager": r.manager, "date": r.date.isoformat(), "stops": [s.model_dump(mode="json") for s in r.stops]}
             for r in routes]
    found = check_replan_routes(make_department(MANAGERS), TEST_POLICY, week(), week(), ILL,
                                [Sickness("m02", ILL, MONDAY)], [], {"routes": []}, after)
    assert not [v for v in found if v.rule == BROKEN_OFF]
