"""One manager's visit route on one day (engine/routing/daily.py, SPEC §3), on tiny
territories along one road where every ride and clock time is known in advance."""

from __future__ import annotations

import pytest

from engine.policy import parse_clock
from engine.routing.daily import (
    FORBIDDEN_MINUTES,
    OFFICE,
    Place,
    build_itinerary,
    cheapest_feasible_insertion,
    classify_unvisited,
    client_window,
    day_problem,
    drop_until_feasible,
    route_day,
    route_km,
    time_visit_route,
)
from tests.engine.routing.line_territory import (
    KM_PER_MINUTE,
    block,
    day_of,
    first_stop_every_day,
    line_territory,
    retailer,
)

MORNING_VISIT = [block("visit", "08:30", "11:30")]


@pytest.fixture(scope="module")
def policy_15_13_7(policy_15_13_7):
    """15-13-7 with 09:30 as the first-stop time of every day (line_territory's days are Mondays)."""
    return first_stop_every_day(policy_15_13_7)


def test_a_day_is_read_from_the_timetable_with_the_policy_limits(policy_15_13_7):
    policy = policy_15_13_7
    day = day_of([block("visit", "12:00", "16:00")], policy)
    assert day.first_stop_by == policy.route.first_stop_by
    assert day.visiting_ends == policy.route.visiting_ends_by < parse_clock("16:00")
    assert (day.start_place, day.end_place, day.end_deadline) == (OFFICE, OFFICE, policy.day.end)


def test_the_site_study_after_the_visit_is_at_the_office_as_the_timetable_held_it(policy_15_13_7):
    """It was 'elsewhere': the rides to it and from it were neither timed nor counted."""
    day = day_of([*MORNING_VISIT, block("lunch", "11:30", "12:30"), block("site_study", "13:00", "14:00")],
                 policy_15_13_7)
    assert day.end_place == OFFICE


def test_the_appointment_after_the_visit_is_the_next_place_lunch_on_the_way(policy_15_13_7):
    day = day_of([*MORNING_VISIT, block("lunch", "11:30", "12:30"),
                  block("pos_project", "12:30", "13:30", retailer_id="p")], policy_15_13_7)
    assert day.end_place == Place("retailer", "p")
    assert day.end_deadline == parse_clock("11:30")  # the lunch is eaten before riding there


def test_the_appointment_before_the_visit_is_where_the_route_starts(policy_15_13_7):
    day = day_of([block("promotion", "08:00", "08:30", retailer_id="s"), *MORNING_VISIT], policy_15_13_7)
    assert day.start_place == Place("retailer", "s")
    territory = line_territory({"s": 80, "a": 100})
    timed = time_visit_route(day, ["a"], {"a": retailer("a")}, territory, policy_15_13_7)
    assert timed.stops[0].ride_minutes == 20  # from the store, not from the office 100 min away
    assert timed.feasible


def test_the_first_retailer_is_reached_by_the_policy_deadline(policy_15_13_7):
    policy = policy_15_13_7
    day = day_of(MORNING_VISIT, policy)
    territory = line_territory({"near": 50, "far": 70})
    shops = {r: retailer(r) for r in ("near", "far")}
    late = time_visit_route(day, ["far"], shops, territory, policy)
    assert late.stops[0].arrive == parse_clock("09:40")
    assert late.lateness == parse_clock("09:40") - policy.route.first_stop_by
    assert time_visit_route(day, ["near", "far"], shops, territory, policy).feasible
    # The VRPTW forbids the far retailer as first stop: the ride out of the start depot is too long.
    stated = day_problem([day], ["near", "far"], shops, territory, policy)
    assert stated.problem.duration[0, 2] == 50
    assert stated.problem.duration[0, 3] == FORBIDDEN_MINUTES


@pytest.mark.parametrize(("visit_end", "opens", "late_by"), [
    ("16:00", "14:50", 0),   # over at 15:00 sharp
    ("16:00", "14:55", 5),   # the policy's end of visiting (15:00) comes before the block's
    ("10:00", "09:50", 0),
    ("10:00", "09:55", 5),   # the block's own end comes first
])
def test_visiting_is_over_by_the_policy_end_and_the_block_end(policy_15_13_7, visit_end, opens, late_by):
    day = day_of([block("visit", "08:30", visit_end)], policy_15_13_7)
    shop = retailer("a", opens=opens, service=10)
    timed = time_visit_route(day, ["a"], {"a": shop}, line_territory({"a": 10}), policy_15_13_7)
    assert timed.stops[0].end == parse_clock(opens) + 10
    assert timed.lateness == late_by


@pytest.mark.parametrize("own_minutes", [3, 20])
def test_service_is_never_shorter_than_the_policy_minimum(policy_15_13_7, own_minutes):
    policy = policy_15_13_7
    assert 3 < policy.route.min_service_min < 20
    shop = retailer("a", service=own_minutes)
    timed = time_visit_route(day_of(MORNING_VISIT, policy), ["a"], {"a": shop},
                             line_territory({"a": 10}), policy)
    stop = timed.stops[0]
    assert stop.end - stop.start == max(own_minutes, policy.route.min_service_min)
    assert client_window(shop, policy)[1] == policy.route.visiting_ends_by - (stop.end - stop.start)


def test_service_waits_for_opening_and_ends_by_closing(policy_15_13_7):
    day = day_of(MORNING_VISIT, policy_15_13_7)
    territory = line_territory({"a": 10})
    waits = time_visit_route(day, ["a"], {"a": retailer("a", opens="10:00")}, territory, policy_15_13_7)
    assert (waits.stops[0].arrive, waits.stops[0].start) == (parse_clock("08:40"), parse_clock("10:00"))
    assert waits.feasible
    closes = time_visit_route(day, ["a"], {"a": retailer("a", opens="10:00", closes="10:05")},
                              territory, policy_15_13_7)
    assert closes.lateness == 5


def test_the_route_reaches_the_fixed_appointment_in_time(policy_15_13_7):
    policy = policy_15_13_7
    day = day_of([*MORNING_VISIT, block("lunch", "11:30", "12:30"),
                  block("pos_project", "12:30", "13:30", retailer_id="p")], policy)
    territory = line_territory({"a": 10, "p": 20, "b": 60})
    shops = {"a": retailer("a"), "b": retailer("b", opens="11:00"), "p": retailer("p")}
    # b is served 11:00–11:10, but the 40-min ride on to p arrives 20 min after the deadline.
    late = time_visit_route(day, ["a", "b"], shops, territory, policy)
    assert late.arrive_next == parse_clock("11:50")
    assert late.lateness == 20
    route = route_day(day, ["a", "b"], shops, territory, policy)
    assert route.dropped == ("b",)
    assert [s.retailer for s in route.timed.stops] == ["a"]
    itinerary = build_itinerary(route, territory, policy)
    appointment = itinerary.stops[-1]
    assert (appointment.kind, appointment.retailer, appointment.origin) == ("pos_project", "p", "a")
    assert appointment.arrive <= appointment.start == parse_clock("12:30")


def test_lunch_reserved_inside_the_block_falls_in_the_lunch_window(policy_seed_003):
    policy = policy_seed_003
    assert policy.lunch.during_visit
    day = day_of([block("visit", "08:30", "15:00")], policy)
    assert day.lunch_minutes == policy.lunch.minutes
    names = ["a", "b", "c"]
    timed = time_visit_route(day, names, {r: retailer(r, service=90) for r in names},
                             line_territory({"a": 10, "b": 20, "c": 30}), policy)
    assert timed.feasible and timed.lunch is not None
    begin, end = timed.lunch
    assert policy.lunch.earliest <= begin and end <= policy.lunch.latest_end
    assert end - begin == policy.lunch.minutes
    assert all(stop.end <= begin or stop.start >= end for stop in timed.stops)


@pytest.mark.parametrize(("where", "opens", "closes", "reason"), [
    (10, "16:00", "18:00", "opening_hours"),  # open only after the end of visiting
    (200, "07:00", "22:00", "too_far"),       # 200 min out: no visit window is that long
    (10, "07:00", "22:00", "no_room_in_day"),  # fits on its own: only a full day leaves it out
])
def test_an_unvisited_retailer_gets_the_reason_that_holds(policy_15_13_7, where, opens, closes, reason):
    days = [day_of(MORNING_VISIT, policy_15_13_7)]
    shop = retailer("x", opens=opens, closes=closes)
    found, detail = classify_unvisited(shop, days, line_territory({"x": where}), policy_15_13_7)
    assert found == reason
    assert detail


def test_no_visit_block_means_no_room(policy_15_13_7):
    reason, detail = classify_unvisited(retailer("x"), [], line_territory({"x": 10}), policy_15_13_7)
    assert reason == "no_room_in_day"
    assert "no visit block" in detail


def test_dropping_removes_only_the_stop_that_breaks_a_rule(policy_15_13_7):
    day = day_of(MORNING_VISIT, policy_15_13_7)
    shops = {"a": retailer("a"), "late": retailer("late", opens="11:25"), "b": retailer("b")}
    timed, kept, dropped = drop_until_feasible(day, ["a", "late", "b"], shops,
                                               line_territory({"a": 10, "late": 15, "b": 20}),
                                               policy_15_13_7)
    assert (kept, dropped) == (["a", "b"], ["late"])
    assert timed.feasible


def test_insertion_takes_the_cheapest_place_that_keeps_the_rules(policy_15_13_7):
    day = day_of(MORNING_VISIT, policy_15_13_7)
    territory = line_territory({"a": 10, "b": 20, "c": 30, "z": 400})
    shops = {r: retailer(r) for r in ("a", "b", "c", "z")}
    assert cheapest_feasible_insertion(day, ["a", "c"], "b", shops, territory, policy_15_13_7) == (
        pytest.approx(0.0), ["a", "b", "c"])
    assert cheapest_feasible_insertion(day, ["a", "c"], "z", shops, territory, policy_15_13_7) is None


def test_the_solver_reorders_a_zigzag_into_one_ride_out_and_back(policy_15_13_7):
    day = day_of(MORNING_VISIT, policy_15_13_7)
    territory = line_territory({"a": 10, "b": 20, "c": 30})
    shops = {r: retailer(r) for r in ("a", "b", "c")}
    assert route_km(day, ["c", "a", "b"], territory) == pytest.approx(80 * KM_PER_MINUTE)
    route = route_day(day, ["c", "a", "b"], shops, territory, policy_15_13_7, time_limit_s=0.2)
    order = [s.retailer for s in route.timed.stops]
    assert order in (["a", "b", "c"], ["c", "b", "a"])
    assert route.dropped == ()
