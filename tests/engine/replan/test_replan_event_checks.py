"""Events a re-plan cannot act on are refused with their row and field, as an unknown
manager or retailer is: an urgent visit due before now, a cancelled store that is no
promotion store, a closure outside the week, a sickness that starts after the week. An
urgent visit takes the place of the week's planned visit to its retailer."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.domain import Timetable
from engine.errors import InputError
from engine.policy import ReplanRules
from engine.replan import read_events
from engine.replan.handover import _options, _read_routes
from engine.replan.situation import Situation, situation_at
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

TUESDAY_13 = dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(13, 0))
WEDNESDAY = MONDAY + dt.timedelta(days=2)


def situation(events: list[dict]) -> Situation:
    return situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), TUESDAY_13,
                        read_events(events))


@pytest.mark.parametrize(("event", "column", "words"), [
    ({"type": "urgent_visit", "retailer": "r-m01-1", "by": str(MONDAY - dt.timedelta(days=3))}, "by",
     "before now"),
    ({"type": "urgent_visit", "retailer": "r-m01-1", "by": str(MONDAY)}, "by", "overdue"),
    ({"type": "promotion_store_cancelled", "retailer": "r-m01-1"}, "retailer", "not a promotion store"),
    ({"type": "retailer_closed", "retailer": "r-m01-1", "date": "2024-12-24"}, "date", "not in the week"),
    ({"type": "manager_sick", "manager": "m01", "from": "2024-03-07T09:00"}, "from", "after the week"),
    ({"type": "manager_sick", "manager": "m01", "from": "2024-02-26T09:00", "until": "2024-03-01"}, "until",
     "before the week"),
])
def test_an_event_the_week_cannot_act_on_is_refused(event: dict, column: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        situation([{"type": "retailer_closed", "retailer": "r-m02-1"}, event])
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (2, column)
    assert words in problem.message


def test_events_the_week_can_act_on_are_taken() -> None:
    taken = situation([{"type": "promotion_store_cancelled", "retailer": "r-m01-3"},
                       {"type": "urgent_visit", "retailer": "r-m01-1", "by": str(TUESDAY_13.date())},
                       {"type": "manager_sick", "manager": "m02", "from": "2024-03-01T09:00"}])
    assert set(taken.cancelled_stores) == {"r-m01-3"}
    assert taken.absences["m02"].until == WEDNESDAY


def test_an_urgent_visit_takes_the_place_of_the_week_s_planned_one() -> None:
    routes = {"routes": [{"manager": "m01", "date": WEDNESDAY.isoformat(), "stops": [
        {"retailer": "r-m01-1", "arrive": "09:10", "start": "09:10", "end": "09:30"},
        {"retailer": "r-m01-2", "arrive": "09:40", "start": "09:40", "end": "10:00"}]}]}
    read = _read_routes(situation([{"type": "urgent_visit", "retailer": "r-m01-1", "by": str(WEDNESDAY)}]), routes)
    [visit] = [v for v in read.visits if v.retailer == "r-m01-1"]
    assert (visit.urgent_by, visit.date, visit.manager) == (WEDNESDAY, WEDNESDAY, "m01")
    assert [v.retailer for v in read.staying[("m01", WEDNESDAY)]] == ["r-m01-2"]
    # due by Wednesday and planned on Wednesday: it stays there first
    rules = ReplanRules(moved_block=10, missing_per_10min=5, handover=("next_days",), neighbour_max_km=5)
    here = situation([])
    days = {m: dict.fromkeys(here.dates) for m in MANAGERS}
    assert _options(visit, here, rules, days, {})[0] == ("m01", WEDNESDAY)  # type: ignore[arg-type]
