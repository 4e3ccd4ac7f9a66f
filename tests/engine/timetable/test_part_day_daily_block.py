"""A part-day leave cuts a daily block to the part that still fits rather than dropping it
(under seed-003 the 330-min visit block cannot fit before a leave from 13:00; its
08:30-13:00 part is planned, as 15-13-7's 3-hour block is planned whole before such a
leave). The model and the independent checker ask the same minutes. No solve."""

from __future__ import annotations

import datetime as dt

from engine.check.timetable import judge_timetable
from engine.domain import Block, Leave, Timetable
from engine.policy import parse_clock
from engine.timetable.model import build_variables
from tests.strategies import WEEK, simple_department

WEDNESDAY = WEEK + dt.timedelta(days=2)


def _afternoon_off(start: str):
    leave = Leave(manager="m01", date=WEDNESDAY, start=parse_clock(start), end=parse_clock("17:30"))
    return simple_department(2, leave=(leave,)).model_copy(update={"policy": "seed-003"})


def _visit_minutes(department, policy) -> int | None:
    """Minutes of m01's Wednesday visit block in the model (None: no block)."""
    tm = build_variables(department, policy, WEEK)
    wednesday = [b for b in tm.blocks[("m01", "visit")] if b.day == 2]
    if not wednesday:
        return None
    assert isinstance(wednesday[0].size, int)
    return wednesday[0].size * tm.grid


def test_the_morning_before_a_leave_from_1300_keeps_its_visits(policy_seed_003):
    """Visits open at 08:30: 270 of the 330 min fit before 13:00 (was: no block at all)."""
    assert _visit_minutes(_afternoon_off("13:00"), policy_seed_003) == 270


def test_a_leave_over_the_whole_visit_window_still_excuses_the_block(policy_seed_003):
    """Leave from 08:30: no minute of the visit window is left, nothing is owed."""
    assert _visit_minutes(_afternoon_off("08:30"), policy_seed_003) is None


def _visit_faults(department, policy, visit: tuple[str, str] | None) -> list[str]:
    """The checker's words on m01's Wednesday visit block (None: the block left out)."""
    blocks = () if visit is None else (Block.model_validate(
        {"manager": "m01", "date": WEDNESDAY, "kind": "visit", "start": visit[0], "end": visit[1]}),)
    timetable = Timetable(department=department.name, policy=policy.name, week_start=WEEK,
                          status="feasible", blocks=blocks)
    return [v.message for v in judge_timetable(department, policy, timetable).violations
            if v.manager == "m01" and v.date == WEDNESDAY and "individual visits" in v.message.lower()]


def test_the_checker_asks_the_part_that_fits(policy_seed_003):
    department = _afternoon_off("13:00")
    assert _visit_faults(department, policy_seed_003, ("08:30", "13:00")) == []
    missing = _visit_faults(department, policy_seed_003, None)
    assert any("the policy asks 270 min (the part of its 330 min" in m for m in missing)
