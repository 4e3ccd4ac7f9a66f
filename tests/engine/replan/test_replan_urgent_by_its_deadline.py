"""An urgent visit is made by its deadline whenever a manager who may take it has room:
the one named, the retailer's own, then (the policy handing over to neighbours) a
neighbouring territory's. Made late, it is listed in `late` with the true cause; the
independent checker finds an urgent visit made after its deadline, or not at all, a
fault. A sick manager's visits no neighbour may take say that no neighbour qualifies."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import URGENT_LATE, Urgent, check_urgent_visits
from engine.domain import Timetable
from engine.policy import ReplanRules
from engine.replan import read_events
from engine.replan.handover import _urgent_words, _Visit, replan_routes
from engine.replan.situation import Situation, situation_at
from tests.engine.check.test_replan_checker import MANAGERS, MONDAY_13, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)
NEAR = ReplanRules(moved_block=10, missing_per_10min=5, handover=("next_days", "neighbour"), neighbour_max_km=5)
"""Every territory centre of the test department lies within 1 km of the others."""
FAR = NEAR.model_copy(update={"neighbour_max_km": 0.01})
"""No territory centre is near enough to be a neighbour."""


def m02_sick_to_tuesday(*more: dict) -> Situation:
    """Monday 13:00: m02 off sick to the end of Tuesday (every day has a visit block
    09:00-11:00 Monday to Wednesday); his r-m02-4 must be visited by Tuesday."""
    events = read_events([{"type": "manager_sick", "manager": "m02", "from": MONDAY_13.isoformat(),
                           "until": TUESDAY.isoformat()},
                          {"type": "urgent_visit", "retailer": "r-m02-4", "by": TUESDAY.isoformat()}, *more])
    return situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), MONDAY_13, events)


def stops_of(routes, retailer: str) -> list[tuple[str, dt.date]]:
    """The visits to the retailer (not the appointments at it) as (manager, date)."""
    return [(r.manager, r.date) for r in routes for s in r.stops if s.retailer == retailer and s.kind == "visit"]


def test_an_urgent_visit_of_a_sick_manager_goes_to_a_neighbour_in_time() -> None:
    situation = m02_sick_to_tuesday()
    routes, changes, unplaced, late, _ = replan_routes(situation, situation.timetable, {"routes": []}, NEAR)
    [(manager, date)] = stops_of(routes, "r-m02-4")
    assert date == TUESDAY and manager != "m02"  # the old hand-over waited for m02's Wednesday
    assert not late and not [u for u in unplaced if u.retailer == "r-m02-4"]
    [added] = [c for c in changes if c.retailer == "r-m02-4"]
    assert "m02, its manager, cannot make it by" in added.reason and "off sick" in added.reason
    assert f"so {manager}, a neighbouring territory's manager, takes it" in added.reason


def test_an_urgent_visit_no_one_can_make_in_time_is_listed_late_with_its_cause() -> None:
    situation = m02_sick_to_tuesday()
    routes, _, _, late, _ = replan_routes(situation, situation.timetable, {"routes": []}, FAR)
    assert stops_of(routes, "r-m02-4") == [("m02", WEDNESDAY)]
    [visit] = late
    assert (visit.retailer, visit.manager, visit.due_by, visit.date) == ("r-m02-4", "m02", TUESDAY, WEDNESDAY)
    assert "m02: off sick from Mon" in visit.detail
    assert "no neighbouring territory qualifies" in visit.detail and "within 0.01 km" in visit.detail
    assert "has room" not in visit.detail


def test_the_checker_finds_an_urgent_visit_late_or_missing_a_fault() -> None:
    def faults(day: dt.date | None) -> list:
        after = [] if day is None else [{"manager": "m01", "date": day.isoformat(), "stops": [
            {"retailer": "r-m02-4", "arrive": "09:10", "start": "09:10", "end": "09:30"}]}]
        found = check_urgent_visits(MONDAY_13, [Urgent("r-m02-4", TUESDAY)], after)
        assert all(v.rule == URGENT_LATE for v in found)
        return found

    assert faults(TUESDAY) == []
    [late] = faults(WEDNESDAY)
    assert late.date == WEDNESDAY and "after its deadline" in late.message
    [missing] = faults(None)
    assert "in no route of the re-plan" in missing.message
    # a visit over before the call does not answer it
    assert faults(MONDAY)


def test_a_sick_manager_s_visit_says_no_neighbour_qualifies() -> None:
    events = read_events([{"type": "manager_sick", "manager": "m02", "from": MONDAY_13.isoformat()}])
    situation = situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), MONDAY_13,
                             events)
    routes = {"routes": [{"manager": "m02", "date": TUESDAY.isoformat(), "stops": [
        {"retailer": "r-m02-4", "arrive": "09:10", "start": "09:10", "end": "09:30"}]}]}
    _, _, unplaced, _, _ = replan_routes(situation, situation.timetable, routes, FAR)
    [lost] = [u for u in unplaced if u.retailer == "r-m02-4"]
    assert "no neighbouring territory qualifies" in lost.detail and "none has room" not in lost.detail
    assert "km away" in lost.detail and "he is off to the end of the week" in lost.detail


def test_an_urgent_visit_given_to_another_than_the_one_named_says_why() -> None:
    visit = _Visit("r-m02-4", "m02", None, None, urgent_by=WEDNESDAY, assigned="m04", named=True,
                   to_manager="m02", to_date=WEDNESDAY)
    words = _urgent_words(visit, lambda _visit, manager: f"{manager} on leave on Wed")
    assert "m04, named for it, cannot make it by" in words and "m04 on leave on Wed" in words
    assert "so m02, its own manager, takes it" in words
