"""Visit days and daily routes (engine/routing/visit_days.py, daily.py, plan.py),
judged by the independent route checker (engine/check/routes.py), and the
`fieldweek routes` command."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from api.commands import routes as routes_command
from engine.check.routes import check_routes
from engine.domain import Block, Department, GeoPoint, Leave, Manager, Retailer, Timetable
from engine.load import write_department
from engine.policy import Policy, format_clock, parse_clock
from engine.routing.plan import RoutePlan, plan_routes

MONDAY = dt.date(2026, 11, 23)
OFFICE = GeoPoint(lat=30.0, lon=104.0)
KM_PER_DEGREE_LAT = 111.195
SOLVE_S = 0.3


def _offset(east_km: float, north_km: float = 0.0) -> tuple[float, float]:
    lat = OFFICE.lat + north_km / KM_PER_DEGREE_LAT
    lon = OFFICE.lon + east_km / (KM_PER_DEGREE_LAT * math.cos(math.radians(OFFICE.lat)))
    return lat, lon


def _retailer(rid: str, east_km: float, north_km: float = 0.0, *, opens: str = "07:00",
              closes: str = "22:00", service: int = 8, visits: int = 4, area: str = "town",
              manager: str = "m1") -> Retailer:
    lat, lon = _offset(east_km, north_km)
    return Retailer(id=rid, name=f"shop {rid}", lat=lat, lon=lon, manager=manager,
                    retailer_class="B", visits_per_4_weeks=visits, area=area,
                    opens=parse_clock(opens), closes=parse_clock(closes), service_min=service)


def _department(retailers: list[Retailer], policy: Policy, managers: tuple[str, ...] = ("m1",)) -> Department:
    return Department(name="test", office=OFFICE, policy=policy.name, market_manager="boss",
                      managers=tuple(Manager(id=m, name=m, years=3) for m in managers),
                      retailers=tuple(retailers))


def _block(kind: str, day: int, start: str, end: str, manager: str = "m1",
           retailer: str | None = None) -> Block:
    return Block(manager=manager, date=MONDAY + dt.timedelta(days=day), kind=kind,
                 start=parse_clock(start), end=parse_clock(end), retailer=retailer)


def _timetable(blocks: list[Block], policy: Policy) -> Timetable:
    return Timetable(department="test", policy=policy.name, week_start=MONDAY, status="feasible",
                     blocks=tuple(blocks))


def _plan(department: Department, policy: Policy, timetable: Timetable, **kwargs) -> RoutePlan:
    kwargs.setdefault("time_limit_s", SOLVE_S)
    return plan_routes(department, policy, timetable, MONDAY, **kwargs)


def _assert_checker_passes(plan: RoutePlan, department: Department, policy: Policy,
                           timetable: Timetable) -> None:
    check = check_routes(plan, department, policy, timetable)
    assert check.feasible, check.messages()


def _visit_order(plan: RoutePlan, day: int = 0) -> list[str]:
    date = MONDAY + dt.timedelta(days=day)
    route = next(r for r in plan.routes if r.date == date)
    return [s.retailer for s in route.stops if s.kind == "visit"]


# ---------------------------------------------------------------------------
# Tiny instances with known optimal tours


def test_stops_on_a_line_are_ridden_out_and_back(policy_15_13_7):
    """Three retailers 1, 2, 3 km east: the optimal tour rides out to 3 km and back,
    visiting them in line (6 km × the detour factor)."""
    retailers = [_retailer("R1", 1), _retailer("R3", 3), _retailer("R2", 2)]
    department = _department(retailers, policy_15_13_7)
    timetable = _timetable([_block("visit", 0, "08:00", "11:00")], policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    order = _visit_order(plan)
    assert order in (["R1", "R2", "R3"], ["R3", "R2", "R1"])
    assert plan.routes[0].distance_km == pytest.approx(6 * policy_15_13_7.travel.detour_factor, rel=0.01)
    assert not plan.unvisited
    _assert_checker_passes(plan, department, policy_15_13_7, timetable)


def test_stops_on_both_sides_of_the_office(policy_15_13_7):
    """Five retailers at -2, -1, 1, 2, 3 km: the shortest tour covers each side
    once, 2×2 + 2×3 = 10 km × detour, never zig-zagging across the office."""
    retailers = [_retailer(f"R{k}", k) for k in (-2, -1, 1, 2, 3)]
    department = _department(retailers, policy_15_13_7)
    timetable = _timetable([_block("visit", 0, "08:00", "11:00")], policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    assert len(_visit_order(plan)) == 5
    assert plan.routes[0].distance_km == pytest.approx(10 * policy_15_13_7.travel.detour_factor, rel=0.01)
    _assert_checker_passes(plan, department, policy_15_13_7, timetable)


def test_closing_time_decides_the_direction_of_the_tour(policy_15_13_7):
    """On a line where the far retailer closes at 08:30 (only reachable in time
    straight from the office), the route serves it first and rides back in line."""
    retailers = [_retailer("R1", 1), _retailer("R2", 2), _retailer("R3", 3, opens="07:00", closes="08:30")]
    department = _department(retailers, policy_15_13_7)
    timetable = _timetable([_block("visit", 0, "08:00", "11:00")], policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    assert _visit_order(plan) == ["R3", "R2", "R1"]
    _assert_checker_passes(plan, department, policy_15_13_7, timetable)


def test_first_stop_must_be_reachable_by_the_rule(policy_15_13_7):
    """A block starting 09:20 leaves 10 min to reach the first retailer by 09:30:
    the near one (5 min) goes first even though the far one closes earlier."""
    retailers = [_retailer("NEAR", 0.8), _retailer("FAR", -2.5, closes="10:30")]
    department = _department(retailers, policy_15_13_7)
    timetable = _timetable([_block("visit", 0, "09:20", "12:20")], policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    assert _visit_order(plan) == ["NEAR", "FAR"]
    assert plan.routes[0].stops[0].arrive <= policy_15_13_7.route.first_stop_by
    _assert_checker_passes(plan, department, policy_15_13_7, timetable)


def test_a_block_that_cannot_reach_anyone_by_the_first_stop_rule_says_so(policy_15_13_7):
    """With the visit block at 09:25 and every retailer 15 min away, the day stays
    empty and its note names the rule, the block start and the nearest ride (a Tuesday:
    the policy gives Monday, after its meeting, a later first stop)."""
    retailers = [_retailer("R1", 3), _retailer("R2", 3.2)]
    department = _department(retailers, policy_15_13_7)
    timetable = _timetable([_block("visit", 1, "09:25", "12:25")], policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    assert plan.routes[0].visits == 0
    note = " ".join(plan.routes[0].notes)
    assert "09:25" in note and "09:30" in note and "ride" in note
    assert {u.retailer for u in plan.unvisited} == {"R1", "R2"}
    _assert_checker_passes(plan, department, policy_15_13_7, timetable)


def test_a_visit_block_too_short_for_any_visit_says_so(policy_15_13_7):
    """A 50-min block (a part-day leave shortened it) and the only due retailer a 26-min
    ride out: the ride there, the visit and the ride back do not fit, and the route says
    so (tester's d6b: an 80-min block stayed empty with no word)."""
    department = _department([_retailer("R1", 4)], policy_15_13_7)
    # At the office from 09:50 (as before a part-day leave, which he takes from there).
    timetable = _timetable([_block("visit", 1, "09:00", "09:50"), _block("admin", 1, "09:50", "10:40")],
                           policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    assert plan.routes[0].visits == 0
    note = " ".join(plan.routes[0].notes)
    assert "09:00–09:50 holds no visit" in note and "R1" in note and "at the office by 09:50" in note
    _assert_checker_passes(plan, department, policy_15_13_7, timetable)


def test_a_visit_block_of_a_manager_without_retailers_says_it_has_nothing_to_visit(policy_15_13_7):
    """m2, a new hire, has no territory yet: the timetable still holds his 3-h visit block
    (SPEC §2), and his route says it has nothing to visit (was: an empty route, silent)."""
    department = _department([_retailer("R1", 1)], policy_15_13_7, managers=("m1", "m2"))
    timetable = _timetable([_block("visit", 1, "08:30", "11:30"), _block("visit", 1, "08:30", "11:30", "m2")],
                           policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    notes = {r.manager: " ".join(r.notes) for r in plan.routes}
    assert "08:30–11:30 has nothing to visit: his territory has no retailer" in notes["m2"]
    assert "nothing to visit" not in notes["m1"]
    _assert_checker_passes(plan, department, policy_15_13_7, timetable)


def _away_all_week(department: Department, manager: str) -> Department:
    return department.model_copy(update={"leave": tuple(
        Leave(manager=manager, date=MONDAY + dt.timedelta(days=k)) for k in range(5))})


def test_visits_of_a_manager_on_leave_all_week_go_to_a_neighbour_with_room(policy_15_13_7):
    """m2 on leave Monday to Friday has no visit block: his due visits go to m1, whose
    territory centre is 1.5 km from his (the re-plan's neighbour rule), key customer
    first, where m1's day has room, none of m1's own visits dropped; what finds no room
    is listed as handed to m1 with no room left, and the route checker accepts the
    hand-over (was: all of m2's visits left out, "no visit block")."""
    mine = [_retailer("R1", 1)]
    his = [_retailer("A1", 2.5, manager="m2").model_copy(update={"retailer_class": "A"}),
           _retailer("C1", 2.5, 0.2, manager="m2").model_copy(update={"retailer_class": "C"})]
    department = _away_all_week(_department(mine + his, policy_15_13_7, managers=("m1", "m2")), "m2")
    # m1's Tuesday block leaves room for one more visit after his own R1, not for two.
    timetable = _timetable([_block("visit", 1, "09:00", "09:45")], policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    assert set(_visit_order(plan, 1)) == {"R1", "A1"}
    [left] = plan.unvisited
    assert left.retailer == "C1" and left.manager == "m2"
    assert "handed to m1" in left.detail and "no room" in left.detail
    assert plan.due_visits == 3
    _assert_checker_passes(plan, department, policy_15_13_7, timetable)
    # Were m2 at work, m1's visit to A1 would be another manager's visit.
    present = department.model_copy(update={"leave": ()})
    assert any("A1 belongs to m2" in m for m in check_routes(plan, present, policy_15_13_7, timetable).messages())


def test_a_handed_over_key_customer_takes_the_place_of_the_neighbours_least_class_visit(policy_15_13_7):
    """m2 away all week: his class-A customer A1, handed to m1, takes the place of m1's own
    class-C visit C1 in a block with room for one of them, and C1 says whose key customer
    it made way for (was: A1 left out, "no room left", while m1 made his class-C visit)."""
    mine = [_retailer("C1", 1).model_copy(update={"retailer_class": "C"})]
    his = [_retailer("A1", 2.5, manager="m2").model_copy(update={"retailer_class": "A"})]
    department = _away_all_week(_department(mine + his, policy_15_13_7, managers=("m1", "m2")), "m2")
    timetable = _timetable([_block("visit", 1, "09:00", "09:30")], policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    assert _visit_order(plan, 1) == ["A1"]
    [left] = plan.unvisited
    assert left.retailer == "C1" and left.manager == "m1"
    assert "made way on Tue for m2's key customer A1" in left.detail
    _assert_checker_passes(plan, department, policy_15_13_7, timetable)


def test_visits_a_manager_away_most_of_the_week_cannot_make_go_to_a_neighbour(policy_15_13_7):
    """m2 on leave Monday to Thursday, at work on Friday (20 % of the week, below the share
    the policy pairs a manager by) with a visit block that holds one of his two visits: the
    other goes to m1, his neighbour, key customer first, and says why; the route checker
    accepts it (tester's d16b: m08 on leave Mon–Thu and Friday from 10:30 had six weekly
    class-A customers left out with no hand-over while his neighbours had room)."""
    mine = [_retailer("R1", 1)]
    his = [_retailer("A1", 2.5, manager="m2").model_copy(update={"retailer_class": "A"}),
           _retailer("C1", 2.5, 0.3, manager="m2").model_copy(update={"retailer_class": "C"})]
    department = _department(mine + his, policy_15_13_7, managers=("m1", "m2")).model_copy(update={"leave": tuple(
        Leave(manager="m2", date=MONDAY + dt.timedelta(days=k)) for k in range(4))})
    # m2's Friday block holds one visit; m1's Tuesday block has room for his own and one more.
    timetable = _timetable([_block("visit", 1, "09:00", "10:30"), _block("visit", 4, "09:00", "09:30", "m2")],
                           policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    made = {(r.manager, stop.retailer) for r in plan.routes for stop in r.stops if stop.kind == "visit"}
    assert {("m1", "R1")} < made and len(made) == 3, made
    handed = {retailer for manager, retailer in made if manager == "m1"} - {"R1"}
    assert handed and handed <= {"A1", "C1"}
    assert plan.unvisited == ()
    _assert_checker_passes(plan, department, policy_15_13_7, timetable)
    # Were m2 away only Monday and Tuesday, m1's visit to m2's retailer would be a fault.
    two_days = department.model_copy(update={"leave": department.leave[:2]})
    taken = handed.pop()
    assert any(f"{taken} belongs to m2" in m for m in check_routes(plan, two_days, policy_15_13_7, timetable).messages())


def test_a_retailer_an_applied_proposal_hands_over_for_the_week_is_visited_by_the_neighbour(policy_15_13_7):
    """The capacity proposal applied to the folder records m2's B1 handed to m1 for this week
    (`handed_over_week`, `handed_over_to`): a plan of that week has m1 visit it, m2 not, the
    visit still counted once among the week's due, and the route checker accepts it (the
    week's planner did not read the columns: a fresh plan of the folder listed it under m2);
    another week's columns change nothing."""
    mine = [_retailer("R1", 1)]
    his = _retailer("B1", 2.5, manager="m2")
    handed = his.model_copy(update={"extra": {"handed_over_week": MONDAY.isoformat(), "handed_over_to": "m1"}})
    department = _department([*mine, handed, _retailer("B2", 2.6, manager="m2")], policy_15_13_7,
                             managers=("m1", "m2"))
    timetable = _timetable([_block("visit", 1, "09:00", "11:00"), _block("visit", 1, "09:00", "11:00", "m2")],
                           policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    made = {(r.manager, s.retailer) for r in plan.routes for s in r.stops if s.kind == "visit"}
    assert ("m1", "B1") in made and ("m2", "B1") not in made and ("m2", "B2") in made
    assert plan.due_visits == 3 and plan.unvisited == ()
    _assert_checker_passes(plan, department, policy_15_13_7, timetable)
    later = department.model_copy(update={"retailers": tuple(
        r.model_copy(update={"extra": {"handed_over_week": "2026-11-30", "handed_over_to": "m1"}}) if r.id == "B1"
        else r for r in department.retailers)})
    made = {(r.manager, s.retailer) for r in _plan(later, policy_15_13_7, timetable).routes for s in r.stops}
    assert ("m2", "B1") in made


def test_visits_of_a_manager_on_leave_all_week_without_a_neighbour_say_so(policy_15_13_7):
    """m2 on leave all week, his territory 20 km from m1's (no neighbour within the
    policy's 6 km): his visits are listed with that reason, and a visit of m1 to his
    retailer would be a fault of the route checker."""
    department = _away_all_week(_department([_retailer("R1", 1), _retailer("R2", 21, manager="m2")],
                                            policy_15_13_7, managers=("m1", "m2")), "m2")
    timetable = _timetable([_block("visit", 1, "08:30", "11:30")], policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    [left] = plan.unvisited
    assert left.retailer == "R2" and "m2 is on leave every working day" in left.detail
    _assert_checker_passes(plan, department, policy_15_13_7, timetable)


# ---------------------------------------------------------------------------
# Reasons for unvisited retailers


def test_unvisited_reasons_come_from_the_closed_vocabulary(policy_15_13_7):
    """A shop open only in the afternoon → opening_hours; one 60 km away → too_far;
    more shops than a 3-hour block holds → the rest no_room_in_day."""
    retailers = [_retailer("LATE", 1, opens="15:00", closes="22:00"),
                 _retailer("AWAY", 60, area="country")]
    retailers += [_retailer(f"C{k:02d}", 0.3 * (k % 5), 0.3 * (k // 5), service=15) for k in range(20)]
    department = _department(retailers, policy_15_13_7)
    timetable = _timetable([_block("visit", 0, "08:00", "11:00")], policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    reasons = {u.retailer: u.reason for u in plan.unvisited}
    assert reasons["LATE"] == "opening_hours"
    assert reasons["AWAY"] == "too_far"
    crowded = [r for r in reasons if r.startswith("C")]
    assert crowded and all(reasons[r] == "no_room_in_day" for r in crowded)
    assert plan.routes[0].visits + len(crowded) == 20
    _assert_checker_passes(plan, department, policy_15_13_7, timetable)


def test_twice_weekly_retailer_goes_on_two_different_days(policy_15_13_7):
    """visits_per_4_weeks = 8 means two visits this week, never on the same day."""
    retailers = [_retailer("TWICE", 1, visits=8), _retailer("ONCE", 1.5)]
    department = _department(retailers, policy_15_13_7)
    timetable = _timetable([_block("visit", d, "08:00", "11:00") for d in range(3)], policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    days = [r.date for r in plan.routes if "TWICE" in [s.retailer for s in r.stops]]
    assert len(days) == 2 and len(set(days)) == 2
    _assert_checker_passes(plan, department, policy_15_13_7, timetable)


# ---------------------------------------------------------------------------
# Fixed appointments and lunch


def test_route_ends_in_time_for_the_appointment_after_it(policy_15_13_7):
    """A POS household 4 km east right after the visit block: the visits finish
    close enough to reach it at its time, and it shows as a stop of its kind."""
    retailers = [_retailer(f"W{k}", -1 - 0.2 * k) for k in range(4)]
    retailers += [_retailer(f"E{k}", 3 + 0.2 * k) for k in range(4)]
    retailers.append(_retailer("POS", 4, visits=0))
    department = _department(retailers, policy_15_13_7)
    timetable = _timetable([_block("visit", 0, "08:00", "11:00"),
                            _block("pos_project", 0, "11:10", "12:10", retailer="POS")], policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    stops = plan.routes[0].stops
    appointment = next(s for s in stops if s.kind == "pos_project")
    assert appointment.retailer == "POS" and appointment.arrive <= appointment.start
    assert appointment.start == parse_clock("11:10")
    _assert_checker_passes(plan, department, policy_15_13_7, timetable)


def test_route_starts_at_the_appointment_before_it(policy_15_13_7):
    """After a promotion store session that ends right before the visit block, the
    route leaves from the store, not from the office."""
    retailers = [_retailer("STORE", 5, visits=0), _retailer("NEXT", 5.3)]
    department = _department(retailers, policy_15_13_7)
    timetable = _timetable([_block("promotion", 0, "08:00", "09:00", retailer="STORE"),
                            _block("visit", 0, "09:10", "12:10")], policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    route = plan.routes[0]
    assert route.start_from == "STORE"
    visit = next(s for s in route.stops if s.kind == "visit")
    assert visit.origin == "STORE" and visit.arrive <= policy_15_13_7.route.first_stop_by
    _assert_checker_passes(plan, department, policy_15_13_7, timetable)


def test_lunch_during_visit_is_reserved_inside_the_block(policy_seed_003):
    """Under seed-003 lunch is taken on the road: it lies in its window and the
    block, lasts its minutes and no visit overlaps it."""
    retailers = [_retailer(f"R{k}", 0.4 * (k % 6), 0.4 * (k // 6), service=10) for k in range(24)]
    department = _department(retailers, policy_seed_003)
    timetable = _timetable([_block("meeting", 0, "08:00", "08:20"), _block("visit", 0, "08:40", "14:10"),
                            _block("admin", 0, "15:00", "17:00")], policy_seed_003)
    plan = _plan(department, policy_seed_003, timetable)
    route = plan.routes[0]
    assert route.lunch_start is not None and route.lunch_end is not None
    assert route.lunch_end - route.lunch_start == policy_seed_003.lunch.minutes
    assert route.visits > 15
    _assert_checker_passes(plan, department, policy_seed_003, timetable)


# ---------------------------------------------------------------------------
# The seed-003 policy: minimum stops per day (SPEC §3)


def test_seed_003_shortfall_says_by_how_much_and_why(policy_seed_003):
    """Twelve shops due, two of them closing at 08:30 before the block starts: the
    day is 30 − 10 = 20 stops short, and the message names the floor, the
    shortfall, the thin due list and the two early closers with their time."""
    retailers = [_retailer(f"R{k:02d}", 0.3 * k) for k in range(10)]
    retailers += [_retailer("R0012", 1, opens="06:00", closes="08:30"),
                  _retailer("R0040", 2, opens="06:00", closes="08:30")]
    department = _department(retailers, policy_seed_003)
    timetable = _timetable([_block("visit", 0, "08:40", "14:10")], policy_seed_003)
    plan = _plan(department, policy_seed_003, timetable)
    assert len(plan.shortfalls) == 1
    shortfall = plan.shortfalls[0]
    assert (shortfall.required, shortfall.planned, shortfall.short) == (30, 10, 20)
    assert shortfall.message.startswith("30 stops required, 20 short: ")
    assert "R0012 and R0040 close at 08:30" in shortfall.message
    assert "only 12 visits are due" in shortfall.message
    _assert_checker_passes(plan, department, policy_seed_003, timetable)


def test_countryside_day_has_the_countryside_floor(policy_seed_003):
    """A day of mostly countryside stops is held to min_stops_country, not town."""
    retailers = [_retailer(f"K{k}", 8 + 0.5 * k, area="country") for k in range(6)]
    department = _department(retailers, policy_seed_003)
    timetable = _timetable([_block("visit", 0, "08:40", "14:10")], policy_seed_003)
    plan = _plan(department, policy_seed_003, timetable)
    assert plan.shortfalls[0].area == "country"
    assert plan.shortfalls[0].required == policy_seed_003.route.min_stops_country


# ---------------------------------------------------------------------------
# Property: random small territories pass the independent checker

opening = st.sampled_from([("07:00", "22:00"), ("08:00", "21:00"), ("09:00", "12:00"),
                           ("10:00", "22:00"), ("00:00", "24:00"), ("13:00", "20:00")])


@st.composite
def territories(draw):
    """5-40 retailers within ~8 km of the office, random hours, service and
    frequency; 1-5 visit days with random block starts, some with a POS household
    just before or after the visit block; one of the two policies."""
    use_seed_003 = draw(st.booleans())
    size = draw(st.integers(5, 40))
    retailers = []
    for k in range(size):
        opens, closes = draw(opening)
        retailers.append(_retailer(
            f"R{k:02d}", draw(st.floats(-6, 6)), draw(st.floats(-6, 6)), opens=opens, closes=closes,
            service=draw(st.sampled_from([8, 10, 12, 15])), visits=draw(st.sampled_from([1, 2, 4, 8])),
            area=draw(st.sampled_from(["town", "town", "country"]))))
    days = sorted(draw(st.sets(st.integers(0, 4), min_size=1, max_size=5)))
    blocks = []
    for day in days:
        if use_seed_003:
            blocks.append(_block("visit", day, "08:40", "14:10"))
        else:
            start = draw(st.sampled_from(["08:00", "08:40", "09:00", "09:20"]))
            end = parse_clock(start) + 180
            blocks.append(_block("visit", day, start, format_clock(end)))
            blocks.append(_block("phone", day, "14:30", "15:00"))
            appointment = draw(st.sampled_from([None, "before", "after"]))
            if appointment is not None:
                rid = f"P{day}"
                retailers.append(_retailer(rid, draw(st.floats(-6, 6)), draw(st.floats(-6, 6)), visits=0))
                at = (parse_clock(start) - 70, parse_clock(start) - 10) if appointment == "before" \
                    else (end + 10, end + 70)
                blocks.append(_block("pos_project", day, format_clock(at[0]), format_clock(at[1]),
                                     retailer=rid))
    return use_seed_003, retailers, blocks


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=territories())
def test_random_territories_pass_the_independent_checker(case, policy_15_13_7, policy_seed_003):
    """Whatever the territory, every route keeps the rules of SPEC §3 as the
    independent checker recomputes them, and every due visit is planned or listed."""
    use_seed_003, retailers, blocks = case
    policy = policy_seed_003 if use_seed_003 else policy_15_13_7
    department = _department(retailers, policy)
    timetable = _timetable(blocks, policy)
    plan = _plan(department, policy, timetable, time_limit_s=0.2)
    check = check_routes(plan, department, policy, timetable)
    assert not check.route_violations, check.messages()
    assert sum(r.visits for r in plan.routes) + len(plan.unvisited) == plan.due_visits


# ---------------------------------------------------------------------------
# The checker catches what it should


def _valid_case(policy: Policy):
    retailers = [_retailer("R1", 1), _retailer("R2", 2, opens="08:00", closes="12:00")]
    department = _department(retailers, policy)
    # A Tuesday: its first stop is the policy's 09:30 (Monday's, after the meeting, is later).
    timetable = _timetable([_block("visit", 1, "08:00", "11:00"), _block("phone", 1, "13:30", "14:00")],
                           policy)
    plan = _plan(department, policy, timetable).to_json_dict()
    return plan, department, timetable


def _stop(plan: dict, retailer: str) -> dict:
    return next(s for s in plan["routes"][0]["stops"] if s["retailer"] == retailer)


@pytest.mark.parametrize(
    ("rule", "mutate"),
    [
        ("opening_hours", lambda p: _stop(p, "R2").update(start="07:40", end="07:50", arrive="07:40")),
        ("service", lambda p: _stop(p, "R1").update(end=format_clock(parse_clock(_stop(p, "R1")["start"]) + 3))),
        ("first_stop", lambda p: p["routes"][0]["stops"][0].update(arrive="09:40", start="09:40", end="09:50")),
        ("visiting_ends", lambda p: _stop(p, "R2").update(start="14:55", end="15:05", arrive="14:55")),
        ("travel", lambda p: _stop(p, "R2").update(ride_min=1)),
        ("due", lambda p: p["routes"][0]["stops"].pop()),
        ("due", lambda p: p["unvisited"].append({"retailer": "R1", "manager": "m1", "reason": "tired"})),
    ],
)
def test_checker_catches_each_broken_rule(policy_15_13_7, rule, mutate):
    """A valid plan passes; the same plan with one rule broken is flagged under that rule."""
    plan, department, timetable = _valid_case(policy_15_13_7)
    assert check_routes(plan, department, policy_15_13_7, timetable).feasible
    mutate(plan)
    found = {v.rule for v in check_routes(plan, department, policy_15_13_7, timetable).violations}
    assert rule in found


def test_late_arrival_at_a_fixed_block_is_a_violation(policy_15_13_7):
    """A ride between two fixed appointments longer than the timetable's gap reaches the
    second after it starts: a late_for_appointment violation, so the plan is not feasible."""
    retailers = [_retailer("A", 1, visits=0), _retailer("B", -6, visits=0), _retailer("V", 0.5)]
    department = _department(retailers, policy_15_13_7)
    timetable = _timetable([_block("visit", 0, "08:00", "11:00"),
                            _block("pos_project", 0, "13:00", "14:00", retailer="A"),
                            _block("promotion", 0, "14:10", "15:40", retailer="B")], policy_15_13_7)
    plan = _plan(department, policy_15_13_7, timetable)
    check = check_routes(plan, department, policy_15_13_7, timetable)
    assert not check.route_violations
    assert [v.rule for v in check.late_arrivals] == ["late_for_appointment"]
    assert not check.feasible
    assert any("B (promotion)" in note for note in plan.routes[0].notes)


# ---------------------------------------------------------------------------
# The command


def test_routes_command_writes_the_json_contract(tmp_path: Path, policy_15_13_7):
    """`fieldweek routes DEPT --week --timetable --json` exits 0 and writes the
    contract: week_start, routes with HH:MM times and stops, unvisited."""
    retailers = [_retailer(f"R{k}", 0.5 * k) for k in range(1, 6)]
    department = _department(retailers, policy_15_13_7)
    folder = tmp_path / "dept"
    write_department(department, folder)
    timetable = _timetable([_block("visit", 0, "08:00", "11:00"), _block("visit", 1, "08:00", "11:00")],
                           policy_15_13_7)
    timetable_path = tmp_path / "plan.json"
    timetable_path.write_text(json.dumps(timetable.to_json_dict()), encoding="utf-8")
    app, bench = typer.Typer(), typer.Typer()
    app.add_typer(bench, name="bench")
    routes_command.register(app, bench)
    out = tmp_path / "routes.json"
    result = CliRunner().invoke(app, [
        "routes", str(folder), "--week", "2026-11-23", "--timetable", str(timetable_path),
        "--policy", "15-13-7", "--time-limit", "1", "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text("utf-8"))
    assert data["week_start"] == "2026-11-23"
    route = data["routes"][0]
    assert {"manager", "date", "depart", "return", "distance_km", "travel_minutes", "stops"} <= set(route)
    assert {"retailer", "kind", "arrive", "start", "end"} <= set(route["stops"][0])
    assert len(route["depart"]) == 5 and route["depart"][2] == ":"
    assert isinstance(data["unvisited"], list)
    assert sum(len(r["stops"]) for r in data["routes"]) == 5
