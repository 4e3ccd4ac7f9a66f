"""A visit the week's routes call by phone instead of making (an applied capacity
proposal) stays `called_by_phone` after a re-plan, not `not_planned` (tester pP/rP:
R05001/R05005/R05025 of m05 turned `not_planned`); when the caller's phone slots after
`now` fall in his sickness, a note says so: who was to call them, left to the market
manager (the re-plan hands no phone calls over)."""

from __future__ import annotations

import datetime as dt

from engine.domain import Timetable
from engine.replan import read_events
from engine.replan.handover import replan_routes
from engine.replan.situation import situation_at
from engine.routing.plan import PHONE_CALL_WEEK, PHONE_CALLED_BY
from tests.engine.check.test_replan_checker import MANAGERS, MONDAY_13, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department
from tests.engine.replan.test_replan_urgent_by_its_deadline import NEAR, TUESDAY

PHONED = {"retailer": "r-m02-4", "manager": "m02", "date": None, "reason": "called_by_phone",
          "detail": "called in m02's phone slot this week instead of visited"}


def _department():
    department = make_department(MANAGERS)
    retailers = tuple(r.model_copy(update={"extra": {**r.extra, PHONE_CALL_WEEK: MONDAY.isoformat(),
                                                      PHONE_CALLED_BY: "m02"}}) if r.id == "r-m02-4" else r
                      for r in department.retailers)
    return department.model_copy(update={"retailers": retailers})


def _replan(events: list[dict]):
    situation = situation_at(_department(), TEST_POLICY, Timetable.model_validate(week()), MONDAY_13,
                             read_events(events))
    _, _, unplaced, _, notes = replan_routes(situation, situation.timetable,
                                             {"routes": [], "unvisited": [PHONED]}, NEAR)
    return unplaced, notes


def test_a_phoned_visit_keeps_its_reason() -> None:
    unplaced, notes = _replan([{"type": "retailer_closed", "retailer": "r-m03-4", "date": TUESDAY.isoformat()}])
    assert [(u.retailer, u.reason) for u in unplaced] == [("r-m02-4", "called_by_phone")]
    assert not [n for n in notes if "market manager" in n]


def test_the_caller_off_sick_leaves_the_calls_to_the_market_manager() -> None:
    ill = dt.datetime.combine(TUESDAY, dt.time(8, 0))
    unplaced, notes = _replan([{"type": "manager_sick", "manager": "m02", "from": ill.isoformat()}])
    assert ("r-m02-4", "called_by_phone") in [(u.retailer, u.reason) for u in unplaced]
    [note] = [n for n in notes if "market manager" in n]
    assert "r-m02-4" in note and "m02" in note and "1 phone slot" in note
