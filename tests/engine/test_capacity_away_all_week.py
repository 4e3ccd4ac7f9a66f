"""A manager on leave all week whose visits the routes' neighbour had no room for
(engine/capacity `hand_over_away`, routing/plan `_hand_over`): they are handed over for
the week to another neighbour with spare minutes, and a plan of the applied folder has
that neighbour make them (tester, d519C week of 2026-12-07: m02's 8 visits stayed out at
m03 and m06, exit 1, while m01 and m07 within 6 km had 286 and 257 min spare). Hand-built
weeks: no solver runs."""

from __future__ import annotations

import datetime as dt
import math

from engine.capacity.figures import week_capacity
from engine.capacity.proposal import (
    HANDED_OVER_TO,
    HANDED_OVER_WEEK,
    folder_department,
    propose_changes,
)
from engine.domain import Block, Department, GeoPoint, Leave, Manager, Retailer, Timetable
from engine.policy import Policy, parse_clock
from engine.routing.due import visits_in_week
from engine.routing.plan import RoutePlan, UnvisitedRetailer, _hand_over, plan_routes

MONDAY = dt.date(2026, 11, 23)
OFFICE = GeoPoint(lat=30.0, lon=104.0)
KM_PER_DEGREE_LAT = 111.195


def _retailer(rid: str, manager: str, east_km: float, north_km: float = 0.0) -> Retailer:
    lon = OFFICE.lon + east_km / (KM_PER_DEGREE_LAT * math.cos(math.radians(OFFICE.lat)))
    return Retailer(id=rid, name=f"shop {rid}", lat=OFFICE.lat + north_km / KM_PER_DEGREE_LAT, lon=lon,
                    manager=manager, retailer_class="C", visits_per_4_weeks=1, area="town",
                    opens=parse_clock("07:00"), closes=parse_clock("22:00"), service_min=10)


def _due_ids(prefix: str, count: int) -> list[str]:
    return [r for r in (f"{prefix}{k}" for k in range(1000)) if visits_in_week(r, 1, MONDAY) == 1][:count]


def _department() -> Department:
    """m1 (away all week) 3 km east, one shop a POS-target household; m2, the nearest neighbour, 4 km east, full; m3 3 km
    east and 2 km north, idle: both within the 6-km neighbour distance of m1's shops."""
    shops = [_retailer(r, "m1", 3 + 0.05 * k) for k, r in enumerate(_due_ids("c", 3))]
    # Away all week he holds no POS session: his POS-target household goes to m3 too.
    shops[0] = shops[0].model_copy(update={"pos_target": True})
    shops += [_retailer(r, "m2", 4 + 0.05 * k) for k, r in enumerate(_due_ids("n", 2))]
    shops += [_retailer(r, "m3", 3, 2 + 0.05 * k) for k, r in enumerate(_due_ids("t", 2))]
    leave = tuple(Leave(manager="m1", date=MONDAY + dt.timedelta(days=d)) for d in range(5))
    return Department(name="away", office=OFFICE, policy="15-13-7", market_manager="boss",
                      managers=tuple(Manager(id=m, name=m, years=3) for m in ("m1", "m2", "m3")),
                      retailers=tuple(shops), leave=leave)


def _timetable(m2_end: int) -> Timetable:
    blocks = [Block(manager=m, date=MONDAY + dt.timedelta(days=d), kind="visit", start=480, end=end)
              for m, end in (("m2", m2_end), ("m3", 660)) for d in range(5)]
    return Timetable(department="away", policy="15-13-7", week_start=MONDAY, status="feasible",
                     blocks=tuple(blocks))


def test_visits_the_nearest_neighbour_had_no_room_for_go_to_one_with_room(policy_15_13_7: Policy) -> None:
    department = _department()
    m1 = [r.id for r in department.retailers if r.manager == "m1"]
    # m2's blocks hold 1 min a day: the routes' hand-over to him left m1's visits out.
    routes = RoutePlan(week_start=MONDAY, due_visits=7, unvisited=tuple(
        UnvisitedRetailer(retailer=r, manager="m1", reason="no_room_in_day") for r in m1))
    capacity = week_capacity(department, policy_15_13_7, _timetable(m2_end=481), MONDAY, routes)
    assert capacity.manager("m1").away_all_week and capacity.manager("m1").unplanned_visits == 3
    proposal = propose_changes(department, policy_15_13_7, capacity, left_out=m1)
    assert sorted((c.kind, c.retailer, c.to_manager) for c in proposal.changes) == [
        ("hand_over", r, "m3") for r in sorted(m1)]
    assert not proposal.still_short
    # The applied folder keeps m1 as their manager and names m3; the routes hand them to m3, not m2.
    folder = folder_department(department, proposal.changes, MONDAY)
    rows = {r.id: r for r in folder.retailers}
    assert {(rows[r].manager, rows[r].extra[HANDED_OVER_TO], rows[r].extra[HANDED_OVER_WEEK]) for r in m1} == {
        ("m1", "m3", MONDAY.isoformat())}
    handed = _hand_over(folder, policy_15_13_7, _timetable(m2_end=481), MONDAY, None)
    assert sorted(h.item.retailer.id for h in handed.get("m3", ())) == sorted(m1)
    assert not handed.get("m2") and handed["m1"] == ()


def test_no_neighbour_with_room_is_said_for_a_manager_away_all_week(policy_15_13_7: Policy) -> None:
    department = _department()
    department = department.model_copy(update={"retailers": tuple(r for r in department.retailers
                                                                  if r.manager != "m3")})
    department = department.model_copy(update={"managers": department.managers[:2]})
    m1 = [r.id for r in department.retailers if r.manager == "m1"]
    routes = RoutePlan(week_start=MONDAY, due_visits=5, unvisited=tuple(
        UnvisitedRetailer(retailer=r, manager="m1", reason="no_room_in_day") for r in m1))
    timetable = _timetable(m2_end=481).model_copy(update={"blocks": tuple(
        b for b in _timetable(m2_end=481).blocks if b.manager == "m2")})
    proposal = propose_changes(department, policy_15_13_7,
                               week_capacity(department, policy_15_13_7, timetable, MONDAY, routes), left_out=m1)
    assert not proposal.changes and proposal.still_short["m1"] > 0
    assert "on leave all week" in proposal.why_short["m1"] and "too few spare minutes" in proposal.why_short["m1"]


def _applied(department: Department, to: str) -> Department:
    """The folder as applied: m1's shops handed to `to` for the week, m1 still their manager."""
    extra = {HANDED_OVER_WEEK: MONDAY.isoformat(), HANDED_OVER_TO: to}
    return department.model_copy(update={"retailers": tuple(
        r.model_copy(update={"extra": extra}) if r.manager == "m1" else r for r in department.retailers)})


def _blocks(m3_end: int) -> Timetable:
    blocks = [Block(manager="m2", date=MONDAY, kind="visit", start=540, end=660),
              Block(manager="m3", date=MONDAY, kind="visit", start=540, end=m3_end)]
    return Timetable(department="away", policy="15-13-7", week_start=MONDAY, status="feasible",
                     blocks=tuple(blocks))


def test_a_plan_of_the_applied_folder_plans_the_handed_visits_with_the_neighbours_own(
        policy_15_13_7: Policy) -> None:
    """The neighbour the folder names makes m1's visits, not the nearest one, planned with
    his own as the proposal's proof planned them; one his day cannot hold is listed under
    m1 as handed to him by the applied proposal (before: fitted into what his routed day
    left over, or handed to the nearest neighbour)."""
    department = _applied(_department(), "m3")
    m1 = sorted(r.id for r in department.retailers if r.manager == "m1")
    plan = plan_routes(department, policy_15_13_7, _blocks(660), MONDAY, time_limit_s=0.3, processes=1)
    made = {(r.manager, s.retailer) for r in plan.routes for s in r.stops if s.kind == "visit"}
    assert {rid for m, rid in made if m == "m3"} >= set(m1) and not {rid for m, rid in made if m == "m2"} & set(m1)
    assert not plan.unvisited
    tight = plan_routes(department, policy_15_13_7, _blocks(541), MONDAY, time_limit_s=0.3, processes=1)
    out = [u for u in tight.unvisited if u.retailer in m1]
    assert sorted(u.retailer for u in out) == m1 and {u.manager for u in out} == {"m1"}
    assert all(u.detail.startswith("handed to m3 this week (the capacity proposal applied") for u in out)
