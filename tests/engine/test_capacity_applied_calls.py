"""A plan of a folder an applied capacity proposal wrote lists the retailers it calls by
phone that week as called, not routed (engine/routing/plan `called_by_phone`), and the
route checker reads the same (engine/check/routes): tester, d519C capout week of
2026-12-14, 6 called retailers read "unvisited … no_room_in_day". One tiny plan (0.3 s)."""

from __future__ import annotations

import datetime as dt
import math

from engine.capacity.fit import fit_week
from engine.check.routes import check_routes
from engine.domain import Block, Department, GeoPoint, Manager, Retailer, Timetable
from engine.policy import Policy, parse_clock
from engine.routing.plan import PHONE_CALL_WEEK, PHONE_CALLED_BY, RoutePlan, plan_routes

MONDAY = dt.date(2026, 11, 23)
OFFICE = GeoPoint(lat=30.0, lon=104.0)


def _retailer(rid: str, east_km: float) -> Retailer:
    lon = OFFICE.lon + east_km / (111.195 * math.cos(math.radians(OFFICE.lat)))
    return Retailer(id=rid, name=rid, lat=OFFICE.lat, lon=lon, manager="m1", retailer_class="C",
                    visits_per_4_weeks=4, area="town", opens=parse_clock("07:00"), closes=parse_clock("22:00"),
                    service_min=8)


def _week(call_week: dt.date) -> tuple[Department, Timetable]:
    called = _retailer("C1", 1.2).model_copy(update={"extra": {PHONE_CALL_WEEK: call_week.isoformat(),
                                                               PHONE_CALLED_BY: "m1"}})
    department = Department(name="calls", office=OFFICE, policy="15-13-7", market_manager="boss",
                            managers=(Manager(id="m1", name="m1", years=3),),
                            retailers=(_retailer("R1", 1), called))
    timetable = Timetable(department="calls", policy="15-13-7", week_start=MONDAY, status="feasible", blocks=(
        Block(manager="m1", date=MONDAY + dt.timedelta(days=1), kind="visit", start=parse_clock("09:00"),
              end=parse_clock("11:00")),))
    return department, timetable


def test_a_called_retailer_is_listed_as_called_not_routed(policy_15_13_7: Policy) -> None:
    department, timetable = _week(MONDAY)
    plan = plan_routes(department, policy_15_13_7, timetable, MONDAY, time_limit_s=0.3, processes=1)
    made = {s.retailer for r in plan.routes for s in r.stops if s.kind == "visit"}
    assert made == {"R1"} and plan.due_visits == 2  # still due, as the README says
    [called] = plan.unvisited
    assert (called.retailer, called.reason) == ("C1", "called_by_phone")
    assert "m1's phone slot" in called.detail
    check = check_routes(plan, department, policy_15_13_7, timetable)
    assert check.feasible, check.messages()
    # The checker reads the row itself: no call recorded for the week, no such reason.
    other, _ = _week(MONDAY + dt.timedelta(days=7))
    assert any("listed called_by_phone" in m for m in check_routes(plan, other, policy_15_13_7, timetable).messages())
    # A capacity run on the applied folder: the call is made, the week fits.

    def plan_week(changed: Department) -> tuple[Timetable, RoutePlan]:
        return timetable, plan

    fit = fit_week(department, policy_15_13_7, MONDAY, plan_week).fit
    assert fit.fits is True and not fit.proposal.changes and not fit.left_out
