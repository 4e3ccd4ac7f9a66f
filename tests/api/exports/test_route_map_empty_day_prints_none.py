"""A manager-day route with no stop (its visit block emptied, say by the leave) has a
null `return` and a note saying why the day is empty. The map printed the Python `None`
('返回 None') above an empty table and showed the note nowhere."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from api.exports.route_map import MAP_WORDS, route_map_page
from api.exports.street_basemap import StreetBasemap
from api.exports.week import Lang
from engine.domain import Department
from engine.policy import Policy
from tests.api.exports.route_map_week import week_of_routes
from tests.api.http.support import WEEK

NO_STREETS = StreetBasemap(source="none", lines=())
LOST = "180 min of the visit block lost to the leave: no visit fits the rest of the day"
THURSDAY = WEEK + dt.timedelta(days=3)


def _with_empty_day(department: Department) -> dict[str, Any]:
    routes = week_of_routes(department)
    routes["routes"].append({
        "manager": "m01", "date": THURSDAY.isoformat(), "depart": "08:50", "return": None,
        "distance_km": 0.0, "travel_minutes": 0, "stops": [], "visits": 0,
        "visit_start": "08:50", "visit_end": "12:00", "start_from": "office",
        "waiting_minutes": 0, "office_returns": [], "notes": [LOST],
    })
    return routes


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("one_day", [True, False])
def test_an_empty_day_says_there_is_no_ride_and_shows_its_note(
    department: Department, policy: Policy, lang: Lang, one_day: bool
) -> None:
    """The day's own view and the whole week's page: no 'None', the no-ride words, the note."""
    page = route_map_page(_with_empty_day(department), department, policy, lang=lang,
                          day=THURSDAY if one_day else None, manager="m01" if one_day else None,
                          streets=NO_STREETS)
    assert "None" not in page
    view = page[page.index(f'data-date="{THURSDAY}"'):]
    view = view[: view.index("</section>")]
    assert MAP_WORDS[lang]["no_ride"] in view
    assert LOST in view


def test_a_day_ending_in_the_field_says_it_has_no_return(department: Department, policy: Policy) -> None:
    """A route with stops but a null `return` (it ends at a field block) says so in words."""
    routes = week_of_routes(department)
    routes["routes"][0]["return"] = None
    page = route_map_page(routes, department, policy, lang="en", day=WEEK, manager="m01",
                          streets=NO_STREETS)
    assert "None" not in page
    assert MAP_WORDS["en"]["no_return"] in page and "Depart 09:00" in page
