"""The hand-made week under seed-003, whose lunch is taken on the road inside the visit
block (`lunch.during_visit`), scores with no hard fault (the yardstick keeps the hard rules:
benchmarks/RESULTS.md, "0 hard violations either side").

Tester's dB/dE/dF: a route's lunch taken after its last stop (11:07–11:37) was ridden
through, the ride back to the office stated leaving 11:07 and arriving 11:23 ("travel");
and a far key customer that cannot open the day by the first-stop time was passed over
for good, left out while class-C visits were made ("key_customer_dropped") or beside a
day with room ("left_out_with_room"). Small generated departments; no solve."""

from __future__ import annotations

import datetime as dt

import pytest

from benchmarks.departments import generate_department
from engine.baseline import baseline_plan
from engine.policy import parse_clock
from engine.quality import score_plan

WEEK = dt.date(2026, 11, 23)


def test_the_ride_back_after_a_lunch_on_the_road_starts_after_it(policy_seed_003):
    """6 managers, seed 0: m06's Monday route ended 10:48 at R06021, lunch 11:00–11:30
    there, and the 24-min ride back was stated arriving 11:12."""
    department = generate_department(6, 0)
    plan = baseline_plan(department, policy_seed_003, WEEK)
    after_lunch = 0
    for route in plan["routes"]["routes"]:
        if route["lunch_end"] is None:
            continue
        lunch_start, lunch_end = parse_clock(route["lunch_start"]), parse_clock(route["lunch_end"])
        for leg in route["office_returns"]:
            leave, arrive, ride = parse_clock(leg["leave"]), parse_clock(leg["arrive"]), leg["ride_min"]
            if leave < lunch_end and leave + ride > lunch_start:  # the ride runs into the lunch
                assert arrive >= lunch_end + ride - max(lunch_start - leave, 0), (route["manager"], route["date"], leg)
            after_lunch += leave >= lunch_end
    assert after_lunch > 0
    report = score_plan(plan, department, policy_seed_003)
    assert [(v.rule, v.manager, v.message) for v in report.violations] == []


@pytest.mark.parametrize("size, seed", [(4, 0), (4, 4), (5, 7)])
def test_a_far_key_customer_is_visited_after_a_nearer_stop(size, seed, policy_seed_003):
    """m04, a countryside manager: his far class-A retailers cannot be the day's first stop
    by the first-stop time, and were listed "too_far" while class-C visits were made
    (13, 13 and 15 faults); taken first, and once more after the nearer ones, they fit."""
    department = generate_department(size, seed)
    plan = baseline_plan(department, policy_seed_003, WEEK)
    report = score_plan(plan, department, policy_seed_003)
    assert [(v.rule, v.manager, v.message) for v in report.violations] == []
