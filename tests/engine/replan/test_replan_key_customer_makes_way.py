"""Key customers first in a re-plan, as in the week's routes (routing/visit_value.py): a
key-class visit that finds no room takes the place of less valuable visits after `now`
on a day it may go to, and the visit it displaced is listed with the reason (tester
ev4: A-customer R00001 closed Thursday was left out for the week, "no other visit day
of the week left has room", while m01 still made 14 class-C visits after `now`)."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import KEY_DROPPED, Closure, check_replan_routes
from engine.domain import Timetable
from engine.policy import VisitValueRules, format_clock
from engine.replan import read_events
from engine.replan.handover import replan_routes
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, MONDAY_13, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department
from tests.engine.replan.test_replan_urgent_by_its_deadline import FAR, stops_of

TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)
POLICY = TEST_POLICY.model_copy(update={"visit_value": VisitValueRules(
    by_class={"A": 10, "B": 3, "C": 1}, other_classes=1, key_class="A", least_class="C")})
CLASSES = {"r-m01-1": ("C", 100), "r-m01-2": ("C", 50), "r-m01-3": ("C", 50), "r-m01-4": ("A", 30)}
"""Long class-C visits that fill m01's 09:00-11:00 visit block: two of them, or the first."""


def department():
    base = make_department(MANAGERS)
    retailers = [r.model_copy(update={"retailer_class": CLASSES[r.id][0], "service_min": CLASSES[r.id][1]})
                 if r.id in CLASSES else r for r in base.retailers]
    return base.model_copy(update={"retailers": retailers})


def replan(wednesday_full: bool):
    """m01's key customer r-m01-4, planned on Wednesday, is closed then (Monday 13:00: his
    Monday is over); his Tuesday is full of class-C visits, his Wednesday too when
    `wednesday_full` (a 100-min class-C visit of r-m01-1)."""
    events = read_events([{"type": "retailer_closed", "retailer": "r-m01-4", "date": WEDNESDAY.isoformat()}])
    situation = situation_at(department(), POLICY, Timetable.model_validate(week()), MONDAY_13, events)
    wednesday = [{"retailer": "r-m01-4", "arrive": "09:10", "start": "09:10", "end": "09:40"}]
    if wednesday_full:
        wednesday.append({"retailer": "r-m01-1", "arrive": "09:45", "start": "09:45", "end": "10:25"})
    planned = {"routes": [
        {"manager": "m01", "date": TUESDAY.isoformat(), "stops": [
            {"retailer": "r-m01-2", "arrive": "09:05", "start": "09:05", "end": "09:55"},
            {"retailer": "r-m01-3", "arrive": "09:58", "start": "09:58", "end": "10:48"}]},
        {"manager": "m01", "date": WEDNESDAY.isoformat(), "stops": wednesday}]}
    return replan_routes(situation, situation.timetable, planned, FAR)


def test_a_key_customer_closed_on_its_day_takes_the_place_of_a_class_c_visit() -> None:
    routes, changes, unplaced, _, _ = replan(wednesday_full=False)
    assert stops_of(routes, "r-m01-4") == [("m01", TUESDAY)]  # it was left out for the week
    assert not [u for u in unplaced if u.retailer == "r-m01-4"]
    # the class-C visit it displaced goes to Wednesday, which the closure left free
    [moved] = [c for c in changes if c.retailer in ("r-m01-2", "r-m01-3")]
    assert (moved.change, moved.date_before, moved.date_after) == ("moved", TUESDAY, WEDNESDAY)
    assert moved.reason == "made way on Tue for r-m01-4 (class A, a more valuable visit)"


def test_a_visit_displaced_by_a_key_customer_with_no_day_left_is_listed_with_the_reason() -> None:
    routes, changes, unplaced, _, _ = replan(wednesday_full=True)
    assert stops_of(routes, "r-m01-4") == [("m01", TUESDAY)]
    assert stops_of(routes, "r-m01-1") == [("m01", WEDNESDAY)]  # a visit nothing moved stays
    [displaced] = [u for u in unplaced if u.retailer in ("r-m01-2", "r-m01-3")]
    assert displaced.reason == "no_room_in_day"
    assert displaced.detail.startswith("made way on Tue for r-m01-4 (class A, a more valuable visit)")
    [cancelled] = [c for c in changes if c.retailer == displaced.retailer]
    assert cancelled.change == "cancelled" and "made way on Tue for r-m01-4" in cancelled.reason


def test_the_checker_finds_a_key_customer_left_out_beside_class_c_visits_a_fault() -> None:
    """Rule 5d of engine/check/replan.py, judged on its own: the old hand-over's routes
    (r-m01-4 in none, Tuesday's two class-C visits kept) are a fault, the new ones not."""
    def faults(tuesday: list[str], wednesday: list[str]) -> list:
        def route(date: dt.date, ids: list[str]) -> dict:
            stops, clock = [], 9 * 60 + 5
            for rid in ids:
                end = clock + CLASSES[rid][1]
                stops.append({"retailer": rid, "arrive": format_clock(clock), "start": format_clock(clock),
                              "end": format_clock(end)})
                clock = end + 3
            return {"manager": "m01", "date": date.isoformat(), "stops": stops}

        plan = Timetable.model_validate(week())
        before = {"routes": [route(TUESDAY, ["r-m01-2", "r-m01-3"]), route(WEDNESDAY, ["r-m01-4"])]}
        found = check_replan_routes(department(), POLICY, plan, plan, MONDAY_13, [],
                                    [Closure("r-m01-4", WEDNESDAY)], before,
                                    [route(TUESDAY, tuesday), route(WEDNESDAY, wednesday)])
        return [v for v in found if v.rule == KEY_DROPPED]

    [fault] = faults(["r-m01-2", "r-m01-3"], [])
    assert fault.manager == "m01" and fault.date == WEDNESDAY
    assert "r-m01-4 (class A) planned for m01 on Wed" in fault.message and "in place of the less valuable r-m01-2" \
        in fault.message
    assert faults(["r-m01-4", "r-m01-3"], ["r-m01-2"]) == []
