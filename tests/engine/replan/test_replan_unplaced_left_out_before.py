"""`unplaced` lists no visit the re-planned routes make, and says how many of its entries
the week's routes had already left out (tester rp1: urgent R00169, left out by the week,
was made by m05 on Wednesday but still listed `not_planned`; the JSON's 146 entries,
128 of them the week's own left-outs, beside a console count of 18)."""

from __future__ import annotations

from engine.domain import Timetable
from engine.replan import read_events
from engine.replan.handover import replan_routes
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, MONDAY_13, week
from tests.engine.check.test_timetable_checker import TEST_POLICY, make_department
from tests.engine.replan.test_replan_urgent_by_its_deadline import NEAR, TUESDAY, stops_of

LEFT_OUT = [{"retailer": "r-m02-4", "manager": "m02", "date": None, "reason": "no_room_in_day", "detail": "full"},
            {"retailer": "r-m03-4", "manager": "m03", "date": None, "reason": "no_room_in_day", "detail": "full"}]


def test_an_urgent_visit_to_a_retailer_the_week_left_out_is_no_longer_listed_unplaced() -> None:
    events = read_events([{"type": "urgent_visit", "retailer": "r-m02-4", "by": TUESDAY.isoformat()}])
    situation = situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), MONDAY_13,
                             events)
    routes, changes, unplaced, _, notes = replan_routes(situation, situation.timetable,
                                                        {"routes": [], "unvisited": LEFT_OUT}, NEAR)
    [(_, date)] = stops_of(routes, "r-m02-4")
    assert date <= TUESDAY
    assert [(u.retailer, u.reason) for u in unplaced] == [("r-m03-4", "not_planned")]
    [added] = [c for c in changes if c.retailer == "r-m02-4"]
    assert "in place of the visit the week's routes left out" in added.reason
    assert "unplaced lists 1 visit(s): 0 the re-plan found no place for, and 1 the week's routes had already " \
           "left out (reason not_planned)" in notes
