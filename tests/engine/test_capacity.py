"""Capacity of a week (engine/capacity): the figures add up, the proposal moves
retailers to an idle neighbour or lowers frequencies the policy allows (never class A),
and the propose → plan loop stops when every due visit is planned."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from engine.capacity.figures import nearest_rides, week_capacity
from engine.capacity.fit import fit_week
from engine.capacity.proposal import apply_changes, propose_changes
from engine.domain import Block, Department, GeoPoint, Manager, Retailer, Timetable
from engine.errors import InputError
from engine.policy import Policy, parse_clock, policy_from_mapping
from engine.routing.due import visits_in_week
from engine.routing.plan import DayRoutePlan, RoutePlan, RouteStop, UnvisitedRetailer

MONDAY = dt.date(2026, 11, 23)
OFFICE = GeoPoint(lat=30.0, lon=104.0)
KM_PER_DEGREE_LAT = 111.195


def _retailer(rid: str, manager: str, east_km: float, *, klass: str = "B", visits: int = 4,
              service: int = 10) -> Retailer:
    lon = OFFICE.lon + east_km / (KM_PER_DEGREE_LAT * math.cos(math.radians(OFFICE.lat)))
    return Retailer(id=rid, name=f"shop {rid}", lat=OFFICE.lat, lon=lon, manager=manager,
                    retailer_class=klass, visits_per_4_weeks=visits, area="town",
                    opens=parse_clock("07:00"), closes=parse_clock("22:00"), service_min=service)


def _department(retailers: list[Retailer], managers: tuple[str, ...] = ("m1",)) -> Department:
    return Department(name="test", office=OFFICE, policy="15-13-7", market_manager="boss",
                      managers=tuple(Manager(id=m, name=m, years=3) for m in managers),
                      retailers=tuple(retailers))


def _visit_blocks(managers: tuple[str, ...], start: str = "08:00", end: str = "11:00",
                  days: int = 5) -> Timetable:
    blocks = [Block(manager=m, date=MONDAY + dt.timedelta(days=d), kind="visit",
                    start=parse_clock(start), end=parse_clock(end)) for m in managers for d in range(days)]
    return Timetable(department="test", policy="15-13-7", week_start=MONDAY, status="feasible",
                     blocks=tuple(blocks))


def _route(manager: str, day: int, stops: list[tuple[str, int, int, int]]) -> DayRoutePlan:
    """A day's route from (retailer, ride, start, end) visit stops."""
    return DayRoutePlan(
        manager=manager, date=MONDAY + dt.timedelta(days=day), depart=480, return_=None,
        distance_km=1.0, travel_minutes=sum(s[1] for s in stops),
        stops=tuple(RouteStop(retailer=r, kind="visit", arrive=start, start=start, end=end,
                              origin="office", ride_min=ride, ride_km=0.1) for r, ride, start, end in stops),
        visits=len(stops), visit_start=480, visit_end=660, start_from="office")


def _with_capacity(policy: Policy, **rules: object) -> Policy:
    data = policy.model_dump()
    assert data["capacity"] is not None
    data["capacity"].update(rules)
    return policy_from_mapping(data)


def test_figures_from_routes_add_up(policy_15_13_7: Policy) -> None:
    """Need = service + riding per day and week; available = the visit blocks' minutes up to
    the end of visiting (a block running to 16:00 counts to 15:00); a visit left out counts
    its service plus the manager's mean ride per planned visit on the day the routes name."""
    retailers = [_retailer(f"r{k}", "m1", k) for k in range(1, 5)]
    department = _department(retailers)
    timetable = Timetable(department="test", policy="15-13-7", week_start=MONDAY, status="feasible", blocks=(
        Block(manager="m1", date=MONDAY, kind="visit", start=parse_clock("08:00"), end=parse_clock("11:00")),
        Block(manager="m1", date=MONDAY + dt.timedelta(days=1), kind="visit",
              start=parse_clock("09:00"), end=parse_clock("16:00")),
    ))
    routes = RoutePlan(week_start=MONDAY, routes=(
        _route("m1", 0, [("r1", 6, 486, 496), ("r2", 4, 500, 512)]),
        _route("m1", 1, [("r3", 8, 788, 798)]),
    ), unvisited=(UnvisitedRetailer(retailer="r4", manager="m1", reason="no_room_in_day",
                                    date=MONDAY + dt.timedelta(days=1)),))
    capacity = week_capacity(department, policy_15_13_7, timetable, MONDAY, routes)
    m1 = capacity.manager("m1")
    monday, tuesday = m1.days
    assert (monday.available_min, tuesday.available_min) == (180, 360)  # 09:00-15:00 on Tuesday
    assert (monday.service_min, monday.riding_min) == (10 + 12, 6 + 4)
    assert m1.ride_per_visit_min == pytest.approx(6.0)  # (6 + 4 + 8) / 3 planned visits
    assert (tuesday.service_min, tuesday.riding_min) == (10 + 10, 8 + 6)
    assert tuesday.unplanned_visits == 1 and m1.unplanned_min == 16
    for figures in (monday, tuesday, m1):
        assert figures.need_min == figures.service_min + figures.riding_min
    assert m1.available_min == 540 and m1.need_min == 32 + 34
    assert capacity.need_min == m1.need_min and capacity.unplanned_visits == 1


def test_a_block_that_cannot_reach_its_first_stop_in_time_holds_no_minutes(policy_15_13_7: Policy) -> None:
    """SPEC §3, first retailer by 09:30: a visit block from 09:20 with every due retailer
    more than 10 min out, or one from 13:00, holds no visit; its minutes are not available."""
    far = [_retailer(f"r{k}", "m1", 8 + k) for k in range(3)]  # 8+ km: well over 10 min
    blocks = (Block(manager="m1", date=MONDAY, kind="visit", start=parse_clock("09:20"), end=parse_clock("12:20")),
              Block(manager="m1", date=MONDAY + dt.timedelta(days=1), kind="visit",
                    start=parse_clock("08:00"), end=parse_clock("11:00")),
              Block(manager="m1", date=MONDAY + dt.timedelta(days=2), kind="visit",
                    start=parse_clock("13:00"), end=parse_clock("15:00")))
    timetable = Timetable(department="test", policy="15-13-7", week_start=MONDAY, status="feasible",
                          blocks=blocks)
    m1 = week_capacity(_department(far), policy_15_13_7, timetable, MONDAY).manager("m1")
    assert [d.available_min for d in m1.days] == [0, 180, 0] and m1.available_min == 180


def test_estimated_figures_add_up(policy_15_13_7: Policy) -> None:
    """Without routes: service of every due visit, riding from the nearest other due place
    plus each day's ride out from the office; the days hold it all and need = service + riding."""
    retailers = [_retailer(f"r{k}", "m1", k, service=12) for k in range(1, 4)]
    department = _department(retailers)
    capacity = week_capacity(department, policy_15_13_7, _visit_blocks(("m1",), days=2), MONDAY)
    m1 = capacity.manager("m1")
    nearest = nearest_rides(department, policy_15_13_7, retailers)
    ride_out = nearest[0]  # r1, 1 km east, is the nearest to the office
    assert m1.available_min == 2 * 180
    assert m1.service_min == 3 * 12
    assert m1.riding_min == sum(nearest) + 2 * ride_out
    assert sum(d.need_min for d in m1.days) == m1.need_min == m1.service_min + m1.riding_min
    assert m1.due_visits == m1.planned_visits == 3 and m1.shortfall_min == 0


def _overloaded_pair(policy: Policy) -> tuple[Department, Timetable, RoutePlan]:
    """m1's routes leave three weekly visits out; m2, 1 km away, has one visit a day."""
    busy = [_retailer(f"a{k}", "m1", 1 + k / 10, klass="ABC"[k % 3]) for k in range(12)]
    idle = [_retailer(f"b{k}", "m2", 2 + k / 10) for k in range(5)]
    department = _department(busy + idle, ("m1", "m2"))
    full_day = [(f"a{k}", 10, 480 + 20 * k, 490 + 20 * k) for k in range(9)]
    routes = RoutePlan(week_start=MONDAY, routes=(
        _route("m1", 0, full_day),
        *(_route("m2", d, [(f"b{d}", 10, 490, 500)]) for d in range(5)),
    ), unvisited=tuple(UnvisitedRetailer(retailer=f"a{k}", manager="m1", reason="no_room_in_day")
                       for k in range(9, 12)))
    return department, _one_day_for_m1(), routes


def _one_day_for_m1() -> Timetable:
    blocks = [Block(manager="m1", date=MONDAY, kind="visit", start=480, end=660)]
    blocks += [Block(manager="m2", date=MONDAY + dt.timedelta(days=d), kind="visit", start=480, end=660)
               for d in range(5)]
    return Timetable(department="test", policy="15-13-7", week_start=MONDAY, status="feasible",
                     blocks=tuple(blocks))


def test_overloaded_manager_moves_retailers_to_the_idle_neighbour(policy_15_13_7: Policy) -> None:
    """m1 is short (three visits left out of a full day); m2 next door has spare minutes:
    the proposal moves named retailers of m1 to m2, freeing at least the minutes left out,
    within m2's spare minutes after the margin, and touching no more retailers than needed."""
    department, timetable, routes = _overloaded_pair(policy_15_13_7)
    capacity = week_capacity(department, policy_15_13_7, timetable, MONDAY, routes)
    m1, m2 = capacity.manager("m1"), capacity.manager("m2")
    assert m1.unplanned_visits == 3 and m1.shortfall_min > 0 and m2.spare_min > 0
    proposal = propose_changes(department, policy_15_13_7, capacity)
    assert proposal.changes and all(c.kind == "move" and c.to_manager == "m2" for c in proposal.changes)
    assert all(c.manager == "m1" and c.name == f"shop {c.retailer}" for c in proposal.changes)
    assert proposal.minutes_freed >= m1.unplanned_min
    margin = policy_15_13_7.capacity.margin_percent / 100  # type: ignore[union-attr]
    assert sum(c.minutes_added for c in proposal.changes) <= (1 - margin) * m2.available_min - m2.need_min
    excess = m1.need_min - (1 - margin) * m1.available_min
    assert proposal.retailers_touched == len(proposal.changes) == math.ceil(excess / proposal.changes[0].minutes_freed)
    assert not proposal.still_short
    moved = apply_changes(department, proposal.changes)
    assert {r.id for r in moved.territory("m2")} >= {c.retailer for c in proposal.changes}


def test_class_a_is_never_lowered(policy_15_13_7: Policy) -> None:
    """With no neighbour to take them, only the lowerable classes are lowered: class-A
    retailers keep their frequency even when what is left stays short; a policy listing A
    as lowerable is refused."""
    retailers = [_retailer(f"a{k}", "m1", 1 + k / 10, klass="A", visits=4) for k in range(6)]
    retailers += [_retailer(f"c{k}", "m1", 1 + k / 10, klass="C", visits=4) for k in range(4)]
    department = _department(retailers)
    routes = RoutePlan(week_start=MONDAY, routes=(_route("m1", 0, [("a0", 10, 490, 500)]),),
                       unvisited=tuple(UnvisitedRetailer(retailer=r.id, manager="m1", reason="no_room_in_day")
                                       for r in retailers[1:]))
    capacity = week_capacity(department, policy_15_13_7, _visit_blocks(("m1",), end="08:30", days=1),
                             MONDAY, routes)
    proposal = propose_changes(department, policy_15_13_7, capacity)
    assert proposal.changes and all(c.retailer_class == "C" for c in proposal.changes)
    for change in proposal.changes:  # a call keeps the frequency (folder_department)
        kept = change.kind == "by_phone"
        assert (change.new_visits_per_4_weeks == change.visits_per_4_weeks) if kept else (
            change.new_visits_per_4_weeks < change.visits_per_4_weeks
            and visits_in_week(change.retailer, change.new_visits_per_4_weeks, MONDAY) < 1)
    assert proposal.still_short.get("m1", 0) > 0
    with pytest.raises(InputError, match="must not hold A"):
        _with_capacity(policy_15_13_7, lowerable_classes=["C", "A"])


def test_b_is_lowered_only_when_no_c_is_left(policy_15_13_7: Policy) -> None:
    """The policy's order: C frequencies are lowered before any B, even where a B frees more."""
    retailers = [_retailer(f"b{k}", "m1", 1, klass="B", visits=4, service=30) for k in range(3)]
    retailers += [_retailer(f"c{k}", "m1", 1, klass="C", visits=4) for k in range(3)]
    department = _department(retailers)
    routes = RoutePlan(week_start=MONDAY, routes=(), unvisited=(
        UnvisitedRetailer(retailer="c0", manager="m1", reason="no_room_in_day"),))
    capacity = week_capacity(department, policy_15_13_7, _visit_blocks(("m1",), end="10:00", days=1),
                             MONDAY, routes)
    proposal = propose_changes(department, policy_15_13_7, capacity)
    classes = [c.retailer_class for c in proposal.changes]
    assert classes and classes[0] == "C"
    assert classes == sorted(classes, key=lambda k: "CB".index(k))


def test_loop_plans_again_until_every_due_visit_fits(policy_15_13_7: Policy) -> None:
    """propose → plan → propose: a planner that leaves out m1's visits beyond what his day
    holds is re-run on the changed department until nothing is left out; rounds are reported."""
    department, timetable, _ = _overloaded_pair(policy_15_13_7)
    calls: list[Department] = []

    def plan_week(changed: Department) -> tuple[Timetable, RoutePlan]:
        calls.append(changed)
        mine = [r.id for r in changed.territory("m1")]
        theirs = [r.id for r in changed.territory("m2")]
        m1_stops = [(r, 10, 480 + 20 * k, 490 + 20 * k) for k, r in enumerate(mine[:8])]
        m2_stops = [(r, 10, 480 + 20 * k, 490 + 20 * k) for k, r in enumerate(theirs)]
        return timetable, RoutePlan(
            week_start=MONDAY, due_visits=len(mine) + len(theirs),
            routes=(_route("m1", 0, m1_stops), _route("m2", 0, m2_stops)),
            unvisited=tuple(UnvisitedRetailer(retailer=r, manager="m1", reason="no_room_in_day")
                            for r in mine[8:]))

    fitted = fit_week(department, policy_15_13_7, MONDAY, plan_week)
    assert fitted.fit.fits is True
    assert fitted.fit.rounds[0].unplanned_visits == 4 and fitted.fit.rounds[-1].unplanned_visits == 0
    assert len(calls) == len(fitted.fit.rounds) >= 2
    assert len(fitted.department.territory("m1")) <= 8
    assert fitted.fit.proposal.retailers_touched == len({c.retailer for c in fitted.fit.proposal.changes})


def test_loop_keeps_the_giving_managers_margin(policy_15_13_7: Policy) -> None:
    """A re-plan that plans every due visit but rides m1 into the margin (5% of his visit
    minutes) is not the end: the loop frees more of his minutes, so that a fresh plan that
    packs the day a little worse still holds every visit."""
    department, timetable, first_routes = _overloaded_pair(policy_15_13_7)
    calls: list[Department] = []

    def plan_week(changed: Department) -> tuple[Timetable, RoutePlan]:
        calls.append(changed)
        if len(calls) == 1:
            return timetable, first_routes
        mine = [r.id for r in changed.territory("m1")]
        theirs = [r.id for r in changed.territory("m2")]
        m1_stops = [(r, 12, 480 + 22 * k, 490 + 22 * k) for k, r in enumerate(mine)]
        m2_stops = [(r, 10, 480 + 20 * k, 490 + 20 * k) for k, r in enumerate(theirs)]
        return timetable, RoutePlan(week_start=MONDAY, due_visits=len(mine) + len(theirs),
                                    routes=(_route("m1", 0, m1_stops), _route("m2", 1, m2_stops)))

    fitted = fit_week(department, policy_15_13_7, MONDAY, plan_week)
    assert fitted.fit.fits is True
    second = fitted.fit.rounds[1]
    assert second.unplanned_visits == 0 and second.changes > 0  # every visit planned, margin not kept
    m1 = fitted.fit.after.manager("m1")
    assert m1.need_min <= (1 - fitted.fit.proposal.margin_percent / 100) * m1.available_min


def test_policy_without_capacity_section_is_an_input_error(policy_15_13_7: Policy) -> None:
    """Proposing needs the policy's [capacity] rules; without them the error names the section."""
    data = policy_15_13_7.model_dump()
    data["capacity"] = None
    bare = policy_from_mapping(data)
    department, timetable, routes = _overloaded_pair(policy_15_13_7)
    capacity = week_capacity(department, bare, timetable, MONDAY, routes)
    with pytest.raises(InputError, match=r"\[capacity\]"):
        propose_changes(department, bare, capacity)


def test_c_retailers_at_their_floor_are_called_before_any_b_is_lowered(policy_15_13_7: Policy) -> None:
    """A far manager with no neighbour, his C retailers already at one visit per 4 weeks:
    the proposal calls C retailers in his phone slot for a cycle (电话拜访, SPEC §2), as many
    as the slot's minutes hold, before it lowers any B; A is never called."""
    rules = policy_15_13_7.capacity
    assert rules is not None and rules.phone_call_minutes and rules.phone_kind
    slot = policy_15_13_7.kinds[rules.phone_kind].weekly_minutes(policy_15_13_7.working_days)
    at_floor = [r for r in (f"c{k}" for k in range(200)) if visits_in_week(r, 1, MONDAY) == 1]
    retailers = [_retailer(r, "m1", 1, klass="C", visits=1) for r in at_floor]
    retailers += [_retailer(f"b{k}", "m1", 1, klass="B", visits=4) for k in range(40)]
    retailers += [_retailer(f"a{k}", "m1", 1, klass="A", visits=4) for k in range(40)]
    department = _department(retailers)
    routes = RoutePlan(week_start=MONDAY, routes=(), unvisited=tuple(
        UnvisitedRetailer(retailer=r.id, manager="m1", reason="no_room_in_day") for r in retailers))
    capacity = week_capacity(department, policy_15_13_7, _visit_blocks(("m1",), end="08:30", days=1),
                             MONDAY, routes)
    proposal = propose_changes(department, policy_15_13_7, capacity)
    kinds = [(c.kind, c.retailer_class) for c in proposal.changes]
    calls = [c for c in proposal.changes if c.kind == "by_phone"]
    assert len(calls) == slot // rules.phone_call_minutes < len(at_floor)
    assert all(c.retailer_class == "C" and c.new_visits_per_4_weeks == c.visits_per_4_weeks for c in calls)
    assert kinds.index(("lower_frequency", "B")) > max(i for i, k in enumerate(kinds) if k[0] == "by_phone")
    assert not [c for c in proposal.changes if c.retailer_class == "A"]
    called = apply_changes(department, calls)
    assert not [r for r in called.retailers if r.id in {c.retailer for c in calls} and r.visits_per_4_weeks]
    with pytest.raises(InputError, match="must not hold A"):
        _with_capacity(policy_15_13_7, phone_classes=["C", "A"])
