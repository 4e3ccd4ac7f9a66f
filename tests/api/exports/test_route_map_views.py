"""The route map as a reader uses it (SPEC §1, §3): one manager-day at a time with
switchers, the department overview, stops in visiting order with arrival times, fixed
appointments marked, the unvisited greyed with their reason, and streets drawn from the
street network under the routes, all in one page that runs no script and loads nothing."""

from __future__ import annotations

import re

import pytest

from api.exports.route_map import MAP_WORDS, route_map_page
from api.exports.street_basemap import load_street_basemap
from engine.domain import Department
from engine.policy import Policy
from engine.routing.daily import UNVISITED_REASONS
from tests.api.exports.route_map_week import CHENGDU_STREETS, week_of_routes
from tests.api.http.support import WEEK


@pytest.fixture(scope="module")
def week_page(department: Department, policy: Policy) -> str:
    """The whole week's map over the Chengdu streets."""
    if not CHENGDU_STREETS.is_file():
        pytest.skip(f"the Chengdu extract is not at {CHENGDU_STREETS}")
    streets = load_street_basemap(str(CHENGDU_STREETS))
    return route_map_page(week_of_routes(department), department, policy, streets=streets)


def _section(page: str, view_id: str) -> str:
    start = page.index(f'id="{view_id}"')
    return page[start : page.index("</section>", start)]


def test_week_map_has_an_overview_and_one_view_per_manager_day(week_page: str) -> None:
    """The overview colours both territories and links every manager-day; each view has
    its own switchers to the other manager that day and to the other day."""
    overview = _section(week_page, "overview")
    assert overview.count('class="territory"') == 2 and overview.count("<polygon") == 2
    assert 'class="stop"' not in overview  # no route is drawn on the overview
    views = re.findall(r'<section class="view" id="(v\d-[0-9-]+)"', week_page)
    assert views == ["v0-2026-11-23", "v0-2026-11-24", "v1-2026-11-23", "v1-2026-11-24"]
    assert all(f'href="#{view}"' in overview for view in views)
    monday_m01 = _section(week_page, "v0-2026-11-23")
    assert 'href="#v1-2026-11-23"' in monday_m01 and 'href="#v0-2026-11-24"' in monday_m01
    assert re.search(r'<a href="#v0-2026-11-23" aria-current="true">', monday_m01)
    assert "<script" not in week_page


def test_a_view_numbers_its_stops_with_arrival_times_and_marks_appointments(
    week_page: str, department: Department
) -> None:
    """m01's Monday: three stops numbered 1-3 in visiting order with their start–end times; the
    POS appointment is a filled square, the visits are rings."""
    view = _section(week_page, "v0-2026-11-23")
    stops = re.findall(r'<g class="stop" data-retailer="([^"]+)" data-order="(\d)" data-kind="([^"]+)">(.*?)</g>', view)
    expected = week_of_routes(department)["routes"][0]["stops"]
    assert [(r, int(n), k) for r, n, k, _ in stops] == [
        (s["retailer"], i, s["kind"]) for i, s in enumerate(expected, start=1)
    ]
    assert [re.search(r'class="time"[^>]*>([^<]+)<', body).group(1) for *_, body in stops] == [
        f"{s['start']}–{s['end']}" for s in expected  # each arrives at its start: no arrival said
    ]
    assert "<rect" in stops[0][3] and "<circle" not in stops[0][3]
    assert all("<circle" in body for *_, body in stops[1:])


def test_unvisited_retailers_are_greyed_on_their_days_with_the_reason(week_page: str) -> None:
    """A retailer unvisited in the week shows on each of its manager's days, one unvisited
    on a day on that day only; the reason is in words."""
    assert 'class="unvisited" data-retailer="R0105"' in _section(week_page, "v0-2026-11-23")
    assert 'class="unvisited" data-retailer="R0105"' in _section(week_page, "v0-2026-11-24")
    assert "R0205" not in _section(week_page, "v1-2026-11-23")
    tuesday = _section(week_page, "v1-2026-11-24")
    assert 'class="unvisited" data-retailer="R0205"' in tuesday and "当天已排满" in tuesday


def test_streets_are_drawn_once_and_shown_under_every_drawing(week_page: str) -> None:
    """The street network is one group of paths (major and minor roads near the department)
    that every drawing uses; the page credits OpenStreetMap."""
    defined = re.search(r'<g id="streets">(.*?)</g></defs>', week_page, flags=re.DOTALL)
    assert defined is not None
    assert 'class="street street-major"' in defined.group(1)
    assert defined.group(1).count("M") > 200  # hundreds of street lines around the office
    assert week_page.count('<use href="#streets"/>') == 5  # the overview and four views
    assert "OpenStreetMap" in week_page


def test_one_route_page_draws_its_streets_inline(department: Department, policy: Policy) -> None:
    """Filtered to one manager-day, the page is that route alone, with the streets inside its drawing."""
    if not CHENGDU_STREETS.is_file():
        pytest.skip(f"the Chengdu extract is not at {CHENGDU_STREETS}")
    page = route_map_page(week_of_routes(department), department, policy, day=WEEK, manager="m02",
                          streets=load_street_basemap(str(CHENGDU_STREETS)))
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'class="street street-' in svg and "<use" not in svg
    assert [int(n) for n in re.findall(r'data-order="(\d+)"', svg)] == [1, 2, 3]
    assert 'id="overview"' not in page and 'class="view only"' in page


def test_every_reason_a_visit_is_left_out_has_the_map_s_words_in_both_languages() -> None:
    """A holiday week's `no_visit_days` showed as the raw code on the map."""
    for lang in ("zh", "en"):
        assert [r for r in UNVISITED_REASONS if r not in MAP_WORDS[lang]] == []
