"""A re-plan run after the week's working time ended places nothing, and the cause is
that the week is over, not that no day has room (tester's rI of 2026-12-02: m02's two
visits "could go to a neighbouring territory, but none has room"; the shortfalls "the
rest of the week has no room for them")."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import Sickness, check_replan
from engine.domain import Timetable
from engine.policy import ReplanRules
from engine.replan import read_events
from engine.replan.handover import _unplaced_words, _Visit
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, replanned, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

RULES = ReplanRules(moved_block=10, missing_per_10min=5, handover=("next_days", "neighbour"), neighbour_max_km=5)
WEDNESDAY = MONDAY + dt.timedelta(days=2)  # the test week's last working day, to 17:30
SICK = dt.datetime.combine(WEDNESDAY, dt.time(8, 0))


def test_a_visit_unplaced_after_the_week_says_the_week_is_over() -> None:
    events = read_events([{"type": "manager_sick", "manager": "m02", "from": SICK.isoformat()}])
    after = dt.datetime.combine(WEDNESDAY, dt.time(18, 0))
    situation = situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), after, events)
    assert situation.week_over == f"Wed {WEDNESDAY} 17:30"
    visit = _Visit("r-m02-1", "m02", "m02", WEDNESDAY, reason="manager_absent", detail="m02 is off sick")
    words = _unplaced_words(visit, RULES, handed_over=False, no_own_days=True, week_over=situation.week_over)
    assert "none has room" not in words
    assert words == f"m02 is off sick; the week is over (its working time ended Wed {WEDNESDAY} 17:30): " \
                    "no day is left to make it"
    during = situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()),
                          dt.datetime.combine(WEDNESDAY, dt.time(17, 0)), events)
    assert during.week_over is None


def test_the_checker_s_shortfalls_after_the_week_say_the_week_is_over() -> None:
    """m02 off sick all Wednesday, judged the next morning (everything of the week is
    past, as it was, less his Wednesday): his promotion is lost to the sickness, and
    not for want of room."""
    now = WEDNESDAY + dt.timedelta(days=1)
    after = replanned(week(), SICK, lambda b: b["manager"] == "m02")
    for b in after["blocks"]:
        if b["date"] == WEDNESDAY.isoformat():
            b["with"] = [m for m in b["with"] if m != "m02"]
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, week(), after,
                           dt.datetime.combine(now, dt.time(9, 0)), [Sickness("m02", SICK)])
    assert verdict.violations == [], [v.message for v in verdict.violations]
    mine = [s.message for s in verdict.shortfalls if s.manager == "m02" and s.kind == "promotion"]
    assert mine and all(m.endswith(f"the week is over (its working time ended Wed {WEDNESDAY} 17:30)")
                        for m in mine), mine
    assert not any("has no room" in s.message for s in verdict.shortfalls)
