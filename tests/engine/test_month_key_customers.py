"""The month's step 4 (engine/month.py): a class-A visit the routes left out takes the
place of less valuable visits on a day of its week, as the week's routes do
(routing/visit_value.make_way, SPEC §4, seed 001's 20/80 rule); a retailer missing two
visits in a row gets them back where its spacing allows."""

from __future__ import annotations

import dataclasses
import datetime as dt

from engine import month as month_module
from engine.month import _ManagerDays, _planned_days, gap_bounds
from engine.policy import Policy
from engine.routing.daily import field_days
from tests.engine.routing.line_territory import (
    MONDAY,
    block,
    first_stop_every_day,
    line_territory,
    retailer,
    timetable,
)


def _one_day_month(policy: Policy, classes: dict[str, str], where: dict[str, int], weeks: int = 1) -> _ManagerDays:
    """One visit day (Monday 09:00–10:00) a week, five working days apart, and retailers
    due once every week."""
    (day,) = field_days(timetable([block("visit", "09:00", "10:00")], policy), policy, "m1")
    mondays = [MONDAY + dt.timedelta(weeks=w) for w in range(weeks)]
    field = {d: dataclasses.replace(day, date=d) for d in mondays}
    shops = {r: retailer(r, service=15).model_copy(update={"retailer_class": c}) for r, c in classes.items()}
    return _ManagerDays(
        manager="m1", policy=policy, retailers=shops, mine=list(shops.values()),
        weeks_of={r: list(mondays) for r in shops}, dates=mondays, field=field,
        territory=line_territory(where), slot=[5 * w for w in range(weeks)],
        allowed={r: list(range(weeks)) for r in shops}, cost=dict.fromkeys(shops, 16),
        gaps={r: gap_bounds(4, policy) for r in shops}, flagged=set(), focus_index=set(), focus_weeks=set(),
        zones=dict.fromkeys(shops, 0))


def test_a_key_customer_left_out_takes_the_place_of_a_class_c_visit(policy_15_13_7: Policy) -> None:
    """The day holds three 15-min visits; the routes kept three C visits and left the A
    out. Before, step 4 only used room left over: the A stayed out, "the days it could go
    on are full", while the day made C visits."""
    policy = first_stop_every_day(policy_15_13_7)
    plan = _one_day_month(policy, {"a": "A", "c1": "C", "c2": "C", "c3": "C"},
                          {"c1": 10, "c2": 11, "c3": 12, "a": 13})
    assert month_module.time_visit_route(plan.days[0], ["c1", "c2", "c3"], plan.retailers, plan.territory,
                                         policy).feasible
    assert not month_module.time_visit_route(plan.days[0], ["c1", "c2", "c3", "a"], plan.retailers,
                                             plan.territory, policy).feasible
    orders = {0: ["c1", "c2", "c3"]}
    planned = _planned_days(plan, orders)
    assert planned["a"] == [0]
    assert "a" in orders[0] and len(orders[0]) == 3
    assert month_module.time_visit_route(plan.days[0], orders[0], plan.retailers, plan.territory, policy).feasible
    (left,) = month_module._unplanned(plan, planned)
    assert left.retailer.startswith("c") and plan.retailers[left.retailer].retailer_class == "C"


def test_a_key_customer_does_not_displace_another_key_customer(policy_15_13_7: Policy) -> None:
    policy = first_stop_every_day(policy_15_13_7)
    plan = _one_day_month(policy, {"a": "A", "a1": "A", "a2": "A", "a3": "A"},
                          {"a1": 10, "a2": 11, "a3": 12, "a": 13})
    orders = {0: ["a1", "a2", "a3"]}
    planned = _planned_days(plan, orders)
    assert planned["a"] == [] and orders[0] == ["a1", "a2", "a3"]
    (left,) = month_module._unplanned(plan, planned)
    assert (left.retailer, left.reason) == ("a", "no_room_in_day")
    assert "11-23" in left.detail and "even without their visits of less value" in left.detail


def test_a_retailer_missing_two_visits_in_a_row_gets_them_back(policy_15_13_7: Policy) -> None:
    """Weekly (4-6 working days apart), visited in weeks 1 and 4 only, the days of weeks
    2 and 3 empty. Before, each visit put back had to lie at most 6 days from both
    neighbours, 15 days apart, so neither came back ("the days it could go on are full");
    the most gap holds between visits of consecutive due slots only, as the day
    assignment states it."""
    policy = first_stop_every_day(policy_15_13_7)
    plan = _one_day_month(policy, {"a": "A"}, {"a": 10}, weeks=4)
    assert gap_bounds(4, policy) == (4, 6)
    orders: dict[int, list[str]] = {0: ["a"], 1: [], 2: [], 3: ["a"]}
    planned = _planned_days(plan, orders)
    assert planned["a"] == [0, 1, 2, 3]
    assert month_module._unplanned(plan, planned) == []
