"""The capacity proposal's last levers and its proof (engine/capacity, SPEC §4, §6): a
colleague's phone slot when the manager's own is full, a move beyond the neighbours
with the ride there and back counted, fresh plans of the changed week that must hold
every due visit too, and an honest "no lever left" — never a change to a class-A
retailer. Planners here are stand-ins that answer at once."""

from __future__ import annotations

import datetime as dt
import math

from engine.capacity.figures import nearest_ride_minutes, week_capacity
from engine.capacity.fit import fit_week
from engine.capacity.proposal import propose_changes
from engine.domain import Block, Department, GeoPoint, Manager, Retailer, Timetable
from engine.policy import Policy, parse_clock, policy_from_mapping
from engine.routing.due import visits_in_week
from engine.routing.plan import DayRoutePlan, RoutePlan, RouteStop, UnvisitedRetailer

MONDAY = dt.date(2026, 11, 23)
OFFICE = GeoPoint(lat=30.0, lon=104.0)
KM_PER_DEGREE_LAT = 111.195


def _retailer(rid: str, manager: str, east_km: float, klass: str, visits: int) -> Retailer:
    lon = OFFICE.lon + east_km / (KM_PER_DEGREE_LAT * math.cos(math.radians(OFFICE.lat)))
    return Retailer(id=rid, name=f"shop {rid}", lat=OFFICE.lat, lon=lon, manager=manager,
                    retailer_class=klass, visits_per_4_weeks=visits, area="country",
                    opens=parse_clock("07:00"), closes=parse_clock("22:00"), service_min=10)


def _due_ids(prefix: str, visits: int, count: int) -> list[str]:
    """`count` retailer ids due this week at `visits` per 4 weeks (the due rule's phase)."""
    ids = (f"{prefix}{k}" for k in range(1000))
    return [r for r in ids if visits_in_week(r, visits, MONDAY) == 1][:count]


def _far_department(c_at_floor: int, neighbour_km: float = 10.0) -> Department:
    """m1 far out, 20 km from the office (his C retailers at their floor, due this week;
    key customers too); m2 `neighbour_km` nearer the office, one retailer, an empty week."""
    far = [_retailer(r, "m1", 20 + 0.1 * k, "C", 1) for k, r in enumerate(_due_ids("c", 1, c_at_floor))]
    far += [_retailer(r, "m1", 20 + 0.1 * k, "A", 4) for k, r in enumerate(_due_ids("a", 4, 6))]
    idle = [_retailer("b0", "m2", 20 - neighbour_km, "B", 4)]
    return Department(name="far", office=OFFICE, policy="15-13-7", market_manager="boss",
                      managers=(Manager(id="m1", name="m1", years=3), Manager(id="m2", name="m2", years=3)),
                      retailers=tuple(far + idle))


def _timetable(m1_end: str = "08:30") -> Timetable:
    """m1 has one short visit block on Monday, m2 a morning every day."""
    blocks = [Block(manager="m1", date=MONDAY, kind="visit", start=480, end=parse_clock(m1_end))]
    blocks += [Block(manager="m2", date=MONDAY + dt.timedelta(days=d), kind="visit", start=480, end=660)
               for d in range(5)]
    return Timetable(department="far", policy="15-13-7", week_start=MONDAY, status="feasible",
                     blocks=tuple(blocks))


def _routes(department: Department, left_out: list[str]) -> RoutePlan:
    """m1 leaves `left_out` out; every other due visit is made on Monday."""
    made = [r.id for r in department.retailers if r.id not in left_out]
    stops = tuple(RouteStop(retailer=r, kind="visit", arrive=480 + k, start=480 + k, end=481 + k,
                            origin="office", ride_min=1, ride_km=0.1) for k, r in enumerate(made))
    route = DayRoutePlan(manager="m1", date=MONDAY, depart=470, return_=None, distance_km=1.0,
                         travel_minutes=len(made), stops=stops, visits=len(made), visit_start=480,
                         visit_end=600, start_from="office")
    return RoutePlan(week_start=MONDAY, due_visits=len(department.retailers), routes=(route,),
                     unvisited=tuple(UnvisitedRetailer(retailer=r, manager="m1", reason="no_room_in_day")
                                     for r in left_out))


def _with_capacity(policy: Policy, **rules: object) -> Policy:
    data = policy.model_dump()
    data["capacity"].update(rules)
    return policy_from_mapping(data)


def _phone_calls(policy: Policy) -> int:
    rules = policy.capacity
    assert rules is not None and rules.phone_kind and rules.phone_call_minutes
    return policy.kinds[rules.phone_kind].weekly_minutes(policy.working_days) // rules.phone_call_minutes


def test_a_colleague_calls_when_the_own_phone_slot_is_full(policy_15_13_7: Policy) -> None:
    """m1's C retailers outnumber his phone slot's calls and no neighbour is within reach:
    his own slot is filled first, then m2 (whose week is not short) calls the rest; the
    called retailers stay with m1; no key customer is changed."""
    own = _phone_calls(policy_15_13_7)
    department = _far_department(own + 6)
    c_ids = [r.id for r in department.retailers if r.retailer_class == "C"]
    capacity = week_capacity(department, policy_15_13_7, _timetable(), MONDAY, _routes(department, c_ids))
    proposal = propose_changes(department, policy_15_13_7, capacity)
    calls = [c for c in proposal.changes if c.kind == "by_phone"]
    mine = [c for c in calls if c.called_by is None]
    theirs = [c for c in calls if c.called_by is not None]
    assert len(mine) == own and theirs and all(c.called_by == "m2" for c in theirs)
    assert calls.index(theirs[0]) > calls.index(mine[-1])  # the own slot first
    assert all(c.to_manager is None and c.manager == "m1" for c in calls)
    assert not [c for c in proposal.changes if c.retailer_class == "A"]


def test_a_move_beyond_the_neighbours_is_the_last_lever(policy_15_13_7: Policy) -> None:
    """With no class to lower or call, m1's only lever is m2 at 10 km (past the 6 km of
    neighbours): the move counts m2's ride there and back; without far_move_max_km (or
    with it shorter than the distance) nothing is proposed and the reason says why."""
    bare = _with_capacity(policy_15_13_7, lowerable_classes=[], phone_classes=[], far_move_max_km=30.0)
    department = _far_department(3)
    c_ids = [r.id for r in department.retailers if r.retailer_class == "C"]
    capacity = week_capacity(department, bare, _timetable(), MONDAY, _routes(department, c_ids[:1]))
    proposal = propose_changes(department, bare, capacity)
    assert proposal.changes and all(c.kind == "move" and c.beyond_neighbours for c in proposal.changes)
    first = proposal.changes[0]
    assert first.to_manager == "m2" and first.retailer_class == "C" and first.km_to_centre > 6.0
    m2_places = [r for r in department.retailers if r.manager == "m2"]
    moved = next(r for r in department.retailers if r.id == first.retailer)
    ride = nearest_ride_minutes(department, bare, moved, m2_places)  # from b0, 10 km nearer the office
    assert ride > 0 and first.minutes_added == first.visits_freed * (moved.service_min + 2 * ride)
    for reach in (None, 8.0):
        stuck = propose_changes(department, _with_capacity(bare, far_move_max_km=reach), capacity)
        assert not stuck.changes and stuck.still_short.get("m1", 0) > 0
        assert "no manager within 6 km" in stuck.why_short["m1"]


def test_fresh_plans_of_the_changed_week_must_hold_every_visit(policy_15_13_7: Policy) -> None:
    """Once a plan holds every due visit, the changed week is planned afresh
    `confirm_plans` more times; a fresh plan that leaves a visit out is proposed on
    again, and the verdict counts the plans in a row that held every due visit."""
    rules = policy_15_13_7.capacity
    assert rules is not None and rules.confirm_plans >= 1
    department = _far_department(8)
    c_ids = [r.id for r in department.retailers if r.retailer_class == "C"]
    seen: list[frozenset[str]] = []

    def plan_week(changed: Department) -> tuple[Timetable, RoutePlan]:
        due = [r.id for r in changed.retailers if r.id in c_ids and r.visits_per_4_weeks]
        seen.append(frozenset(due))
        if len(seen) == 1:
            return _timetable(), _routes(changed, due[:4])  # half the C visits left out
        if len(seen) == 3:  # the first fresh plan packs m1's day worse: one visit out
            return _timetable("10:00"), _routes(changed, due[:1])
        return _timetable("10:00"), _routes(changed, [])

    fitted = fit_week(department, policy_15_13_7, MONDAY, plan_week)
    fit = fitted.fit
    assert [r.fresh for r in fit.rounds][:3] == [False, False, True]
    assert fit.rounds[2].unplanned_visits == 1 and fit.rounds[2].changes >= 1
    assert fit.fits is True and fit.confirmed_plans == rules.confirm_plans + 1
    assert len(seen) == len(fit.rounds) == 3 + rules.confirm_plans + 1
    assert seen[-1] == seen[-1 - rules.confirm_plans]  # the last plans are of one unchanged week
    assert not [c for c in fit.proposal.changes if c.retailer_class == "A"]


def test_no_lever_left_is_said_and_not_called_a_fit(policy_15_13_7: Policy) -> None:
    """Key customers alone overload m1 (nothing may touch them): no change, the loop
    stops after one plan with `fits` false and the reason names what is used up."""
    department = _far_department(0)
    a_ids = [r.id for r in department.retailers if r.retailer_class == "A"]
    calls: list[Department] = []

    def plan_week(changed: Department) -> tuple[Timetable, RoutePlan]:
        calls.append(changed)
        return _timetable(), _routes(changed, a_ids)

    fit = fit_week(department, policy_15_13_7, MONDAY, plan_week).fit
    assert fit.fits is False and fit.confirmed_plans == 0 and len(calls) == 1
    assert not fit.proposal.changes and fit.proposal.still_short["m1"] > 0
    assert "left out are class A customers, which the policy keeps" in fit.proposal.why_short["m1"]


def test_b_at_its_floor_is_called_only_after_every_c(policy_15_13_7: Policy) -> None:
    """15-13-7 lists B among the phone classes after C: with C and B retailers of m1 all at
    their floor and due, every C is called before the first B; key customers never."""
    rules = policy_15_13_7.capacity
    assert rules is not None and rules.phone_classes == ("C", "B")
    far = _far_department(4)
    b_floor = [_retailer(r, "m1", 20.2, "B", 1) for r in _due_ids("bf", 1, 4)]
    department = far.model_copy(update={"retailers": (*far.retailers, *b_floor)})
    left = [r.id for r in department.retailers if r.retailer_class in "BC" and r.manager == "m1"]
    capacity = week_capacity(department, policy_15_13_7, _timetable(), MONDAY, _routes(department, left))
    proposal = propose_changes(department, policy_15_13_7, capacity)
    classes = [c.retailer_class for c in proposal.changes if c.kind == "by_phone"]
    assert classes.count("C") == 4 and "B" in classes
    assert classes == sorted(classes, key="CB".index)
    assert not [c for c in proposal.changes if c.retailer_class == "A"]
