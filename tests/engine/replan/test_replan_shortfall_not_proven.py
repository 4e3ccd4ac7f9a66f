"""A re-plan stopped by its time limit proves no shortfall forced: its declared reason
and the re-plan checker's words say so (as the week planner's `NOT_PROVEN`), and only a
re-plan solved to optimality says the rest of the week has no room for the hours lost."""

from __future__ import annotations

import pytest

from engine.domain import HoursShortfall, Status, Timetable
from engine.policy import ReplanRules
from engine.replan import read_events
from engine.replan.model import build_replan_model
from engine.replan.situation import situation_at
from engine.replan.solve import _declared_shortfalls
from engine.timetable.shortfalls import NOT_PROVEN
from tests.engine.check.test_replan_checker import (
    MANAGERS,
    TUESDAY_13,
    judge,
    off_tuesday_afternoon,
    replanned,
    week,
)
from tests.engine.check.test_timetable_checker import TEST_POLICY, make_department, on

NO_ROOM = "the rest of the week has no room for"
# Proven beside the other work the re-plan keeps, not outright: an outside tester read "no
# room" as false beside a pair's Friday afternoon of office work, which the re-plan keeps
# rather than trades (replan/model._floors).
BESIDE = "beside the other work it keeps"


@pytest.mark.parametrize(("status", "proven"), [("feasible", False), ("optimal", True)])
def test_the_re_plan_s_declared_reason_says_whether_the_solve_proved_it(status: Status, proven: bool) -> None:
    """m02 is off on Tuesday afternoon; the week found lacks m01's Tuesday maintenance."""
    rules = ReplanRules(moved_block=10, missing_per_10min=5, handover=(), neighbour_max_km=5)
    policy = TEST_POLICY.model_copy(update={"replan": rules})
    events = read_events([{"type": "manager_sick", "manager": "m02", "from": TUESDAY_13.isoformat(),
                           "until": on("tue")}])
    old = Timetable.model_validate(week())
    situation = situation_at(make_department(MANAGERS), policy, old, TUESDAY_13, events)
    model = build_replan_model(situation, rules)
    blocks = [b for b in old.blocks if not (b.manager == "m01" and b.kind == "maintenance"
                                            and b.date.isoformat() == on("tue"))]
    declared = _declared_shortfalls(model.tm, blocks, old, situation, status)
    mine = [s for s in declared if (s.manager, s.kind) == ("m01", "maintenance")]
    assert mine and mine[0].reason.startswith("m02 off sick from Tue 2024-03-05 13:00 took it")
    assert (NO_ROOM in mine[0].reason) is proven
    assert (BESIDE in mine[0].reason) is proven
    assert (NOT_PROVEN in mine[0].reason) is not proven


@pytest.mark.parametrize(("status", "proven"), [("feasible", False), ("optimal", True)])
def test_the_re_plan_checker_says_no_room_only_of_a_re_plan_solved_to_optimality(status: str,
                                                                                 proven: bool) -> None:
    after = replanned(week(), TUESDAY_13, off_tuesday_afternoon) | {"status": status}
    shortfalls = judge(after).shortfalls
    assert shortfalls
    assert all((f"{NO_ROOM} them {BESIDE}" in s.message and "not proven" not in s.message) is proven
               for s in shortfalls)


def test_a_not_owed_line_of_the_old_plan_does_not_lend_its_words_to_weekly_hours() -> None:
    """The old plan's 'leave leaves no room' line of a kind gave its words to that kind's
    weekly hours the re-plan lost to a sickness."""
    rules = ReplanRules(moved_block=10, missing_per_10min=5, handover=(), neighbour_max_km=5)
    policy = TEST_POLICY.model_copy(update={"replan": rules})
    events = read_events([{"type": "manager_sick", "manager": "m02", "from": TUESDAY_13.isoformat(),
                           "until": on("tue")}])
    old = Timetable.model_validate(week())
    old = old.model_copy(update={"shortfalls": (HoursShortfall(
        manager="m01", kind="maintenance", minutes_short=120, not_owed=True, reason="his leave leaves no room"),)})
    situation = situation_at(make_department(MANAGERS), policy, old, TUESDAY_13, events)
    model = build_replan_model(situation, rules)
    blocks = [b for b in old.blocks if not (b.manager == "m01" and b.kind == "maintenance"
                                            and b.date.isoformat() == on("tue"))]
    [mine] = [s for s in _declared_shortfalls(model.tm, blocks, old, situation, "optimal")
              if (s.manager, s.kind) == ("m01", "maintenance")]
    assert mine.reason.startswith("m02 off sick from")


def test_a_re_plan_keeps_declaring_the_blocks_the_leave_takes() -> None:
    """A re-plan, even one with no event, dropped the plan's 'his leave leaves no room'
    lines: the week it handed out then failed `fieldweek score`."""
    rules = ReplanRules(moved_block=10, missing_per_10min=5, handover=(), neighbour_max_km=5)
    policy = TEST_POLICY.model_copy(update={"replan": rules})
    leave = [{"manager": "m03", "date": on("wed"), "start": "08:00", "end": "10:00"}]
    old = Timetable.model_validate(week())
    situation = situation_at(make_department(MANAGERS, leave=leave), policy, old, TUESDAY_13, [])
    model = build_replan_model(situation, rules)
    blocks = [b for b in old.blocks if not (b.manager == "m03" and b.date.isoformat() == on("wed"))]
    declared = _declared_shortfalls(model.tm, blocks, old, situation, "optimal")
    assert ("m03", "visit") in {(s.manager, s.kind) for s in declared if s.not_owed}
