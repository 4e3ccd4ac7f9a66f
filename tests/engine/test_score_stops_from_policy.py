"""The stops a day the score counts a visit day below are the scoring policy's (SPEC §3,
`route.min_stops_town` / `_country` by the day's area), never the plan's `required_stops`:
a seed-003 week with those fields deleted scored 0 days below its 30 stops, and the same
week scored under 15-13-7 (no minimum) counted 30 days below the 30 its JSON claimed."""

from __future__ import annotations

import datetime as dt

import pytest

from benchmarks.departments import generate_department
from engine.domain import Department
from engine.quality import score_plan

WEEK = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def department() -> Department:
    """Four managers: m01–m03 in town, m04 in the countryside (30 retailers each)."""
    return generate_department(4, 0)


def _routes(department: Department, stated: int | None) -> dict:
    """Two visit days of three visits each (m01 in town, m04 in the countryside) and a
    day of fixed blocks only; each day states `stated` as its required stops (None: the
    field deleted)."""

    def day(manager: str, date: dt.date, visit_end: str, kind: str) -> dict:
        stops = [{"retailer": r.id, "kind": kind, "arrive": "09:00", "start": "09:00", "end": "09:10"}
                 for r in department.territory(manager)[:3]]
        route = {"manager": manager, "date": date.isoformat(), "depart": "09:00", "return": "12:00",
                 "distance_km": 1.0, "travel_minutes": 5, "visit_start": "09:00", "visit_end": visit_end,
                 "stops": stops}
        if stated is not None:
            route["required_stops"] = stated
        return route

    return {"week_start": WEEK.isoformat(), "unvisited": [], "routes": [
        day("m01", WEEK, "14:00", "visit"),
        day("m04", WEEK, "14:00", "visit"),
        day("m01", WEEK + dt.timedelta(days=1), "09:00", "maintenance"),
    ]}


@pytest.mark.parametrize("stated", [None, 0, 30, 99])
def test_seed_003_asks_its_stops_whatever_the_plan_states(department, policy_seed_003, stated):
    report = score_plan(_routes(department, stated), department, policy_seed_003, check=False)
    assert [r.required_stops for r in report.routes] == [policy_seed_003.route.min_stops_town,
                                                         policy_seed_003.route.min_stops_country, None]
    assert (policy_seed_003.route.min_stops_town, policy_seed_003.route.min_stops_country) == (30, 25)
    assert report.summary()["days_below_stops"] == 2


def test_a_policy_asking_no_stops_counts_no_day_below_what_the_plan_claims(department, policy_15_13_7):
    assert policy_15_13_7.route.min_stops_town == policy_15_13_7.route.min_stops_country == 0
    report = score_plan(_routes(department, 30), department, policy_15_13_7, check=False)
    assert [r.required_stops for r in report.routes] == [None, None, None]
    assert report.summary()["days_below_stops"] == 0


def test_a_day_without_visits_is_judged_on_the_managers_territory(department, policy_seed_003):
    plan = _routes(department, None)
    for route in plan["routes"][:2]:
        route["stops"] = []
    report = score_plan(plan, department, policy_seed_003, check=False)
    assert [r.required_stops for r in report.routes[:2]] == [30, 25]
