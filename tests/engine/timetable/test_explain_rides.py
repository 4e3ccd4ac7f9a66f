"""A manager whose nearest due retailer the first-stop rule puts out of reach is named,
with the ride and the times, before any search (explain.py, SPEC §3 and §5)."""

from __future__ import annotations

import datetime as dt

from engine.check.spec import first_stop_deadline
from engine.check.timetable import judge_timetable
from engine.policy import Policy, load_policy
from engine.routing.approach import first_stop_time, manager_approach
from engine.timetable.solve import SolveParams, solve_timetable
from tests.engine.timetable.short_weeks import MONDAY, department_north


def _first_stop_kept_for_everyone(policy: Policy) -> Policy:
    """The policy with `route.late_first_stop_when_far` off: no manager's first stop moves."""
    return policy.model_copy(update={"route": policy.route.model_copy(update={"late_first_stop_when_far": False})})


def test_a_territory_beyond_the_first_stop_is_named_with_its_ride() -> None:
    department = department_north({"m1": 0.005, "m2": 0.25})  # m2 about an hour and a half out
    policy = _first_stop_kept_for_everyone(load_policy("seed-003"))
    result = solve_timetable(department, policy, MONDAY, SolveParams(time_limit_s=2))
    assert result.status == "infeasible"
    [conflict] = [c for c in result.timetable.conflicts if "first-stop time" in c.message]
    assert conflict.rules == ("visit_daily",)
    assert conflict.message.startswith("m2's nearest retailer due this week is a ")
    assert "after the first-stop time 09:30" in conflict.message and "m1" not in conflict.message


def test_the_same_territory_fits_a_policy_whose_visits_start_earlier() -> None:
    """15-13-7's visit block may start at 08:00: the same ride reaches the first retailer in
    time, so the arithmetic check names nobody and the week is planned."""
    department = department_north({"m1": 0.005, "m2": 0.25})
    result = solve_timetable(department, load_policy("15-13-7"), MONDAY, SolveParams(time_limit_s=3))
    assert not [c for c in result.timetable.conflicts if "first-stop time" in c.message]
    assert result.status in ("optimal", "feasible")


def test_a_far_manager_reaches_his_first_retailer_as_soon_as_he_can_and_the_week_says_so() -> None:
    """Under `route.late_first_stop_when_far` (the shipped seed-003) the same department is
    planned: m2's first stop is due when his ride from the 08:30 block start allows, the
    planners and the independent judges read the same time, and the week's notes name him."""
    department = department_north({"m1": 0.005, "m2": 0.25})
    policy = load_policy("seed-003")
    assert policy.route.late_first_stop_when_far
    ride = manager_approach(department, policy, MONDAY, "m2")
    result = solve_timetable(department, policy, MONDAY, SolveParams(time_limit_s=3))
    assert result.status in ("optimal", "feasible")
    tuesday = MONDAY + dt.timedelta(days=1)
    due = first_stop_time(policy, "tue", ride)
    assert due == -(-(8 * 60 + 30 + ride) // 10) * 10 > policy.route.first_stop_by
    assert first_stop_deadline(policy, tuesday, department, "m2") == due
    assert first_stop_deadline(policy, tuesday, department, "m1") == policy.route.first_stop_by
    [note] = [n for n in result.timetable.week_notes if n.startswith("m2's")]
    assert f"{due // 60:02d}:{due % 60:02d}, not 09:30" in note and "Tue" in note
    assert not [n for n in result.timetable.week_notes if n.startswith("m1's")]
    visits = [b for b in result.timetable.blocks if b.manager == "m2" and b.kind == "visit"]
    assert visits and all(b.start + ride <= due for b in visits)
    assert not judge_timetable(department, policy, result.timetable).violations
