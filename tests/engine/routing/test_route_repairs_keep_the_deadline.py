"""The repairs of a manager's week keep the route time limit (tester's d562H, some 150
visits a week per manager under seed-003: `fieldweek routes --time-limit 5` took 24.5 s
of CPU, `plan --route-time-limit 30` 265 s in routes). Where one more stop fits on a day
with lunch is judged in one pass per trial, not by timing the trial once per place of
its lunch (`_InsertionWindows.fits_with_lunch`), with exactly the same answer; and the
searches for a better week (opening a day, trading two days, the key visits solved
first) start no more once the manager's deadline has passed (`plan_visit_days`)."""

from __future__ import annotations

import dataclasses
import time

from hypothesis import given, settings
from hypothesis import strategies as st

import engine.routing.daily as daily
import engine.routing.visit_days as visit_days
from engine.routing.daily import (
    Place,
    _InsertionWindows,
    cheapest_feasible_insertion,
    time_visit_route,
)
from engine.routing.due import DueRetailer
from engine.routing.visit_days import Unassigned, _WeekToPlace, plan_visit_days
from tests.engine.routing.line_territory import (
    block,
    day_of,
    first_stop_every_day,
    line_territory,
    retailer,
)

SHOPS = [f"R{k}" for k in range(7)]
HOURS = [("07:00", "22:00"), ("09:00", "22:00"), ("10:30", "22:00"), ("07:00", "12:00"), ("12:30", "15:00"),
         ("07:00", "11:30")]
"""Opening hours: all day, opening late, closing before or at lunch, open only after it."""


@settings(max_examples=300, deadline=None)
@given(where=st.lists(st.integers(1, 60), min_size=len(SHOPS), max_size=len(SHOPS)),
       hours=st.lists(st.sampled_from(HOURS), min_size=len(SHOPS), max_size=len(SHOPS)),
       service=st.lists(st.integers(10, 60), min_size=len(SHOPS), max_size=len(SHOPS)),
       route_length=st.integers(0, len(SHOPS) - 1), block_start=st.sampled_from(["08:30", "09:30", "10:30"]),
       block_end=st.sampled_from(["12:00", "13:00", "15:00"]), to_next=st.booleans(), data=st.data())
def test_a_trial_with_lunch_is_judged_as_timing_it_would(policy_seed_003, where, hours, service, route_length,
                                                         block_start, block_end, to_next, data):
    policy = first_stop_every_day(policy_seed_003)
    territory = line_territory(dict(zip(SHOPS, where, strict=True)))
    retailers = {rid: retailer(rid, opens=o, closes=c, service=s)
                 for rid, (o, c), s in zip(SHOPS, hours, service, strict=True)}
    day = day_of([block("visit", block_start, block_end)], policy)
    assert day.lunch_minutes
    if to_next:
        day = dataclasses.replace(day, end_place=Place("retailer", SHOPS[-1]), end_deadline=day.block_end)
    order = data.draw(st.permutations(SHOPS[:-1]))[:route_length]
    newcomer = data.draw(st.sampled_from([r for r in SHOPS[:-1] if r not in order] or [SHOPS[0]]))
    if newcomer in order:
        return
    trials = [[*order[:index], newcomer, *order[index:]] for index in range(len(order) + 1)]
    feasible = [time_visit_route(day, trial, retailers, territory, policy).feasible for trial in trials]
    for trial, timed in zip(trials, feasible, strict=True):
        assert _InsertionWindows(day, trial, retailers, territory, policy).fits_with_lunch() == timed, trial
    extras = daily.insertion_km(day, order, newcomer, territory)
    cheapest = min((extras[k], k) for k in range(len(trials)) if feasible[k]) if any(feasible) else None
    found = cheapest_feasible_insertion(day, order, newcomer, retailers, territory, policy)
    assert found == (None if cheapest is None else (cheapest[0], trials[cheapest[1]]))


def test_a_full_day_with_lunch_is_not_timed_once_per_position(policy_seed_003, monkeypatch):
    policy = first_stop_every_day(policy_seed_003)
    names = [f"R{k}" for k in range(20)]
    territory = line_territory({r: 5 + k for k, r in enumerate(names)} | {"new": 12})
    retailers = {r: retailer(r, service=20) for r in names} | {"new": retailer("new", service=30)}
    day = day_of([block("visit", "08:30", "15:00")], policy)
    order = names[:16]
    assert time_visit_route(day, order, retailers, territory, policy).feasible
    timed = []
    monkeypatch.setattr(daily, "time_visit_route", lambda *args, **kw: timed.append(args) or time_visit_route(
        *args, **kw))
    # The day is full: no position keeps its rules, and none is timed whole to find that out.
    assert cheapest_feasible_insertion(day, order, "new", retailers, territory, policy) is None
    shorter = order[:10]
    found = cheapest_feasible_insertion(day, shorter, "new", retailers, territory, policy)
    assert found is not None and time_visit_route(day, found[1], retailers, territory, policy).feasible
    assert timed == []


def _one_opener_week(policy):
    """The tester's d8 week of `test_visit_days_swapped`: R0 alone meets the first stop, on a short day."""
    territory = line_territory({"R0": 55, "R1": 57, "R2": 59, "R3": 61, "R4": 63})
    retailers = {r: retailer(r, service=20) for r in ("R0", "R1", "R2", "R3", "R4")}
    short = day_of([block("visit", "08:30", "11:00", day=0)], policy)
    whole = day_of([block("visit", "08:30", "14:00", day=1)], policy)
    left = [Unassigned(r, "no_room_in_day", "it fits on its own, but the days it could go on are full")
            for r in ("R1", "R2", "R3", "R4")]
    return (short, whole), retailers, territory, left


def test_a_passed_deadline_starts_no_search_for_a_better_week(policy_15_13_7, monkeypatch):
    policy = first_stop_every_day(policy_15_13_7)
    days, retailers, territory, left = _one_opener_week(policy)
    in_time = _WeekToPlace(days, list(retailers), retailers, territory, policy, {}, time.monotonic() + 60)
    orders, still = in_time.swapped([["R0"], []], left)
    assert sorted(orders[1]) == ["R0", "R1", "R2", "R3", "R4"] and still == []
    timed = []
    monkeypatch.setattr(visit_days, "time_visit_route", lambda *args, **kw: timed.append(args))
    late = _WeekToPlace(days, list(retailers), retailers, territory, policy, {}, time.monotonic() - 1)
    assert late.swapped([["R0"], []], left) == ([["R0"], []], left)
    assert late.opened([["R0"], []], left) == ([["R0"], []], left)
    assert timed == []


def test_a_week_planned_past_its_deadline_still_keeps_every_rule(policy_15_13_7):
    policy = first_stop_every_day(policy_15_13_7)
    days, retailers, territory, _ = _one_opener_week(policy)
    due = [DueRetailer(r, 1) for r in retailers.values()]
    plan = plan_visit_days("m1", due, days, retailers, territory, policy, time_limit_s=0.2,
                           deadline=time.monotonic() - 1)
    for day, order in zip(plan.days, plan.orders, strict=True):
        assert time_visit_route(day, order, retailers, territory, policy).feasible, day.date
    made = sorted(r for order in plan.orders for r in order)
    assert sorted([*made, *(u.retailer for u in plan.unassigned)]) == sorted(retailers)
