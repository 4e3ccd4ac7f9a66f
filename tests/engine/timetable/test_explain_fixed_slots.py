"""A week the day's fixed slots leave no room is refused before any search with the day,
the slot, the block and the setting named (explain.check_capacity), not with the
solver's generic "these rules cannot all hold". The tester's meet_clash (a Tuesday
meeting 09:00–10:00), lunch_clash (lunch fixed 10:00–11:00), fs0910 (first stop 09:10,
no Monday cap: Monday's meeting to 08:40 holds a far manager back) and fs0840b (the
Monday arrival was worked out as if the visit block could start at 08:00)."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

from engine.domain import Conflict, Department
from engine.policy import Policy, format_clock, policy_from_mapping
from engine.routing.approach import manager_approach
from engine.timetable.explain import check_capacity
from engine.timetable.week import build_week
from tests.engine.timetable.short_weeks import MONDAY, department_north


def _policy(**change: Any) -> Policy:
    """15-13-7 with `change` applied: a dotted path -> its new value (None: removed)."""
    data = tomllib.loads((resources.files("fieldweek_policies") / "15-13-7.toml").read_text(encoding="utf-8"))
    for path, value in change.items():
        *parents, key = path.split("__")
        node = data
        for parent in parents:
            node = node[parent]
        if value is None:
            del node[key]
        else:
            node[key] = value
    return policy_from_mapping(data, "my.toml")


def _conflicts(department: Department, policy: Policy) -> list[Conflict]:
    return check_capacity(department, policy, build_week(department, policy, MONDAY), short_weeks=True)


NEAR = department_north({"m1": 0.005, "m2": 0.01})


def test_a_tuesday_meeting_inside_the_visit_blocks_window_is_named_with_its_day() -> None:
    policy = _policy(kinds__meeting__per_day_minutes={"mon": 40, "tue": 60, "fri": 60},
                     kinds__meeting__windows={"mon": ["08:00", "08:40"], "tue": ["09:00", "10:00"],
                                              "fri": ["15:00", "17:30"]},
                     kinds__admin__total_minutes=140)
    [conflict] = _conflicts(NEAR, policy)
    assert conflict.rules == ("visit_daily", "meetings_together")
    assert conflict.message.startswith(
        "on Tue 11-24 the department meeting runs 09:00–10:00 with everyone (kinds.meeting.windows.tue), but the "
        "180-min individual visits block must start 08:00–09:30 (kinds.visit.earliest_start, latest_start)")
    assert "(every manager)" in conflict.message


def test_a_lunch_fixed_inside_the_visit_blocks_window_is_named_every_day() -> None:
    [conflict] = _conflicts(NEAR, _policy(lunch__earliest="10:00", lunch__latest_end="11:00"))
    assert conflict.rules == ("visit_daily", "lunch")
    assert conflict.message.startswith(
        "on every working day lunch is 10:00–11:00 (lunch.earliest, lunch.latest_end), but the 180-min")


def test_mondays_meeting_holds_a_far_managers_first_stop_back_and_is_named() -> None:
    department = department_north({"m1": 0.005, "m2": 0.2})
    policy = _policy(route__first_stop_by="09:10", route__first_stop_by_on=None, kinds__visit__latest_start="09:10",
                     route__late_first_stop_when_far=False)
    ride = manager_approach(department, policy, MONDAY, "m2")
    ride_on_grid = -(-ride // 10) * 10
    assert 8 * 60 + ride_on_grid <= 9 * 60 + 10 < 8 * 60 + 40 + ride_on_grid  # late on Monday only
    [conflict] = _conflicts(department, policy)
    assert conflict.rules == ("visit_daily", "meetings_together")
    assert conflict.message.startswith(f"m2's nearest retailer due this week is a {ride}-min ride")
    assert (f"on Mon 11-23 the department meeting runs 08:00–08:40 with everyone (kinds.meeting.windows.mon), so "
            f"his visit block starts at 08:40 at the earliest and he reaches it at "
            f"{format_clock(8 * 60 + 40 + ride_on_grid)}, after the first-stop time 09:10 (route.first_stop_by)"
            ) in conflict.message
    assert "route.first_stop_by_on.mon" in conflict.message


def test_a_first_stop_late_every_day_counts_mondays_meeting_on_monday() -> None:
    department = department_north({"m1": 0.005, "m2": 0.2})
    policy = _policy(route__first_stop_by="08:40", route__first_stop_by_on=None, kinds__visit__latest_start="08:40",
                     route__late_first_stop_when_far=False)
    far = next(c for c in _conflicts(department, policy) if c.message.startswith("m2's"))
    assert "so his visit block starts at 08:40 at the earliest" in far.message
    assert "starting at 08:00 at the earliest" in far.message
    assert "(Tue 11-24, Wed 11-25, Thu 11-26, Fri 11-27)" in far.message
