"""After a re-plan the week's map (/v1/routes/map.html) still showed the first routes,
byte for byte (a sick manager's day among them), and the desk's map of the re-plan job,
/v1/desk/map/{id}, answered 404: a re-plan's routes live in its job's result, never
among the stored route plans the map read. No solver runs: the plan, its routes and the
re-plan's result are typed by hand into the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.settings import Settings
from engine.domain import Department
from engine.replan.result import ReplanResult, ReplanRoute, ReplanStop, UnplacedVisit
from tests.api.http.support import (
    WEEK,
    hand_routes,
    hand_timetable,
    store_department_and_week,
    store_solved_job,
)
from tests.api.http.test_replan_calendar import NOW, replan_job


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder: Path = tmp_path_factory.mktemp("map_after_replan")
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 'm.db'}"))) as client:
        client.app.state.service.jobs.submit = lambda _job_id: None  # type: ignore[attr-defined]
        yield client


def _store(client: TestClient) -> Any:
    return client.app.state.service.store  # type: ignore[attr-defined]


def _replanned(department: Department, *, with_routes: bool = True) -> dict[str, Any]:
    """m01's Monday re-planned at noon: the two visits made stay (pinned), the plan's
    third and fourth (R0102, R0103) give way to R0105; R0103 rolls into next week."""
    plan = hand_timetable(department)
    stops = (ReplanStop(retailer="R0100", arrive=550, start=550, end=560, pinned=True),
             ReplanStop(retailer="R0101", arrive=575, start=575, end=585, pinned=True),
             ReplanStop(retailer="R0105", arrive=780, start=780, end=790))
    result = ReplanResult(
        week_start=WEEK, now=NOW, status="optimal", timetable=plan,
        routes=(ReplanRoute(manager="m01", date=WEEK, stops=stops),) if with_routes else None,
        unplaced=(UnplacedVisit(retailer="R0103", manager="m01", reason="manager_absent"),),
    )
    return {**result.to_json_dict(), "check": None}


def _week(client: TestClient, *, with_routes: bool = True) -> tuple[str, str, str, str]:
    """A department whose week has a route plan, the map before any re-plan, and the id
    of the re-plan then finished: (department id, plan job id, map before, re-plan id)."""
    store = _store(client)
    department, department_id, plan_id = store_department_and_week(store)
    store.add_route_plan(department_id, plan_id, WEEK, None, None, hand_routes(department))
    before = client.get("/v1/routes/map.html", params={"department": department_id, "week_start": str(WEEK),
                                                       "lang": "en"})
    assert before.status_code == 200, before.text
    replan = replan_job(store, plan_id, "done", result=_replanned(department, with_routes=with_routes))
    return department_id, plan_id, before.text, replan


def _map(client: TestClient, department_id: str) -> str:
    answer = client.get("/v1/routes/map.html", params={"department": department_id, "week_start": str(WEEK),
                                                       "lang": "en"})
    assert answer.status_code == 200, answer.text
    return answer.text


def test_the_week_map_shows_the_replanned_routes_and_says_so(client: TestClient) -> None:
    department_id, _, before, replan = _week(client)
    assert 'class="stop" data-retailer="R0103"' in before and 'data-retailer="R0105" data-order' not in before
    after = _map(client, department_id)
    assert after != before
    assert 'class="stop" data-retailer="R0105" data-order="3"' in after
    assert 'class="stop" data-retailer="R0103"' not in after
    assert "re-planned from 2026-11-23 12:00" in after and replan in after
    assert f'href="/v1/desk/map/{replan}?lang=en"' in after
    assert "the manager is away" in after  # the re-plan's reason for R0103, in words
    assert "None" not in after


def test_the_desk_map_of_a_replan_job_draws_its_routes(client: TestClient) -> None:
    _, plan_id, _, replan = _week(client)
    answer = client.get(f"/v1/desk/map/{replan}", params={"lang": "en"})
    assert answer.status_code == 200, answer.text
    assert 'class="stop" data-retailer="R0105" data-order="3"' in answer.text
    assert "re-planned from" in answer.text
    assert client.get(f"/v1/desk/routes/{replan}.json").json()["routes"][0]["stops"][2]["retailer"] == "R0105"
    # the plan's own desk map is unchanged: its stored routes
    assert 'class="stop" data-retailer="R0103"' in client.get(f"/v1/desk/map/{plan_id}").text


def test_a_replan_without_routes_is_named_above_the_routes_it_did_not_change(client: TestClient) -> None:
    department_id, _, _, replan = _week(client, with_routes=False)
    after = _map(client, department_id)
    assert 'class="stop" data-retailer="R0103"' in after and replan in after
    assert "without its routes" in after
    assert client.get(f"/v1/desk/map/{replan}").status_code == 409


def test_a_week_solved_and_routed_after_the_replan_shows_its_new_routes(client: TestClient) -> None:
    """A timetable solved after the re-plan is a new plan of the week: its routes win."""
    department_id, _, _, replan = _week(client)
    store = _store(client)
    department = Department.model_validate(store.department(department_id).department)
    routes = hand_routes(department)
    routes["routes"][0]["stops"] = routes["routes"][0]["stops"][:1]
    store_solved_job(store, department_id, department, "test", routes)
    after = _map(client, department_id)
    assert replan not in after and 'class="stop" data-retailer="R0101"' not in after
