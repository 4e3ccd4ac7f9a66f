"""A policy whose clock settings the working day leaves no room for is refused on loading,
naming the settings and their times (SPEC §5: "An infeasible policy is explained"), rather
than planned into an infeasible week explained in terms of managers and rides; and a
setting of the wrong kind is told with its name and value, not the validation library's
phrase."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from engine.errors import InputError, Problem
from engine.policy import builtin_policy_names, load_policy, policy_from_mapping


def _shipped(name: str = "15-13-7") -> dict:
    return tomllib.loads((resources.files("fieldweek_policies") / f"{name}.toml").read_text(encoding="utf-8"))


def _problems(data: dict) -> list[Problem]:
    with pytest.raises(InputError) as raised:
        policy_from_mapping(data, "my.toml")
    assert all(p.file == "my.toml" for p in raised.value.problems)
    return raised.value.problems


def _only(data: dict) -> Problem:
    [problem] = _problems(data)
    return problem


def test_every_shipped_policy_still_loads():
    assert len(builtin_policy_names()) >= 2
    for name in builtin_policy_names():
        assert load_policy(name).name == name


def test_a_first_stop_before_the_working_day_starts_is_refused():
    """The tester's 07:00 first stop in a day starting at 08:00 (was: loaded, and the week
    told each manager to give his far retailers away, even for a 3-min ride)."""
    data = _shipped()
    data["route"]["first_stop_by"] = "07:00"
    problem = _only(data)
    assert problem.column == "route.first_stop_by"
    assert problem.message == ("route.first_stop_by (07:00) must be after day.start (08:00): the first stop by "
                               "07:00 comes before the working day starts at 08:00")


def test_a_first_stop_before_the_visit_block_may_start_is_refused():
    data = _shipped()
    data["kinds"]["visit"].update(earliest_start="09:40", latest_start="10:00")
    problem = _only(data)
    assert problem.column == "route.first_stop_by"
    # Monday's own first stop (10:10) comes after 09:40: only the other days are named
    assert problem.message == ("route.first_stop_by (09:30) must be after kinds.visit.earliest_start (09:40): "
                               "on Tuesday, Wednesday, Thursday, Friday the first stop by 09:30 comes before the "
                               "visit block may start")


def test_a_first_stop_when_the_visit_block_may_start_is_refused():
    """The tester's seed-003 with first_stop_by = 08:30, the visit block's earliest start:
    no minute to ride out, and every manager, one 4 min from his retailers too, was told to
    hand his retailers to a nearer manager (was: loaded)."""
    data = tomllib.loads((resources.files("fieldweek_policies") / "seed-003.toml").read_text(encoding="utf-8"))
    data["route"]["first_stop_by"] = "08:30"
    problem = _only(data)
    assert problem.column == "route.first_stop_by"
    assert problem.message.startswith("route.first_stop_by (08:30) must be after kinds.visit.earliest_start (08:30): ")
    assert problem.message.endswith("the first stop by 08:30 leaves no time to ride out after the visit block may start")


def test_a_meeting_window_the_day_ends_inside_is_refused_naming_the_day_window_and_minutes():
    """The tester's day ending at 15:30: Friday's 60-min review (15:00–17:30) has 30 min of
    it left (was: loaded, and the week was infeasible "department meetings are held with
    everyone at the same time"); the 35 h a week no longer fit either."""
    data = _shipped()
    data["day"].update(end="15:30", normal_end="15:30")
    meeting, week = _problems(data)
    assert meeting.column == "kinds.meeting.windows.fri"
    assert meeting.message == ("Friday's department meeting block needs 60 min between 15:00 and 17:30 "
                               "(kinds.meeting.windows.fri), but the working day ends at 15:30 (day.end)")
    assert week.column == "day"
    assert week.message == ("the kinds add up to 35 h a week and lunch 5 h, but 5 working days of 08:00–15:30 "
                            "(day.start, day.end) hold 37.5 h")


def test_weekly_sessions_cut_by_the_end_of_field_work_are_refused_once_for_every_day():
    data = _shipped()
    data["day"]["field_ends_by"] = "09:30"
    messages = {p.column: p.message for p in _problems(data)}
    assert messages["kinds.maintenance"] == (
        "each terminal maintenance (pairs) session needs at least 120 min between 08:00 and 17:00 on every "
        "working day (kinds.maintenance), but field work is over by 09:30 (day.field_ends_by)")
    assert "kinds.visit" in messages and "kinds.phone" not in messages  # the phone is office work


def test_a_latest_start_before_the_day_starts_is_refused():
    data = _shipped()
    data["day"]["start"] = "09:40"
    data["route"]["first_stop_by_on"] = {}
    data["route"]["first_stop_by"] = "10:00"
    data["kinds"]["meeting"]["windows"]["mon"] = ["09:40", "10:20"]
    data["lunch"]["minutes"] = 30  # the 35 h a week and the lunches still fit the shorter days
    problem = _only(data)
    assert problem.column == "kinds.visit.latest_start"
    assert problem.message == ("the individual visits block must start by 09:30 on every working day "
                               "(kinds.visit.latest_start), but the working day starts at 09:40 (day.start)")


def test_visiting_after_the_day_ends_and_a_lunch_outside_it_are_refused():
    data = _shipped()
    data["route"]["visiting_ends_by"] = "18:00"
    data["lunch"].update(earliest="17:30", latest_end="18:30")
    messages = {p.column: p.message for p in _problems(data)}
    assert messages == {
        "route.visiting_ends_by": "route.visiting_ends_by (18:00) must not be after day.end (17:30): visiting "
                                  "cannot go on after the working day ends",
        "lunch": "lunch needs 60 min between 17:30 and 18:30, but the working day ends at 17:30 (day.end)",
    }


def test_a_day_whose_daily_blocks_and_lunch_exceed_it_is_refused():
    data = _shipped()
    data["weekly_hours"] = None
    data["kinds"]["visit"].update(latest_end="17:30")
    data["kinds"]["visit"]["per_day_minutes"]["mon"] = 480
    problem = _only(data)
    assert problem.column == "day"
    assert problem.message == ("Monday's blocks (individual visits 480 min, phone visits 30 min, department "
                               "meeting 40 min, lunch 60 min) need 610 min, but the working day 08:00–17:30 "
                               "(day.start, day.end) is 570 min")


def test_a_day_out_of_order_is_told_with_its_times():
    data = _shipped()
    data["day"]["end"] = "12:00"
    problem = _only(data)
    assert problem.column == "day"
    assert problem.message == ("the working day must start before its normal end, and end no earlier than that: "
                               "day.start (08:00), day.normal_end (17:00) and day.end (12:00) are not in that order")


@pytest.mark.parametrize(("edit", "column", "words"), [
    (lambda d: d["day"].update(foo="09:00"), "day.foo",
     "unknown setting `day.foo` (known settings: start, end, normal_end, field_ends_by)"),
    (lambda d: d.update(grid_minuts=10), "grid_minuts", "unknown setting `grid_minuts` (known settings: name, "),
    (lambda d: d["kinds"]["visit"].update(colour="red"), "kinds.visit.colour",
     "unknown setting `kinds.visit.colour` (known settings: label_zh, label_en, place, "),
    (lambda d: d.update(grid_minutes=0), "grid_minutes", "`grid_minutes` must be at least 1, not 0"),
    (lambda d: d["pairs"].update(size=5), "pairs.size", "`pairs.size` must be at most 2, not 5"),
    (lambda d: d["travel"].update(town_speed_kmh=0), "travel.town_speed_kmh",
     "`travel.town_speed_kmh` must be more than 0.0, not 0"),
    (lambda d: d.update(working_days=["mon", "tuesday"]), "working_days.1",
     "`working_days.1` must be one of 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun', not \"tuesday\""),
    (lambda d: d["day"].pop("start"), "day.start", "setting `day.start` is missing"),
    (lambda d: d.update(grid_minutes="ten"), "grid_minutes", "`grid_minutes` must be a whole number, not \"ten\""),
    (lambda d: d["day"].update(start="8h"), "day.start", "`day.start`: expected a time HH:MM, got '8h'"),
])
def test_a_setting_of_the_wrong_kind_is_told_with_its_name_and_value(edit, column, words):
    data = _shipped()
    edit(data)
    problem = _only(data)
    assert problem.column == column
    assert problem.message.startswith(words), problem.message
    assert "Input should" not in problem.message and "not permitted" not in problem.message


def test_a_number_in_quotes_is_refused_naming_the_setting():
    """TOML's "35" is text; pydantic read it as 35 and the file loaded, so a typo a stricter
    reader refuses went unseen (weekly_hours = "35" was accepted). Each such setting is
    named, in a list too; a clock written as text stays what it is."""
    data = _shipped()
    data["weekly_hours"] = "35"
    data["month"]["min_gap_share"] = "0.9"
    data["kinds"]["site_study"]["sessions"] = ["1", 1]
    data["lunch"]["during_visit"] = "true"
    columns = {p.column: p.message for p in _problems(data)}
    assert set(columns) == {"weekly_hours", "month.min_gap_share", "kinds.site_study.sessions", "lunch.during_visit"}
    assert "'35' is text where a number (or true/false) belongs" in columns["weekly_hours"]
    data = _shipped()
    data["weekly_hours"] = 35
    assert policy_from_mapping(data, "my.toml").weekly_hours == 35


def test_a_daily_session_more_than_the_week_gives_is_refused_at_its_key():
    """The tester's seed-003 with admin min_per_day = 3: 15 sessions a week against at most
    10 (was: loaded, then an infeasible week about office work naming no setting)."""
    data = tomllib.loads((resources.files("fieldweek_policies") / "seed-003.toml").read_text(encoding="utf-8"))
    data["kinds"]["admin"]["min_per_day"] = 3
    problem = _only(data)
    assert problem.column == "kinds.admin.min_per_day"
    assert problem.message == ("kinds.admin.min_per_day = 3 asks 15 sessions a week (3 on each of 5 working days), "
                               "but kinds.admin.sessions allows at most 10")
    data["kinds"]["admin"]["min_per_day"] = 2  # 10 sessions of at least 30 min: 300 min, as total_minutes is
    assert policy_from_mapping(data).kinds["admin"].min_per_day == 2


def test_a_latest_start_after_the_kinds_latest_end_is_refused():
    """The tester's admin latest_start 18:00 against latest_end 17:30 loaded silently; a
    latest start only a shorter block could use (a 390-min visit block, latest start 09:30,
    over by 15:00) is loose, not wrong, and still loads."""
    data = tomllib.loads((resources.files("fieldweek_policies") / "seed-003.toml").read_text(encoding="utf-8"))
    data["kinds"]["admin"]["latest_start"] = "18:00"
    problem = _only(data)
    assert problem.column == "kinds.admin" and "latest_start 18:00 is after latest_end 17:30" in problem.message
    data = tomllib.loads((resources.files("fieldweek_policies") / "seed-003.toml").read_text(encoding="utf-8"))
    data["kinds"]["visit"]["per_day_minutes"] = dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), 390)
    assert policy_from_mapping(data).kinds["visit"].latest_start == 9 * 60 + 30
