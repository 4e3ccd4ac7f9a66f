"""A first-stop time the shortest ride cannot meet is the policy's fault, and the
explanation says so (SPEC §5): a manager minutes from his retailers is not told to give
them to a manager nearer to them (explain._first_retailer_out_of_reach); a far one still is."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from engine.errors import InputError
from engine.policy import policy_from_mapping
from engine.timetable.explain import check_capacity
from engine.timetable.week import build_week
from tests.engine.timetable.short_weeks import MONDAY, department_north


def test_a_first_stop_five_minutes_into_the_day_is_refused_as_the_policy_loads():
    """The tester's first_stop_by 08:05: a 2-min ride is 10 min on the grid, so no manager
    reached his first retailer by then (was: "give his far retailers to a manager nearer
    to them", then a policy message at the search). Off the grid, the policy itself is now
    refused at the key, with the grid times either side."""
    data = tomllib.loads((resources.files("fieldweek_policies") / "15-13-7.toml").read_text(encoding="utf-8"))
    data["route"]["first_stop_by"] = "08:05"
    with pytest.raises(InputError) as refused:
        policy_from_mapping(data)
    (problem,) = refused.value.problems
    assert problem.column == "route.first_stop_by"
    assert "not on the 10-min grid" in problem.message and "08:00 or 08:10" in problem.message


def test_a_far_manager_who_misses_the_first_stop_is_told_to_hand_his_far_retailers_on():
    """A first stop by 08:10 a near manager meets (a 2-min ride, 10 on the grid); one
    about 90 min out does not, and is told the territory is the cause."""
    data = tomllib.loads((resources.files("fieldweek_policies") / "15-13-7.toml").read_text(encoding="utf-8"))
    data["route"]["first_stop_by"] = "08:10"
    data["route"]["late_first_stop_when_far"] = False  # the first stop moves for nobody
    policy = policy_from_mapping(data)
    department = department_north({"near": 0.005, "far": 0.25})  # the far one about 90 min out
    messages = {c.message.split("'")[0]: c.message for c in check_capacity(
        department, policy, build_week(department, policy, MONDAY))}
    assert "near" not in messages
    assert "give his far retailers to a manager nearer to them" in messages["far"]
