"""Two sicknesses of one manager in the week: overlapping ones are held as one absence
from the first start to the last `until`; a second one after he was back is refused with
its row and field (it was dropped silently, leaving his blocks inside it in the week)."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.check.replan import Sickness, check_replan
from engine.domain import Timetable
from engine.errors import InputError
from engine.replan import read_events
from engine.replan.situation import Situation, situation_at
from tests.engine.check.test_replan_checker import (
    MANAGERS,
    TUESDAY_13,
    judge,
    off_tuesday_afternoon,
    replanned,
    week,
)
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)


def _at(now: dt.datetime, *sick: dict) -> Situation:
    events = read_events([{"type": "manager_sick", "manager": "m02", **s} for s in sick])
    return situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), now, events)


def test_overlapping_sicknesses_are_one_absence() -> None:
    situation = _at(dt.datetime.combine(WEDNESDAY, dt.time(13, 0)),
                    {"from": f"{TUESDAY}T10:00", "until": TUESDAY.isoformat()}, {"from": f"{TUESDAY}T14:00"})
    absence = situation.absences["m02"]
    assert (absence.date, absence.minute, absence.until) == (TUESDAY, 10 * 60, WEDNESDAY)


def test_a_second_sickness_after_he_was_back_is_refused_with_its_row() -> None:
    with pytest.raises(InputError) as caught:
        _at(dt.datetime.combine(WEDNESDAY, dt.time(13, 0)),
            {"from": f"{MONDAY}T10:00", "until": MONDAY.isoformat()}, {"from": f"{WEDNESDAY}T10:00"})
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (2, "from")
    assert "off sick again" in problem.message and "event 1" in problem.message


def test_the_checker_says_he_fell_ill_at_the_first_of_two() -> None:
    after = replanned(week(), TUESDAY_13, off_tuesday_afternoon)
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, week(), after, TUESDAY_13,
                           [Sickness("m02", TUESDAY_13, TUESDAY),
                            Sickness("m02", TUESDAY_13 + dt.timedelta(hours=2), TUESDAY)])
    words = [s.message for s in verdict.shortfalls] + [v.message for v in verdict.violations]
    said = [w for w in words if "m02 off sick from" in w]
    assert said and all(f"m02 off sick from Tue {TUESDAY} 13:00" in w for w in said)
    assert verdict.violations == judge(after).violations
