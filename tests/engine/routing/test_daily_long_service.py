"""A retailer whose visit alone is longer than every visit window, or than its own
opening hours, is unvisited for that reason, not for its (short) ride
(engine/routing/daily.py classify_unvisited)."""

from __future__ import annotations

import pytest

from engine.routing.daily import classify_unvisited
from tests.engine.routing.line_territory import (
    block,
    day_of,
    first_stop_every_day,
    line_territory,
    retailer,
)

MORNING_VISIT = [block("visit", "08:30", "11:30")]  # 180 min of riding and visiting


@pytest.fixture(scope="module")
def policy_15_13_7(policy_15_13_7):
    """15-13-7 with 09:30 as the first-stop time of every day (line_territory's days are Mondays)."""
    return first_stop_every_day(policy_15_13_7)


def test_a_visit_longer_than_any_visit_window_is_not_blamed_on_a_short_ride(policy_15_13_7):
    days = [day_of(MORNING_VISIT, policy_15_13_7)]
    shop = retailer("x", opens="08:00", closes="19:00", service=400)
    reason, detail = classify_unvisited(shop, days, line_territory({"x": 7}), policy_15_13_7)
    assert reason == "time_window"
    assert "400-min visit is longer than any visit window" in detail
    assert "180 min" in detail
    assert not detail.startswith("a 7-min ride")


def test_a_visit_longer_than_the_opening_hours_says_so(policy_15_13_7):
    days = [day_of(MORNING_VISIT, policy_15_13_7)]
    shop = retailer("x", opens="09:00", closes="09:05", service=10)
    reason, detail = classify_unvisited(shop, days, line_territory({"x": 7}), policy_15_13_7)
    assert reason == "opening_hours"
    assert detail == "a 10-min visit is longer than its opening hours 09:00–09:05 (5 min)"
