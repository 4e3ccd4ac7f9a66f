"""A re-plan of a re-planned week: what the carried sickness took is gone from the
earlier re-plan's blocks and declared short there, naming the sickness. The checker
still says the shortfall, with its cause, as the first re-plan's check did; it does not
pass it over in silence."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import Sickness, check_replan
from engine.domain import HoursShortfall
from tests.engine.check.test_replan_checker import MANAGERS, TUESDAY_13, replanned, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY_9 = dt.datetime.combine(MONDAY + dt.timedelta(days=2), dt.time(9, 0))
SICK = [Sickness("m01", TUESDAY_13, TUESDAY)]


def short_of(verdict_shortfalls: list, kind: str) -> list[tuple[str, str, int, int]]:
    return [(s.manager, s.unit, s.planned, s.asked) for s in verdict_shortfalls if s.kind == kind]


def test_a_second_replan_still_says_the_shortfall_the_carried_sickness_made() -> None:
    department = make_department(MANAGERS)
    first = replanned(week(), TUESDAY_13, lambda b: b["manager"] == "m01" and b["date"] == TUESDAY.isoformat())
    verdict = check_replan(department, TEST_POLICY, week(), first, TUESDAY_13, SICK)
    assert short_of(verdict.shortfalls, "admin") == [("m01", "min", 60, 100)]
    # The first re-plan declares it, as the re-plan words it.
    first["shortfalls"] = [HoursShortfall(
        manager=s.manager, kind=s.kind, minutes_short=s.asked - s.planned if s.unit == "min" else 0,
        sessions_short=s.asked - s.planned if s.unit == "sessions" else 0,
        reason=f"m01 off sick from Tue {TUESDAY} 13:00 took it and the rest of the week has no room for it",
    ).model_dump(mode="json") for s in verdict.shortfalls]
    second = check_replan(department, TEST_POLICY, first, first, WEDNESDAY_9, SICK)
    admin = [s for s in second.shortfalls if s.kind == "admin"]
    assert short_of(admin, "admin") == [("m01", "min", 60, 100)]
    assert "m01 off sick from" in admin[0].message
    assert not [v for v in second.violations if v.rule == "admin_time"]
