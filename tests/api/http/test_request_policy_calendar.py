"""A policy sent with a timetable request had its `calendar` ignored (outside tester D4,
F1): with calendar "US" the week of 2026-11-23 still got blocks on Thanksgiving (Thu
11-26), where `fieldweek timetable --policy us.toml` leaves it free, and calendar "XX"
(no such country) was planned as a normal week where the department loader refuses it.
The job's department now takes the public calendar of the job's policy, as the command
line's loader does, wherever a job's week is planned, routed or read; an unknown
calendar is refused with 422 naming policy.calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.workers import run_job
from engine.domain import Department
from engine.policy import load_policy
from tests.api.http.support import WEEK, department_body, hand_timetable, idle_service

THANKSGIVING = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from idle_service(tmp_path_factory, "request_policy_calendar")


def _policy(calendar: str) -> dict[str, Any]:
    return load_policy("15-13-7").model_dump(mode="json") | {"calendar": calendar}


def _department(client: TestClient) -> str:
    created = client.post("/v1/departments", json=department_body())
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def test_an_unknown_calendar_is_refused_naming_the_field(client: TestClient) -> None:
    answer = client.post(f"/v1/departments/{_department(client)}/timetables",
                         json={"week_start": str(WEEK), "policy": _policy("XX"), "time_limit": 2})
    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["detail"]
    assert problem["loc"] == ["body", "policy", "calendar"] and "XX" in problem["message"]


def test_the_week_is_solved_under_the_sent_policys_calendar(client: TestClient) -> None:
    answer = client.post(f"/v1/departments/{_department(client)}/timetables",
                         json={"week_start": str(WEEK), "policy": _policy("US"), "time_limit": 2})
    assert answer.status_code == 202, answer.text
    store = client.app.state.service.store  # type: ignore[attr-defined]
    run_job(store.url, answer.json()["id"], 1, 1.0)
    job = store.job(answer.json()["id"])
    assert job.timetable is not None, job.reason
    days = {block["date"] for block in job.timetable["blocks"]}
    assert days and str(THANKSGIVING) not in days


def test_a_routes_day_is_read_under_the_jobs_calendar(client: TestClient) -> None:
    """Thanksgiving is no working day of a week planned with the US calendar (it was taken)."""
    store = client.app.state.service.store  # type: ignore[attr-defined]
    department = Department.model_validate(department_body())
    department_id = store.add_department(department.model_dump(mode="json", by_alias=True), None, None).id
    job = store.add_job(department_id, WEEK, _policy("US"), 1.0)
    store.start_job(job.id, "test")
    store.finish_job(job.id, "optimal", runner="test", timetable=hand_timetable(department).to_json_dict())
    asked = client.post(f"/v1/departments/{department_id}/routes",
                        json={"week_start": str(WEEK), "day": str(THANKSGIVING)})
    assert asked.status_code == 422, asked.text
    assert "holiday" in asked.json()["detail"][0]["message"]
