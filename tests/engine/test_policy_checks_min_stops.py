"""A policy asking more stops a day than its visit block can hold at the least service
time is refused on loading, in the policy's own numbers (SPEC §5: an infeasible policy is
explained), rather than planned into a week called executable whose every day notes the
stops it is short (tester's p_min_stops: min_stops_town = 200, 8-min service, 180-min
visit block: exit 0, 30 notes '200 stops required, 197 short')."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from engine.errors import InputError
from engine.policy import load_policy, policy_from_mapping


def _shipped(name: str) -> dict:
    return tomllib.loads((resources.files("fieldweek_policies") / f"{name}.toml").read_text(encoding="utf-8"))


def _problems(data: dict) -> dict[str | None, str]:
    with pytest.raises(InputError) as raised:
        policy_from_mapping(data, "my.toml")
    return {p.column: p.message for p in raised.value.problems}


def test_more_town_stops_than_the_visit_block_holds_is_refused():
    data = _shipped("15-13-7")
    data["route"]["min_stops_town"] = 200
    assert _problems(data) == {"route.min_stops_town": (
        "route.min_stops_town = 200 stops of at least 8 min (route.min_service_min) need 1600 min, but the "
        "visit block is 180 min a day (kinds.visit.per_day_minutes)")}


def test_the_lunch_eaten_inside_the_visit_block_is_not_visiting_time():
    """seed-003: 330-min blocks with a 30-min lunch inside hold 300 min of visits; its own
    30 x 8 and 25 x 8 fit, 38 country stops (304 min) do not, on the shortest day only."""
    data = _shipped("seed-003")
    policy_from_mapping(data, "my.toml")
    data["route"]["min_stops_country"] = 38
    assert _problems(data) == {"route.min_stops_country": (
        "route.min_stops_country = 38 stops of at least 8 min (route.min_service_min) need 304 min, but the "
        "visit block is 330 min a day (kinds.visit.per_day_minutes), 30 of them lunch (lunch.during_visit): "
        "300 min of visits")}


def test_stops_that_just_fit_are_kept():
    data = _shipped("15-13-7")
    data["route"].update(min_stops_town=22, min_stops_country=1)  # 176 of 180 min
    assert policy_from_mapping(data, "my.toml").route.min_stops_town == 22
    assert load_policy("15-13-7").route.min_stops_town == 0
