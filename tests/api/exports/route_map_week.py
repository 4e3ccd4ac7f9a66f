"""A hand-typed week of routes for the route map's tests: two managers, two days each,
a fixed appointment among the stops and due retailers left unvisited with reasons."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from engine.domain import Department
from tests.api.http.support import WEEK

CHENGDU_STREETS = Path(__file__).resolve().parents[3].parent / "shared" / "geo" / "chengdu.osm.bz2"
"""The Chengdu OpenStreetMap extract beside the project (read in place, never copied)."""


def week_of_routes(department: Department) -> dict[str, Any]:
    """Routes for m01 and m02 on Monday and Tuesday of WEEK: m01's Monday starts with a
    POS-project appointment; one retailer of each manager is unvisited (one of them on a day)."""
    routes = []
    for manager in ("m01", "m02"):
        territory = [r.id for r in department.retailers if r.manager == manager]
        for offset, picked in ((0, territory[:3]), (1, territory[2:5])):
            date = (WEEK + dt.timedelta(days=offset)).isoformat()
            stops = []
            for number, retailer in enumerate(picked):
                minute = 10 + 20 * number
                kind = "pos_project" if manager == "m01" and offset == 0 and number == 0 else "visit"
                stops.append({"retailer": retailer, "kind": kind, "arrive": f"09:{minute:02d}",
                              "start": f"09:{minute:02d}", "end": f"09:{minute + 8:02d}",
                              "from": "office" if number == 0 else picked[number - 1],
                              "ride_min": 10, "ride_km": 1.0})
            routes.append({"manager": manager, "date": date, "depart": "09:00", "return": "11:00",
                           "distance_km": 4.0, "travel_minutes": 20, "stops": stops,
                           "visits": sum(s["kind"] == "visit" for s in stops),
                           "visit_start": "09:00", "visit_end": "12:00", "start_from": "office",
                           "waiting_minutes": 0, "office_returns": [], "notes": []})
    return {
        "week_start": WEEK.isoformat(),
        "routes": routes,
        "unvisited": [
            {"retailer": "R0105", "manager": "m01", "reason": "opening_hours"},
            {"retailer": "R0205", "manager": "m02", "reason": "no_room_in_day",
             "date": (WEEK + dt.timedelta(days=1)).isoformat()},
        ],
    }
