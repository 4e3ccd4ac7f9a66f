"""An urgent visit the event gives to a manager who is off sick goes to a manager who is
in: the days of the one it names first, then (on the days he is off) the retailer's own
manager's, in time before late."""

from __future__ import annotations

import datetime as dt

from engine.domain import Timetable
from engine.policy import ReplanRules
from engine.replan import read_events
from engine.replan.handover import _options, _Visit
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, MONDAY_13, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department


def test_an_urgent_visit_named_for_a_sick_manager_goes_to_the_retailer_s_own() -> None:
    rules = ReplanRules(moved_block=10, missing_per_10min=5, handover=("next_days", "neighbour"),
                        neighbour_max_km=5)
    events = read_events([{"type": "manager_sick", "manager": "m01", "from": MONDAY_13.isoformat()},
                          {"type": "urgent_visit", "retailer": "r-m02-4", "manager": "m01",
                           "by": (MONDAY + dt.timedelta(days=1)).isoformat()}])
    situation = situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), MONDAY_13,
                             events)
    dates = situation.dates
    days = {m: dict.fromkeys(dates) for m in MANAGERS}
    visit = _Visit("r-m02-4", "m02", None, None, urgent_by=dates[1], assigned="m01")
    options = _options(visit, situation, rules, days, {})  # type: ignore[arg-type]
    assert options == [("m02", dates[0]), ("m02", dates[1]), ("m02", dates[2])]
