"""Tiny hand-made territories for the route tests: the office and retailers on one
road, each at a number of riding minutes from the office, so every ride is a
difference of two numbers and a test can state the exact clock times."""

from __future__ import annotations

import datetime as dt

import numpy as np

from engine.domain import Block, Retailer, Timetable
from engine.policy import Policy, parse_clock
from engine.routing.daily import Territory, field_days
from engine.routing.matrix import TravelMatrix

MONDAY = dt.date(2026, 11, 23)
KM_PER_MINUTE = 0.2
"""Riding speed on the road: 12 km/h."""


def line_territory(minutes_from_office: dict[str, int]) -> Territory:
    """The office (key None) at 0 and each retailer at its minutes along the road."""
    keys: list[str | None] = [None, *minutes_from_office]
    where = np.array([0, *minutes_from_office.values()])
    minutes = np.abs(where[:, None] - where[None, :]).astype(np.int64)
    return Territory(tuple(keys), TravelMatrix(minutes * KM_PER_MINUTE, minutes, "straight_line"))


def retailer(rid: str, *, opens: str = "07:00", closes: str = "22:00", service: int = 10) -> Retailer:
    return Retailer(id=rid, name=f"shop {rid}", lat=30.0, lon=104.0, manager="m1",
                    retailer_class="B", visits_per_4_weeks=4, area="town",
                    opens=parse_clock(opens), closes=parse_clock(closes), service_min=service)


def block(kind: str, start: str, end: str, *, day: int = 0, retailer_id: str | None = None) -> Block:
    return Block(manager="m1", date=MONDAY + dt.timedelta(days=day), kind=kind,
                 start=parse_clock(start), end=parse_clock(end), retailer=retailer_id)


def timetable(blocks: list[Block], policy: Policy) -> Timetable:
    return Timetable(department="line", policy=policy.name, week_start=MONDAY, status="feasible",
                     blocks=tuple(blocks))


def day_of(blocks: list[Block], policy: Policy):
    """The one field day the blocks make, as the route planner reads it from a timetable."""
    (day,) = field_days(timetable(blocks, policy), policy, "m1")
    return day


def first_stop_every_day(policy: Policy) -> Policy:
    """The policy with its one `route.first_stop_by` on every weekday: the days here are
    Mondays by default, and these tests state the clock times of that one rule (a
    weekday's own first-stop time is tested in tests/engine/test_first_stop_by_weekday.py)."""
    return policy.model_copy(update={"route": policy.route.model_copy(update={"first_stop_by_on": {}})})
