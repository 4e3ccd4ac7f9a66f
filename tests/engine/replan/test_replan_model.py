"""The re-plan is the weekly model plus pins: a hard rule of the weekly registry reaches
the re-plan with no edit to re-plan code, and a re-planned week with a manager off sick
from Wednesday 13:00 is judged by the independent timetable checker."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.check.timetable import check_timetable
from engine.domain import Department, Timetable
from engine.policy import Policy
from engine.replan import read_events, replan
from engine.replan.situation import department_with_absences, situation_at
from engine.timetable import constraints
from engine.timetable.model import TimetableModel
from engine.timetable.solve import SolveParams, solve_timetable
from tests.strategies import WEEK, simple_department

FAST = SolveParams(time_limit_s=3, workers=2)
WEDNESDAY = WEEK + dt.timedelta(days=2)


@pytest.fixture(scope="module")
def week(policy_15_13_7: Policy) -> tuple[Department, Timetable]:
    """Four managers in two pairs and their solved week."""
    department = simple_department(4)
    solved = solve_timetable(department, policy_15_13_7, WEEK, SolveParams(time_limit_s=5, workers=2))
    assert solved.status in ("optimal", "feasible")
    return department, solved.timetable


def test_a_new_hard_rule_of_the_week_reaches_the_re_plan(week, policy_15_13_7: Policy,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule added to the registry only (here: no office work for one manager on the day
    the old plan gave him some) holds in the re-plan, which otherwise keeps the block."""
    department, timetable = week
    now = dt.datetime.combine(WEEK, dt.time(7, 0))
    target = next(b for b in timetable.blocks if b.kind == "admin" and b.date > WEEK)
    day = (target.date - WEEK).days

    unchanged = replan(department, policy_15_13_7, timetable, now, (), None, FAST)
    assert target in unchanged.timetable.blocks

    def no_admin_that_day(tm: TimetableModel) -> None:
        for block in tm.blocks.get((target.manager, "admin"), []):
            if block.day == day:
                tm.cp.add(block.present_literal(tm.cp) == 0)

    monkeypatch.setattr(constraints, "HARD_RULES", [*constraints.HARD_RULES, no_admin_that_day])
    result = replan(department, policy_15_13_7, timetable, now, (), None, FAST)
    assert result.status in ("optimal", "feasible")
    assert not [b for b in result.timetable.blocks
                if b.manager == target.manager and b.kind == "admin" and b.date == target.date]
    moved = [c for d in result.diff if d.manager == target.manager for c in d.blocks if c.kind == "admin"]
    assert moved, "the diff names the admin block the new rule moved"


@pytest.mark.parametrize("until", [WEDNESDAY, None])
def test_sick_from_wednesday_afternoon_is_judged_by_the_checker(week, policy_15_13_7: Policy,
                                                                until: dt.date | None) -> None:
    """m02 falls ill on Wednesday at 13:00 (for the day, or for the rest of the week). The
    checker, reading the department with that sickness as leave, finds nothing wrong with
    anyone outside his group, and nothing at all about overlaps, leave, lunch, windows,
    meetings or places; what it may report for his group is hours their week no longer
    holds (with the rest of the week, his pairing too)."""
    department, timetable = week
    now = dt.datetime.combine(WEDNESDAY, dt.time(13, 0))
    events = read_events([{"type": "manager_sick", "manager": "m02", "from": now.isoformat(),
                           **({"until": str(until)} if until else {})}])
    result = replan(department, policy_15_13_7, timetable, now, events, None, FAST)
    assert result.status in ("optimal", "feasible")
    sick = department_with_absences(situation_at(department, policy_15_13_7, timetable, now, events))
    assert [lv.manager for lv in sick.leave] == ["m02"] * (1 if until else 3)

    violations = check_timetable(sick, policy_15_13_7, result.timetable)
    group = {"m02", *next(b.with_ for b in timetable.blocks if b.manager == "m02" and b.kind == "maintenance")}
    assert not [v for v in violations if v.manager not in group], violations
    allowed = {"maintenance_pairs", "promotion_pairs", "admin_time"} | ({"pairing"} if until is None else set())
    assert {v.rule for v in violations} <= allowed, violations
    assert not [b for b in result.timetable.blocks if b.manager == "m02" and b.date > WEDNESDAY
                and until is None]
