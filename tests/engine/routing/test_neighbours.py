"""Who took an absent manager's visits (engine/routing/neighbours.py `hand_over_lines`)."""

from __future__ import annotations

from engine.routing.neighbours import hand_over_lines


def test_the_line_names_who_took_the_absent_managers_visits_and_what_was_left_out():
    owner_of = {"A1": "m7", "A2": "m7", "C3": "m7", "C4": "m7", "R1": "m1"}
    made = [("m1", "A1"), ("m1", "A2"), ("m5", "C3"), ("m1", "R1")]
    left = [("m7", "no_room_in_day"), ("m1", "no_room_in_day")]
    assert hand_over_lines(["m7"], owner_of, made, left) == [
        "m7's 4 due visits: 2 to m1, 1 to m5; 1 left out (no_room_in_day 1)"]
    assert hand_over_lines(["m7"], owner_of, [], left) == [
        "m7's 1 due visits: none handed over; 1 left out (no_room_in_day 1)"]
