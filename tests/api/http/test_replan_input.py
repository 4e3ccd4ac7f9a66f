"""POST /v1/timetables/{id}/replan refuses bad input with 422 naming the event and field
before a job is queued (it used to answer 202 and the job then failed): an unknown
manager or retailer, `now` far from the week, a route plan with a misspelt key.
No solver runs: the week is typed by hand and queued jobs are never started."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.settings import Settings
from tests.api.http.support import WEEK, store_department_and_week

WEDNESDAY_NOON = f"{(WEEK + dt.timedelta(days=2)).isoformat()}T12:00"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    """A client and the id of a hand-typed solved week; jobs are queued, never run."""
    folder: Path = tmp_path_factory.mktemp("replan_input")
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 'r.db'}"))) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        service.jobs.submit = lambda _job_id: None  # a wrongly accepted request must not solve
        _, _, job_id = store_department_and_week(service.store)
        yield client, job_id


def replan(service: tuple[TestClient, str], **body: Any) -> Any:
    client, job_id = service
    return client.post(f"/v1/timetables/{job_id}/replan",
                       json={"now": WEDNESDAY_NOON, "events": [], **body})


@pytest.mark.parametrize(("event", "field"), [
    ({"type": "manager_sick", "manager": "m99", "from": WEDNESDAY_NOON}, "manager"),
    ({"type": "retailer_closed", "retailer": "R9999"}, "retailer"),
    ({"type": "urgent_visit", "retailer": "R0101", "manager": "nobody"}, "manager"),
])
def test_an_event_naming_someone_the_department_lacks_is_422(
    service: tuple[TestClient, str], event: dict[str, Any], field: str
) -> None:
    fine = {"type": "retailer_closed", "retailer": "R0101"}
    response = replan(service, events=[fine, event])
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "events", 1, field]
    assert "in the department" in problem["message"]


@pytest.mark.parametrize("now", ["0001-01-01T08:00", "9999-12-31T08:00", "2027-11-24T12:00"])
def test_now_far_from_the_week_is_422_saying_which_moments_are_allowed(
    service: tuple[TestClient, str], now: str
) -> None:
    response = replan(service, now=now)
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "now"] and WEEK.isoformat() in problem["message"]


def test_a_route_plan_with_a_key_it_does_not_have_is_422(service: tuple[TestClient, str]) -> None:
    response = replan(service, routes={"foo": 1})
    assert response.status_code == 422, response.text
    assert {tuple(p["loc"]) for p in response.json()["detail"]} == {
        ("body", "routes", "foo"), ("body", "routes", "routes")}


def test_a_good_request_near_the_week_is_still_queued(service: tuple[TestClient, str]) -> None:
    before_the_week = f"{(WEEK - dt.timedelta(days=2)).isoformat()}T18:00"
    response = replan(service, now=before_the_week,
                      events=[{"type": "manager_sick", "manager": "m01", "from": WEDNESDAY_NOON}],
                      routes={"routes": [], "unvisited": []})
    assert response.status_code == 202, response.text


@pytest.mark.parametrize(("week_start", "days", "located"), [
    ("2026-11-30", 7, {("body", "routes", "week_start"), ("body", "routes", "routes", 0, "date")}),
    ("2026-11-30", 0, {("body", "routes", "week_start")}),
    (WEEK.isoformat(), 7, {("body", "routes", "routes", 0, "date")}),
])
def test_routes_of_another_week_are_422_naming_week_start_or_the_date(
    service: tuple[TestClient, str], week_start: str, days: int, located: set[tuple[str | int, ...]]
) -> None:
    """They were queued, and the re-plan carried their visits as unplaced on days of
    another week."""
    date = (WEEK + dt.timedelta(days=days)).isoformat()
    routes = {"week_start": week_start, "unvisited": [],
              "routes": [{"manager": "m01", "date": date, "stops": []}]}
    response = replan(service, routes=routes)
    assert response.status_code == 422, response.text
    assert {tuple(p["loc"]) for p in response.json()["detail"]} == located


def test_an_urgent_visit_without_routes_is_422_saying_it_needs_them(service: tuple[TestClient, str]) -> None:
    """Without routes nothing places it: it was accepted and silently not made."""
    urgent = {"type": "urgent_visit", "retailer": "R0101"}
    response = replan(service, events=[urgent])
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "events", 0, "type"] and "routes" in problem["message"]
    assert replan(service, events=[urgent], routes={"routes": [], "unvisited": []}).status_code == 202
