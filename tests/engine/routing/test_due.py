"""Which retailers are due in a week (engine/routing/due.py)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.check.spec import expected_visits
from engine.domain import CalendarDay, Department, GeoPoint, Manager, Retailer
from engine.policy import Policy
from engine.routing.due import (
    due_retailers,
    due_with_carry_over,
    iso_week_label,
    retailer_phase,
    visits_in_week,
    week_index,
)

MONDAY = dt.date(2026, 11, 23)
retailer_ids = st.text(alphabet="R0123456789abcdef-_零售户", min_size=1, max_size=12)
mondays = st.integers(min_value=0, max_value=3000).map(lambda k: dt.date(2020, 1, 6) + dt.timedelta(weeks=k))


def _retailer(rid: str, visits: int, manager: str = "m1") -> Retailer:
    return Retailer(
        id=rid, name=rid, lat=30.0, lon=104.0, manager=manager, retailer_class="B",
        visits_per_4_weeks=visits, area="town", opens=480, closes=1260, service_min=8,
    )


@settings(max_examples=300, deadline=None)
@given(rid=retailer_ids, visits=st.integers(min_value=0, max_value=20), monday=mondays)
def test_any_four_consecutive_weeks_hold_exactly_the_frequency(rid, visits, monday):
    """Over any four consecutive weeks a retailer gets exactly visits_per_4_weeks visits."""
    total = sum(visits_in_week(rid, visits, monday + dt.timedelta(weeks=k)) for k in range(4))
    assert total == visits


@settings(max_examples=200, deadline=None)
@given(rid=retailer_ids, visits=st.integers(min_value=0, max_value=20), monday=mondays)
def test_visits_spread_evenly_week_by_week(rid, visits, monday):
    """Each week gets floor or ceil of visits/4: never two visits crammed into one
    week while another week of the cycle goes without (for 1, 2, 4 and 8 alike)."""
    weekly = [visits_in_week(rid, visits, monday + dt.timedelta(weeks=k)) for k in range(4)]
    assert max(weekly) - min(weekly) <= 1
    assert set(weekly) <= {visits // 4, -(-visits // 4)}


def test_fortnightly_retailer_alternates_weeks():
    """A 2-per-4-weeks retailer is due every other week, never two weeks running."""
    pattern = [visits_in_week("R00042", 2, MONDAY + dt.timedelta(weeks=k)) for k in range(8)]
    assert pattern in ([1, 0] * 4, [0, 1] * 4)


def test_weekly_and_twice_weekly_retailers():
    """4 per 4 weeks is due every week once; 8 per 4 weeks twice every week."""
    for k in range(6):
        week = MONDAY + dt.timedelta(weeks=k)
        assert visits_in_week("R1", 4, week) == 1
        assert visits_in_week("R1", 8, week) == 2
        assert visits_in_week("R1", 0, week) == 0


def test_rhythm_survives_the_turn_of_an_iso_year_with_53_weeks():
    """2026 has 53 ISO weeks: a monthly retailer still comes exactly every 4 weeks
    across the new year (an ISO-week-number-mod-4 rule would not)."""
    assert iso_week_label(dt.date(2026, 12, 28)) == "2026-W53"
    weeks = [dt.date(2026, 11, 2) + dt.timedelta(weeks=k) for k in range(16)]
    for rid in ("R00001", "R00002", "R00003", "R00004", "R00005"):
        due = [k for k, w in enumerate(weeks) if visits_in_week(rid, 1, w)]
        assert [b - a for a, b in itertools.pairwise(due)] == [4, 4, 4]


def test_phase_is_stable_and_uses_all_four_weeks():
    """The phase depends only on the id (sha256, not Python's per-run hash) and
    spreads ids over all four weeks roughly evenly."""
    assert retailer_phase("R00001") == retailer_phase("R00001")
    counts = Counter(retailer_phase(f"R{n:05d}") for n in range(2000))
    assert set(counts) == {0, 1, 2, 3}
    assert min(counts.values()) > 400


def test_any_day_of_the_week_names_the_same_week():
    """A Wednesday gives the same due list as its Monday."""
    assert week_index(MONDAY) == week_index(MONDAY + dt.timedelta(days=2))
    assert visits_in_week("R7", 1, MONDAY) == visits_in_week("R7", 1, MONDAY + dt.timedelta(days=4))


def test_due_retailers_filters_by_manager_and_skips_not_due():
    """due_retailers lists only the manager's retailers that are due, with their count."""
    retailers = tuple(_retailer(f"R{n}", visits, manager) for n, (visits, manager) in
                      enumerate([(4, "m1"), (8, "m1"), (0, "m1"), (4, "m2")]))
    department = Department(
        name="d", office=GeoPoint(lat=30.0, lon=104.0), policy="15-13-7", market_manager="x",
        managers=(Manager(id="m1", name="a", years=1), Manager(id="m2", name="b", years=1)),
        retailers=retailers,
    )
    due = due_retailers(department, MONDAY, "m1")
    assert [(d.retailer.id, d.visits) for d in due] == [("R0", 1), ("R1", 2)]
    assert len(due_retailers(department, MONDAY)) == 3


def test_a_daily_retailer_owes_a_week_with_a_holiday_one_visit_per_working_day(policy_15_13_7: Policy):
    """20 visits in 4 weeks is 5 a week; with Wednesday a holiday the week has 4 working
    days, and a retailer is visited once a day at most: 4 due, not 5 (an outside tester's
    find: visited on all 4 days and still listed 'due 5 times … only 4 visit days').
    Carried visits do not lift it over the days either; a weekly retailer keeps its 1."""
    department = Department(
        name="d", office=GeoPoint(lat=30.0, lon=104.0), policy="15-13-7", market_manager="x",
        managers=(Manager(id="m1", name="a", years=1),),
        retailers=(_retailer("daily", 20), _retailer("weekly", 4)),
        calendar_days=(CalendarDay(date=MONDAY + dt.timedelta(days=2), kind="holiday", name="local"),),
    )
    def owed(items):
        return {d.retailer.id: d.visits for d in items}
    assert owed(due_retailers(department, MONDAY)) == {"daily": 5, "weekly": 1}  # no calendar read
    assert owed(due_retailers(department, MONDAY, policy=policy_15_13_7)) == {"daily": 4, "weekly": 1}
    carried = due_with_carry_over(department, MONDAY, {"daily": 1, "weekly": 1}, policy=policy_15_13_7)
    assert owed(carried) == {"daily": 4, "weekly": 2}
    ordinary = department.model_copy(update={"calendar_days": ()})
    assert owed(due_retailers(ordinary, MONDAY, policy=policy_15_13_7)) == {"daily": 5, "weekly": 1}


@settings(max_examples=200, deadline=None)
@given(rid=retailer_ids, visits=st.integers(min_value=0, max_value=20), monday=mondays)
def test_independent_checker_recomputes_the_same_due_count(rid, visits, monday):
    """The judges' own formula (engine/check/spec.py, written from the module text) agrees."""
    assert expected_visits(rid, visits, monday) == visits_in_week(rid, visits, monday)
