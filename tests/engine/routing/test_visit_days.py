"""The day of every due visit in one manager's week (engine/routing/visit_days.py,
SPEC §1.2, §4), on tiny territories along one road."""

from __future__ import annotations

from collections import Counter

import pytest

from engine.routing.daily import field_days, time_visit_route
from engine.routing.due import DueRetailer
from engine.routing.visit_days import VisitDayPlan, plan_visit_days, stops_per_day
from tests.engine.routing.line_territory import block, line_territory, retailer, timetable

SOLVE_S = 0.2


def _days(policy, visits: list[tuple[str, str]]):
    """One field day per (start, end) visit block, Monday onwards."""
    blocks = [block("visit", start, end, day=i) for i, (start, end) in enumerate(visits)]
    return field_days(timetable(blocks, policy), policy, "m1")


def _plan(policy, days, due: dict[str, int], shops: dict, where: dict[str, int]) -> VisitDayPlan:
    return plan_visit_days("m1", [DueRetailer(shops[r], k) for r, k in due.items()], days, shops,
                           line_territory(where), policy, time_limit_s=SOLVE_S)


def _assert_every_day_keeps_its_rules(plan: VisitDayPlan, shops, where, policy) -> None:
    for day, order in zip(plan.days, plan.orders, strict=True):
        assert time_visit_route(day, order, shops, line_territory(where), policy).feasible, day.date


def test_a_retailer_due_k_times_goes_on_k_different_days(policy_15_13_7):
    policy = policy_15_13_7
    days = _days(policy, [("08:30", "11:30")] * 3)
    where = {"once": 10, "twice": 20, "thrice": 30}
    shops = {r: retailer(r) for r in where}
    plan = _plan(policy, days, {"once": 1, "twice": 2, "thrice": 3}, shops, where)
    for rid, k in {"once": 1, "twice": 2, "thrice": 3}.items():
        on = [d for d, order in enumerate(plan.orders) if rid in order]
        assert len(on) == k, (rid, plan.orders)
        assert all(plan.orders[d].count(rid) == 1 for d in on)
    assert plan.unassigned == ()
    assert plan.due_visits == 6
    _assert_every_day_keeps_its_rules(plan, shops, where, policy)


def test_more_visits_than_days_that_can_hold_them_are_reported(policy_15_13_7):
    policy = policy_15_13_7
    # Wednesday's block is in the afternoon, after the morning shop has closed.
    days = _days(policy, [("08:30", "11:30"), ("08:30", "11:30"), ("12:30", "15:00")])
    where = {"morning": 10}
    shops = {"morning": retailer("morning", closes="12:00")}
    plan = _plan(policy, days, {"morning": 3}, shops, where)
    assert [("morning" in order) for order in plan.orders] == [True, True, False]
    (left,) = plan.unassigned
    assert (left.retailer, left.reason) == ("morning", "no_room_in_day")
    assert "only 2 visit days" in left.detail


def test_a_day_holds_no_more_visits_than_fit_in_its_time(policy_15_13_7):
    policy = policy_15_13_7
    days = _days(policy, [("08:30", "11:30")] * 3)
    # Ten 50-min visits 5 min from the office: 08:35, 09:25, 10:15 start; a fourth would end 11:55.
    where = {f"r{i}": 5 for i in range(10)}
    shops = {r: retailer(r, service=50) for r in where}
    plan = _plan(policy, days, dict.fromkeys(where, 1), shops, where)
    assert [len(order) for order in plan.orders] == [3, 3, 3]
    (left,) = plan.unassigned
    assert left.reason == "no_room_in_day"
    placed = Counter(r for order in plan.orders for r in order)
    assert sum(placed.values()) + len(plan.unassigned) == plan.due_visits == 10
    assert left.retailer not in placed
    _assert_every_day_keeps_its_rules(plan, shops, where, policy)


def test_a_retailer_no_day_can_hold_gets_its_reason(policy_15_13_7):
    policy = policy_15_13_7
    days = _days(policy, [("08:30", "11:30")] * 2)
    where = {"evening": 10, "near": 20}
    shops = {"evening": retailer("evening", opens="16:00", closes="20:00"), "near": retailer("near")}
    plan = _plan(policy, days, {"evening": 2, "near": 1}, shops, where)
    assert [(u.retailer, u.reason) for u in plan.unassigned] == [("evening", "opening_hours")] * 2
    assert sum(order.count("near") for order in plan.orders) == 1


def test_no_visit_days_leave_every_visit_unassigned(policy_15_13_7):
    shops = {"a": retailer("a")}
    plan = _plan(policy_15_13_7, [], {"a": 2}, shops, {"a": 10})
    assert plan.orders == ()
    assert [(u.retailer, u.reason) for u in plan.unassigned] == [("a", "no_room_in_day")] * 2


@pytest.mark.parametrize(("slack", "caps"), [(0.0, [4, 4, 2]), (0.5, [6, 6, 3])])
def test_each_day_is_capped_at_its_share_of_the_week(policy_15_13_7, slack, caps):
    # 180, 180 and 90 visiting minutes share 10 visits 4 : 4 : 2, each share rounded up.
    days = _days(policy_15_13_7, [("08:30", "11:30"), ("08:30", "11:30"), ("08:30", "10:00")])
    assert [d.visiting_minutes for d in days] == [180, 180, 90]
    assert stops_per_day(days, 10, slack) == caps


def test_a_day_without_visiting_minutes_gets_no_stops(policy_15_13_7):
    days = _days(policy_15_13_7, [("15:00", "16:00")])  # visiting is over by 15:00
    assert days[0].visiting_minutes <= 0
    assert stops_per_day(days, 5, 0.0) == [0]
