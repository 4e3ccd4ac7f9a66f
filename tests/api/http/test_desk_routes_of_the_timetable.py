"""The desk's map and routes download served another timetable's routes (an outside
tester: the week's newest plan solved and not routed, an older one routed; both answered
200 with the older one's routes). They now take the rule of the desk's week and the phone
page (`job_routes`): only a route plan made from the timetable asked for, else 409. No
solver runs: the weeks and routes are typed by hand into the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.settings import Settings
from tests.api.http.support import WEEK, hand_routes, store_department_and_week, store_solved_job


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}"))) as client:
        yield client


def test_map_and_routes_json_answer_409_for_an_unrouted_newer_timetable(client: TestClient) -> None:
    store = client.app.state.service.store  # type: ignore[attr-defined]
    department, department_id, older = store_department_and_week(store)
    routes = hand_routes(department)
    store.add_route_plan(department_id, older, WEEK, None, None, routes)
    newer = store_solved_job(store, department_id, department, "test")  # solved again, not routed

    assert client.get(f"/v1/desk/routes/{older}.json").json() == routes
    assert client.get(f"/v1/desk/map/{older}", params={"lang": "en"}).status_code == 200
    for url in (f"/v1/desk/routes/{newer}.json", f"/v1/desk/map/{newer}"):
        answer = client.get(url)
        assert answer.status_code == 409, (url, answer.status_code)
        assert newer in answer.json()["detail"]

    store.add_route_plan(department_id, newer, WEEK, None, None, routes)  # routed from the newer
    assert client.get(f"/v1/desk/routes/{newer}.json").status_code == 200
