"""The route map showed a stop at its arrival time (an outside tester's find: "4. 郭记烟酒店13
课题实践(POS扫码) 09:23" for a POS session at 12:50–13:50, the manager arriving at 09:23 and
waiting). A stop's label and tooltip now say its start–end, and the arrival, said as
such, only when it differs from the start; the Leaflet tooltips say the same."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from api.exports.route_map import route_map_page, stop_time
from engine.domain import Department
from engine.policy import Policy
from tests.api.exports.route_map_week import week_of_routes


@pytest.fixture(scope="module")
def routes(department: Department) -> dict[str, Any]:
    """The test week with m01's Monday POS appointment at 12:50–13:50, reached at 09:10."""
    week = copy.deepcopy(week_of_routes(department))
    appointment = week["routes"][0]["stops"][0]
    assert appointment["kind"] == "pos_project"
    appointment.update(arrive="09:10", start="12:50", end="13:50")
    return week


def _stops(page: str) -> dict[str, tuple[str, str]]:
    """(tooltip, text beside the mark) of each stop of m01's Monday, by retailer."""
    start = page.index('id="v0-2026-11-23"')
    view = page[start: page.index("</section>", start)]
    return {retailer: (title, text) for retailer, title, text in re.findall(
        r'<g class="stop" data-retailer="([^"]+)"[^>]*><title>([^<]*)</title>.*?<text class="time"[^>]*>([^<]*)</text></g>',
        view)}


@pytest.mark.parametrize(("lang", "arrives"), [("zh", "到达 09:10"), ("en", "arrives 09:10")])
def test_a_stop_shows_its_start_and_end_and_a_different_arrival_as_such(
    routes: dict[str, Any], department: Department, policy: Policy, lang: str, arrives: str
) -> None:
    stops = _stops(route_map_page(routes, department, policy, lang=lang))  # type: ignore[arg-type]
    appointment, visit, _ = routes["routes"][0]["stops"]
    title, text = stops[appointment["retailer"]]
    assert text == f"12:50–13:50 ({arrives})"
    assert title.endswith(f" 12:50–13:50 ({arrives})") and "09:10 " not in title
    title, text = stops[visit["retailer"]]  # arrives at its start: no arrival said
    assert text == f"{visit['start']}–{visit['end']}" and title.endswith(f" {visit['start']}–{visit['end']}")


def test_the_background_map_tooltips_say_the_same(routes: dict[str, Any], department: Department,
                                                  policy: Policy) -> None:
    page = route_map_page(routes, department, policy, lang="en", background_map=True)
    assert "12:50–13:50 (arrives 09:10)" in page


def test_stop_time_without_times_says_what_it_has() -> None:
    assert stop_time({"arrive": "09:00"}, "zh") == "09:00"
    assert stop_time({"arrive": "09:00", "start": "09:00", "end": "09:08"}, "en") == "09:00–09:08"
