"""Who took an absent manager's visits (engine/routing/neighbours.py `hand_over_lines`), and
who is away most of the week (`away_most_of_the_week`)."""

from __future__ import annotations

import datetime as dt

from engine.domain import Leave
from engine.routing.neighbours import away_most_of_the_week, hand_over_lines
from tests.strategies import simple_department


def test_the_line_names_who_took_the_absent_managers_visits_and_what_was_left_out():
    owner_of = {"A1": "m7", "A2": "m7", "C3": "m7", "C4": "m7", "R1": "m1"}
    made = [("m1", "A1"), ("m1", "A2"), ("m5", "C3"), ("m1", "R1")]
    left = [("m7", "no_room_in_day"), ("m1", "no_room_in_day")]
    assert hand_over_lines(["m7"], owner_of, made, left) == [
        "m7's 4 due visits: 2 to m1, 1 to m5; 1 left out (no_room_in_day 1)"]
    assert hand_over_lines(["m7"], owner_of, [], left) == [
        "m7's 1 due visits: none handed over; 1 left out (no_room_in_day 1)"]


def test_a_manager_away_most_of_the_week_counts_the_visits_he_makes_himself():
    owner_of = {"A1": "m7", "A2": "m7", "C3": "m7"}
    made = [("m7", "A1"), ("m1", "A2"), ("m1", "C3")]
    assert hand_over_lines(["m7"], owner_of, made, []) == ["m7's 3 due visits: 1 by m7, 2 to m1; 0 left out"]
    # Nothing handed over and nothing left out: no line.
    assert hand_over_lines(["m7"], owner_of, [("m7", "A1")], []) == []


def test_away_most_of_the_week_counts_whole_and_part_days_and_leaves_out_the_absent():
    """The share is of working minutes (08:00–17:30): four whole days and a Friday from
    10:30 leave m02 2.5 of 47.5 hours; two whole days leave m03 60 %, not below 60 %; m04 is
    away all week (the hand-over of an absent manager is `away_all_week`'s)."""
    monday = dt.date(2026, 11, 30)
    week = [monday + dt.timedelta(days=k) for k in range(5)]
    leave = [Leave(manager="m02", date=d) for d in week[:4]] + [
        Leave(manager="m02", date=week[4], start=10 * 60 + 30, end=17 * 60 + 30),
        Leave(manager="m02", date=week[4], start=11 * 60, end=12 * 60)]
    leave += [Leave(manager="m03", date=d) for d in week[:2]] + [Leave(manager="m04", date=d) for d in week]
    department = simple_department(4).model_copy(update={"leave": tuple(leave)})
    assert away_most_of_the_week(department, week, (8 * 60, 17 * 60 + 30), 0.6) == ["m02"]
    assert away_most_of_the_week(department, week, (8 * 60, 17 * 60 + 30), 0.61) == ["m02", "m03"]
    assert away_most_of_the_week(department, [], (8 * 60, 17 * 60 + 30), 0.6) == []
