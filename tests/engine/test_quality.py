"""The quality scorer (engine/quality.py): it names every hard rule a plan breaks —
each seeded violation, one at a time, comes back under exactly its own rule — and
its soft measures are recomputed from the plan and the policy alone."""

from __future__ import annotations

import copy
import datetime as dt
import math

import pytest

from benchmarks.departments import generate_department
from engine.baseline import baseline_routes, baseline_timetable
from engine.check.spec import great_circle_km
from engine.domain import Department, Leave, PairHistory
from engine.policy import Policy, load_policy, parse_clock
from engine.quality import (
    office_pieces,
    owed_minutes,
    score_plan,
    split_plan,
)

WEEK = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def department() -> Department:
    """A generated department of four managers (two pairs), no leave."""
    return generate_department(4, 0)


@pytest.fixture(scope="module")
def valid_plan(department: Department, policy_15_13_7: Policy) -> dict:
    """The hand-made week of that department, timetable and routes, as JSON data."""
    timetable = baseline_timetable(department, policy_15_13_7, WEEK)
    return {"timetable": timetable.to_json_dict(),
            "routes": baseline_routes(department, policy_15_13_7, timetable)}


def _blocks(plan: dict, manager: str, kind: str) -> list[dict]:
    return [b for b in plan["timetable"]["blocks"] if b["manager"] == manager and b["kind"] == kind]


def _remove(plan: dict, block: dict) -> None:
    plan["timetable"]["blocks"].remove(block)


def _minutes(clock: str) -> int:
    return parse_clock(clock)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# -- one mutation per hard rule of the timetable -----------------------------------------


def overlap_lunch_with_visit(plan: dict, department: Department) -> Department:
    # A day whose lunch can be shifted onto the last 10 minutes of the block before it
    # (the visit, or whatever precedes lunch) and still lie in the lunch window: then
    # only the overlap is wrong.
    window = load_policy("15-13-7").lunch
    for lunch in _blocks(plan, "m01", "lunch"):
        day = sorted((b for b in plan["timetable"]["blocks"]
                      if b["manager"] == "m01" and b["date"] == lunch["date"] and b["kind"] != "lunch"),
                     key=lambda b: _minutes(b["start"]))
        before = [b for b in day if _minutes(b["end"]) <= _minutes(lunch["start"])]
        if not before:
            continue
        shift = _minutes(lunch["start"]) - _minutes(before[-1]["end"]) + 10
        start, end = _minutes(lunch["start"]) - shift, _minutes(lunch["end"]) - shift
        if start >= window.earliest and end <= window.latest_end:
            lunch["start"], lunch["end"] = _clock(start), _clock(end)
            return department
    raise AssertionError("no lunch of m01 can overlap the block before it inside its window")


def drop_lunch(plan: dict, department: Department) -> Department:
    _remove(plan, _blocks(plan, "m01", "lunch")[1])
    return department


def drop_visit(plan: dict, department: Department) -> Department:
    _remove(plan, _blocks(plan, "m01", "visit")[2])
    return department


def leave_during_visit(plan: dict, department: Department) -> Department:
    visit = _blocks(plan, "m01", "visit")[1]
    start = _minutes(visit["start"])
    leave = Leave(manager="m01", date=visit["date"], start=start, end=start + 30)
    return department.model_copy(update={"leave": (*department.leave, leave)})


def admin_on_saturday(plan: dict, department: Department) -> Department:
    admin = _blocks(plan, "m01", "admin")[0]
    admin["date"] = (WEEK + dt.timedelta(days=5)).isoformat()
    return department


def drop_admin(plan: dict, department: Department) -> Department:
    _remove(plan, _blocks(plan, "m01", "admin")[-1])
    return department


def drop_phone(plan: dict, department: Department) -> Department:
    _remove(plan, _blocks(plan, "m01", "phone")[0])
    return department


def skip_meeting(plan: dict, department: Department) -> Department:
    _remove(plan, _blocks(plan, "m01", "meeting")[0])
    return department


def skip_site_study(plan: dict, department: Department) -> Department:
    _remove(plan, _blocks(plan, "m01", "site_study")[0])
    return department


def shorten_maintenance(plan: dict, department: Department) -> Department:
    first = _blocks(plan, "m01", "maintenance")[0]
    for block in plan["timetable"]["blocks"]:
        if block["kind"] == "maintenance" and block["date"] == first["date"] and block["start"] == first["start"]:
            block["end"] = _clock(_minutes(block["end"]) - 10)
    return department


def promote_at_ordinary_shop(plan: dict, department: Department) -> Department:
    first = _blocks(plan, "m01", "promotion")[0]
    shop = next(r for r in department.territory("m01") if not r.promo_store and not r.pos_target)
    for block in plan["timetable"]["blocks"]:
        if block["kind"] == "promotion" and block["date"] == first["date"] and block["start"] == first["start"]:
            block["retailer"] = shop.id
    return department


def same_household_twice(plan: dict, department: Department) -> Department:
    sessions = _blocks(plan, "m01", "pos_project")
    sessions[1]["retailer"] = sessions[0]["retailer"]
    return department


def switch_maintenance_partner(plan: dict, department: Department) -> Department:
    for block in _blocks(plan, "m01", "maintenance"):
        block["with"] = ["m03"]
    return department


def unknown_household(plan: dict, department: Department) -> Department:
    _blocks(plan, "m01", "pos_project")[0]["retailer"] = "R99999"
    return department


TIMETABLE_MUTATIONS = [
    (overlap_lunch_with_visit, "no_overlap"),
    (drop_lunch, "lunch"),
    (drop_visit, "visit_daily"),
    (leave_during_visit, "leave"),
    (admin_on_saturday, "working_hours"),
    (drop_admin, "admin_time"),
    (drop_phone, "phone_afternoons"),
    (skip_meeting, "meetings_together"),
    (skip_site_study, "site_study_together"),
    (shorten_maintenance, "maintenance_pairs"),
    (promote_at_ordinary_shop, "promotion_pairs"),
    (same_household_twice, "pos_project_households"),
    (switch_maintenance_partner, "pairing"),
    (unknown_household, "unknown_reference"),
]


def test_the_hand_made_week_is_valid(valid_plan, department, policy_15_13_7):
    """The plan every mutation starts from breaks no timetable rule."""
    report = score_plan({"timetable": valid_plan["timetable"]}, department, policy_15_13_7)
    assert report.violations == []


@pytest.mark.parametrize(("mutate", "rule"), TIMETABLE_MUTATIONS, ids=[r for _, r in TIMETABLE_MUTATIONS])
def test_each_seeded_timetable_violation_is_named(mutate, rule, valid_plan, department, policy_15_13_7):
    """Breaking one rule of a valid week is reported under that rule and no other,
    with the manager it concerns."""
    plan = {"timetable": copy.deepcopy(valid_plan["timetable"])}
    changed = mutate(plan, department)
    report = score_plan(plan, changed, policy_15_13_7)
    assert {v.rule for v in report.violations} == {rule}
    assert all(v.source == "timetable" for v in report.violations)
    assert any(v.manager == "m01" for v in report.violations) or rule in (
        "maintenance_pairs", "meetings_together", "site_study_together", "pairing")


# -- route rules: the scorer hands routes to the independent route checker -------------------


def _route_with_visits(plan: dict) -> dict:
    return next(r for r in plan["routes"]["routes"] if any(s["kind"] == "visit" for s in r["stops"]))


def cut_service_short(plan, department, policy):
    stop = next(s for s in _route_with_visits(plan)["stops"] if s["kind"] == "visit")
    stop["end"] = _clock(_minutes(stop["start"]) + 1)
    return department, policy


def misstate_distance(plan, department, policy):
    _route_with_visits(plan)["distance_km"] += 5.0
    return department, policy


def list_a_visited_retailer_as_unvisited(plan, department, policy):
    route = _route_with_visits(plan)
    stop = next(s for s in route["stops"] if s["kind"] == "visit")
    plan["routes"]["unvisited"].append(
        {"retailer": stop["retailer"], "manager": route["manager"], "reason": "no_room_in_day"})
    return department, policy


def open_later_than_the_visit(plan, department, policy):
    stop = next(s for s in _route_with_visits(plan)["stops"] if s["kind"] == "visit")
    retailers = tuple(
        r.model_copy(update={"opens": _minutes(stop["start"]) + 1}) if r.id == stop["retailer"] else r
        for r in department.retailers
    )
    return department.model_copy(update={"retailers": retailers}), policy


def first_stop_rule_earlier(plan, department, policy):
    first = min(_minutes(r["stops"][0]["arrive"]) for r in plan["routes"]["routes"]
                if r["stops"] and r["stops"][0]["kind"] == "visit")
    route = policy.route.model_copy(update={"first_stop_by": first - 1, "late_first_stop_when_far": False})
    return department, policy.model_copy(update={"route": route})


ROUTE_MUTATIONS = [
    (cut_service_short, "service"),
    (misstate_distance, "travel"),
    (list_a_visited_retailer_as_unvisited, "due"),
    (open_later_than_the_visit, "opening_hours"),
    (first_stop_rule_earlier, "first_stop"),
]


@pytest.mark.parametrize(("mutate", "rule"), ROUTE_MUTATIONS, ids=[r for _, r in ROUTE_MUTATIONS])
def test_each_seeded_route_violation_is_named(mutate, rule, valid_plan, department, policy_15_13_7):
    """Breaking one route rule adds violations of that rule only to what the valid
    plan already had (rides the timetable itself leaves too little time for)."""
    before = score_plan(valid_plan, department, policy_15_13_7)
    assert {v.rule for v in before.violations} <= {"late_for_appointment"}
    plan = copy.deepcopy(valid_plan)
    changed, policy = mutate(plan, department, policy_15_13_7)
    report = score_plan(plan, changed, policy)
    new = {v.rule for v in report.violations} - {"late_for_appointment"}
    # An earlier first-stop time also leaves the timetable's visit blocks too late to
    # reach it: the timetable checker names that as well.
    assert new == ({rule, "ride_between_places"} if rule == "first_stop" else {rule})
    assert all(v.source == "routes" for v in report.violations if v.rule == rule)


# -- the soft measures ----------------------------------------------------------------------------


def test_office_pieces_join_back_to_back_blocks():
    """Office blocks that touch make one piece; a gap starts a new one."""
    assert office_pieces([(480, 520), (520, 560), (600, 630)]) == 2
    assert office_pieces([]) == 0
    assert office_pieces([(600, 630), (480, 520)]) == 2


def _hand_typed_day(policy: Policy) -> dict:
    """One manager's Monday typed by hand: a visit, lunch, then phone and office work back to back."""
    blocks = [
        {"manager": "m01", "date": WEEK.isoformat(), "kind": "visit", "start": "08:00", "end": "11:00"},
        {"manager": "m01", "date": WEEK.isoformat(), "kind": "lunch", "start": "11:30", "end": "12:30"},
        {"manager": "m01", "date": WEEK.isoformat(), "kind": "phone", "start": "13:30", "end": "14:00"},
        {"manager": "m01", "date": WEEK.isoformat(), "kind": "admin", "start": "14:00", "end": "17:20"},
    ]
    return {"department": "x", "policy": policy.name, "week_start": WEEK.isoformat(),
            "status": "feasible", "managers": [{"id": "m01", "name": "a"}], "blocks": blocks}


def test_day_measures_from_a_hand_typed_day(department, policy_15_13_7):
    """Idle minutes are gaps not needed for riding; late finish is past the policy's normal end;
    back-to-back office blocks are one piece."""
    report = score_plan(_hand_typed_day(policy_15_13_7), department, policy_15_13_7, check=False)
    monday = next(d for d in report.days if d.manager == "m01" and d.date == WEEK.isoformat())
    assert monday.office_pieces == 1
    assert monday.idle_minutes == 30 + 60  # visit → lunch, lunch → phone; lunch needs no ride
    assert monday.late_minutes == parse_clock("17:20") - policy_15_13_7.day.normal_end
    assert monday.work_minutes == 180 + 30 + 200
    slots = math.ceil(monday.late_minutes / policy_15_13_7.grid_minutes)
    assert report.objective_terms["late_finish"] == slots * policy_15_13_7.objective.late_finish_per_10min


def test_pairs_count_seniority_history_and_distance(valid_plan, department, policy_15_13_7):
    """Pairs by list order: m03 (senior) with m04 (newcomer) is a coaching pair; a partner
    from last week is repeated; the distance is between territory centres."""
    last_week = PairHistory(week_start=WEEK - dt.timedelta(weeks=1), manager="m02", partner="m01",
                            kind="maintenance")
    with_history = department.model_copy(update={"history": (last_week,)})
    report = score_plan(valid_plan, with_history, policy_15_13_7, check=False)
    pairs = {p.members: p for p in report.pairs}
    assert set(pairs) == {("m01", "m02"), ("m03", "m04")}
    assert pairs[("m03", "m04")].senior_newcomer and not pairs[("m01", "m02")].senior_newcomer
    assert pairs[("m01", "m02")].repeated and not pairs[("m03", "m04")].repeated
    assert report.objective_terms["repeated_partner"] == policy_15_13_7.objective.repeated_partner
    assert pairs[("m01", "m02")].distance_km > 0


def test_hours_owed_are_prorated_for_leave(department, policy_15_13_7):
    """A whole day of leave drops that day's daily blocks and prorates single weekly quotas
    (fixed-length sessions in number), while paired work stays whole."""
    leave = Leave(manager="m01", date=WEEK + dt.timedelta(days=2))
    owed = owed_minutes(department.model_copy(update={"leave": (leave,)}), policy_15_13_7, WEEK)
    kinds = policy_15_13_7.kinds
    assert owed["m01"]["visit"] == kinds["visit"].per_day_minutes["mon"] * 4
    pos = kinds["pos_project"]
    assert owed["m01"]["pos_project"] == math.floor(pos.total_minutes / pos.session_minutes[0] * 0.8 + 0.5) * 60
    assert owed["m01"]["maintenance"] == kinds["maintenance"].total_minutes
    assert owed["m02"]["admin"] == kinds["admin"].total_minutes


def test_route_figures_are_recomputed_from_the_policy(department, policy_15_13_7):
    """A route typed by hand with one stop is ridden office → retailer → office at the
    policy's detour and speed; a stated distance far from it is reported as disagreeing."""
    retailer = department.territory("m01")[0]
    km = 2 * great_circle_km(department.office.lat, department.office.lon, retailer.lat, retailer.lon)
    km *= policy_15_13_7.travel.detour_factor
    route = {"manager": "m01", "date": WEEK.isoformat(), "depart": "08:00", "return": "09:00",
             "distance_km": round(km, 3), "travel_minutes": 0,
             "stops": [{"retailer": retailer.id, "kind": "visit", "arrive": "08:30", "start": "08:30",
                        "end": "08:45"}]}
    routes = {"week_start": WEEK.isoformat(), "routes": [route], "unvisited": []}
    measured = score_plan(routes, department, policy_15_13_7, check=False).routes[0]
    assert measured.recomputed_km == pytest.approx(km, abs=0.01)
    speed = (policy_15_13_7.travel.town_speed_kmh if retailer.area == "town"
             else policy_15_13_7.travel.country_speed_kmh)
    assert measured.recomputed_minutes == pytest.approx(km / speed * 60, abs=2)
    assert measured.waiting_minutes == 0
    route["distance_km"] = round(km * 1.5, 3)
    assert not score_plan(routes, department, policy_15_13_7, check=False).routes[0].agrees


def test_a_day_of_fixed_blocks_only_counts_in_no_stops_figure(department, policy_15_13_7):
    """A day whose visit block leave took (visit window empty) is ridden to its fixed
    blocks: its km count, its zero visits do not pull the stops per day down."""
    retailers = department.territory("m01")[:2]

    def route(date: str, visit_start: str, visit_end: str, stops: list) -> dict:
        return {"manager": "m01", "date": date, "depart": "08:00", "return": "12:00", "distance_km": 1.0,
                "travel_minutes": 5, "visit_start": visit_start, "visit_end": visit_end, "stops": stops}

    visits = [{"retailer": r.id, "kind": "visit", "arrive": "09:00", "start": "09:00", "end": "09:10"}
              for r in retailers]
    fixed = [{"retailer": retailers[0].id, "kind": "maintenance", "arrive": "12:30", "start": "12:30",
              "end": "14:30"}]
    routes = {"week_start": WEEK.isoformat(), "unvisited": [], "routes": [
        route(WEEK.isoformat(), "08:00", "11:00", visits),
        route((WEEK + dt.timedelta(days=1)).isoformat(), "12:30", "12:30", fixed)]}
    summary = score_plan(routes, department, policy_15_13_7, check=False).summary()
    assert summary["stops_per_day"] == 2.0 and summary["stops_min"] == 2
    assert summary["days_below_stops"] == 0
    # A policy asking 30 stops a day (seed 003): the visit day below it is counted, the day
    # of fixed blocks is not (the score said nothing of such days).
    asking = policy_15_13_7.model_copy(update={"route": policy_15_13_7.route.model_copy(
        update={"min_stops_town": 30, "min_stops_country": 25})})
    assert score_plan(routes, department, asking, check=False).summary()["days_below_stops"] == 1


def test_a_plan_is_read_in_every_documented_shape(valid_plan):
    """A timetable alone, routes alone, or both (nested, or routes inside a timetable)."""
    timetable, routes = valid_plan["timetable"], valid_plan["routes"]
    assert split_plan(timetable) == (timetable, None)
    assert split_plan(routes)[0] is None and split_plan(routes)[1]["routes"] == routes["routes"]
    both = split_plan(valid_plan)
    assert both[0] == timetable and both[1] == routes
    inside = split_plan({**timetable, "routes": routes})
    assert inside[0]["blocks"] == timetable["blocks"] and inside[1] == routes


def test_pair_distance_is_rounded_once(department, valid_plan, policy_15_13_7):
    """The objective charges whole km of the unrounded distance (12.504 km costs 13 km),
    as the model does — not the 12.50 km shown in the report, rounded again to 12."""
    km_per_degree = math.pi * 6371.0088 / 180
    base = department.territory("m01")[0]
    moved = []
    for retailer in department.retailers:
        if retailer.manager == "m01":
            moved.append(retailer.model_copy(update={"lat": base.lat, "lon": base.lon}))
        elif retailer.manager == "m02":
            moved.append(retailer.model_copy(update={"lat": base.lat + 12.504 / km_per_degree,
                                                     "lon": base.lon}))
        else:
            moved.append(retailer)
    placed = department.model_copy(update={"retailers": tuple(moved)})
    report = score_plan({"timetable": valid_plan["timetable"]}, placed, policy_15_13_7, check=False)
    pair = next(p for p in report.pairs if p.members == ("m01", "m02"))
    assert pair.distance_km == pytest.approx(12.50) and pair.charged_km == 13


def test_department_slots_are_owed_only_by_those_not_on_leave(valid_plan, department, policy_15_13_7):
    """A manager on leave during the site study does not owe its hour; the others still do."""
    plan = {"timetable": copy.deepcopy(valid_plan["timetable"])}
    study = _blocks(plan, "m01", "site_study")[0]
    _remove(plan, study)
    away = department.model_copy(update={"leave": (Leave(manager="m01", date=study["date"]),)})
    hours = {(h.manager, h.kind): h for h in score_plan(plan, away, policy_15_13_7, check=False).hours}
    assert hours[("m01", "site_study")].owed == 0 and hours[("m01", "site_study")].planned == 0
    assert hours[("m02", "site_study")].owed == policy_15_13_7.kinds["site_study"].total_minutes


def test_waiting_leaves_out_the_lunch_between_arrival_and_start(department, policy_15_13_7):
    """A manager who reaches a 13:30 appointment at 10:47 and lunches 12:30-13:30 on the
    road waits 103 min, not 163 (tester's r8: 1,500 of 4,936 waiting minutes were lunch);
    the minutes before the lunch still count."""
    retailer = department.territory("m01")[0]
    route = {"manager": "m01", "date": WEEK.isoformat(), "depart": "10:30", "return": "15:30",
             "lunch_start": "12:30", "lunch_end": "13:30", "distance_km": 1.0, "travel_minutes": 10,
             "stops": [{"retailer": retailer.id, "kind": "maintenance", "arrive": "10:47", "start": "13:30",
                        "end": "15:00"}]}
    routes = {"week_start": WEEK.isoformat(), "routes": [route], "unvisited": []}
    assert score_plan(routes, department, policy_15_13_7, check=False).routes[0].waiting_minutes == 103
    del route["lunch_start"], route["lunch_end"]
    assert score_plan(routes, department, policy_15_13_7, check=False).routes[0].waiting_minutes == 163
