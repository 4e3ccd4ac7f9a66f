"""A sickness that began before `now` and before a session of others he was in: the
others' session (a pair's, a department meeting) no longer names him — he has no block
there — and the independent checker flags a past block that still does."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import Sickness, check_replan
from engine.domain import Timetable
from engine.replan import read_events
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

MONDAY_08 = dt.datetime.combine(MONDAY, dt.time(8, 0))
TUESDAY_13 = dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(13, 0))


def _monday_of(blocks, manager: str) -> dict[str, tuple[str, ...]]:
    return {b.kind: tuple(b.with_) for b in blocks if b.manager == manager and b.date == MONDAY}


def _m02_sick_all_monday() -> Timetable:
    events = read_events([{"type": "manager_sick", "manager": "m02", "from": MONDAY_08.isoformat(),
                           "until": MONDAY.isoformat()}])
    return situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()),
                        TUESDAY_13, events).timetable


def test_the_others_past_sessions_no_longer_name_him() -> None:
    monday = _monday_of(_m02_sick_all_monday().blocks, "m01")
    assert monday["maintenance"] == ()
    assert monday["meeting"] == ("m03", "m04")
    assert "m02" not in _monday_of(_m02_sick_all_monday().blocks, "m03")["meeting"]


def _m01_monday_faults(after: dict) -> list[str]:
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, week(), after, TUESDAY_13,
                           [Sickness("m02", MONDAY_08, MONDAY)])
    return [v.message for v in verdict.violations if v.manager == "m01" and v.date == MONDAY]


def test_the_checker_flags_a_past_session_naming_him() -> None:
    after = _m02_sick_all_monday().model_dump(mode="json", by_alias=True)
    for b in after["blocks"]:
        if b["manager"] == "m01" and b["date"] == MONDAY.isoformat() and b["kind"] == "maintenance":
            b["with"] = ["m02"]  # as the old re-plan kept it
    faults = _m01_monday_faults(after)
    assert any("maintenance" in f and "names m02 as partner" in f and "no such block" in f for f in faults)


def test_the_checker_passes_the_sessions_without_him() -> None:
    after = _m02_sick_all_monday().model_dump(mode="json", by_alias=True)
    assert _m01_monday_faults(after) == []


def test_a_session_left_alone_stays_at_the_store_of_the_partner_who_fell_ill() -> None:
    """m01 fell ill before Wednesday's promotion at his store r-m01-3: m02 held it alone
    there; the store is the pair's, not a stranger's."""
    wednesday = MONDAY + dt.timedelta(days=2)
    ill, now = dt.datetime.combine(wednesday, dt.time(8, 0)), dt.datetime.combine(wednesday, dt.time(16, 0))
    events = read_events([{"type": "manager_sick", "manager": "m01", "from": ill.isoformat()}])
    situation = situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), now, events)
    [alone] = [b for b in situation.timetable.blocks if b.manager == "m02" and b.kind == "promotion"
               and b.date == wednesday]
    assert (alone.with_, alone.retailer) == ((), "r-m01-3")
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, week(),
                           situation.timetable.model_dump(mode="json", by_alias=True), now, [Sickness("m01", ill)])
    assert not [v for v in verdict.violations if v.manager == "m02" and "territory" in v.message]
