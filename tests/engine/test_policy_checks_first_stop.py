"""A first-stop time the shortest ride cannot meet is the policy's fault, and the
explanation says so (SPEC §5): a manager minutes from his retailers is not told to give
them to a manager nearer to them (explain._first_retailer_out_of_reach); a far one still is."""

from __future__ import annotations

import tomllib
from importlib import resources

from engine.policy import policy_from_mapping
from engine.timetable.explain import check_capacity
from engine.timetable.week import build_week
from tests.engine.timetable.short_weeks import MONDAY, department_north


def test_a_first_stop_five_minutes_into_the_day_blames_the_policy_not_the_territory():
    """The tester's first_stop_by 08:05: a 2-min ride is 10 min on the grid, so no manager
    reaches his first retailer by then (was: "give his far retailers to a manager nearer
    to them")."""
    data = tomllib.loads((resources.files("fieldweek_policies") / "15-13-7.toml").read_text(encoding="utf-8"))
    data["route"]["first_stop_by"] = "08:05"
    policy = policy_from_mapping(data)
    department = department_north({"near": 0.005, "far": 0.25})  # the far one about 90 min out
    messages = {c.message.split("'")[0]: c.message for c in check_capacity(
        department, policy, build_week(department, policy, MONDAY))}
    near, far = messages["near"], messages["far"]
    assert "after the first-stop time 08:05" in near and "nearer to them" not in near
    assert near.endswith("the first-stop time leaves less than the timetable's 10-min step after the visit "
                         "block's earliest start, the least any ride out takes: let the first stop come later "
                         "(route.first_stop_by) or the visit block start earlier")
    assert "give his far retailers to a manager nearer to them" in far
