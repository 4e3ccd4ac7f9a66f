"""What a re-plan's shortfall says is what its fields say: the sessions and minutes the
events took (not a session the re-plan holds again at another store, counted as lost),
the part of a session under way when he fell ill as a part, the prorated quota with
what it was prorated from and why, and what an earlier re-plan of the week declared
short as that, not as sessions this re-plan's events took.

The hand-typed three-day week of the checker's tests (m01+m02, m03+m04 in pairs)."""

from __future__ import annotations

import copy
import datetime as dt

from engine.check.replan import Closure, Sickness, check_replan
from engine.domain import HoursShortfall
from tests.engine.check.test_replan_checker import (
    MANAGERS,
    TUESDAY_13,
    cut_at,
    judge,
    off_tuesday_afternoon,
    replanned,
    week,
)
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department, on

TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)


def shortfall(verdict, manager: str, kind: str, unit: str = "min"):
    [found] = [s for s in verdict.shortfalls if (s.manager, s.kind, s.unit) == (manager, kind, unit)]
    return found


def test_a_session_held_again_at_another_store_is_not_said_lost() -> None:
    """m01+m02's promotion is two 60-min sessions, Tue 15:30 and Wed 13:10 at r-m01-3.
    m02 falls ill on Tuesday at 13:00 (for the day) and r-m01-3 is closed on Wednesday:
    the Tuesday session is lost, the Wednesday one the re-plan holds in its slot at
    r-m02-3. The shortfall is the one session, 60 min; it was 2 sessions, 120 min."""
    before = copy.deepcopy(week())
    for block in before["blocks"]:
        if block["kind"] == "promotion" and block["manager"] in ("m01", "m02"):
            block["end"] = "14:10"
    before["blocks"] += [{"manager": m, "date": on("tue"), "kind": "promotion", "start": "15:30", "end": "16:30",
                          "with": [p], "retailer": "r-m01-3"} for m, p in (("m01", "m02"), ("m02", "m01"))]
    after = replanned(before, TUESDAY_13, lambda b: off_tuesday_afternoon(b)
                      or (b["manager"] == "m01" and b["kind"] == "promotion" and b["date"] == on("tue")))
    for block in after["blocks"]:
        if block["kind"] == "promotion" and block["manager"] in ("m01", "m02"):
            block["retailer"] = "r-m02-3"
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, before, after, TUESDAY_13,
                           [Sickness("m02", TUESDAY_13, TUESDAY)], [Closure("r-m01-3", WEDNESDAY)])
    assert verdict.violations == []
    short = shortfall(verdict, "m01", "promotion")
    assert (short.planned, short.asked, short.lost) == (60, 120, 60)
    assert "took 1 planned session (Tue 15:30–16:30), 60 min" in short.message
    assert "(Wed 13:10–14:10), which the re-plan holds in its slot at another store" in short.message
    # Dropping the Wednesday session too is still a fault: nothing took it.
    dropped = replanned(after, TUESDAY_13, lambda b: b["manager"] in ("m01", "m02") and b["kind"] == "promotion")
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, before, dropped, TUESDAY_13,
                           [Sickness("m02", TUESDAY_13, TUESDAY)], [])
    assert ("promotion_pairs", "m01") in {(v.rule, v.manager) for v in verdict.violations}


def test_a_prorated_quota_says_from_what_and_why() -> None:
    """m02, off on Tuesday afternoon, is present 84% of the week: his office work is owed
    100 of the 120 min, and his Tuesday session (60 min) is what the sickness took."""
    verdict = judge(replanned(week(), TUESDAY_13, off_tuesday_afternoon))
    short = shortfall(verdict, "m02", "admin")
    assert (short.planned, short.asked, short.lost) == (60, 100, 60)
    assert "40 min short of the 100 the policy asks (120 for a whole week, prorated: present 84% of the week)" \
        in short.message
    assert "took 1 planned session (Tue 16:10–17:10), 60 min" in short.message


def test_the_part_of_a_session_under_way_is_said_as_a_part() -> None:
    """m02 falls ill at 14:30 in his POS session (14:20-15:20): 50 min of it are lost,
    not a session."""
    now = dt.datetime.combine(TUESDAY, dt.time(14, 30))
    after = cut_at(replanned(week(), now, off_tuesday_afternoon), "m02", "pos_project", "14:20", "14:30")
    short = shortfall(judge(after, now=now), "m02", "pos_project")
    assert (short.planned, short.asked, short.lost) == (70, 120, 50)
    assert "took the last 50 min of one he was in when he fell ill, 50 min" in short.message


def test_what_an_earlier_re_plan_declared_is_said_as_declared() -> None:
    """A re-plan of a re-plan: the earlier one dropped m02's Tuesday maintenance and
    declared 60 min and 1 session short; the second says so, not that its events took
    '1 planned session (60 min)'."""
    first = replanned(week(), TUESDAY_13, off_tuesday_afternoon)
    first["shortfalls"] = [HoursShortfall(
        manager="m02", kind="maintenance", minutes_short=60, sessions_short=1,
        reason=f"m02 off sick from Tue {TUESDAY} 13:00 took it and the rest of the week has no room for it",
    ).model_dump(mode="json")]
    second = check_replan(make_department(MANAGERS), TEST_POLICY, first, first,
                          dt.datetime.combine(WEDNESDAY, dt.time(9, 0)), [Sickness("m02", TUESDAY_13, TUESDAY)])
    short = shortfall(second, "m02", "maintenance")
    assert (short.planned, short.asked, short.lost) == (60, 120, 60)
    assert "planned session" not in short.message
    assert "the re-planned week this re-plan starts from was already 1 session and 60 min short of it for m02 " \
           "off sick from Tue 2024-03-05 13:00, as it declared" in short.message
