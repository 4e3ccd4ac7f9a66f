"""/v1/routes/map.html kept showing the routes of a timetable the week had since replaced
(an outside tester: the week solved and routed, solved again and not routed; the map still
drew m01's Monday stops while the desk's week, the phone and the timetable said no routes
yet), naming no timetable. The map now takes the desk's rule: the routes of the week's
newest plan only, 409 until that plan is routed; `timetable=` shows a named job's routes,
and the page names the timetable its routes come from. No solver runs: the weeks and
routes are typed by hand into the store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from tests.api.http.support import (
    WEEK,
    hand_routes,
    idle_service,
    store_department_and_week,
    store_solved_job,
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from idle_service(tmp_path_factory, "map_of_the_plan_shown")


def _map(client: TestClient, department_id: str, **params: Any) -> Response:
    return client.get("/v1/routes/map.html",
                      params={"department": department_id, "week_start": str(WEEK), "lang": "en", **params})


def test_the_map_shows_no_routes_of_a_replaced_timetable(client: TestClient) -> None:
    store = client.app.state.service.store  # type: ignore[attr-defined]
    department, department_id, first = store_department_and_week(store)
    routes = hand_routes(department)
    store.add_route_plan(department_id, first, WEEK, None, None, routes)
    first_stop = f'class="stop" data-retailer="{routes["routes"][0]["stops"][0]["retailer"]}"'
    routed = _map(client, department_id)
    assert routed.status_code == 200, routed.text
    assert first_stop in routed.text

    second = store_solved_job(store, department_id, department, "test")  # solved again, not routed
    replaced = _map(client, department_id)
    assert replaced.status_code == 409, replaced.text[:300]
    assert f"no routes planned from timetable {second}" in replaced.json()["detail"]
    day = _map(client, department_id, day=str(WEEK), manager=routes["routes"][0]["manager"])
    assert day.status_code == 409  # a day's map too

    # Asked for by name, the first timetable's routes still show, that timetable named.
    named = _map(client, department_id, timetable=first)
    assert named.status_code == 200 and first_stop in named.text
    assert f"Routes planned from timetable {first}" in named.text and second not in named.text
    assert _map(client, department_id, timetable=second).status_code == 409
    assert _map(client, department_id, timetable="t-none").status_code == 404

    # Routed from the new timetable: its routes show, it named.
    store.add_route_plan(department_id, second, WEEK, None, None, routes)
    again = _map(client, department_id)
    assert again.status_code == 200 and first_stop in again.text
    assert f"Routes planned from timetable {second}" in again.text
