"""The phone's stop cards showed only the arrival (an outside tester): a maintenance session
of 13:50-15:50 read "09:56" and "service (min) 10", a re-planned visit read "08:26" at a
shop opening at 09:00 where the visit starts at 09:00; the start was only in a hidden
data-start attribute. A card now shows when the work there starts and ends, the arrival
as a smaller line when it differs, and the stop's own length in minutes. No solver runs:
the week and its routes are typed by hand into the store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.http.support import WEEK, idle_service, store_department_and_week


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from idle_service(tmp_path_factory, "phone_stop_times")


def _stop(retailer: str, kind: str, arrive: str, start: str, end: str) -> dict[str, str]:
    return {"retailer": retailer, "kind": kind, "arrive": arrive, "start": start, "end": end}


def _cards(page: str) -> dict[str, str]:
    """Each stop card's visible text (tags and attributes dropped), by retailer."""
    found = re.findall(r'<li class="stop-card" data-retailer="([^"]+)"(.*?)</li>', page, flags=re.DOTALL)
    return {retailer: " ".join(unescape(re.sub(r"<[^>]*>", " ", body.split(">", 1)[1])).split())
            for retailer, body in found}


def test_a_card_shows_its_start_and_end_and_its_own_length(client: TestClient) -> None:
    store = client.app.state.service.store  # type: ignore[attr-defined]
    department, department_id, job_id = store_department_and_week(store)
    manager = department.managers[0].id
    waited, on_time, session = [r.id for r in department.retailers if r.manager == manager][:3]
    routes: dict[str, Any] = {"week_start": WEEK.isoformat(), "routes": [{
        "manager": manager, "date": WEEK.isoformat(), "depart": "08:10", "return": "16:20",
        "distance_km": 5.0, "travel_minutes": 30,
        "stops": [_stop(waited, "visit", "08:26", "09:00", "09:10"),
                  _stop(on_time, "visit", "09:25", "09:25", "09:35"),
                  _stop(session, "maintenance", "09:56", "13:50", "15:50")],
    }], "unvisited": []}
    store.add_route_plan(department_id, job_id, WEEK, None, None, routes)
    day = f"/v1/desk/my/{department_id}/{manager}/{WEEK}"

    cards = _cards(client.get(day, params={"lang": "en"}).text)
    assert "09:00–09:10" in cards[waited] and "arrive 08:26" in cards[waited]
    assert "09:25–09:35" in cards[on_time] and "arrive" not in cards[on_time]  # the same as the start
    assert "13:50–15:50" in cards[session] and "arrive 09:56" in cards[session]
    assert "Minutes 120" in cards[session] and "Minutes 10" in cards[waited]  # the stop's own length
    assert "Minutes 10" not in cards[session]

    chinese = _cards(client.get(day).text)
    assert "13:50–15:50" in chinese[session] and "到达 09:56" in chinese[session]
    assert "时长(分钟) 120" in chinese[session]
