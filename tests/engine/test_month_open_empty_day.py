"""An empty visit day of a far manager is opened for any visit (engine/month.py
`_planned_days`, `_opened_for`): a visit that cannot be a day's first stop (reached by the
first-stop time) follows one of its week moved there that can. Tester's d520: m04, whose
shops lie an hour out, had no route on 12-07, 12-21, 12-23 or 12-28 while 14 of his visits
were listed "cannot open 12-21, 12-23, which have no visit it could follow"; only key
customers were given an opener."""

from __future__ import annotations

import dataclasses

from engine import month as month_module
from engine.month import _planned_days
from engine.policy import Policy
from tests.engine.month_cases import line_month
from tests.engine.routing.line_territory import first_stop_every_day


def test_a_visit_that_cannot_open_a_day_follows_one_moved_there(policy_15_13_7: Policy) -> None:
    """Two days of one week (visits 09:00-10:45, first stop by 09:30): o and x, 20-21 min
    out, can open a day; f1, f2, 45-46 min out, cannot. Day 0 holds o, x, f1 and no more,
    day 1 is empty: f2 goes there after o or x, moved from day 0. Before: f2 listed, day 1
    empty (class C: no key customer's opening)."""
    policy = first_stop_every_day(policy_15_13_7)
    plan = line_month(policy, {"o": "C", "x": "C", "f1": "C", "f2": "C"}, {"o": 20, "x": 21, "f1": 45, "f2": 46},
                      days_per_week=2, ends="10:45")
    def feasible(day: int, order: list[str]) -> bool:
        return month_module.time_visit_route(plan.days[day], order, plan.retailers, plan.territory, policy).feasible

    assert feasible(0, ["o", "x", "f1"]) and not feasible(0, ["o", "x", "f1", "f2"]) and not feasible(1, ["f2"])
    orders = {0: ["o", "x", "f1"], 1: []}
    planned = _planned_days(plan, orders)
    assert planned["f2"] == [1] and orders[1][0] in ("o", "x") and orders[1][-1] == "f2"
    assert feasible(0, orders[0]) and feasible(1, orders[1])
    assert month_module._unplanned(plan, planned) == []


def test_key_customers_make_way_again_once_a_day_is_opened(policy_15_13_7: Policy, monkeypatch) -> None:
    """A day opened for class-C visits makes the week one of C visits, where a key customer
    may take their places (step 6's promise; the month checker's `key_customer`): step 6
    runs again after an opening (re-planned d520: m08's A missing beside a C visit that
    week). Before: once only, before the openings."""
    policy = first_stop_every_day(policy_15_13_7)
    plan = line_month(policy, {"o": "C", "x": "C", "f1": "C", "f2": "C"}, {"o": 20, "x": 21, "f1": 45, "f2": 46},
                      days_per_week=2, ends="10:45")
    calls: list[int] = []
    real = month_module._make_way_for_key_visits
    monkeypatch.setattr(month_module, "_make_way_for_key_visits",
                        lambda plan, planned, orders: calls.append(len(orders.get(1, []))) or real(plan, planned,
                                                                                                  orders))
    planned = _planned_days(plan, {0: ["o", "x", "f1"], 1: []})
    assert planned["f2"] == [1]
    # before the opening (day 1 empty), after it (opener and f2), and once more after the
    # last fills (test_month_key_customers), finding nothing: it ends
    assert calls == [0, 2, 2]


def test_no_class_c_visit_is_opened_into_a_week_a_key_customer_misses(policy_15_13_7: Policy) -> None:
    """As the first case, with k, 47 min out and closed by 09:10, missing that week on day 1
    (it fits the day as listed, no route takes it): f2, class C, is not opened into the
    week (SPEC §4: no C visit while an A misses its week; re-planned d520, m08). Class B k:
    f2 follows the opener as before."""
    policy = first_stop_every_day(policy_15_13_7)
    for klass, opened in (("A", []), ("B", [1])):
        plan = line_month(policy, {"o": "C", "x": "C", "f1": "C", "f2": "C", "k": klass},
                          {"o": 20, "x": 21, "f1": 45, "f2": 46, "k": 47}, days_per_week=2, ends="10:45")
        closed = {**plan.retailers, "k": plan.retailers["k"].model_copy(update={"closes": 9 * 60 + 10})}
        plan = dataclasses.replace(plan, retailers=closed, mine=[closed[r.id] for r in plan.mine])
        plan.allowed["k"] = [1]
        planned = _planned_days(plan, {0: ["o", "x", "f1"], 1: []})
        assert planned["k"] == [] and planned["f2"] == opened, klass
