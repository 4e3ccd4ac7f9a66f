"""A sickness that began before `now`: the work planned inside it was not done, though it
lies in the past. The re-plan does not pin it as done (its visits are handed on), says
the sickness from its real start, and the independent checker flags a block of the sick
manager kept inside his sickness; a whole day's sickness is said from when he fell ill,
not from the midnight its leave row starts at."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import Sickness, check_replan
from engine.domain import Timetable
from engine.replan import read_events
from engine.replan.handover import _read_routes
from engine.replan.situation import Situation, situation_at
from tests.engine.check.test_replan_checker import MANAGERS, replanned, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

TUESDAY = MONDAY + dt.timedelta(days=1)
TUESDAY_08 = dt.datetime.combine(TUESDAY, dt.time(8, 0))
TUESDAY_1230 = dt.datetime.combine(TUESDAY, dt.time(12, 30))


def sick_since_the_morning() -> Situation:
    events = read_events([{"type": "manager_sick", "manager": "m01", "from": TUESDAY_08.isoformat(),
                           "until": TUESDAY.isoformat()}])
    return situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), TUESDAY_1230,
                        events)


def test_the_morning_inside_the_sickness_is_not_pinned_as_done() -> None:
    situation = sick_since_the_morning()
    assert situation.absences["m01"].since == f"Tue {TUESDAY} 08:00"
    gone = {(b.kind, b.start) for b, piece in situation.cut if b.manager == "m01" and piece is None}
    assert {("visit", 9 * 60), ("lunch", 12 * 60)} <= gone
    assert not [b for b in situation.timetable.blocks
                if b.manager == "m01" and b.date == TUESDAY and b.start < 12 * 60 + 30]
    # m02 was not ill: his morning stays as it was
    assert any(b.manager == "m02" and b.date == TUESDAY and b.kind == "visit" for b in situation.timetable.blocks)


def test_the_morning_s_visits_are_handed_on() -> None:
    routes = {"routes": [{"manager": "m01", "date": TUESDAY.isoformat(), "stops": [
        {"retailer": "r-m01-1", "arrive": "09:10", "start": "09:10", "end": "09:30"}]}]}
    read = _read_routes(sick_since_the_morning(), routes)
    assert not read.pinned.get(("m01", TUESDAY))
    assert [(v.retailer, v.reason) for v in read.visits] == [("r-m01-1", "manager_absent")]


def test_the_checker_flags_a_block_kept_inside_the_sickness() -> None:
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, week(), week(), TUESDAY_1230,
                           [Sickness("m01", TUESDAY_08, TUESDAY)])
    kept = [v for v in verdict.violations if v.rule == "replan_past_changed" and v.manager == "m01"]
    assert any("09:00–11:00" in v.message and "lies inside his sickness" in v.message
               and f"off sick from Tue {TUESDAY} 08:00" in v.message for v in kept)


def test_a_whole_day_s_sickness_is_said_from_when_he_fell_ill() -> None:
    wednesday_08 = dt.datetime.combine(MONDAY + dt.timedelta(days=2), dt.time(8, 0))
    now = dt.datetime.combine(TUESDAY, dt.time(13, 0))
    after = replanned(week(), now, lambda b: b["manager"] == "m01" and b["date"] == wednesday_08.date().isoformat())
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, week(), after, now,
                           [Sickness("m01", wednesday_08)])
    words = [s.message for s in verdict.shortfalls] + [v.message for v in verdict.violations]
    said = [w for w in words if "m01 off sick from" in w]
    assert said
    assert all(f"m01 off sick from Wed {wednesday_08.date()} 08:00" in w for w in said)
