"""A key customer's week lost to its own spacing chain (tester's d8_477, m04): a weekly
class-A shop visited 12-08 and 12-21, nothing in the week of 12-14 while its manager made
five class-C visits there, because every day of that week with room lay too near 12-21.
The month checker judged the chain as the plan left it and passed; the planner gave up
and named two other days. Now the checker moves a neighbouring visit within its week
before it excuses the week, a gap over the most is excused only by a missing visit
between the two, and the planner mends the chain (engine/month.py `_respaced_for`)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from engine.check.month import check_month
from engine.domain import Department, GeoPoint, Manager, Retailer
from engine.month import _planned_days, _spacing_faults, _unplanned, gap_bounds, time_visit_route
from engine.policy import Policy
from tests.engine.month_cases import line_month
from tests.engine.routing.line_territory import first_stop_every_day


def _shop(rid: str, klass: str) -> Retailer:
    return Retailer.model_validate({"id": rid, "name": rid, "lat": 30.66, "lon": 104.05, "manager": "m1",
                                    "class": klass, "visits_per_4_weeks": 4, "area": "town", "opens": 7 * 60,
                                    "closes": 22 * 60, "service_min": 15})


def _department() -> Department:
    return Department(name="d", office=GeoPoint(lat=30.66, lon=104.05), policy="15-13-7", market_manager="boss",
                      managers=(Manager(id="m1", name="M", years=5),),
                      retailers=(_shop("a", "A"), _shop("c1", "C"), _shop("c2", "C")))


def _plan(visits: dict[str, list[str]], unplanned: list[dict]) -> dict:
    """December 2026's plan data of manager m1: each day (MM-DD) its stops, 08:00-11:00."""
    days: dict[str, list[str]] = {}
    for rid, dates in visits.items():
        for d in dates:
            days.setdefault(d, []).append(rid)
    routes = [{"manager": "m1", "date": f"2026-{d}", "visit_start": "08:00", "visit_end": "11:00",
               "stops": [{"retailer": rid, "arrive": f"{9 + n}:00", "start": f"{9 + n}:00", "end": f"{9 + n}:15"}
                         for n, rid in enumerate(stops)]} for d, stops in sorted(days.items())]
    first = dt.date(2026, 12, 1)
    working = [first + dt.timedelta(days=n) for n in range(31) if (first + dt.timedelta(days=n)).weekday() < 5]
    return {"month": "2026-12", "days": [d.isoformat() for d in working], "routes": routes, "unplanned": unplanned}


def _line(rid: str, wanted: int, planned: int) -> dict:
    return {"retailer": rid, "manager": "m1", "wanted": wanted, "planned": planned, "reason": "spacing",
            "detail": "listed"}


def test_the_checker_moves_a_neighbouring_visit_before_it_excuses_a_key_customers_week(
        policy_15_13_7: Policy) -> None:
    """a (due in the weeks of 11-30 to 12-21): 12-02, 12-08, 12-21, nothing in the week of
    12-14, where c1 is visited on
    12-16 (and 12-16 is 6 working days after 12-08 but 3 before 12-21); c2 on 12-24. With
    12-21's visit moved to 12-24 every gap keeps 4-6, also the one to 01-01, where the week
    of 12-28 counts a's visit in January: a key_customer fault, listed or not. Before, 12-16
    broke the spacing with 12-21 as the plan left it: no fault. (12-21 itself lies 9 working
    days before 01-01: a spacing fault, test_month_edge_spacing.)"""
    assert gap_bounds(4, policy_15_13_7) == (4, 6)
    department = _department()
    data = _plan({"a": ["12-02", "12-08", "12-21"], "c1": ["12-16"], "c2": ["12-24"]},
                 [_line("a", 4, 3)])
    found = [v for v in check_month(data, department, policy_15_13_7) if v.retailer == "a"]
    assert [(v.rule, v.date) for v in found] == [("key_customer", dt.date(2026, 12, 16)),
                                                 ("spacing", dt.date(2026, 12, 21))]
    # No day for the neighbour to move to: the week is excused as before.
    data = _plan({"a": ["12-02", "12-08", "12-21"], "c1": ["12-16"]}, [_line("a", 4, 3)])
    found = [v for v in check_month(data, department, policy_15_13_7) if v.retailer == "a"]
    assert [(v.rule, v.date) for v in found] == [("spacing", dt.date(2026, 12, 21))]  # 9 before 01-01


def test_a_gap_over_the_most_is_excused_only_by_a_missing_visit_between(policy_15_13_7: Policy) -> None:
    """a: 12-08, 12-18 (8 working days after 12-08, consecutive weeks), 12-24, its week of
    11-30 missing and listed. Before, any listed shortfall excused every long gap."""
    department = _department()
    data = _plan({"a": ["12-08", "12-18", "12-24"]}, [_line("a", 4, 3)])
    found = [(v.rule, v.date) for v in check_month(data, department, policy_15_13_7) if v.retailer == "a"]
    assert found == [("spacing", dt.date(2026, 12, 18))]
    # The missing visit between them (the week of 12-14) excuses the gap 12-08 to 12-21.
    # (The owed weeks follow the due rule's hash of "a": its week of 12-28 falls on 01-01,
    # which 12-21 lies 9 working days before: a spacing fault of its own.)
    data = _plan({"a": ["12-02", "12-08", "12-21"]}, [_line("a", 4, 3)])
    found = [(v.rule, v.date) for v in check_month(data, department, policy_15_13_7) if v.retailer == "a"]
    assert found == [("spacing", dt.date(2026, 12, 21))]


def test_a_key_customers_missing_week_moves_the_next_visit_to_keep_the_spacing(policy_15_13_7: Policy) -> None:
    """Three weeks of five days (working days 0-14), a weekly A (4-6 apart) on days 1 and
    10, closed on days 5 and 6: days 7-9 of week two lie 6-8 after day 1 but 1-3 before
    day 10, so no day of that week keeps the spacing as the visits stand, while day 7
    makes a class-C visit (c, due that week only). Before, the A stayed out of week two, 9 working days between
    its visits; now its day-10 visit moves to day 11 and it takes day 7 (6, then 4 apart)."""
    policy = first_stop_every_day(policy_15_13_7)
    plan = line_month(policy, {"a": "A", "c": "C"}, {"a": 10, "c": 11}, weeks=3, days_per_week=5)
    plan.allowed["a"] = [i for i in range(15) if i not in (5, 6)]
    plan.weeks_of["c"], plan.allowed["c"] = [plan.week_of(7)], [5, 6, 7, 8, 9]  # due in week two only
    orders: dict[int, list[str]] = {i: [] for i in range(15)}
    orders[1], orders[10], orders[7] = ["a"], ["a"], ["c"]
    planned = _planned_days(plan, orders)
    assert planned["a"] == [1, 7, 11] and planned["c"] == [7]
    assert not _spacing_faults([(plan.slot[d], plan.week_of(d)) for d in planned["a"]], plan.weeks_of["a"],
                               plan.gaps["a"])
    for i, order in orders.items():
        assert sorted(order) == sorted(r for r, days in planned.items() if i in days)
        assert time_visit_route(plan.days[i], order, plan.retailers, plan.territory, policy).feasible
    assert [u.retailer for u in _unplanned(plan, planned)] == []


def test_a_week_the_spacing_refuses_is_named_in_the_reason(policy_15_13_7: Policy) -> None:
    """As above with the A's day-10 visit unable to move (days 11-14 closed): its reason
    names days 7-9 as breaking the spacing with days 1 and 10, not only the days 5 and 6
    it cannot open (tester's d8_477: "cannot open 12-14, 12-15", not a word of 12-16 to
    12-18)."""
    policy = first_stop_every_day(policy_15_13_7)
    plan = line_month(policy, {"a": "A", "far": "A"}, {"a": 10, "far": 45}, weeks=3, days_per_week=5)
    plan.allowed["far"] = [i for i in range(15) if i not in range(11, 15)]
    assert not time_visit_route(plan.days[5], ["far"], plan.retailers, plan.territory, policy).feasible
    (left,) = [u for u in _unplanned(plan, {"a": [1, 10], "far": [1, 10]}) if u.retailer == "far"]
    assert left.reason == "spacing"
    assert "cannot open 11-30, 12-01" in left.detail
    assert "12-02, 12-03, 12-04 would lie under 4 or over 6 working days from its visits on 11-24, 12-07" \
        in left.detail


def test_both_neighbouring_visits_move_when_one_is_not_enough(policy_15_13_7: Policy) -> None:
    """The A on days 4 and 10, open in week two on day 7 only (3 from each): neither move
    alone keeps 4-6 (the sample's m05 R00803: 12-11 and 12-21 around 12-16); both do,
    day 4 to one of days 1-3 and day 10 to 11."""
    policy = first_stop_every_day(policy_15_13_7)
    plan = line_month(policy, {"a": "A", "c": "C"}, {"a": 10, "c": 11}, weeks=3, days_per_week=5)
    plan.allowed["a"] = [i for i in range(15) if i not in (5, 6, 8, 9)]
    plan.weeks_of["c"], plan.allowed["c"] = [plan.week_of(7)], [5, 6, 7, 8, 9]
    orders: dict[int, list[str]] = {i: [] for i in range(15)}
    orders[4], orders[10], orders[7] = ["a"], ["a"], ["c"]
    planned = _planned_days(plan, orders)
    assert planned["a"][0] in (1, 2, 3) and planned["a"][1:] == [7, 11] and planned["c"] == [7]


def test_a_window_visit_moves_within_the_window_to_keep_the_spacing(policy_15_13_7: Policy) -> None:
    """As the missing-week case with the A flagged and the focus window on days 10 and 11
    (the sample's m10 R01540: 12-08 and 12-21, none in the week of 11-30 beside class-C
    visits, while 12-08's window visit could go to 12-10; the month checker faulted the
    plan, exit 1). Before, a window visit never moved: the A stayed out of week two. A
    window visit stays in the window: with day 10 alone the window, it does not move."""
    policy = first_stop_every_day(policy_15_13_7)
    base = line_month(policy, {"a": "A", "c": "C"}, {"a": 10, "c": 11}, weeks=3, days_per_week=5)
    base.allowed["a"] = [i for i in range(15) if i not in (5, 6)]
    base.weeks_of["c"], base.allowed["c"] = [base.week_of(7)], [5, 6, 7, 8, 9]
    for window, days in (({10, 11}, [1, 7, 11]), ({10}, [1, 10])):
        plan = dataclasses.replace(base, flagged={"a"}, focus_index=window, focus_weeks={base.week_of(10)})
        orders: dict[int, list[str]] = {i: [] for i in range(15)}
        orders[1], orders[10], orders[7] = ["a"], ["a"], ["c"]
        planned = _planned_days(plan, orders)
        assert planned["a"] == days and planned["c"] == [7]


def test_the_checker_moves_a_window_visit_only_within_the_window(policy_15_13_7: Policy) -> None:
    """A flagged (volatile) a: 12-08 (in the focus window, days 6-10) and 12-21, nothing in
    the week of 11-30, where c1 is visited on 12-04 (2 working days before 12-08). With
    12-08's visit moved to 12-10 (c2's day, in the window) a visit on 12-04 keeps 4-6: a
    key_customer fault. Moved to 12-11 it would leave the window, which the planner does
    not do: no fault. Before, the checker moved it to 12-11 as well and faulted the plan."""
    volatile = _shop("a", "A").model_copy(update={"volatile": True})
    department = _department().model_copy(update={"retailers": (volatile, _shop("c1", "C"), _shop("c2", "C"))})
    for c2, faulted in (("12-10", True), ("12-11", False)):
        data = _plan({"a": ["12-08", "12-21"], "c1": ["12-04"], "c2": [c2]}, [_line("a", 4, 2)])
        found = [(v.rule, v.date) for v in check_month(data, department, policy_15_13_7) if v.retailer == "a"]
        assert (("key_customer", dt.date(2026, 12, 4)) in found) is faulted


def test_the_checker_moves_no_visit_that_opens_its_day_when_the_next_stop_cannot(policy_15_13_7: Policy) -> None:
    """As above, but on 12-21 a's visit opens the day before a shop some 17 km out, which
    no ride from the office reaches by 09:30: moving a's visit to 12-24 leaves 12-21 with
    no first stop in time, so it is no mend a person could carry out. Before, the checker
    moved it all the same and faulted the week (the sample's month, m11's R01707 first on
    12-17: exit 1 in about one run in seven)."""
    far = _shop("f", "B").model_copy(update={"lat": 30.66 + 0.15})
    department = _department()
    department = department.model_copy(update={"retailers": (*department.retailers, far)})
    data = _plan({"a": ["12-02", "12-08", "12-21"], "c1": ["12-16"], "c2": ["12-24"], "f": ["12-21"]},
                 [_line("a", 4, 3)])
    assert [s["retailer"] for r in data["routes"] if r["date"] == "2026-12-21" for s in r["stops"]] == ["a", "f"]
    found = [v.rule for v in check_month(data, department, policy_15_13_7) if v.retailer == "a"]
    assert "key_customer" not in found
    # f visited before a: a's visit does not open the day, and may move as before.
    data["routes"] = [r | {"stops": r["stops"][::-1]} if r["date"] == "2026-12-21" else r for r in data["routes"]]
    found = [v.rule for v in check_month(data, department, policy_15_13_7) if v.retailer == "a"]
    assert "key_customer" in found
