"""Around a part-day leave the manager goes from and comes back by the office (SPEC §3, "the
day starts at the office"): the first block at a fixed place after the leave leaves room
for the ride there, the last one before it for the ride back. A week that had him ride to
a POS household while still on leave (tester seed 323: leave to 10:00, a 58-min ride, the
household's hour at 10:00) could not be carried out, nor one that had him 70 min out at
12:10 with 50 min of riding outside lunch before a leave from 14:00 (tester seed 384)."""

from __future__ import annotations

import datetime as dt

import pytest
from ortools.sat.python import cp_model

from engine.check.timetable import check_timetable
from engine.domain import Leave
from engine.policy import Policy, load_policy, parse_clock
from engine.timetable.constraints import add_hard_rules
from engine.timetable.model import build_variables
from engine.timetable.shortfalls import short_weeks_allowed
from engine.timetable.solve import SolveParams, solve_timetable
from tests.engine.timetable.test_solve import usual_first_stop
from tests.strategies import WEEK, simple_department

TUESDAY = WEEK + dt.timedelta(days=1)
MORNING_OFF = Leave(manager="m01", date=TUESDAY, start=parse_clock("08:00"), end=parse_clock("10:00"))


@pytest.fixture(scope="module")
def policy() -> Policy:
    """The usual first stop: with it moved on after MORNING_OFF, Tuesday's visit block
    would take the morning after the leave, and these weeks test the fixed blocks there."""
    return usual_first_stop(load_policy("15-13-7"))


AFTERNOON_OFF = Leave(manager="m01", date=TUESDAY, start=parse_clock("15:00"), end=parse_clock("16:00"))


def _pos_project_at(policy: Policy, clock: str, leave: Leave = MORNING_OFF) -> str:
    """The solver's verdict on m01's Tuesday POS-project hour placed at `clock`."""
    tm = build_variables(simple_department(2, leave=(leave,)), policy, WEEK)
    short_weeks_allowed(tm)
    add_hard_rules(tm)
    (pos,) = [b for b in tm.manager_blocks("m01", 1) if b.kind == "pos_project"]
    tm.cp.add(pos.present_literal(tm.cp) == 1)
    tm.cp.add(pos.start == tm.slots(parse_clock(clock)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 10
    solver.parameters.num_workers = 2
    return solver.status_name(solver.solve(tm.cp))


def test_a_fixed_block_right_at_the_leaves_end_has_no_time_for_the_ride(policy: Policy) -> None:
    assert _pos_project_at(policy, "10:00") == "INFEASIBLE"
    assert _pos_project_at(policy, "10:40") in ("OPTIMAL", "FEASIBLE")


def test_a_fixed_block_right_before_the_leave_has_no_time_for_the_ride_back(policy: Policy) -> None:
    assert _pos_project_at(policy, "14:00", AFTERNOON_OFF) == "INFEASIBLE"
    assert _pos_project_at(policy, "13:20", AFTERNOON_OFF) in ("OPTIMAL", "FEASIBLE")


def test_the_checker_names_a_ride_taken_while_on_leave(policy: Policy) -> None:
    """The solved week passes the independent checker; the same week with the first fixed
    block after the leave moved to the leave's end is refused, the ride named."""
    department = simple_department(2, leave=(MORNING_OFF,))
    timetable = solve_timetable(department, policy, WEEK, SolveParams(time_limit_s=5, workers=2, stall_s=0.5)).timetable
    assert timetable.status in ("optimal", "feasible")
    assert check_timetable(department, policy, timetable) == []
    week = timetable.to_json_dict()
    tuesday = sorted((b for b in week["blocks"] if b["manager"] == "m01" and b["date"] == TUESDAY.isoformat()
                      and b["kind"] not in ("visit", "lunch")), key=lambda b: b["start"])
    moved = next(b for b in tuesday if b["retailer"] is not None)
    length = parse_clock(moved["end"]) - parse_clock(moved["start"])
    moved["start"], moved["end"] = "10:00", f"{10 + length // 60:02d}:{length % 60:02d}"
    for earlier in (b for b in tuesday if b is not moved and parse_clock(b["start"]) < parse_clock(moved["end"])):
        week["blocks"].remove(earlier)  # nothing between the leave and the moved block
    found = [v for v in check_timetable(department, policy, week) if v.rule == "ride_between_places"]
    assert any("on leave until 10:00" in v.message and "ride from the office" in v.message for v in found), found


def test_the_checker_names_a_ride_back_taken_while_on_leave(policy: Policy) -> None:
    """The solved week with an afternoon leave passes the independent checker; the same week
    with a fixed block moved to end right at the leave's start is refused, the ride back
    named (before, he was "at the office" when the leave ended with no ride scheduled)."""
    department = simple_department(2, leave=(AFTERNOON_OFF,))
    timetable = solve_timetable(department, policy, WEEK, SolveParams(time_limit_s=5, workers=2, stall_s=0.5)).timetable
    assert timetable.status in ("optimal", "feasible")
    assert check_timetable(department, policy, timetable) == []
    week = timetable.to_json_dict()
    tuesday = [b for b in week["blocks"] if b["manager"] == "m01" and b["date"] == TUESDAY.isoformat()]
    moved = next(b for b in week["blocks"] if b["manager"] == "m01" and b["retailer"] is not None
                 and b["kind"] == "pos_project")
    length = parse_clock(moved["end"]) - parse_clock(moved["start"])
    week["blocks"].remove(moved)
    start = parse_clock("15:00") - length
    moved.update(date=TUESDAY.isoformat(), start=f"{start // 60:02d}:{start % 60:02d}", end="15:00")
    for other in [b for b in tuesday if parse_clock(b["end"]) > start and parse_clock(b["start"]) < 15 * 60]:
        week["blocks"].remove(other)  # nothing between the moved block and the leave
    week["blocks"].append(moved)
    found = [v for v in check_timetable(department, policy, week) if v.rule == "ride_between_places"]
    assert any("goes on leave at 15:00" in v.message and "ride back to the office" in v.message for v in found), found
