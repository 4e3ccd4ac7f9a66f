"""The service's error vocabulary: a bug answers 500 with an error id (its traceback
logged under it), a background job that crashes ends `failed` with that id or with the
input's problems, never as "allow more time"; and the service splits a time limit
exactly as the command line does."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app as cli_app
from api.http import workers as jobs_module  # the work done in the worker processes
from api.http.app import create_app
from api.http.department_input import department_from_document
from api.http.settings import Settings
from api.http.storage import Store
from engine.errors import InputError, ModelInvalid, Problem
from engine.load import write_department
from engine.policy import load_policy
from engine.timetable.solve import SolveParams
from tests.api.http.support import WEEK, department_body


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'api.db'}", solver_threads=2)


def test_a_bug_answers_500_with_an_error_id_logged_with_its_traceback(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected exception in a request is 500 with `error_id` in the body, and the same
    id is in the log next to the traceback."""
    service_app = create_app(settings)

    def crash(*_args, **_kwargs):
        raise RuntimeError("the store lost its mind")

    monkeypatch.setattr(service_app.state.service.store, "add_department", crash)
    with caplog.at_level(logging.ERROR, logger="fieldweek.api"), TestClient(service_app) as client:
        response = client.post("/v1/departments", json=department_body())
    assert response.status_code == 500
    error_id = response.json()["error_id"]
    assert error_id in response.json()["detail"] and "report" in response.json()["detail"]
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert "the store lost its mind" in str(logged[0].exc_info[1])


def test_bad_input_is_still_422_with_every_problem(settings: Settings) -> None:
    """The 500 net does not catch bad input: a department with two bad values is 422 listing both."""
    body = department_body()
    body["retailers"][0]["closes"] = "07:00"
    body["managers"][0]["years"] = -3
    with TestClient(create_app(settings)) as client:
        response = client.post("/v1/departments", json=body)
    assert response.status_code == 422
    assert len(response.json()["detail"]) >= 2


def _queued_job(settings: Settings, time_limit_s: float = 2.0) -> tuple[Store, str]:
    """A stored two-manager department and a queued job for its week."""
    store = Store(settings.database_url)
    store.create_tables()
    record = store.add_department(department_body(), None, None)
    policy = load_policy("15-13-7").model_dump(mode="json")
    return store, store.add_job(record.id, WEEK, policy, time_limit_s).id


def test_a_crashing_job_fails_with_an_error_id_not_unknown(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A solver that finds its model invalid ends the job `failed` with an internal error id
    (and the solver's reason), never "no timetable found … allow more time"."""
    store, job_id = _queued_job(settings)

    def invalid(*_args, **_kwargs):
        raise ModelInvalid("constraint #3 refers to variable 999")

    monkeypatch.setattr(jobs_module, "solve_timetable", invalid)
    assert jobs_module.solve_timetable_job(settings.database_url, job_id, 1, 1.0) == "failed"
    job = store.job(job_id)
    assert job is not None and job.status == "failed"
    assert job.reason.startswith("internal error ") and "variable 999" in job.reason
    assert "allow more time" not in job.reason and "no timetable found" not in job.reason


def test_a_job_with_bad_input_fails_listing_every_problem(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An InputError inside a job is the input's fault: every problem is in the reason, no error id."""
    store, job_id = _queued_job(settings)

    def bad_input(*_args, **_kwargs):
        raise InputError([Problem("first", file="retailers", row=3, column="closes"),
                          Problem("second", file="managers", row=2, column="years")])

    monkeypatch.setattr(jobs_module, "solve_timetable", bad_input)
    jobs_module.solve_timetable_job(settings.database_url, job_id, 1, 1.0)
    reason = store.job(job_id).reason
    assert "first" in reason and "second" in reason and "retailers" in reason
    assert "internal error" not in reason


def test_cli_and_service_split_the_same_limit_the_same_way(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`fieldweek timetable --time-limit 7` and a 7-second timetable job hand solve_timetable the
    same budget (limit and explanation time) with the service's default settings."""
    seen: list[SolveParams] = []

    def record(_department, _policy, _week, params, **_kwargs):
        seen.append(params)
        raise RuntimeError("stop here: only the parameters matter")

    monkeypatch.setattr("api.commands.timetable.solve_timetable", record)
    monkeypatch.setattr(jobs_module, "solve_timetable", record)

    write_department(department_from_document(department_body()), tmp_path / "dept")
    cli = CliRunner().invoke(cli_app, ["timetable", str(tmp_path / "dept"), "--week", WEEK.isoformat(),
                                       "--time-limit", "7", "--quiet"])
    assert cli.exit_code == 3  # the stop above is an unexpected exception: a "bug"

    _store, job_id = _queued_job(settings, time_limit_s=7.0)
    jobs_module.solve_timetable_job(settings.database_url, job_id, 1, settings.explain_time_limit_s)

    cli_params, service_params = seen
    assert cli_params.budget == service_params.budget
    assert cli_params.budget.limit_s == 7.0
