"""Spacing at the edges of the month (tester's d8_488m, d6_489m): the week of 11-30
counts a weekly class-A shop's visit on Mon 11-30, in November, yet its first December
visit came on 12-09 to 12-11 (7-9 working days later, the policy asks at most 6) while its
manager made class-C visits 12-01 to 12-04. The planner spaced only the month's own visits
and the month checker judged only their gaps. Now both keep the most gap between the
first (last) visit of the month and the visit the straddling week counts in the previous
(next) month (engine/month.py `_edge_visits`, engine/check/month.py `_edge_positions`)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from engine import month as month_module
from engine.check.month import check_month
from engine.domain import Department, GeoPoint, Leave, Manager, Retailer
from engine.month import _keeps_spacing, gap_bounds
from engine.policy import Policy
from tests.engine.month_cases import FAST, line_month
from tests.engine.routing.line_territory import first_stop_every_day


def _department() -> Department:
    """Shop a0: the due rule counts its week of 11-30 on Mon 11-30 and its week of
    12-28 on Mon 12-28 (no visit in January)."""
    shop = Retailer.model_validate({"id": "a0", "name": "a0", "lat": 30.66, "lon": 104.05, "manager": "m1",
                                    "class": "A", "visits_per_4_weeks": 4, "area": "town", "opens": 7 * 60,
                                    "closes": 22 * 60, "service_min": 15})
    return Department(name="d", office=GeoPoint(lat=30.66, lon=104.05), policy="15-13-7", market_manager="boss",
                      managers=(Manager(id="m1", name="M", years=5),), retailers=(shop,))


def _plan(dates: list[str]) -> dict:
    routes = [{"manager": "m1", "date": f"2026-{d}", "visit_start": "08:00", "visit_end": "11:00",
               "stops": [{"retailer": "a0", "arrive": "09:00", "start": "09:00", "end": "09:15"}]} for d in dates]
    first = dt.date(2026, 12, 1)
    working = [first + dt.timedelta(days=n) for n in range(31) if (first + dt.timedelta(days=n)).weekday() < 5]
    return {"month": "2026-12", "days": [d.isoformat() for d in working], "routes": routes, "unplanned": []}


def test_the_checker_faults_a_first_visit_too_long_after_the_previous_months(policy_15_13_7: Policy) -> None:
    """a0 (weekly, 4-6 working days; its visit of the week of 11-30 counted on 11-30):
    12-09 is 7 working days after 11-30. Before, no fault: 12-09 had no visit before it."""
    assert gap_bounds(4, policy_15_13_7) == (4, 6)
    department = _department()
    late = _plan(["12-09", "12-15", "12-21", "12-28"])
    found = [(v.rule, v.date) for v in check_month(late, department, policy_15_13_7)]
    assert found == [("spacing", dt.date(2026, 12, 9))]
    assert check_month(_plan(["12-08", "12-14", "12-21", "12-28"]), department, policy_15_13_7) == []


def test_the_day_assignment_keeps_the_gap_to_the_previous_months_visit(policy_15_13_7: Policy) -> None:
    """Two weeks of five days; a (A) is due in the second week only, its first week's visit
    counted in the previous month on the day before day 0 (slot -1): at most 6 later, so
    day 5 (slot 5). Each day holds one visit; c (C) fits only day 5. Before, a went on
    another day of its week (7-10 after) and c on day 5; now a takes day 5."""
    policy = first_stop_every_day(policy_15_13_7)
    plan = line_month(policy, {"a": "A", "c": "C"}, {"a": 10, "c": 11}, weeks=2, days_per_week=5, service=45)
    plan = dataclasses.replace(plan, edges={"a": (-1, None)})
    plan.weeks_of["a"], plan.weeks_of["c"] = [plan.week_of(5)], [plan.week_of(5)]
    plan.allowed["c"] = [5]
    assert not _keeps_spacing(plan, "a", [], 6) and _keeps_spacing(plan, "a", [], 5)
    chosen = month_module._assign_days(plan, [50] * 10, FAST, previous={})
    assert chosen == {"a": [5], "c": []}


def _with_leave(department: Department, *dates: str) -> Department:
    shop_c = Retailer.model_validate({"id": "c0", "name": "c0", "lat": 30.66, "lon": 104.05, "manager": "m1",
                                      "class": "C", "visits_per_4_weeks": 4, "area": "town", "opens": 7 * 60,
                                      "closes": 22 * 60, "service_min": 15})
    return department.model_copy(update={
        "retailers": (*department.retailers, shop_c),
        "leave": tuple(Leave(manager="m1", date=dt.date.fromisoformat(f"2026-{d}")) for d in dates)})


def test_a_leave_over_every_day_in_reach_frees_the_first_visit_of_the_edge(policy_15_13_7: Policy) -> None:
    """Tester's d7f: m05 on leave 12-07..12-10, his weekly A shops counted on Mon 11-30
    lost their week of 12-07 (its one visit day, Fri 12-11, 9 working days on) while he made
    class-C visits on 12-11, and the checker found no problem. Here m1 is away 12-07 and
    12-08, the days of that week within 6 of 11-30: a0's first visit on 12-09 breaks no
    rule (before: a spacing fault), and a0 left out of the week while c0 is visited on
    12-09 is a key_customer fault (before: none, the edge excused it)."""
    department = _with_leave(_department(), "12-07", "12-08")
    assert [v for v in check_month(_plan(["12-09", "12-15", "12-21", "12-28"]), department, policy_15_13_7)
            if v.retailer == "a0"] == []
    # Without the leave the same first visit is late, as before.
    late = [(v.rule, v.date) for v in check_month(_plan(["12-09", "12-15", "12-21", "12-28"]), _department(),
                                                  policy_15_13_7)]
    assert late == [("spacing", dt.date(2026, 12, 9))]
    left_out = _plan(["12-15", "12-21", "12-28"])
    left_out["routes"].append({"manager": "m1", "date": "2026-12-09", "visit_start": "08:00", "visit_end": "11:00",
                               "stops": [{"retailer": "c0", "arrive": "09:00", "start": "09:00", "end": "09:15"}]})
    left_out["unplanned"] = [{"retailer": "a0", "manager": "m1", "wanted": 4, "planned": 3, "reason": "spacing",
                              "detail": "listed"}]
    found = [(v.rule, v.date, v.retailer) for v in check_month(left_out, department, policy_15_13_7)
             if v.retailer == "a0"]
    assert found == [("key_customer", dt.date(2026, 12, 9), "a0")]


def test_the_planner_drops_an_edge_no_visit_day_of_its_week_can_keep() -> None:
    """The planner's side (`_edges_in_reach`): the first week's visit days are slots 8 and 9
    only (leave over slots 4-7); an edge at -1 with a most gap of 6 is out of reach, so the
    first visit is no longer held to it; at slot 2 with day 8 in reach it stays. The last
    week likewise."""
    weeks = [dt.date(2026, 12, 7), dt.date(2026, 12, 14)]
    slots = [8, 9, 10, 11, 12, 13, 14]
    mondays = [weeks[0]] * 2 + [weeks[1]] * 5
    edges = {"a": (-1, 21), "b": (2, 15)}
    kept = month_module._edges_in_reach(edges, {"a": weeks, "b": weeks}, {"a": 6, "b": 6}, slots, mondays)
    assert kept == {"a": (None, None), "b": (2, 15)}


def test_a_week_the_edge_refuses_says_so(policy_15_13_7: Policy) -> None:
    """Tester's d7f: the reason said no day of the week of 12-07 lay 4-6 working days from
    the visits on 12-17.., yet 12-11 did; the visit the month assumes in November refused it.
    Here a's week-0 day 4 lies 5 before its visit on day 9 but 7 after its edge at -3."""
    policy = first_stop_every_day(policy_15_13_7)
    plan = line_month(policy, {"a": "A"}, {"a": 10}, weeks=2, days_per_week=5)
    plan = dataclasses.replace(plan, edges={"a": (-3, None)})
    plan.allowed["a"] = [4, 9]
    reason, detail = month_module._why_short(plan, plan.retailers["a"], [9], {9})
    day = f"{plan.dates[4]:%m-%d}"
    assert reason == "spacing"
    assert f"{day} lie(s) 4-6 working days from them but over 6 after the visit its first week counts in the " \
           "previous month (3 working day(s) before the month's first)" in detail, detail
    assert "no day it fits" not in detail
