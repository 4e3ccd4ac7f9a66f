"""A week a neighbour makes the visit of (tester's d8e, d7e): m06 away 12-21..25, his
weekly class-A R06018 visited 12-14 and 12-31, 13 working days apart, so no day of the week
between lay 4-6 from both and m01, who had the room, could not make it (listed, 'no day then
with room that keeps its spacing'); m03's R03008 12-10 and 12-21, 7 apart. The manager's own
plan now spaces the visits either side of such a week so that a day of it keeps the spacing
with both (engine/month.py `_covered_weeks`, `_spacing_faults`, `_spaced_visits`)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from engine import month as month_module
from engine.check.month import check_month
from engine.domain import Department, GeoPoint, Leave, Manager, Retailer
from engine.month import _keeps_spacing, _spacing_faults
from engine.policy import Policy
from tests.engine.month_cases import FAST, line_month
from tests.engine.routing.line_territory import first_stop_every_day


def _plan(policy: Policy):
    """Three weeks of five days (slots 0-14), a weekly A due each week; its manager has no
    day in the middle week (a neighbour makes it: slots 5-9); a fits days 0, 1, 13, 14."""
    plan = line_month(first_stop_every_day(policy), {"a": "A"}, {"a": 10}, weeks=3, days_per_week=5)
    plan = dataclasses.replace(plan, covered={plan.week_of(5): (5, 9)})
    plan.allowed["a"] = [0, 1, 13, 14]
    return plan


def test_the_visits_around_a_covered_week_leave_a_day_of_it_in_reach(policy_15_13_7: Policy) -> None:
    """Days 0 and 14 lie 14 apart: no day 5-9 lies 4-6 from both (before: spaced, the
    middle slot missing excused any gap); days 1 and 13 leave day 7."""
    plan = _plan(policy_15_13_7)
    assert not _keeps_spacing(plan, "a", [0], 14) and not _keeps_spacing(plan, "a", [1], 14)
    assert _keeps_spacing(plan, "a", [1], 13)
    week = plan.week_of
    assert _spacing_faults([(0, week(0)), (14, week(14))], plan.weeks_of["a"], (4, 6), covered={week(5): (5, 9)})
    assert not _spacing_faults([(1, week(1)), (13, week(13))], plan.weeks_of["a"], (4, 6),
                               covered={week(5): (5, 9)})
    chosen = month_module._assign_days(plan, [100] * 15, FAST, previous={"a": [0, 14]})
    assert chosen == {"a": [1, 13]}


def test_a_manager_away_a_whole_week_has_it_covered(policy_15_13_7: Policy) -> None:
    """`_covered_weeks`: m1 away every working day of the week of 12-14 (not the month):
    its positions among December's working days; none for m2, at work."""
    shop = Retailer.model_validate({"id": "a0", "name": "a0", "lat": 30.66, "lon": 104.05, "manager": "m1",
                                    "class": "A", "visits_per_4_weeks": 4, "area": "town", "opens": 7 * 60,
                                    "closes": 22 * 60, "service_min": 15})
    away = tuple(Leave(manager="m1", date=dt.date(2026, 12, 14) + dt.timedelta(days=n)) for n in range(5))
    department = Department(name="d", office=GeoPoint(lat=30.66, lon=104.05), policy="15-13-7",
                            market_manager="boss", managers=(Manager(id="m1", name="M", years=5),
                                                             Manager(id="m2", name="N", years=5)),
                            retailers=(shop,), leave=away)
    days = month_module.working_days(policy_15_13_7, 2026, 12, set(), department)
    assert month_module._covered_weeks(department, policy_15_13_7, "m1", days) == {dt.date(2026, 12, 14): (9, 13)}
    assert month_module._covered_weeks(department, policy_15_13_7, "m2", days) == {}


def test_the_checker_faults_a_key_visit_a_neighbour_could_make_beside_his_class_c(policy_15_13_7: Policy) -> None:
    """m1 away 12-14..18: his weekly A a (visited 12-02, 12-08, 12-24) misses that week
    while m2, who may make his visits that week, makes a class-C visit on 12-16, which lies
    6 and 6 working days from a's visits around it: a key_customer fault on m2's day.
    Before: none (only m1's own class-C visits were asked, and he made none that week)."""
    def shop(rid: str, manager: str, klass: str) -> Retailer:
        return Retailer.model_validate({"id": rid, "name": rid, "lat": 30.66, "lon": 104.05, "manager": manager,
                                        "class": klass, "visits_per_4_weeks": 4, "area": "town",
                                        "opens": 7 * 60, "closes": 22 * 60, "service_min": 15})

    away = tuple(Leave(manager="m1", date=dt.date(2026, 12, 14) + dt.timedelta(days=n)) for n in range(5))
    department = Department(name="d", office=GeoPoint(lat=30.66, lon=104.05), policy="15-13-7",
                            market_manager="boss", managers=(Manager(id="m1", name="M", years=5),
                                                             Manager(id="m2", name="N", years=5)),
                            retailers=(shop("a", "m1", "A"), shop("c2", "m2", "C")), leave=away)
    first = dt.date(2026, 12, 1)
    working = [first + dt.timedelta(days=n) for n in range(31) if (first + dt.timedelta(days=n)).weekday() < 5]

    def route(manager: str, day: str, rid: str) -> dict:
        return {"manager": manager, "date": f"2026-{day}", "visit_start": "08:00", "visit_end": "11:00",
                "stops": [{"retailer": rid, "arrive": "09:00", "start": "09:00", "end": "09:15"}]}

    plan = {"month": "2026-12", "days": [d.isoformat() for d in working],
            "routes": [route("m1", "12-02", "a"), route("m1", "12-08", "a"), route("m1", "12-24", "a"),
                       route("m2", "12-16", "c2")],
            "unplanned": [{"retailer": "a", "manager": "m1", "wanted": 4, "planned": 3, "reason": "spacing",
                           "detail": "listed"}]}
    found = [(v.rule, v.manager, v.date) for v in check_month(plan, department, policy_15_13_7)
             if v.retailer == "a"]
    assert found == [("key_customer", "m2", dt.date(2026, 12, 16))]
