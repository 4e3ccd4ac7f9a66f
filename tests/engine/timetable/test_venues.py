"""The places of a week's blocks chosen up front (venues.py) and the rides the model holds
to and from them (constraints.py): a POS household or a store far away is not taken
while others near by can hold the sessions; a manager alone (`odd_headcount = "solo"`)
rides to and from his own store as pairs do (SPEC §2-3, §6)."""

from __future__ import annotations

import datetime as dt

import pytest
from ortools.sat.python import cp_model

from engine.check.timetable import check_timetable
from engine.domain import Department, GeoPoint, Manager, Retailer
from engine.policy import Policy, load_policy, policy_from_mapping
from engine.timetable import constraints, shortfalls
from engine.timetable.model import variables_for_week
from engine.timetable.solve import SolveParams, solve_timetable
from engine.timetable.venues import Venue, week_venues
from engine.timetable.week import build_week
from tests.engine.timetable.test_rides import too_close
from tests.strategies import simple_department

MONDAY = dt.date(2026, 11, 23)
OFFICE = GeoPoint(lat=30.69, lon=104.08)
FAR = (30.90, 104.30)
"""About 30 km from the office: over three hours' ride by bike in town."""


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy("15-13-7")


def _shop(retailer_id: str, manager: str, lat: float, lon: float, opens: int = 8 * 60,
          **flags: bool) -> Retailer:
    return Retailer(id=retailer_id, name=retailer_id, lat=lat, lon=lon, manager=manager, **{"class": "A"},
                    visits_per_4_weeks=4, area="town", opens=opens, closes=21 * 60, service_min=10, **flags)


def _department(managers: int, far_household: bool = False, far_store: bool = False,
                store_away: float = 0.0) -> Department:
    """`managers` managers by the office, each with four POS households near by that open
    at 08:30 and a promotion store `store_away` degrees east; with `far_household`, m1's
    one household open at 08:00 lies far away (FAR); with `far_store`, m1 also has a store
    open at 07:00 there (the near one opens at 08:30)."""
    retailers = []
    for i in range(1, managers + 1):
        m = f"m{i}"
        lat = OFFICE.lat + 0.004 * i
        for k in range(4):
            retailers.append(_shop(f"{m}-p{k}", m, lat + 0.001 * k, OFFICE.lon + 0.001 * k, opens=8 * 60 + 30,
                                   pos_target=True))
        retailers.append(_shop(f"{m}-s", m, lat, OFFICE.lon + 0.002 + store_away,
                               opens=8 * 60 + 30 if far_store and i == 1 else 7 * 60, promo_store=True))
        for k in range(3):
            retailers.append(_shop(f"{m}-r{k}", m, lat - 0.001 * k, OFFICE.lon - 0.001 * k))
    if far_household:
        retailers.append(_shop("m1-far", "m1", *FAR, pos_target=True))
    if far_store:
        retailers.append(_shop("m1-far-s", "m1", *FAR, opens=7 * 60, promo_store=True))
    return Department(name="venues", office=OFFICE, policy="15-13-7", market_manager="boss",
                      managers=tuple(Manager(id=f"m{i}", name=f"M{i}", years=3 + i) for i in range(1, managers + 1)),
                      retailers=tuple(retailers))


def test_pos_venue_a_far_household_open_longer_is_not_taken_while_near_ones_hold_the_sessions(
        policy: Policy) -> None:
    venues = week_venues(_department(2, far_household=True), policy, MONDAY)
    households = venues.of("pos_project", "m1").points
    assert len(households) == 3 and "m1-far" not in households
    assert venues.minutes(Venue((None,)), venues.of("pos_project", "m1")) < 10


def test_pos_venue_the_only_households_are_taken_however_far(policy: Policy) -> None:
    """With no household to spare, the far one is still one of them (the sessions need
    three different households)."""
    department = _department(2, far_household=True)
    department = department.model_copy(update={"retailers": tuple(
        r for r in department.retailers if r.id not in ("m1-p2", "m1-p3"))})
    assert "m1-far" in week_venues(department, policy, MONDAY).of("pos_project", "m1").points


def test_store_venue_a_far_store_open_longer_is_not_the_hosts_store(policy: Policy) -> None:
    """The store a pair hosted by m1 would use (m1's own far store shifts his territory
    centre, so m2 hosts their pair here)."""
    venues = week_venues(_department(2, far_store=True), policy, MONDAY)
    assert venues.stores["m1"] == "m1-s"


def test_pos_far_household_no_hour_is_short_when_near_households_hold_the_sessions(policy: Policy) -> None:
    """The tester's case: one distant household wiped out every POS session of m1 and the
    week was called short by 180 min at the least."""
    department = _department(2, far_household=True)
    result = solve_timetable(department, policy, MONDAY, SolveParams(time_limit_s=4, workers=2))
    assert result.status in ("optimal", "feasible"), result.timetable.conflicts
    assert result.timetable.shortfalls == ()
    pos = [b.retailer for b in result.timetable.blocks if b.manager == "m1" and b.kind == "pos_project"]
    assert len(pos) == 3 and "m1-far" not in pos
    assert check_timetable(department, policy, result.timetable) == []


def _solo(policy: Policy) -> Policy:
    data = policy.model_dump(mode="json")
    data["pairs"]["odd_headcount"] = "solo"
    return policy_from_mapping(data)


def test_solo_manager_rides_to_and_from_his_own_store(policy: Policy) -> None:
    """A manager alone holds his promotion and maintenance at his store, a ride away from
    the office and his area: the model holds those rides (it held none before)."""
    solo = _solo(policy)
    department = _department(1, store_away=0.03)
    venues = week_venues(department, solo, MONDAY)
    assert venues.minutes(Venue((None,)), venues.pair_venue(("m1",))) >= 10
    result = solve_timetable(department, solo, MONDAY, SolveParams(time_limit_s=3, workers=2))
    assert result.status in ("optimal", "feasible"), result.timetable.conflicts
    assert {b.retailer for b in result.timetable.blocks if b.kind == "promotion"} == {"m1-s"}
    assert too_close(result.timetable, department, solo) == []
    assert check_timetable(department, solo, result.timetable) == []


def test_solo_manager_in_no_group_of_a_re_plan_rides_to_his_own_store(policy: Policy) -> None:
    """A re-plan states no pair literals (choose_pairs=False) and knows only groups of two
    or more: a manager alone there still rides to and from his own store (d7's solo week
    re-planned had a promotion 40 min before the meeting, 59 min away)."""
    solo = _solo(policy)
    department = _department(1, store_away=0.03)
    tm = variables_for_week(department, solo, build_week(department, solo, MONDAY), choose_pairs=False)
    venues = tm.week_venues()
    ride = venues.minutes(venues.pair_venue(("m1",)), Venue((None,)))
    rides = constraints._store_rides(tm, venues, "m1")
    assert rides.get(("from", "admin")) == -(-ride // solo.grid_minutes) > 0


def test_pos_households_open_at_different_hours_each_hold_a_session(policy: Policy) -> None:
    """Each POS session needs its own household open through it (places.py matches them):
    one household closing at 13:00 and one opening at 15:00 each take a session; no hour
    of the week has all of them open, and none needs to be."""
    hours = {"m1-p0": {"closes": 13 * 60}, "m1-p1": {"opens": 15 * 60}}
    department = _department(2)
    department = department.model_copy(update={"retailers": tuple(
        r.model_copy(update=hours[r.id]) if r.id in hours else r for r in department.retailers)})
    assert set(hours) <= set(week_venues(department, policy, MONDAY).of("pos_project", "m1").points)
    result = solve_timetable(department, policy, MONDAY, SolveParams(time_limit_s=4, workers=2))
    assert result.status in ("optimal", "feasible"), result.timetable.conflicts
    assert result.timetable.shortfalls == ()
    pos = {b.retailer: b for b in result.timetable.blocks if b.manager == "m1" and b.kind == "pos_project"}
    assert len(pos) == 3 and pos["m1-p0"].end <= 13 * 60 and pos["m1-p1"].start >= 15 * 60
    assert check_timetable(department, policy, result.timetable) == []


def test_a_pair_is_hosted_at_a_store_of_its_own_territories(policy: Policy) -> None:
    """m03, nearest the office, has no promotion store: each of his pairs holds its paired
    sessions at his partner's store, not at a third manager's (the judges read SPEC §2's
    promotion store as one of the pair's; was: m03 hosted at the department's store
    nearest his rides, m02's, for his pair with m01 too)."""
    department = simple_department(3)
    department = department.model_copy(update={"retailers": tuple(
        r.model_copy(update={"promo_store": False}) if r.manager == "m03" else r for r in department.retailers)})
    venues = week_venues(department, policy, MONDAY)
    owner = {r.id: r.manager for r in department.retailers}
    for partner in ("m01", "m02"):
        store = venues.group_store(("m03", partner))
        assert store is not None and owner[store] == partner, (partner, store)


def _late_stores(department: Department, manager: str, opens: int = 15 * 60 + 30) -> Department:
    """`manager`'s promotion stores open only at `opens` (the tester's e10: m01's three)."""
    return department.model_copy(update={"retailers": tuple(
        r.model_copy(update={"opens": opens}) if r.manager == manager and r.promo_store else r
        for r in department.retailers)})


def test_a_pair_is_hosted_by_the_member_whose_store_holds_the_paired_kinds(policy: Policy) -> None:
    """m1 lies nearest the office and used to host whatever his store's hours: open
    15:30-21:00 it holds 90 min a day of the 08:00-17:00 windows, no 120-min maintenance
    and 3 x 90 < 300 min of promotion, so his pair was short of every paired hour and the
    judges found no pair at all. m2's store hosts the pair."""
    department = _late_stores(_department(2), "m1")
    venues = week_venues(department, policy, MONDAY)
    assert venues.group_store(("m1", "m2")) == "m2-s"
    assert venues.group_store(("m1",)) == "m1-s"  # alone he has only his own
    assert week_venues(_department(2), policy, MONDAY).group_store(("m1", "m2")) == "m1-s"


def test_a_hosts_store_whose_hours_hold_the_paired_kinds_is_taken_before_a_nearer_one(policy: Policy) -> None:
    """Of a host's own stores, one open from 15:30 is not taken while another holds them."""
    department = _late_stores(_department(2), "m1")
    far_open = _shop("m1-s2", "m1", OFFICE.lat + 0.004, OFFICE.lon + 0.02, opens=7 * 60, promo_store=True)
    department = department.model_copy(update={"retailers": (*department.retailers, far_open)})
    assert week_venues(department, policy, MONDAY).stores["m1"] == "m1-s2"


def test_a_store_open_90_min_a_day_is_named_as_what_leaves_the_promotion_short(policy: Policy) -> None:
    """Both stores open 15:30-21:00: 90 min a day within 08:00-17:00, five days, but the
    promotion has at most 3 sessions, so 270 of its 300 min. The opening hours are the
    cause (was: 5 x 90 = 450 counted, and the rides named)."""
    department = _late_stores(_late_stores(_department(2), "m1"), "m2")
    tm = variables_for_week(department, policy, build_week(department, policy, MONDAY))
    shortfalls.short_weeks_allowed(tm)
    venues = tm.week_venues()
    for partners in ({"m2"}, set()):
        reason = shortfalls._reason(tm, venues, "m1", "promotion", partners)
        assert reason.startswith("the opening hours of the store (m1-s 15:30–21:00)"), reason
        assert "270 of the 300 min" in reason, reason
    assert "0 of the 2 sessions" in shortfalls._reason(tm, venues, "m1", "maintenance", {"m2"})


def test_a_pair_whose_store_holds_no_paired_session_is_no_week(policy: Policy) -> None:
    """A pair is known by the sessions it holds together (the judges: a manager with none
    "works in no pair"); a week short of paired hours kept pairs with none at all (both
    stores open from 16:00 hold no 90-min session before 17:00). Now no week forms it."""
    department = _late_stores(_late_stores(_department(2), "m1", 16 * 60), "m2", 16 * 60)
    tm = variables_for_week(department, policy, build_week(department, policy, MONDAY))
    shortfalls.short_weeks_allowed(tm)
    constraints.add_hard_rules(tm)
    tm.cp.minimize(sum(shortfalls.shortfall_terms(tm)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 5
    solver.parameters.num_workers = 2
    assert solver.solve(tm.cp) == cp_model.INFEASIBLE
