"""A retailer closed all day, the event given after its visit that morning was planned:
the reading a market manager expects is that the manager found the shop closed — the
event says it was closed all day — so the visit was not made. It is not pinned as done
but handed on like any visit the closure takes (rolled into next week when no later day
has room), and the words say it was found closed."""

from __future__ import annotations

import datetime as dt

from engine.domain import Timetable
from engine.replan import read_events
from engine.replan.handover import _read_routes
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

TUESDAY = MONDAY + dt.timedelta(days=1)


def test_a_visit_before_now_to_a_shop_closed_all_day_was_not_made() -> None:
    events = read_events([{"type": "retailer_closed", "retailer": "r-m01-1", "date": TUESDAY.isoformat()}])
    situation = situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()),
                             dt.datetime.combine(TUESDAY, dt.time(12, 30)), events)
    routes = {"routes": [{"manager": "m01", "date": TUESDAY.isoformat(), "stops": [
        {"retailer": "r-m01-1", "arrive": "09:10", "start": "09:10", "end": "09:30"},
        {"retailer": "r-m01-2", "arrive": "09:50", "start": "09:50", "end": "10:10"}]}]}
    read = _read_routes(situation, routes)
    assert [s.retailer for s in read.pinned[("m01", TUESDAY)]] == ["r-m01-2"]
    [visit] = read.visits
    assert (visit.retailer, visit.reason) == ("r-m01-1", "retailer_closed")
    assert "found closed at 09:10" in visit.detail and "not made" in visit.detail
