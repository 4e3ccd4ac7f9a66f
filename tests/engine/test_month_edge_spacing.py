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
from engine.domain import Department, GeoPoint, Manager, Retailer
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
