"""A member of a group of three off sick for part of the week: the two still in hold
the group's sessions of those days together (SPEC §2, "pairs share time and place");
the re-plan used to tie every member's session to the sick one's, so they lost them
all as if the rest of the week had no room for them."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import Sickness, check_replan
from engine.domain import Timetable
from engine.policy import ReplanRules
from engine.replan import read_events, replan
from engine.timetable.solve import SolveParams
from tests.engine.check.test_timetable_checker import (
    MONDAY,
    TEST_POLICY,
    build_week,
    make_department,
)

TRIO = ("m01", "m02", "m03")
TUESDAY = MONDAY + dt.timedelta(days=1)
RULES = ReplanRules(moved_block=10, missing_per_10min=5, handover=(), neighbour_max_km=5)


def test_the_two_still_in_keep_the_trio_s_session_of_the_day_he_is_off() -> None:
    """The trio m01-m03 holds maintenance on Monday and Tuesday; m01 is off sick on
    Tuesday only (re-planned on Monday at 16:30): m02 and m03 hold Tuesday's session
    together, and nobody's maintenance but m01's is short. The independent checker reads
    the two as the trio with its third member ill, not as a new group (it said "works with
    different partners … a group stays together for the whole week")."""
    policy = TEST_POLICY.model_copy(update={"replan": RULES})
    department, timetable = make_department(TRIO), Timetable.model_validate(build_week(TRIO))
    events = read_events([{"type": "manager_sick", "manager": "m01", "from": f"{TUESDAY}T08:00",
                           "until": str(TUESDAY)}])
    now = dt.datetime.combine(MONDAY, dt.time(16, 30))
    result = replan(department, policy, timetable, now, events, None, SolveParams(time_limit_s=5, workers=2))
    assert result.status in ("optimal", "feasible")
    tuesday = {b.manager: b for b in result.timetable.blocks if b.kind == "maintenance" and b.date == TUESDAY}
    assert set(tuesday) == {"m02", "m03"}
    assert tuesday["m02"].with_ == ("m03",) and tuesday["m03"].with_ == ("m02",)
    assert (tuesday["m02"].start, tuesday["m02"].retailer) == (tuesday["m03"].start, tuesday["m03"].retailer)
    short = {(s.manager, s.kind) for s in result.timetable.shortfalls if not s.not_owed}
    assert ("m02", "maintenance") not in short and ("m03", "maintenance") not in short
    verdict = check_replan(department, policy, timetable, result.timetable, now,
                           [Sickness("m01", dt.datetime.combine(TUESDAY, dt.time(8, 0)), TUESDAY)])
    assert verdict.violations == [], verdict.violations
