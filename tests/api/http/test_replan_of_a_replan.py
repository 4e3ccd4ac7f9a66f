"""A second event in a week re-plans the re-planned week: POST /v1/timetables/{re-plan}/replan
answered 404 "no timetable job" although the job exists. It is queued from the re-plan's
week (the worker reads it by `job_timetable`, as routes and actuals do); a re-plan without
a week is 409 saying so, a routes job 404. No solver runs: queued jobs are never started."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.settings import Settings
from api.http.workers import _solved_timetable
from engine.domain import Timetable
from tests.api.http.support import WEEK, store_department_and_week
from tests.api.http.test_replan_calendar import replan_job, replan_result

SICK = {"type": "manager_sick", "manager": "m02",
        "from": dt.datetime.combine(WEEK + dt.timedelta(days=1), dt.time(10)).isoformat()}
NOW = dt.datetime.combine(WEEK + dt.timedelta(days=1), dt.time(10)).isoformat()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Any, str, str]]:
    folder: Path = tmp_path_factory.mktemp("replan_of_a_replan")
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 'r.db'}"))) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        service.jobs.submit = lambda _job_id: None  # nothing is solved here
        store = service.store
        department, _department_id, plan_id = store_department_and_week(store)
        yield client, store, plan_id, replan_job(store, plan_id, "done", result=replan_result(department))


def test_a_replan_is_re_planned_from_its_week(service: tuple[TestClient, Any, str, str]) -> None:
    client, store, _plan_id, replan_id = service
    response = client.post(f"/v1/timetables/{replan_id}/replan", json={"now": NOW, "events": [SICK]})
    assert response.status_code == 202, response.text
    second = store.job(response.json()["id"])
    assert second.request["timetable_id"] == replan_id
    source, week = _solved_timetable(store, second)
    assert source.id == replan_id
    assert week == Timetable.model_validate(store.job(replan_id).result["timetable"])


def test_a_replan_without_a_week_is_409_and_a_routes_job_404(service: tuple[TestClient, Any, str, str]) -> None:
    client, store, plan_id, _replan_id = service
    running = replan_job(store, plan_id, "running")
    response = client.post(f"/v1/timetables/{running}/replan", json={"now": NOW, "events": [SICK]})
    assert response.status_code == 409 and "still being re-planned" in response.json()["detail"]
    routes = store.add_job(store.job(plan_id).department_id, WEEK, store.job(plan_id).policy, 1.0,
                           kind="routes", request={"timetable_id": plan_id})
    response = client.post(f"/v1/timetables/{routes.id}/replan", json={"now": NOW, "events": [SICK]})
    assert response.status_code == 404
