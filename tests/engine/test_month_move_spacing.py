"""A visit moved to another day of its week for fewer km (step 5) keeps the spacing of
the visits it leaves behind: its neighbours before and after become neighbours. A visit
added keeps the spacing of the visits further on whose due slots it renumbers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from types import SimpleNamespace

import engine.month as month_module
from engine.month import _make_way_for, _may_take, _spacing_holds, gap_bounds
from engine.policy import Policy
from tests.engine.month_cases import line_month
from tests.engine.routing.line_territory import MONDAY

TWICE_A_WEEK = 8


def test_a_moved_visit_does_not_leave_too_long_a_gap_behind(policy_15_13_7: Policy) -> None:
    """Twice weekly (2-3 working days apart) on Tue/Thu, Mon/Wed, Tue/Thu: Monday's visit
    moved to Friday would leave Thursday to Wednesday, 4 days (was allowed: only the gaps
    around the new day were checked)."""
    plan = line_month(policy_15_13_7, {"a": "A"}, {"a": 5}, weeks=3, days_per_week=5)
    mondays = [MONDAY + dt.timedelta(weeks=w) for w in range(3)]
    plan = dataclasses.replace(plan, weeks_of={"a": [m for m in mondays for _ in range(2)]},
                               gaps={"a": gap_bounds(TWICE_A_WEEK, policy_15_13_7)})
    assert plan.gaps["a"] == (2, 3)
    planned = {"a": [1, 3, 5, 7, 11, 13]}
    assert not _may_take(plan, planned, "a", 5, 9)
    assert _may_take(plan, planned, "a", 7, 8)  # Wednesday to Thursday keeps 3 and 3


def test_a_visit_added_before_its_weeks_other_does_not_leave_too_long_a_gap_after(policy_15_13_7: Policy) -> None:
    """Twice weekly, visits on week 3's Thursday and week 4's Wednesday (slots 3.1 and 4.1
    with 3.2 missing: the 4-day gap is a listed visit's). Week 3's other visit put on its
    Tuesday makes Thursday slot 3.2, next to 4.1 and 4 days from it (was allowed: only the
    new visit's own gaps were checked)."""
    week_3, week_4 = MONDAY, MONDAY + dt.timedelta(weeks=1)
    weeks, gaps = [week_3, week_3, week_4, week_4], gap_bounds(TWICE_A_WEEK, policy_15_13_7)
    thursday, next_wednesday = (3, week_3), (7, week_4)
    assert not _spacing_holds([thursday, next_wednesday], (1, week_3), weeks, gaps)
    assert _spacing_holds([thursday, next_wednesday], (9, week_4), weeks, gaps)  # week 4's Friday


def test_a_key_customer_kept_out_by_its_spacing_gets_its_visit_when_one_of_its_visits_moves(
        policy_15_13_7: Policy) -> None:
    """Weekly class A (4-6 working days apart) on week 1's Monday and week 3's Friday: no
    day of week 2 lies 4-6 days from both. Week 1's visit moves later in its week and
    week 2's visit is made (was left out for its spacing, SPEC §4 key customers first)."""
    plan = line_month(policy_15_13_7, {"a": "A"}, {"a": 5}, weeks=3, days_per_week=5)
    assert plan.gaps["a"] == (4, 6)
    planned = {"a": [0, 14]}
    orders: dict[int, list[str]] = {0: ["a"], 14: ["a"]}
    assert _make_way_for(plan, plan.retailers["a"], planned, orders)
    days = planned["a"]
    assert len(days) == 3 and [plan.week_of(i) for i in days] == plan.weeks_of["a"]
    assert all(4 <= b - a <= 6 for a, b in itertools.pairwise(days))
    assert sorted(i for i, order in orders.items() if "a" in order) == days


def test_a_key_customers_visit_moves_onto_a_full_day_in_place_of_a_class_c(policy_15_13_7: Policy) -> None:
    """As above, with the other days of weeks 1 and 3 full of long class-C visits: one A
    visit takes a C's place there (`room_by_cheaper`) and week 2's visit is made (was
    left out: the move looked for room only)."""
    long_c = {f"c{n}": "C" for n in range(1, 5)}
    plan = line_month(policy_15_13_7, {"a": "A", **long_c}, dict.fromkeys(["a", *long_c], 5), weeks=3,
                      days_per_week=5, service=dict.fromkeys(long_c, 50))
    planned = {"a": [0, 14], **{c: [n, 9 + n] for n, c in enumerate(long_c, start=1)}}
    orders: dict[int, list[str]] = {0: ["a"], 14: ["a"]}
    for c, days in planned.items():
        for day in days if c != "a" else ():
            orders[day] = [c]
    assert _make_way_for(plan, plan.retailers["a"], planned, orders)
    assert len(planned["a"]) == 3 and all(4 <= b - a <= 6 for a, b in itertools.pairwise(planned["a"]))
    assert all(len(order) <= 1 or "a" not in order for order in orders.values())  # a C made way


def test_key_customers_making_way_for_each_other_round_and_round_end(monkeypatch) -> None:
    """Two key customers whose ways undo each other (one moved within its week takes the
    other's day, which moves it back) ran a sample month's manager forever."""
    a = SimpleNamespace(id="A", retailer_class="A")
    b = SimpleNamespace(id="B", retailer_class="A")
    plan = SimpleNamespace(policy=SimpleNamespace(visit_value=SimpleNamespace(key_class="A")), mine=[a, b])
    planned = {"A": [0], "B": [1]}
    calls = []

    def undoing(plan, r, planned, orders) -> bool:
        calls.append(r.id)
        planned["A"], planned["B"] = planned["B"], planned["A"]
        return True

    monkeypatch.setattr(month_module, "_make_way_for", undoing)
    month_module._make_way_for_key_visits(plan, planned, {})
    assert len(calls) <= 6
