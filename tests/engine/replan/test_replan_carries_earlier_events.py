"""A second event in a week re-plans the re-planned week with the first re-plan's events
carried before the new ones (`with_earlier_events`): given without them, its sick manager
counted as at work again (a silent wrong plan), a closure without a day moved to the new
`now`'s day, and the urgent visit the first re-plan made was made twice. `now` before
the first re-plan's is refused. No solver runs: the events are resolved by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.domain import Timetable
from engine.errors import InputError, Problem
from engine.policy import load_policy
from engine.replan import ManagerSick, RetailerClosed, UrgentVisit, read_events
from engine.replan.situation import (
    EarlierReplan,
    earlier_replan,
    replan_input_problems,
    situation_at,
    with_earlier_events,
)
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)
FIRST_NOW = dt.datetime.combine(MONDAY, dt.time(10, 30))
SECOND_NOW = dt.datetime.combine(TUESDAY, dt.time(12, 0))
SICK = {"type": "manager_sick", "manager": "m02", "from": f"{MONDAY.isoformat()}T10:00"}
CLOSED = {"type": "retailer_closed", "retailer": "r-m01-4"}
URGENT = {"type": "urgent_visit", "retailer": "r-m03-4", "by": TUESDAY.isoformat()}
NEW_SICK = ManagerSick.model_validate({"type": "manager_sick", "manager": "m04",
                                       "from": f"{TUESDAY.isoformat()}T13:00"})


def _route(retailer: str, date: dt.date, start: str) -> dict:
    return {"manager": "m03", "date": date.isoformat(),
            "stops": [{"retailer": retailer, "arrive": start, "start": start, "end": start, "pinned": False}]}


def _earlier(*routes: dict, events: tuple[dict, ...] = (SICK, CLOSED, URGENT)) -> EarlierReplan:
    """The first re-plan as its JSON result holds it (`fieldweek replan --json`)."""
    found = earlier_replan({"now": FIRST_NOW.isoformat(), "events": list(events), "routes": list(routes),
                            "timetable": {}})
    assert found is not None
    return found


def test_a_timetable_or_route_plan_has_no_earlier_replan() -> None:
    assert earlier_replan({"timetable": {}, "routes": []}) is None


def test_the_first_replans_events_come_first_and_keep_their_day() -> None:
    events = with_earlier_events(_earlier(_route("r-m03-4", WEDNESDAY, "09:00")), SECOND_NOW, (NEW_SICK,))
    assert [type(e) for e in events] == [ManagerSick, RetailerClosed, UrgentVisit, ManagerSick]
    assert events[-1] == NEW_SICK
    closed = events[1]
    assert isinstance(closed, RetailerClosed) and closed.date == MONDAY  # the first now's day, not Tuesday


def test_the_sick_manager_of_the_first_replan_stays_off() -> None:
    events = with_earlier_events(_earlier(), SECOND_NOW, (NEW_SICK,))
    situation = situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), SECOND_NOW,
                             events)
    assert set(situation.absences) == {"m02", "m04"}
    assert ("r-m01-4", MONDAY) in situation.closed


def test_an_urgent_visit_made_since_the_first_replan_is_not_made_again() -> None:
    made = _earlier(_route("r-m03-4", TUESDAY, "09:00"))
    assert not any(isinstance(e, UrgentVisit) for e in with_earlier_events(made, SECOND_NOW, ()))
    before_first_now = _earlier(_route("r-m03-4", MONDAY, "09:00"))  # a visit before it was asked
    assert any(isinstance(e, UrgentVisit) for e in with_earlier_events(before_first_now, SECOND_NOW, ()))


def test_an_urgent_visit_overdue_and_not_made_is_due_today() -> None:
    late = _earlier(events=({"type": "urgent_visit", "retailer": "r-m03-4", "by": MONDAY.isoformat()},))
    (urgent,) = with_earlier_events(late, SECOND_NOW, ())
    assert isinstance(urgent, UrgentVisit) and urgent.by == TUESDAY


def test_an_urgent_visit_asked_twice_is_one_visit() -> None:
    twice = read_events([URGENT, {**URGENT, "by": WEDNESDAY.isoformat(), "manager": "m01"}])
    situation = situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), SECOND_NOW,
                             twice)
    assert [(u.retailer, u.by, u.manager) for u in situation.urgent] == [("r-m03-4", TUESDAY, "m01")]


def test_now_before_the_first_replans_now_is_refused() -> None:
    with pytest.raises(InputError) as refused:
        with_earlier_events(_earlier(), FIRST_NOW - dt.timedelta(minutes=10), ())
    (problem,) = refused.value.problems
    assert problem.column == "now" and "before the now of the re-plan" in problem.message


def _event_problems(events: tuple, earlier: EarlierReplan) -> list[Problem]:
    policy = TEST_POLICY.model_copy(update={"replan": load_policy("15-13-7").replan})  # it has no [replan]
    return replan_input_problems(make_department(MANAGERS), policy, Timetable.model_validate(week()),
                                 SECOND_NOW, events, None, routes_to_come=True, earlier=earlier)


def test_a_new_events_fault_keeps_its_own_row_and_a_carried_ones_names_the_plan() -> None:
    bad_new = read_events([{"type": "manager_sick", "manager": "m99", "from": f"{TUESDAY.isoformat()}T13:00"}])
    problems = _event_problems(bad_new, _earlier())
    assert [(p.file, p.row, p.column) for p in problems] == [("events", 1, "manager")]
    problems = _event_problems((), _earlier(events=({"type": "retailer_closed", "retailer": "r-x"},)))
    assert [(p.file, p.row) for p in problems] == [("plan", 1)]
    assert problems[0].message.startswith("event 1 of the re-plan, carried into this one")


def test_the_first_replans_urgent_visit_given_again_is_not_made_again() -> None:
    """A user giving the first re-plan's events again with the new ones (as its refusal
    used to ask): the urgent visit made since is one visit, not asked anew."""
    made = _earlier(_route("r-m03-4", TUESDAY, "09:00"))
    events = with_earlier_events(made, SECOND_NOW, read_events([SICK, CLOSED, URGENT, NEW_SICK.model_dump(
        mode="json", by_alias=True)]))
    assert not any(isinstance(e, UrgentVisit) for e in events)
    assert len([e for e in events if isinstance(e, ManagerSick) and e.manager == "m02"]) == 1
    later = read_events([{**URGENT, "by": WEDNESDAY.isoformat()}])  # due another day: a new request
    assert with_earlier_events(made, SECOND_NOW, later)[-1] == later[0]
