"""The route map's reason for a left-out shop was cruder than the routes JSON's: an outside
tester's R01030 read "the days it fits on are full" on routes.html while routes.json said
whose customer it made way for. The map now shows the JSON's detail beside the words (the
marker's tooltip, the day's left-out list, the unvisited table). And a one-stop day read
"1 stops" in the week grid."""

from __future__ import annotations

from html import escape
from typing import Any

from api.exports.route_map import route_map_page
from api.exports.street_basemap import StreetBasemap
from engine.domain import Department
from engine.policy import Policy
from tests.api.exports.route_map_week import week_of_routes

NO_STREETS = StreetBasemap(source="none", lines=())
MADE_WAY = "made way on Tue for m01's customer R0101 (class B, a more valuable visit)"


def _routes(department: Department) -> dict[str, Any]:
    routes = week_of_routes(department)
    routes["unvisited"][1]["detail"] = MADE_WAY  # R0205, m02's, left out on Tuesday
    return routes


def test_the_left_out_shop_shows_the_plan_s_detail(department: Department, policy: Policy) -> None:
    page = route_map_page(_routes(department), department, policy, lang="en", streets=NO_STREETS)
    said = escape(f"the days it fits on are full: {MADE_WAY}")
    assert page.count(said) == 3  # the marker's tooltip, m02's Tuesday list, the unvisited table
    assert "the days it fits on are full<" not in page


def test_chinese_joins_the_detail_with_the_chinese_colon(department: Department, policy: Policy) -> None:
    page = route_map_page(_routes(department), department, policy, lang="zh", streets=NO_STREETS)
    assert "当天已排满：made way on Tue" in page


def test_a_one_stop_day_says_stop(department: Department, policy: Policy) -> None:
    routes = week_of_routes(department)
    monday = routes["routes"][0]
    monday["stops"] = monday["stops"][:1]
    page = route_map_page(routes, department, policy, lang="en", streets=NO_STREETS)
    assert "1 stop<" in page and "1 stops" not in page


def test_a_shop_called_in_the_phone_slot_is_said_so(department: Department, policy: Policy) -> None:
    """A capacity proposal's call in the phone slot (`called_by_phone`) read as its raw code."""
    routes = week_of_routes(department)
    routes["unvisited"][1].update(reason="called_by_phone", detail="")
    assert "called in the phone slot instead" in route_map_page(routes, department, policy, lang="en",
                                                                streets=NO_STREETS)
    assert "改在电话时段电话拜访" in route_map_page(routes, department, policy, lang="zh", streets=NO_STREETS)
