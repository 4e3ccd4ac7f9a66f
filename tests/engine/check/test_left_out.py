"""The judges' reading of a due visit listed unvisited (engine/check/left_out.py, SPEC §3-4):
a violation when a visit day of its manager has room for it between the day's planned
stops, whatever reason the plan gives (tester: m01's seven B and C visits 0.1-1.3 km from
the office listed `too_far` beside visit blocks left almost empty, scored 0 violations)."""

from __future__ import annotations

import datetime as dt

from engine.check.left_out import left_out_with_room
from engine.domain import Department, GeoPoint, Manager, Retailer
from engine.quality import score_plan

MONDAY = dt.date(2026, 11, 23)
OFFICE = GeoPoint(lat=30.69, lon=104.08)


def _retailer(rid: str, retailer_class: str = "C", opens: int = 8 * 60, closes: int = 21 * 60,
              lat: float = 30.691) -> Retailer:
    return Retailer(id=rid, name=rid, lat=lat, lon=104.081, manager="m1", **{"class": retailer_class},
                    visits_per_4_weeks=4, area="town", opens=opens, closes=closes, service_min=10)


def _department(*retailers: Retailer) -> Department:
    return Department(name="d", office=OFFICE, policy="15-13-7", market_manager="boss",
                      managers=(Manager(id="m1", name="M", years=3),), retailers=retailers)


def _stop(rid: str, start: str, end: str) -> dict:
    return {"retailer": rid, "kind": "visit", "arrive": start, "start": start, "end": end,
            "from": "office", "ride_min": 1, "ride_km": 0.2}


def _plan(stops: list[dict], reason: str = "too_far", visit_end: str = "11:30") -> dict:
    """Monday's route (visit block 08:30 until `visit_end`) with `stops`; c2 listed unvisited."""
    route = {"manager": "m1", "date": MONDAY.isoformat(), "depart": "08:30", "return": "11:40",
             "distance_km": 0.4, "travel_minutes": 2, "stops": stops, "visits": len(stops),
             "visit_start": "08:30", "visit_end": visit_end, "start_from": "office"}
    return {"week_start": MONDAY.isoformat(), "scope": {"managers": [], "dates": []}, "routes": [route],
            "unvisited": [{"retailer": "c2", "manager": "m1", "reason": reason}]}


def test_a_visit_left_out_too_far_beside_a_near_empty_block_is_a_violation(policy_15_13_7):
    department = _department(_retailer("c1"), _retailer("c2"))
    (found,) = left_out_with_room(_plan([_stop("c1", "08:35", "08:45")]), department, policy_15_13_7)
    assert (found.manager, found.retailer, found.date) == ("m1", "c2", MONDAY)
    assert "too_far" in found.message and "Mon" in found.message and "between 08:45 and 11:30" in found.message


def test_the_score_reports_it_as_a_hard_rule(policy_15_13_7):
    department = _department(_retailer("c1"), _retailer("c2"))
    report = score_plan(_plan([_stop("c1", "08:35", "08:45")]), department, policy_15_13_7)
    assert [(v.rule, v.manager, v.date) for v in report.violations if v.rule == "left_out_with_room"] == [
        ("left_out_with_room", "m1", MONDAY.isoformat())]


def test_a_day_full_of_visits_has_no_room(policy_15_13_7):
    """Stops end to end 08:31-11:30 (the rides between them nil, the retailers in one
    place): no gap holds a 10-min visit."""
    retailers = [_retailer(f"c{n}") for n in range(3, 21)] + [_retailer("c2")]
    stops = [_stop(f"c{n + 3}", f"{(511 + 10 * n) // 60:02d}:{(511 + 10 * n) % 60:02d}",
                   f"{(521 + 10 * n) // 60:02d}:{(521 + 10 * n) % 60:02d}") for n in range(18)]
    assert stops[-1]["end"] == "11:31"
    assert left_out_with_room(_plan(stops, "no_room_in_day", "11:31"), _department(*retailers),
                              policy_15_13_7) == []


def test_a_gap_too_short_by_the_margin_is_not_judged_room(policy_15_13_7):
    """A 15-min gap holds the 10-min visit (the retailers in one place, no ride) with less
    than the policy's grid spare: the plan is not accused over rounding; a 40-min gap is room."""
    grid = policy_15_13_7.grid_minutes
    department = _department(_retailer("c1"), _retailer("c2"), _retailer("c3"))
    tight = _plan([_stop("c1", "08:35", "08:45"), _stop("c3", "09:00", "11:30")])
    assert grid > 15 - 10
    assert left_out_with_room(tight, department, policy_15_13_7) == []
    wide = _plan([_stop("c1", "08:35", "08:45"), _stop("c3", "09:25", "11:30")])
    assert [f.retailer for f in left_out_with_room(wide, department, policy_15_13_7)] == ["c2"]


def test_a_retailer_closed_in_the_gaps_is_not_owed_it(policy_15_13_7):
    closed = _retailer("c2", opens=18 * 60, closes=21 * 60)  # the visit block ends 11:30
    assert left_out_with_room(_plan([_stop("c1", "08:35", "08:45")], "opening_hours"),
                              _department(_retailer("c1"), closed), policy_15_13_7) == []


def test_an_empty_day_too_far_to_open_by_the_first_stop_time_has_no_room(policy_15_13_7):
    """Monday has no visit; c2 is some 90 min out, so as the day's first visit it cannot be
    reached by the first-stop time: not room, though its visit would end inside the block."""
    far = _retailer("c2", lat=OFFICE.lat + 0.124)
    plan = _plan([], "too_far", "14:00")
    assert left_out_with_room(plan, _department(_retailer("c1"), far), policy_15_13_7) == []
    near = _department(_retailer("c1"), _retailer("c2"))
    assert [f.retailer for f in left_out_with_room(plan, near, policy_15_13_7)] == ["c2"]


def test_reasons_other_judges_settle_and_single_days_are_not_judged(policy_15_13_7):
    department = _department(_retailer("c1"), _retailer("c2"))
    stops = [_stop("c1", "08:35", "08:45")]
    assert left_out_with_room(_plan(stops, "called_by_phone"), department, policy_15_13_7) == []
    one_day = {**_plan(stops), "scope": {"managers": [], "dates": [MONDAY.isoformat()]}}
    assert left_out_with_room(one_day, department, policy_15_13_7) == []


def test_the_route_checker_faults_it_too(policy_15_13_7):
    """`plan`, the re-plan and the property tests judge routes with check_routes: the rule
    is one of its rules, not the score's alone."""
    from engine.check.routes import check_routes

    department = _department(_retailer("c1"), _retailer("c2"))
    verdict = check_routes(_plan([_stop("c1", "08:35", "08:45")]), department, policy_15_13_7)
    assert [(v.rule, v.manager, v.retailer, v.date) for v in verdict.violations if v.rule == "left_out_with_room"] \
        == [("left_out_with_room", "m1", "c2", MONDAY)]
