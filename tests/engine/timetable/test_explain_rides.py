"""A manager whose nearest due retailer the first-stop rule puts out of reach is named,
with the ride and the times, before any search (explain.py, SPEC §3 and §5)."""

from __future__ import annotations

from engine.policy import load_policy
from engine.timetable.solve import SolveParams, solve_timetable
from tests.engine.timetable.short_weeks import MONDAY, department_north


def test_a_territory_beyond_the_first_stop_is_named_with_its_ride() -> None:
    department = department_north({"m1": 0.005, "m2": 0.25})  # m2 about an hour and a half out
    result = solve_timetable(department, load_policy("seed-003"), MONDAY, SolveParams(time_limit_s=2))
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
