"""A re-plan of a re-planned week judges the past as the first re-plan did: a session
a partner fell ill before, that the other held alone at the ill partner's store, is
the pair's store in the second re-plan too (the first re-plan no longer names him)."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import Sickness, check_replan
from engine.domain import Timetable
from engine.replan import read_events
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

WEDNESDAY = MONDAY + dt.timedelta(days=2)
ILL = dt.datetime.combine(WEDNESDAY, dt.time(8, 0))
FIRST_NOW = dt.datetime.combine(WEDNESDAY, dt.time(16, 0))
SECOND_NOW = dt.datetime.combine(WEDNESDAY + dt.timedelta(days=1), dt.time(9, 0))


def _territory_faults(before: Timetable, after: Timetable, now: dt.datetime) -> list[str]:
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, before.model_dump(mode="json", by_alias=True),
                           after.model_dump(mode="json", by_alias=True), now, [Sickness("m01", ILL)])
    return [v.message for v in verdict.violations if v.manager == "m02" and "territory" in v.message]


def test_the_second_replan_accepts_the_session_the_first_accepted() -> None:
    events = read_events([{"type": "manager_sick", "manager": "m01", "from": ILL.isoformat()}])
    department = make_department(MANAGERS)
    first = situation_at(department, TEST_POLICY, Timetable.model_validate(week()), FIRST_NOW, events).timetable
    [alone] = [b for b in first.blocks if b.manager == "m02" and b.kind == "promotion" and b.date == WEDNESDAY]
    assert (alone.with_, alone.retailer) == ((), "r-m01-3")
    assert _territory_faults(Timetable.model_validate(week()), first, FIRST_NOW) == []
    second = situation_at(department, TEST_POLICY, first, SECOND_NOW, events).timetable
    assert alone in second.blocks
    assert _territory_faults(first, second, SECOND_NOW) == []


def test_a_stranger_s_store_in_the_past_is_still_a_fault() -> None:
    """The reading is for a partner of the week's group who was ill at the time: a past
    session at the store of a manager who is neither stays a fault."""
    events = read_events([{"type": "manager_sick", "manager": "m01", "from": ILL.isoformat()}])
    department = make_department(MANAGERS)
    first = situation_at(department, TEST_POLICY, Timetable.model_validate(week()), FIRST_NOW, events).timetable
    stranger = [b.model_copy(update={"retailer": "r-m03-3"}) if b.manager == "m02" and b.kind == "promotion"
                and b.date == WEDNESDAY else b for b in first.blocks]
    moved = first.model_copy(update={"blocks": tuple(stranger)})
    second = situation_at(department, TEST_POLICY, moved, SECOND_NOW, events).timetable
    assert any("r-m03-3" in f for f in _territory_faults(moved, second, SECOND_NOW))
