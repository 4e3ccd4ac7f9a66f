"""The re-plan is the weekly model plus pins: a hard rule of the weekly registry reaches
the re-plan with no edit to re-plan code, and a re-planned week with a manager off sick
from Wednesday 13:00 passes the independent re-plan checker."""

from __future__ import annotations

import datetime as dt

import pytest

from benchmarks.departments import generate_department
from engine.check.replan import Sickness, check_replan, sick_leave
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


@pytest.fixture(scope="module")
def generated_week(policy_15_13_7: Policy) -> tuple[Department, Timetable]:
    """A generated department of nine managers (one group of three) and its solved week."""
    department = generate_department(9, seed=3, week_start=WEEK)
    solved = solve_timetable(department, policy_15_13_7, WEEK, SolveParams(time_limit_s=6, workers=2))
    assert solved.status in ("optimal", "feasible")
    return department, solved.timetable


@pytest.mark.parametrize("until", [WEDNESDAY, None], ids=["for the day", "for the rest of the week"])
@pytest.mark.parametrize("which", ["week", "generated_week"])
def test_sick_from_wednesday_afternoon_passes_the_replan_checker(which: str, until: dt.date | None,
                                                                  policy_15_13_7: Policy,
                                                                  request: pytest.FixtureRequest) -> None:
    """The second manager falls ill on Wednesday at 13:00 (for the day, or for the rest of
    the week). The independent re-plan checker finds nothing wrong: the past is kept,
    nothing is planned while he is off, every other rule of the week holds, and what the
    week lacks is the hours the sickness took, listed as shortfalls. The checker reads
    the sickness as leave exactly as the re-plan does."""
    department, timetable = request.getfixturevalue(which)
    sick_manager = department.managers[1].id
    now = dt.datetime.combine(WEDNESDAY, dt.time(13, 0))
    events = read_events([{"type": "manager_sick", "manager": sick_manager, "from": now.isoformat(),
                           **({"until": str(until)} if until else {})}])
    result = replan(department, policy_15_13_7, timetable, now, events, None, FAST)
    assert result.status in ("optimal", "feasible")
    sickness = [Sickness(sick_manager, now, until)]
    replanned = department_with_absences(situation_at(department, policy_15_13_7, timetable, now, events))
    assert (*department.leave, *sick_leave(policy_15_13_7, timetable, now, sickness)) == replanned.leave

    verdict = check_replan(department, policy_15_13_7, timetable, result.timetable, now, sickness)
    assert verdict.violations == []
    assert verdict.executable
    assert verdict.shortfalls, "a sickness in the middle of pair sessions costs hours the checker lists"
    assert all(s.lost >= s.asked - s.planned > 0 for s in verdict.shortfalls)
    assert not [b for b in result.timetable.blocks if b.manager == sick_manager and b.date > WEDNESDAY
                and until is None]
