"""What each shortfall figure of `fieldweek capacity` is (engine/capacity/figures): a
manager's `shortfall_min` is his week net of his days with room, `short_days_min` the sum
of his short days; the department's `shortfall_min` sums the short managers and its
`spare_min` the others, so that need less available is the one less the other (tester,
d519C week of 2026-12-14: m04 225 vs 229 over his days, "short 577 min" beside need 6198
< available 6270). Hand-built week: no solver runs."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from api.commands.capacity import render_capacity
from engine.capacity.figures import week_capacity
from engine.domain import Block, Department, GeoPoint, Manager, Retailer, Timetable
from engine.policy import Policy, parse_clock
from engine.routing.plan import DayRoutePlan, RoutePlan, RouteStop, UnvisitedRetailer

MONDAY = dt.date(2026, 11, 23)
OFFICE = GeoPoint(lat=30.0, lon=104.0)


def _retailer(rid: str, manager: str) -> Retailer:
    lon = OFFICE.lon + 1 / (111.195 * math.cos(math.radians(OFFICE.lat)))
    return Retailer(id=rid, name=rid, lat=OFFICE.lat, lon=lon, manager=manager, retailer_class="B",
                    visits_per_4_weeks=4, area="town", opens=parse_clock("07:00"),
                    closes=parse_clock("22:00"), service_min=10)


def _route(manager: str, day: int, shops: list[str]) -> DayRoutePlan:
    stops = tuple(RouteStop(retailer=r, kind="visit", arrive=490 + 20 * k, start=490 + 20 * k,
                            end=500 + 20 * k, origin="office", ride_min=10, ride_km=1.0)
                  for k, r in enumerate(shops))
    return DayRoutePlan(manager=manager, date=MONDAY + dt.timedelta(days=day), depart=480, return_=None,
                        distance_km=1.0, travel_minutes=10 * len(shops), stops=stops, visits=len(shops),
                        visit_start=480, visit_end=660, start_from="office")


def test_shortfalls_say_net_and_over_short_days(policy_15_13_7: Policy, capsys: pytest.CaptureFixture[str]) -> None:
    """m1's Monday is full with two visits left out on it (+40 min), his Tuesday has 160 min
    unused: his week is not short, his Monday is; m2 idles. The figures add up both ways."""
    full = [f"a{k}" for k in range(9)]
    department = Department(
        name="short", office=OFFICE, policy="15-13-7", market_manager="boss",
        managers=(Manager(id="m1", name="m1", years=3), Manager(id="m2", name="m2", years=3)),
        retailers=tuple([_retailer(r, "m1") for r in [*full, "a9", "a10", "a11"]] + [_retailer("b0", "m2")]))
    blocks = tuple(Block(manager=m, date=MONDAY + dt.timedelta(days=d), kind="visit", start=480, end=660)
                   for m in ("m1", "m2") for d in range(2))
    timetable = Timetable(department="short", policy="15-13-7", week_start=MONDAY, status="feasible",
                          blocks=blocks)
    routes = RoutePlan(week_start=MONDAY, routes=(
        _route("m1", 0, full), _route("m1", 1, ["a9"]), _route("m2", 0, ["b0"])),
        unvisited=tuple(UnvisitedRetailer(retailer=r, manager="m1", reason="no_room_in_day", date=MONDAY)
                        for r in ("a10", "a11")))
    capacity = week_capacity(department, policy_15_13_7, timetable, MONDAY, routes)
    m1 = capacity.manager("m1")
    monday = m1.days[0]
    assert monday.shortfall_min == 40 and m1.short_days_min == 40 == sum(d.shortfall_min for d in m1.days)
    assert m1.shortfall_min == 0 and m1.spare_min == 360 - m1.need_min > 0
    assert capacity.spare_min == m1.spare_min + capacity.manager("m2").spare_min
    assert capacity.need_min - capacity.available_min == capacity.shortfall_min - capacity.spare_min
    render_capacity(capacity, "short")
    said = " ".join(capsys.readouterr().out.split())
    assert "short managers' weeks summed" in said and f"{capacity.spare_min} min spare" in said
    assert "over his short days alone: m1 40 min" in said
