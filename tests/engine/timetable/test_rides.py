"""Rides between places inside the weekly timetable (SPEC §3, §6): two blocks of a
manager's day are at least the ride between their places apart (venues.py); a week
the rides cannot hold is planned short and says so, with amounts.

The ride checks here read only the solved Timetable (its JSON blocks) and the venues."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.departments import generate_department
from engine.check.spec import first_stop_deadline
from engine.domain import Block, Department, GeoPoint, Manager, Retailer, Timetable
from engine.policy import Policy, load_policy
from engine.timetable.solve import SolveParams, solve_timetable
from engine.timetable.venues import Venue, Venues, week_venues

MONDAY = dt.date(2026, 11, 23)
OFFICE = GeoPoint(lat=30.69, lon=104.08)
OFFICE_VENUE = Venue((None,))


def _place(venues: Venues, block: Block) -> Venue:
    """The place the venues give a block of the plan (a paired block: its group's store)."""
    rule = venues.policy.kinds.get(block.kind)
    if rule is not None and rule.group == "pair":
        return venues.pair_venue({block.manager, *block.with_})
    return venues.of(block.kind, block.manager)


def too_close(timetable: Timetable, department: Department, policy: Policy) -> list[str]:
    """Every two consecutive blocks of a manager's day closer than the ride between
    their places (plus the lunch taken between them); a visit block after a block
    elsewhere that starts too late to ride into its area by the day's first-stop time."""
    venues = week_venues(department, policy, timetable.week_start)
    found = []
    days: dict[tuple[str, dt.date], list[Block]] = {}
    for block in timetable.blocks:
        days.setdefault((block.manager, block.date), []).append(block)
    for (manager, date), blocks in days.items():
        blocks.sort(key=lambda b: b.start)
        work = [b for b in blocks if b.kind != "lunch"]
        for first, then in itertools.pairwise(work):
            ride = venues.minutes(_place(venues, first), _place(venues, then))
            if then.kind == "visit":
                # The route rides into its area inside the visit block (SPEC §3): the
                # block starts early enough to reach the nearest due retailer in time.
                if then.start + ride > first_stop_deadline(policy, date, department):
                    found.append(f"{manager} {date} {first.kind} -> visit at {then.start}: ride {ride}")
                continue
            lunch = sum(b.end - b.start for b in blocks if b.kind == "lunch" and first.end <= b.start < then.start)
            if then.start - first.end < ride + lunch:
                found.append(f"{manager} {date} {first.kind} {first.end} -> {then.kind} {then.start}: "
                             f"ride {ride} + lunch {lunch}")
    return found


def _shop(retailer_id: str, manager: str, lat: float, lon: float, **flags: bool) -> Retailer:
    return Retailer(id=retailer_id, name=retailer_id, lat=lat, lon=lon, manager=manager, **{"class": "A"},
                    visits_per_4_weeks=4, area="country", opens=8 * 60, closes=21 * 60, service_min=10, **flags)


def _two_managers(far: float) -> Department:
    """m1 by the office, m2 with his whole territory `far` degrees north (a ride of about
    an hour per 0.2 degree in the countryside); each has POS households and a store."""
    retailers = []
    for manager, lat in (("m1", OFFICE.lat + 0.005), ("m2", OFFICE.lat + far)):
        for k in range(6):
            retailers.append(_shop(f"{manager}-{k}", manager, lat + k * 0.002, OFFICE.lon + k * 0.002,
                                   pos_target=k < 3, promo_store=k >= 4))
    return Department(name="rides", office=OFFICE, policy="15-13-7", market_manager="boss",
                      managers=(Manager(id="m1", name="Near", years=12), Manager(id="m2", name="Far", years=1)),
                      retailers=tuple(retailers))


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy("15-13-7")


def test_far_apart_places_get_at_least_the_ride(policy: Policy) -> None:
    department = _two_managers(0.1)
    venues = week_venues(department, policy, MONDAY)
    assert venues.minutes(venues.of("pos_project", "m2"), venues.of("admin", "m2")) >= 20
    result = solve_timetable(department, policy, MONDAY, SolveParams(time_limit_s=10, workers=2))
    assert result.status in ("optimal", "feasible")
    assert too_close(result.timetable, department, policy) == []


def test_a_week_the_rides_cannot_hold_is_planned_short_with_amounts(policy: Policy) -> None:
    department = _two_managers(0.25)
    venues = week_venues(department, policy, MONDAY)
    assert venues.minutes(OFFICE_VENUE, venues.of("visit", "m2")) > 60, "m2's area lies over an hour out"
    result = solve_timetable(department, policy, MONDAY, SolveParams(time_limit_s=10, workers=2))
    assert result.status in ("optimal", "feasible"), result.timetable.conflicts
    shortfalls = result.timetable.shortfalls
    assert shortfalls, "the rides leave no room for every weekly hour"
    assert all(s.minutes_short > 0 or s.sessions_short > 0 for s in shortfalls)
    assert all("rides" in s.reason and "min" in s.reason for s in shortfalls)
    assert {s.manager for s in shortfalls} == {"m2"}
    assert too_close(result.timetable, department, policy) == []


def test_without_a_price_a_week_the_rides_cannot_hold_has_no_plan(policy: Policy) -> None:
    hard = policy.model_copy(update={"objective": policy.objective.model_copy(
        update={"missing_weekly_hours_per_10min": None})})
    result = solve_timetable(_two_managers(0.25), hard, MONDAY, SolveParams(time_limit_s=10, workers=2))
    assert result.status == "infeasible"
    assert result.timetable.conflicts


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(managers=st.sampled_from([2, 3, 4]), seed=st.integers(0, 50))
def test_property_every_solved_week_keeps_the_rides(policy: Policy, managers: int, seed: int) -> None:
    """Over small generated departments: every two consecutive blocks with places are
    at least the ride apart, read from the Timetable JSON and the venues alone."""
    department = generate_department(managers, seed)
    result = solve_timetable(department, policy, MONDAY, SolveParams(time_limit_s=3, workers=2, stall_s=1.0))
    if result.status not in ("optimal", "feasible"):
        assert result.timetable.conflicts
        return
    timetable = Timetable.model_validate(result.timetable.to_json_dict())
    assert too_close(timetable, department, policy) == []
