"""A weekly kind one manager's own data cannot hold (shortfalls.data_limits): too few
POS-target households in his territory for the POS project's different households a week
(SPEC §2). Under a policy that prices missing weekly hours the department is planned and
that manager's week is short of what his data cannot hold, declared in his words, proven
in the week's floor, and accepted by the independent checker only as declared; without
the price the week is refused with the conflict, as before."""

from __future__ import annotations

import pytest

from engine.check.timetable import check_timetable
from engine.domain import Department
from engine.policy import Policy
from engine.timetable.solve import SolveParams, solve_timetable
from tests.strategies import WEEK, simple_department

FAST = SolveParams(time_limit_s=3, workers=2)


def _households_left(department: Department, manager: str, keep: int) -> Department:
    """The department with all but `keep` of `manager`'s POS-target flags cleared."""
    retailers, kept = [], 0
    for r in department.retailers:
        if r.manager == manager and r.pos_target:
            kept += 1
            if kept > keep:
                r = r.model_copy(update={"pos_target": False})
        retailers.append(r)
    return department.model_copy(update={"retailers": tuple(retailers)})


@pytest.mark.parametrize(("keep", "minutes", "sessions", "words"), [
    (1, 120, 2, "m02's territory has 1 POS-target household; the week's 3 POS sessions each need a "
                "different one: 2 sessions short"),
    (0, 180, 3, "m02's territory has no POS-target household"),
])
def test_too_few_households_plan_the_week_short_of_them_in_his_words(
        policy_15_13_7: Policy, keep: int, minutes: int, sessions: int, words: str) -> None:
    department = _households_left(simple_department(2), "m02", keep)
    timetable = solve_timetable(department, policy_15_13_7, WEEK, FAST).timetable
    assert timetable.status in ("optimal", "feasible"), timetable.conflicts
    pos = [s for s in timetable.shortfalls if s.kind == "pos_project"]
    assert [(s.manager, s.minutes_short, s.sessions_short) for s in pos] == [("m02", minutes, sessions)]
    assert pos[0].reason.startswith(words)
    assert "rides" not in pos[0].reason
    # Forced by his data: in the week's proven floor whatever the search proved.
    assert (timetable.hours_short_floor_minutes or 0) >= minutes
    assert len([b for b in timetable.blocks if b.manager == "m02" and b.kind == "pos_project"]) == keep
    assert check_timetable(department, policy_15_13_7, timetable) == []
    # The checker accepts the short week only as declared.
    undeclared = timetable.model_copy(update={"shortfalls": tuple(
        s for s in timetable.shortfalls if s.kind != "pos_project")})
    assert {(v.rule, v.manager) for v in check_timetable(department, policy_15_13_7, undeclared)} == {
        ("pos_project_households", "m02")}


def test_without_a_price_on_missing_hours_too_few_households_stay_a_conflict(policy_15_13_7: Policy) -> None:
    hard = policy_15_13_7.model_copy(update={"objective": policy_15_13_7.objective.model_copy(
        update={"missing_weekly_hours_per_10min": None})})
    department = _households_left(simple_department(2), "m02", 1)
    timetable = solve_timetable(department, hard, WEEK, FAST).timetable
    assert timetable.status == "infeasible"
    assert [c.rules for c in timetable.conflicts] == [("pos_project_households",)]
    assert "m02 must visit 3 different POS-target households, but his territory has 1" in (
        timetable.conflicts[0].message)


def test_a_shortfall_the_opening_hours_force_blames_them_not_the_rides(policy_15_13_7: Policy) -> None:
    """Two of m02's POS households open 10:00–10:30, less than a 60-min session: the
    session short is put down to their opening hours, not to the rides (shortfalls._reason)."""
    department = simple_department(2)
    department = department.model_copy(update={"retailers": tuple(
        r.model_copy(update={"opens": 600, "closes": 630}) if r.id in ("m02-r00", "m02-r01") else r
        for r in department.retailers)})
    timetable = solve_timetable(department, policy_15_13_7, WEEK, FAST).timetable
    assert timetable.status in ("optimal", "feasible"), timetable.conflicts
    [short] = timetable.shortfalls
    assert (short.manager, short.kind, short.sessions_short) == ("m02", "pos_project", 1)
    assert short.reason.startswith("the opening hours of his POS households (m02-r01 10:00–10:30"), short.reason
    assert check_timetable(department, policy_15_13_7, timetable) == []
