"""A finished re-plan is a week like a solved timetable: POST /v1/actuals measures the
week against it (it answered 404 "no timetable job"), as `fieldweek feedback --plan` takes
a re-plan. POST /v1/departments/{id}/routes with `"timetable": <re-plan job>` is 409: the
re-plan carries its own routes, and routing its week anew would change the stops made
before its `now`. A re-plan still running, failed or without a re-planned week is 409
saying so. No solver runs: the plan and the
re-plan's result are typed by hand into the store and queued jobs are never started."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.settings import Settings
from engine.domain import Department
from engine.replan.result import ReplanRoute, ReplanStop
from tests.api.http.support import WEEK, department_body, store_department_and_week
from tests.api.http.test_replan_calendar import replan_job, replan_result


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Any, str, str]]:
    """A client, its store, its department's id and a finished re-plan's job id."""
    folder: Path = tmp_path_factory.mktemp("replan_as_plan")
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 'p.db'}"))) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        service.jobs.submit = lambda _job_id: None  # nothing is solved here
        store = service.store
        department, department_id, plan_id = store_department_and_week(store)
        replan = replan_job(store, plan_id, "done", result=replan_result(department))
        yield client, store, department_id, replan


def unfinished_replan(store: Any, replan_id: str, status: str | None, found: str | None) -> str:
    """Another re-plan of the same plan, left `status` (None: queued) or finding `found`."""
    plan_id = store.job(replan_id).request["timetable_id"]
    department = Department.model_validate(department_body())
    finished = {} if found is None else {"result": replan_result(department, status=found)}
    return replan_job(store, plan_id, status, **finished)


UNFINISHED = [
    (None, None, "still waiting to be re-planned"),
    ("running", None, "still being re-planned"),
    ("failed", None, "failed"),
    ("done", "infeasible", "found no re-planned week"),
]


def test_a_finished_replan_is_not_routed_again(service: tuple[TestClient, Any, str, str]) -> None:
    """Routing a re-plan planned its whole week anew, past stops included (m02's Monday
    visits changed, Wednesday's pinned ones were replaced), and stored that as the week's
    route plan: a re-plan carries its own routes, the stops before its `now` as made."""
    client, store, department_id, replan_id = service
    response = client.post(f"/v1/departments/{department_id}/routes",
                           json={"week_start": WEEK.isoformat(), "timetable": replan_id})
    assert response.status_code == 409, response.text
    assert "without the week's routes" in response.json()["detail"]
    assert not [job for job, _owner in store.queued_jobs() if store.job(job).job_kind == "routes"]
    department = Department.model_validate(department_body())
    stop = ReplanStop(retailer="R0101", arrive=540, start=540, end=550, pinned=True)
    routed = replan_result(department) | {"routes": [
        ReplanRoute(manager="m01", date=WEEK, stops=(stop,)).model_dump(mode="json")]}
    carrying = replan_job(store, store.job(replan_id).request["timetable_id"], "done", result=routed)
    response = client.post(f"/v1/departments/{department_id}/routes",
                           json={"week_start": WEEK.isoformat(), "timetable": carrying})
    assert response.status_code == 409, response.text
    assert f"GET /v1/jobs/{carrying}: `routes`" in response.json()["detail"]


@pytest.mark.parametrize(("status", "found", "says"), UNFINISHED)
def test_routes_of_a_replan_without_a_week_are_409(
    service: tuple[TestClient, Any, str, str], status: str | None, found: str | None, says: str,
) -> None:
    client, store, department_id, replan_id = service
    job_id = unfinished_replan(store, replan_id, status, found)
    response = client.post(f"/v1/departments/{department_id}/routes",
                           json={"week_start": WEEK.isoformat(), "timetable": job_id})
    assert response.status_code == 409, response.text
    assert says in response.json()["detail"]


def visit() -> dict[str, str]:
    return {"manager": "m01", "date": (WEEK + dt.timedelta(days=1)).isoformat(),
            "record": "visit", "retailer": "R0101", "status": "done"}


def test_actuals_against_a_finished_replan_give_the_week_s_sheet(
    service: tuple[TestClient, Any, str, str],
) -> None:
    client, _store, _department_id, replan_id = service
    response = client.post("/v1/actuals", json={"timetable": replan_id, "rows": [visit()]})
    assert response.status_code == 200, response.text
    assert response.json()["feedback"]["week_start"] == WEEK.isoformat()


@pytest.mark.parametrize(("status", "found", "says"), UNFINISHED)
def test_actuals_against_a_replan_without_a_week_are_409(
    service: tuple[TestClient, Any, str, str], status: str | None, found: str | None, says: str,
) -> None:
    client, store, _department_id, replan_id = service
    job_id = unfinished_replan(store, replan_id, status, found)
    response = client.post("/v1/actuals", json={"timetable": job_id, "rows": [visit()]})
    assert response.status_code == 409, response.text
    assert says in response.json()["detail"]
