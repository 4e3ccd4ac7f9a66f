"""A policy whose lunch or visiting end no visit block can agree with is refused on loading,
naming the settings (SPEC §5: an infeasible policy is explained), rather than planned into a
week called executable: the tester's lunch 15:30–16:30 eaten during a visit block over by
15:00 gave a week with no lunch at all, and route.visiting_ends_by = 12:00 under 330-min
blocks from 08:30 gave timetables of 08:30–14:00 whose routes visited 08:30–12:00. And a
setting off the grid is told once, not once per weekday."""

from __future__ import annotations

from engine.errors import InputError, Problem
from engine.policy import builtin_policy_names, load_policy, policy_from_mapping
from tests.engine.test_policy_checks import _problems
from tests.engine.test_policy_checks import _shipped as shipped_policy


def _shipped(name: str = "seed-003") -> dict:
    return shipped_policy(name)


def test_both_shipped_policies_still_load():
    assert {"15-13-7", "seed-003"} <= set(builtin_policy_names())
    assert load_policy("15-13-7").name == "15-13-7"
    assert load_policy("seed-003").lunch.during_visit


def test_a_lunch_during_the_visit_after_visiting_ends_is_refused_naming_both():
    """The tester's lunchlate.toml (was: loaded; 0 lunch blocks, "The week is executable")."""
    data = _shipped()
    data["lunch"].update(earliest="15:30", latest_end="16:30")
    [problem] = _problems(data)
    assert problem.column == "lunch"
    assert problem.message == (
        "lunch is taken during the visit (lunch.during_visit) and needs 30 min between 15:30 and 16:30 "
        "(lunch.earliest, lunch.latest_end), but the individual visits block holds visiting only between "
        "08:30 (kinds.visit.earliest_start) and 15:00 (route.visiting_ends_by, kinds.visit.latest_end, "
        "day.field_ends_by, kinds.visit.latest_start) on every working day: the week would have no lunch")


def test_a_lunch_during_the_visit_before_the_block_opens_is_refused():
    data = _shipped()
    data["lunch"].update(earliest="08:00", latest_end="08:40")
    [problem] = _problems(data)
    assert problem.column == "lunch"
    assert "between 08:30 (kinds.visit.earliest_start) and 15:00" in problem.message


def test_a_lunch_the_latest_block_just_holds_still_loads():
    """09:30 + 330 min: the block may run to 15:00, so lunch 14:30–15:00 fits inside it."""
    data = _shipped()
    data["lunch"].update(earliest="14:30", latest_end="15:00")
    assert policy_from_mapping(data, "my.toml").lunch.earliest == 14 * 60 + 30


def test_the_same_lunch_apart_from_the_visit_is_not_this_rule():
    data = _shipped()
    data["lunch"].update(earliest="15:30", latest_end="16:30", during_visit=False)
    assert all(p.column != "lunch" for p in _problems_or_none(data))


def _problems_or_none(data: dict) -> list[Problem]:
    try:
        policy_from_mapping(data, "my.toml")
    except InputError as exc:
        return exc.problems
    return []


def test_visiting_over_before_the_visit_block_can_end_is_refused_naming_both():
    """The tester's veb1200.toml (was: loaded; 2 h a day of visit block with no visit)."""
    data = _shipped()
    data["route"]["visiting_ends_by"] = "12:00"
    [problem] = _problems(data)
    assert problem.column == "route.visiting_ends_by"
    assert problem.message == (
        "route.visiting_ends_by (12:00) comes before the visit block can end: the individual visits block of "
        "330 min (kinds.visit.per_day_minutes) starts at 08:30 at the earliest (kinds.visit.earliest_start), "
        "so it ends at 14:00 at the earliest on every working day, and its last 120 min would be planned as "
        "visiting with no visit possible after 12:00")


def test_visiting_over_just_as_the_earliest_block_ends_still_loads():
    data = _shipped()
    data["route"]["visiting_ends_by"] = "14:00"
    assert policy_from_mapping(data, "my.toml").route.visiting_ends_by == 14 * 60


def test_a_longer_block_on_one_day_is_told_on_that_day():
    data = _shipped("15-13-7")
    data["weekly_hours"] = None
    data["kinds"]["visit"]["per_day_minutes"]["fri"] = 450  # with the 60-min review and lunch: 570 min, the day
    data["kinds"]["visit"]["latest_end"] = "17:00"
    [problem] = [p for p in _problems(data) if p.column == "route.visiting_ends_by"]
    assert "Friday's individual visits block of 450 min" in problem.message
    assert "ends at 15:30 at the earliest, and its last 30 min" in problem.message


def test_a_length_off_the_grid_is_told_once_per_kind():
    """grid_minutes = 7 told "180 min is not on the 7-min grid" five times, once a weekday."""
    data = _shipped("15-13-7")
    data["grid_minutes"] = 7
    problems = _problems(data)
    assert [p.message for p in problems if p.column == "kinds.visit.per_day_minutes"] == [
        "Individual visits: 180 min is not on the 7-min grid"]
    assert len({(p.column, p.message) for p in problems}) == len(problems)
