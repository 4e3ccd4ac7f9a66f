"""A session done before `now`, or before its manager fell ill, kept as the plan had it,
is not faulted for the session length his shortened week asks (tester fault: m01 ill on
Monday 09:30 made his Monday 08:40-09:20 office work, 40 min, "a session lasts 10 min",
and the re-plan not executable). A block the re-plan added or changed is still asked it.

The hand-made week of the checker's tests: m02 does 30 min of office work on Monday
08:30-09:00, right after the meeting (a session of the whole week's length, 30-120 min),
rides out for his visit at 09:20 and falls ill at 10:30 for the rest of the week, so his
prorated office work is one 10-min session. The kept session is still asked the length of
the week as planned: a session no week could have held is a fault (tests/engine/check/
test_replan_checker_replanned_week.py)."""

from __future__ import annotations

import copy
import datetime as dt

from engine.check.replan import ReplanVerdict, Sickness, check_replan
from tests.engine.check.test_replan_checker import MANAGERS, replanned, week
from tests.engine.check.test_timetable_checker import (
    MONDAY,
    TEST_POLICY,
    block,
    make_department,
    on,
)

FELL_ILL = dt.datetime.combine(MONDAY, dt.time(10, 30))


def before() -> dict:
    plan = week()
    plan["blocks"].append(block("m02", "mon", "admin", "08:30", "09:00"))
    visit = next(b for b in plan["blocks"] if (b["manager"], b["kind"], b["date"]) == ("m02", "visit", on("mon")))
    visit.update(start="09:20", end="11:20")
    return plan


def judge(after: dict, now: dt.datetime) -> ReplanVerdict:
    return check_replan(make_department(MANAGERS), TEST_POLICY, before(), after, now, [Sickness("m02", FELL_ILL)])


def without_m02_after() -> dict:
    """The re-plan: m02's blocks from when he fell ill gone (with his pair's sessions), his
    visit under way then cut there."""
    after = replanned(before(), FELL_ILL, lambda b: b["manager"] == "m02" or (
        "m02" in b["with"] and b["kind"] in ("maintenance", "promotion")))
    visit = next(b for b in after["blocks"] if (b["manager"], b["kind"], b["date"]) == ("m02", "visit", on("mon")))
    visit["end"] = "10:30"
    return after


def length_faults(verdict: ReplanVerdict) -> list[str]:
    return [v.message for v in verdict.violations
            if v.rule == "admin_time" and v.manager == "m02" and "a session of office work lasts" in v.message]


def test_a_session_done_before_now_keeps_its_planned_length() -> None:
    now = dt.datetime.combine(MONDAY, dt.time(10, 0))
    verdict = judge(without_m02_after(), now)
    assert length_faults(verdict) == []
    assert verdict.violations == []
    assert verdict.executable


def test_a_session_after_now_that_ends_when_he_falls_ill_keeps_its_planned_length() -> None:
    now = dt.datetime.combine(MONDAY, dt.time(8, 20))
    assert length_faults(judge(without_m02_after(), now)) == []


def test_a_changed_session_is_still_asked_the_shortened_length() -> None:
    now = dt.datetime.combine(MONDAY, dt.time(8, 20))
    after = copy.deepcopy(without_m02_after())
    admin = next(b for b in after["blocks"] if b["manager"] == "m02" and b["kind"] == "admin")
    admin["end"] = "08:50"
    faults = length_faults(judge(after, now))
    assert len(faults) == 1 and "08:30–08:50 lasts 20 min; a session of office work lasts 10 min" in faults[0]


def test_a_kept_session_is_asked_the_length_of_the_week_as_planned() -> None:
    """Kept as planned is no licence: a 20-min session, too short for the week as it was
    planned (30-120 min), is a fault even though the shortened week asks 10."""
    now = dt.datetime.combine(MONDAY, dt.time(10, 0))
    plan = before()
    admin = next(b for b in plan["blocks"] if b["manager"] == "m02" and b["kind"] == "admin" and b["start"] == "08:30")
    admin["end"] = "08:50"
    after = replanned(plan, FELL_ILL, lambda b: b["manager"] == "m02" or (
        "m02" in b["with"] and b["kind"] in ("maintenance", "promotion")))
    next(b for b in after["blocks"] if (b["manager"], b["kind"], b["date"]) == ("m02", "visit", on("mon")))["end"] = \
        "10:30"
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, plan, after, now, [Sickness("m02", FELL_ILL)])
    faults = length_faults(verdict)
    assert len(faults) == 1 and "08:30–08:50 lasts 20 min; a session of office work lasts 30–120 min" in faults[0]
