"""An urgent visit is made "by `manager`" when the event names one (events.py): the
week's planned visit to the retailer, made urgent, goes to the manager named when he can
make it in time, not to its owner's planned day (tester: R04001 urgent by m06 on plan6
stayed with its owner m04, the note saying only that m04's visit "is in time and stays").
Without a name, or when the one named cannot make it in time, the planned visit stays,
and the words say why the one named does not make it."""

from __future__ import annotations

import datetime as dt

from engine.domain import Timetable
from engine.replan import read_events
from engine.replan.handover import _urgent_words, _Visit, replan_routes
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, MONDAY_13, week
from tests.engine.check.test_timetable_checker import MONDAY, make_department
from tests.engine.replan.test_replan_urgent_by_its_deadline import NEAR, TEST_POLICY, stops_of

TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)
ROUTES = {"routes": [{"manager": "m02", "date": TUESDAY.isoformat(), "stops": [
    {"retailer": "r-m02-4", "arrive": "09:10", "start": "09:10", "end": "09:30"}]}]}


def _replanned(*events: dict):
    situation = situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), MONDAY_13,
                             read_events([*events, {"type": "urgent_visit", "retailer": "r-m02-4",
                                                    "by": WEDNESDAY.isoformat(), "manager": "m01"}]))
    routes, changes, _, late, notes = replan_routes(situation, situation.timetable, ROUTES, NEAR)
    assert not late
    return stops_of(routes, "r-m02-4"), changes, [n for n in notes if "r-m02-4" in n]


def test_the_manager_named_makes_the_urgent_visit() -> None:
    made, _, notes = _replanned()
    [(manager, date)] = made
    assert manager == "m01" and date <= WEDNESDAY
    assert notes == [f"urgent visit to r-m02-4 by {WEDNESDAY}: made by m01, named for it, on {date}, "
                     f"in place of the visit planned with m02 on {TUESDAY}"]


def test_the_planned_visit_stays_when_the_one_named_cannot_make_it_and_says_why() -> None:
    made, changes, notes = _replanned({"type": "manager_sick", "manager": "m01", "from": MONDAY_13.isoformat()})
    assert made == [("m02", TUESDAY)]
    assert notes == [f"urgent visit to r-m02-4 by {WEDNESDAY}: its visit planned on {TUESDAY} (m02) is in time "
                     "and stays (m01, named for it, cannot make it by then)"]
    assert not [c for c in changes if c.retailer == "r-m02-4"]  # it stays: no change


def test_the_stop_change_says_who_makes_it_and_why() -> None:
    _, changes, _ = _replanned()
    assert {c.change for c in changes if c.retailer == "r-m02-4"} == {"handed_over", "received"}
    assert all(c.reason == f"urgent visit (in place of the visit planned on {TUESDAY}); m01, named for it, makes it"
               for c in changes if c.retailer == "r-m02-4")
    kept = _Visit("r-m02-4", "m02", "m02", TUESDAY, urgent_by=WEDNESDAY, assigned="m01", named=True,
                  to_manager="m02", to_date=TUESDAY)
    words = _urgent_words(kept, lambda _visit, manager: f"{manager} off sick")
    assert words == (f"urgent visit (in place of the visit planned on {TUESDAY}); m01, named for it, cannot make it "
                     f"by {WEDNESDAY} (m01 off sick), so the visit planned with m02 on {TUESDAY} is made as planned, "
                     "in time")
