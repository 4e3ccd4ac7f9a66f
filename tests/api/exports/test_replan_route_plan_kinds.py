"""A re-plan's routes now hold its fixed appointments as stops (engine/replan/handover.py):
the map's reading of them kept every stop a visit, drawing a promotion as a visit."""

from __future__ import annotations

from api.exports.route_map import replan_route_plan


def test_a_re_plans_appointment_stop_keeps_its_kind() -> None:
    result = {"routes": [{"manager": "m01", "date": "2026-12-01", "stops": [
        {"retailer": "R01001", "arrive": "09:00", "start": "09:00", "end": "09:10"},
        {"retailer": "R01022", "kind": "promotion", "arrive": "13:30", "start": "13:40", "end": "15:40"}]}],
        "unplaced": []}
    stops = replan_route_plan(result)["routes"][0]["stops"]
    assert [s["kind"] for s in stops] == ["visit", "promotion"]
