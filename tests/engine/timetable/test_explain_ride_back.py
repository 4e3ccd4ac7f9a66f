"""A far manager whose visit block and ride back bring him to the office after his daily
report must start is named, with the ride, the times and the settings, before any
search (explain.py, SPEC §3: "back at the office for the daily report"). Under the
shipped seed-003 a far manager's first stop waits for his ride, so the first-stop check
names nobody; the week was refused with the rules alone (tester's d561F, m03 128 min out)."""

from __future__ import annotations

from engine.policy import load_policy
from engine.routing.approach import manager_approach
from engine.timetable.explain import check_capacity
from engine.timetable.solve import SolveParams, solve_timetable
from engine.timetable.week import build_week
from tests.engine.timetable.short_weeks import MONDAY, department_north


def test_a_manager_back_after_the_daily_report_must_start_is_named_with_his_ride() -> None:
    department = department_north({"m1": 0.005, "m2": 0.4, "m3": 0.1})  # m2 about 140 min out
    policy = load_policy("seed-003")
    assert policy.route.late_first_stop_when_far
    ride = manager_approach(department, policy, MONDAY, "m2")
    assert 130 < ride <= 140
    conflicts = check_capacity(department, policy, build_week(department, policy, MONDAY))
    [conflict] = conflicts
    assert conflict.rules == ("visit_daily", "ride_between_places", "admin_time")
    message = conflict.message
    assert message.startswith(f"m2's nearest retailer due this week is a {ride}-min ride from the office")
    # 08:30 + 330 min = 14:00, + the 140-min ride on the grid = 16:20, past admin's 16:00.
    assert "starts at 08:30 at the earliest (kinds.visit.earliest_start)" in message
    assert "over at 14:00 at the earliest" in message and "to the office at 16:20" in message
    assert "kinds.admin.latest_start 16:00" in message and "every working day" in message
    assert "give his far retailers to a manager nearer to them" in message
    assert "m1" not in message and "m3" not in message


def test_a_manager_back_just_in_time_is_not_named() -> None:
    """118 min out: the visit block over at 14:00 and the ride on the 10-min grid bring him
    back at 16:00, the latest start itself: the week holds (the solver plans it), so the
    check must name nobody; 122 min out he is back at 16:10 and is named."""
    policy = load_policy("seed-003")
    just_in_time = department_north({"m1": 0.005, "m2": 0.34})
    assert manager_approach(just_in_time, policy, MONDAY, "m2") == 118
    assert check_capacity(just_in_time, policy, build_week(just_in_time, policy, MONDAY)) == []
    too_late = department_north({"m1": 0.005, "m2": 0.35})
    assert manager_approach(too_late, policy, MONDAY, "m2") == 122
    [conflict] = check_capacity(too_late, policy, build_week(too_late, policy, MONDAY))
    assert conflict.message.startswith("m2's") and "to the office at 16:10" in conflict.message


def test_the_week_is_refused_by_arithmetic_naming_him() -> None:
    """solve_timetable gives the named reason at once, not the rules alone after a search."""
    department = department_north({"m1": 0.005, "m2": 0.4})
    result = solve_timetable(department, load_policy("seed-003"), MONDAY, SolveParams(time_limit_s=2))
    assert result.status == "infeasible"
    [conflict] = result.timetable.conflicts
    assert conflict.message.startswith("m2's nearest retailer") and "kinds.admin.latest_start" in conflict.message
    assert "Relax one of them" not in conflict.message
