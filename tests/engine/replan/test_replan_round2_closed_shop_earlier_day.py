"""A visit to a retailer closed on its planned day may go to any of the manager's days
left that the shop is open, an earlier one too (tester d7 evB: R07019 closed Friday was
pushed out of the week, "no later visit day of the week has room", while m07's Wednesday
and Thursday had room); and a re-plan of a re-planned week keeps the cause of a visit
the earlier re-plan lost to an event (it read as `not_planned` there)."""

from __future__ import annotations

import datetime as dt

from engine.domain import Timetable
from engine.replan import read_events
from engine.replan.handover import _read_routes, replan_routes
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, MONDAY_13, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department
from tests.engine.replan.test_replan_urgent_by_its_deadline import NEAR, stops_of

TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)


def closed_on_wednesday():
    events = read_events([{"type": "retailer_closed", "retailer": "r-m01-1", "date": WEDNESDAY.isoformat()}])
    return situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), MONDAY_13,
                        events)


def test_a_shop_closed_on_the_last_visit_day_is_visited_on_an_earlier_day() -> None:
    """Wednesday is m01's last visit day; the shop closed then goes to Tuesday."""
    situation = closed_on_wednesday()
    planned = {"routes": [{"manager": "m01", "date": WEDNESDAY.isoformat(), "stops": [
        {"retailer": "r-m01-1", "arrive": "09:10", "start": "09:10", "end": "09:30"}]}]}
    routes, changes, unplaced, _, _ = replan_routes(situation, situation.timetable, planned, NEAR)
    assert stops_of(routes, "r-m01-1") == [("m01", TUESDAY)]
    assert not [u for u in unplaced if u.retailer == "r-m01-1"]
    [moved] = [c for c in changes if c.retailer == "r-m01-1"]
    assert (moved.change, moved.date_before, moved.date_after) == ("moved", WEDNESDAY, TUESDAY)


def test_a_re_planned_week_keeps_the_cause_of_a_visit_an_event_took() -> None:
    unvisited = [{"retailer": "r-m01-1", "manager": "m01", "date": WEDNESDAY.isoformat(),
                  "reason": "retailer_closed", "detail": "closed on Wed; no other visit day of the week left has room"},
                 {"retailer": "r-m01-2", "manager": "m01", "date": None, "reason": "no_room_in_day", "detail": "x"}]
    read = _read_routes(closed_on_wednesday(), {"routes": [], "unvisited": unvisited})
    assert [(u.retailer, u.reason) for u in read.unplaced] == [("r-m01-1", "retailer_closed"),
                                                               ("r-m01-2", "not_planned")]
