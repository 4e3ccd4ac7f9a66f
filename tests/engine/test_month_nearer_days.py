"""The month's step 5 (engine/month.py `_move_to_nearer_days`): a visit moves to another
day of its own week when the two days ride fewer km in all, every rule of both routes,
its spacing and a focus window visit's place in the window kept."""

from __future__ import annotations

import dataclasses

from engine import month as month_module
from engine.policy import Policy
from engine.routing.daily import route_km
from tests.engine.month_cases import line_month
from tests.engine.routing.line_territory import MONDAY, first_stop_every_day

WEST_AND_EAST = {"w1": -25, "w2": -26, "e1": 25, "e2": 26}
"""Two shops each side of the office on one road (minutes from it)."""


def _km(plan: month_module._ManagerDays, orders: dict[int, list[str]]) -> float:
    return sum(route_km(plan.days[i], order, plan.territory) for i, order in orders.items())


def _planned(orders: dict[int, list[str]]) -> dict[str, list[int]]:
    planned: dict[str, list[int]] = {}
    for i, order in orders.items():
        for r in order:
            planned.setdefault(r, []).append(i)
    return planned


def _routes_keep_rules(plan: month_module._ManagerDays, orders: dict[int, list[str]]) -> bool:
    return all(month_module.time_visit_route(plan.days[i], order, plan.retailers, plan.territory,
                                             plan.policy).feasible for i, order in orders.items())


def test_a_visit_moves_to_the_day_that_rides_its_side(policy_15_13_7: Policy) -> None:
    """Monday rides west and east, Tuesday east only: e1 moves to Tuesday (Monday saves
    10 km, Tuesday rides none more); w1 stays, Tuesday would ride 10 km more for it."""
    policy = first_stop_every_day(policy_15_13_7)
    shops = {r: WEST_AND_EAST[r] for r in ("w1", "e1", "e2")}
    plan = line_month(policy, dict.fromkeys(shops, "B"), shops, days_per_week=2, ends="12:00")
    orders = {0: ["w1", "e1"], 1: ["e2"]}
    planned = _planned(orders)
    month_module._move_to_nearer_days(plan, planned, orders)
    assert orders[0] == ["w1"] and sorted(orders[1]) == ["e1", "e2"]
    assert planned == _planned(orders) and _routes_keep_rules(plan, orders)


def test_full_days_trade_visits_to_ride_one_side_each(policy_15_13_7: Policy) -> None:
    """Monday and Tuesday each ride west and east, and each day is full (a third shop
    ends after 11:00): no visit can move alone, but w1 and e2 trade days, one day
    then rides west, the other east, 20 km less in all."""
    policy = first_stop_every_day(policy_15_13_7)
    plan = line_month(policy, dict.fromkeys(WEST_AND_EAST, "B"), WEST_AND_EAST, days_per_week=2, ends="11:00")
    orders = {0: ["w1", "e1"], 1: ["w2", "e2"]}
    assert not month_module.time_visit_route(plan.days[1], ["w1", "w2", "e2"], plan.retailers, plan.territory,
                                             policy).feasible
    before = _km(plan, orders)
    planned = _planned(orders)
    month_module._move_to_nearer_days(plan, planned, orders)
    assert {frozenset(o) for o in orders.values()} == {frozenset({"w1", "w2"}), frozenset({"e1", "e2"})}
    assert _km(plan, orders) < before - 15
    assert planned == _planned(orders) and _routes_keep_rules(plan, orders)


def test_a_focus_visit_stays_in_the_window(policy_15_13_7: Policy) -> None:
    """e1 is a focus retailer whose window visit is on Monday, the window's only day:
    trading it for w2 would save as much as trading w1 for e2, but it stays, and the
    other visits trade round it."""
    policy = first_stop_every_day(policy_15_13_7)
    plan = dataclasses.replace(
        line_month(policy, dict.fromkeys(WEST_AND_EAST, "B"), WEST_AND_EAST, days_per_week=2, ends="11:00"),
        flagged={"e1"}, focus_index={0}, focus_weeks={MONDAY})
    orders = {0: ["e1", "w1"], 1: ["w2", "e2"]}
    planned = _planned(orders)
    before = _km(plan, orders)
    month_module._move_to_nearer_days(plan, planned, orders)
    assert planned["e1"] == [0] and sorted(orders[0]) == ["e1", "e2"]
    assert _km(plan, orders) < before - 15 and _routes_keep_rules(plan, orders)


def test_a_focus_retailer_of_a_manager_with_no_day_in_the_window_says_so(policy_15_13_7: Policy) -> None:
    """Tester's d8_focus: m06 on leave over the focus days; his focus retailers were listed
    "no room for it on the focus days (none)", a want of room that was none."""
    policy = first_stop_every_day(policy_15_13_7)
    plan = dataclasses.replace(
        line_month(policy, dict.fromkeys(WEST_AND_EAST, "B"), WEST_AND_EAST, days_per_week=2, ends="11:00"),
        flagged={"e1"}, focus_index=set(), focus_weeks={MONDAY})
    planned = {"w1": [0], "w2": [0], "e1": [1], "e2": [1]}
    [line] = [u for u in month_module._unplanned(plan, planned) if u.reason == "focus_window"]
    assert line.retailer == "e1" and "no visit day in the focus window" in line.detail
    assert "no room" not in line.detail
