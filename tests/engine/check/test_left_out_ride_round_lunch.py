"""The judges' room after a day's last visit when the ride on to the next place crosses the
timetable's lunch (engine/check/left_out.py, SPEC §3-4). The next place's time is read less
the lunch on the way (`_next_place`), as the routes ride round the lunch; the room check
then split the last gap at the lunch and took the lunch off a second time, so a visit with
room after the last stop was never room (tester's d630h, m08 on Tue: R08009 out after R08017
ends 11:21 with 69 min to the 12:30 the office is due by, the checker passing it)."""

from __future__ import annotations

import datetime as dt

from engine.check.left_out import left_out_with_room
from engine.domain import Block, Department, GeoPoint, Manager, Retailer, Timetable

MONDAY = dt.date(2026, 11, 23)
OFFICE = GeoPoint(lat=30.69, lon=104.08)
STORE_LAT = 30.756
"""The promotion store some 47 min north of the shops (straight line × detour at town speed)."""


def _retailer(rid: str, lat: float = 30.691) -> Retailer:
    return Retailer(id=rid, name=rid, lat=lat, lon=104.081, manager="m1", **{"class": "C"},
                    visits_per_4_weeks=4, area="town", opens=8 * 60, closes=21 * 60, service_min=10)


def _block(kind: str, start: str, end: str, retailer: str | None = None) -> Block:
    return Block.model_validate({"manager": "m1", "date": MONDAY, "kind": kind, "start": start, "end": end,
                                 "retailer": retailer, "with": ["m2"] if kind == "promotion" else []})


def _case(last_end: str) -> tuple[dict, Department, Timetable]:
    """Visit block 08:00-11:00 filled by c1 until `last_end`, lunch 11:30-12:30, a promotion at
    the store at 13:20; c2 (next to c1) listed unvisited."""
    department = Department(name="d", office=OFFICE, policy="15-13-7", market_manager="boss",
                            managers=(Manager(id="m1", name="M", years=3), Manager(id="m2", name="N", years=3)),
                            retailers=(_retailer("c1"), _retailer("c2"), _retailer("s", STORE_LAT)))
    timetable = Timetable(department="d", policy="15-13-7", week_start=MONDAY, status="feasible", blocks=(
        _block("visit", "08:00", "11:00"), _block("lunch", "11:30", "12:30"),
        _block("promotion", "13:20", "15:00", "s")))
    stops = [{"retailer": "c1", "kind": "visit", "arrive": "08:05", "start": "08:05", "end": last_end,
              "from": "office", "ride_min": 1, "ride_km": 0.2},
             {"retailer": "s", "kind": "promotion", "arrive": "12:30", "start": "13:20", "end": "15:00",
              "from": "c1", "ride_min": 47, "ride_km": 9.4}]
    route = {"manager": "m1", "date": MONDAY.isoformat(), "depart": "08:00", "return": "15:30",
             "distance_km": 10.0, "travel_minutes": 50, "stops": stops, "visits": 1, "visit_start": "08:00",
             "visit_end": "11:00", "start_from": "office", "lunch_start": "11:30", "lunch_end": "12:30"}
    plan = {"week_start": MONDAY.isoformat(), "scope": {"managers": [], "dates": []}, "routes": [route],
            "unvisited": [{"retailer": "c2", "manager": "m1", "reason": "no_room_in_day"}]}
    return plan, department, timetable


def test_room_after_the_last_visit_with_the_ride_on_round_the_lunch_is_room(policy_15_13_7):
    """c1 ends 10:30: c2 10:30-10:40 with the grid's spare to 10:50, before 11:00; the ride on
    of some 47 min ends by 11:40, long before the store's 13:20 less the hour's lunch (12:20).
    Before, the lunch was taken off twice (10:40 + 60 + 47 + 10 = 12:37 > 12:20): no room."""
    plan, department, timetable = _case("10:30")
    (found,) = left_out_with_room(plan, department, policy_15_13_7, timetable)
    assert (found.retailer, found.date) == ("c2", MONDAY)
    assert "between 10:30 and 11:00" in found.message


def test_no_room_when_the_block_has_none_left(policy_15_13_7):
    """c1 ends 10:45: c2 would end 10:55, within the grid's spare of 11:00: not judged room."""
    plan, department, timetable = _case("10:45")
    assert left_out_with_room(plan, department, policy_15_13_7, timetable) == []
