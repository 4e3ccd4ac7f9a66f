"""A sickness prorates its manager's weekly quotas down, yet the blocks of the week's
plan on his days in are no excess: the re-plan keeps them where nothing displaces them,
declares no shortfall of them, and the checker finds no fault in holding them (tester d7
evA: m02 off Tue 13:00 to Wed lost his Thu and Fri admin "to make room for the changes"
while nothing took the slots, and his timetable declared 10 min of admin short that the
checker did not list)."""

from __future__ import annotations

import datetime as dt

from api.replan_verdict import judge_replan
from engine.check.replan import Sickness, check_replan
from engine.domain import Timetable
from engine.replan import read_events, replan
from engine.replan.model import build_replan_model
from engine.replan.situation import situation_at
from engine.timetable.solve import SolveParams
from tests.engine.check.test_replan_checker import MANAGERS, MONDAY_13, replanned, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department
from tests.engine.replan.test_replan_urgent_by_its_deadline import NEAR

WEDNESDAY = MONDAY + dt.timedelta(days=2)
WEDNESDAY_8 = dt.datetime.combine(WEDNESDAY, dt.time(8, 0))
POLICY = TEST_POLICY.model_copy(update={"replan": NEAR})
SICK = [{"type": "manager_sick", "manager": "m02", "from": WEDNESDAY_8.isoformat(), "until": WEDNESDAY.isoformat()}]


def test_the_model_owes_at_least_the_plan_s_hours_the_sickness_left() -> None:
    """m02's admin (Mon and Tue, 60 min each) is prorated to 80 min by his Wednesday off;
    the model's quota holds the 120 the plan gave him and remembers the 80 owed."""
    situation = situation_at(make_department(MANAGERS), POLICY, Timetable.model_validate(week()), MONDAY_13,
                             read_events(SICK))
    model = build_replan_model(situation, NEAR)
    assert model.prorated[("m02", "admin")].total_minutes == 80
    assert model.tm.frame.managers["m02"].quotas["admin"].total_minutes == 120


def test_the_re_plan_keeps_the_blocks_nothing_displaces_and_is_executable() -> None:
    department, before = make_department(MANAGERS), Timetable.model_validate(week())
    result = replan(department, POLICY, before, MONDAY_13, read_events(SICK), None,
                    SolveParams(time_limit_s=5, workers=2))
    planned = {(b.date, b.start, b.end) for b in before.blocks if b.manager == "m02" and b.kind == "admin"}
    kept = {(b.date, b.start, b.end) for b in result.timetable.blocks if b.manager == "m02" and b.kind == "admin"}
    assert kept == planned
    assert not [s for s in result.timetable.shortfalls if (s.manager, s.kind) == ("m02", "admin")]
    verdict = judge_replan(department, POLICY, before, result)
    assert verdict is not None and verdict.executable, verdict.violations


def test_the_checker_takes_the_plan_s_hours_kept_above_the_prorated_quota() -> None:
    after = replanned(week(), MONDAY_13, lambda b: b["manager"] == "m02" and b["date"] == WEDNESDAY.isoformat())
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, week(), after, MONDAY_13,
                           [Sickness("m02", WEDNESDAY_8, WEDNESDAY)])
    assert not [v for v in verdict.violations if v.manager == "m02" and "office work" in v.message], \
        verdict.violations


def test_a_shortfall_the_week_declares_and_the_checker_accepts_is_listed_in_the_verdict() -> None:
    """m02's Tuesday admin dropped, the week declaring 60 min of it short: the checker
    takes the declaration (no fault) and lists it with the absences' shortfalls."""
    after = replanned(week(), MONDAY_13, lambda b: b["manager"] == "m02" and (
        b["date"] == WEDNESDAY.isoformat() or (b["kind"] == "admin" and b["date"] != MONDAY.isoformat())))
    after["shortfalls"] = [{"manager": "m02", "kind": "admin", "minutes_short": 60, "sessions_short": 0,
                            "reason": "m02 off sick from Wed took it"}]
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, week(), after, MONDAY_13,
                           [Sickness("m02", WEDNESDAY_8, WEDNESDAY)])
    assert not [v for v in verdict.violations if "office work" in v.message], verdict.violations
    [admin] = [s for s in verdict.shortfalls if (s.manager, s.kind) == ("m02", "admin")]
    assert (admin.planned, admin.unit) == (60, "min")
