"""Property (SPEC §4, the 20/80 rule): over generated small territories whose visit blocks
cannot hold every due visit, the routes never leave a class-A visit out while a class-C
visit of the same manager-week is made, as the independent checker judges it."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.check.visit_value import key_customers_dropped
from engine.domain import Block, Department, GeoPoint, Manager, Retailer, Timetable
from engine.routing.plan import plan_routes

MONDAY = dt.date(2026, 11, 23)
OFFICE = GeoPoint(lat=30.69, lon=104.08)


@st.composite
def crowded_territories(draw) -> Department:
    """One manager with more due visits than short visit blocks hold; classes and opening
    hours drawn, some A retailers open only in the evening."""
    size = draw(st.integers(12, 30))
    retailers = []
    for k in range(size):
        opens = draw(st.sampled_from([7 * 60, 8 * 60, 9 * 60, 18 * 60]))
        retailers.append(Retailer(
            id=f"r{k:02d}", name=f"shop {k}", manager="m1",
            lat=OFFICE.lat + draw(st.floats(-0.03, 0.03)), lon=OFFICE.lon + draw(st.floats(-0.03, 0.03)),
            **{"class": draw(st.sampled_from("ABC"))}, visits_per_4_weeks=4,
            area=draw(st.sampled_from(["town", "country"])), opens=opens, closes=opens + 3 * 60,
            service_min=draw(st.integers(8, 30))))
    return Department(name="crowded", office=OFFICE, policy="15-13-7", market_manager="boss",
                      managers=(Manager(id="m1", name="M", years=3),), retailers=tuple(retailers))


def _visit_blocks(minutes: int) -> Timetable:
    blocks = tuple(Block(manager="m1", date=MONDAY + dt.timedelta(days=d), kind="visit",
                         start=8 * 60 + 30, end=8 * 60 + 30 + minutes) for d in range(3))
    return Timetable(department="crowded", policy="15-13-7", week_start=MONDAY, status="feasible",
                     blocks=blocks)


@settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(department=crowded_territories(), minutes=st.sampled_from([60, 90, 150]))
def test_property_no_a_left_out_while_a_c_is_made(policy_15_13_7, department, minutes):
    timetable = _visit_blocks(minutes)
    plan = plan_routes(department, policy_15_13_7, timetable, MONDAY, time_limit_s=0.6)
    assert key_customers_dropped(plan.to_json_dict(), department, policy_15_13_7, timetable) == []
    for item in plan.unvisited:
        assert item.detail, item  # every left-out visit says why
