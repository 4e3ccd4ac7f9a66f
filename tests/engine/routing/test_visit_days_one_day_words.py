"""A visit due more often than the days that can hold it says how many can, in words that
agree with the number: "only 1 visit days can hold it" read as a typing slip (an outside
tester's routes.json)."""

from __future__ import annotations

from engine.routing.daily import field_days
from engine.routing.due import DueRetailer
from engine.routing.visit_days import plan_visit_days
from tests.engine.routing.line_territory import block, line_territory, retailer, timetable


def test_one_day_that_can_hold_it_is_said_in_the_singular(policy_15_13_7):
    policy = policy_15_13_7
    # Tuesday's block is in the afternoon, after the morning shop has closed.
    blocks = [block("visit", start, end, day=i) for i, (start, end) in enumerate([("08:30", "11:30"), ("12:30", "15:00")])]
    days = field_days(timetable(blocks, policy), policy, "m1")
    shops = {"morning": retailer("morning", closes="12:00")}
    plan = plan_visit_days("m1", [DueRetailer(shops["morning"], 2)], days, shops, line_territory({"morning": 10}),
                           policy, time_limit_s=0.2)
    (left,) = plan.unassigned
    assert "but only 1 visit day can hold it" in left.detail
