"""A timetable job searched as `fieldweek timetable` searches (engine/budget.py
`timetable_limits`, `first_week_by`): the HTTP jobs never passed extend_to_s or
first_week_by_s, so on a loaded machine a job failed "no timetable found within 10 s"
where the command line found a week, and kept a week 360 min short, unproven, that the
command line's default (searched again up to 60 s) planned in full. The solve is
replaced here: only the parameters the worker builds are looked at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http import workers
from api.http.app import create_app
from api.http.settings import Settings
from engine.budget import EXTENDED_TIMETABLE_S, first_week_by, timetable_limits
from tests.api.http.support import WEEK, department_body


class _Captured(Exception):
    """Ends the replaced solve once its parameters are kept."""


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder: Path = tmp_path_factory.mktemp("job_limits")
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 'd.db'}"))) as client:
        client.app.state.service.jobs.dispatch = lambda: None  # type: ignore[attr-defined]
        yield client


def _solve_params(client: TestClient, monkeypatch: pytest.MonkeyPatch, body: dict[str, Any]) -> Any:
    """POST a week for the department and run its job in this process: the SolveParams
    the worker built for it."""
    store = client.app.state.service.store  # type: ignore[attr-defined]
    department = client.post("/v1/departments", json=department_body())
    assert department.status_code == 201, department.text
    accepted = client.post(f"/v1/departments/{department.json()['id']}/timetables",
                           json={"week_start": WEEK.isoformat(), **body})
    assert accepted.status_code == 202, accepted.text
    seen: list[Any] = []

    def solve(_department: Any, _policy: Any, _week: Any, params: Any, **_: Any) -> Any:
        seen.append(params)
        raise _Captured

    monkeypatch.setattr(workers, "solve_timetable", solve)
    workers.run_job(store.url, accepted.json()["id"], 1, 1.0)
    (params,) = seen
    return params


@pytest.mark.parametrize("time_limit", [None, 20.0, 90.0])
def test_a_job_searches_on_as_the_command_line_does(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, time_limit: float | None
) -> None:
    body = {} if time_limit is None else {"time_limit": time_limit}
    params = _solve_params(client, monkeypatch, body)
    limit, extend_to = timetable_limits(time_limit)  # the command line's
    assert (params.time_limit_s, params.extend_to_s, params.first_week_by_s) == (
        limit, extend_to, first_week_by(time_limit))
    if time_limit is None:  # the default is searched again for a short week, or none
        assert params.extend_to_s == EXTENDED_TIMETABLE_S and params.first_week_by_s is None
    elif time_limit < EXTENDED_TIMETABLE_S:  # a named short limit searches on for a first week
        assert params.extend_to_s is None and params.first_week_by_s == EXTENDED_TIMETABLE_S


def test_the_longer_search_never_passes_the_services_ceiling() -> None:
    """A service whose `max_time_limit_s` is under the command line's longer limit
    searches on up to its own ceiling, and from its own default."""
    from api.http.timetables import week_limits

    settings = Settings(database_url="sqlite://", default_time_limit_s=5, max_time_limit_s=30)
    assert week_limits(None, settings) == (5, {"extend_to_s": 30, "first_week_by_s": None})
    assert week_limits(20, settings) == (20, {"extend_to_s": None, "first_week_by_s": 30})
    assert week_limits(30, settings) == (30, {"extend_to_s": None, "first_week_by_s": None})


def test_the_job_says_how_long_it_may_search_on(client: TestClient) -> None:
    """A job with no limit ran 24-60 s while it showed `time_limit` 10 (tester's d553e): its
    status and the jobs view say how long it may search in all."""
    department = client.post("/v1/departments", json=department_body())
    for body, expected in (({}, EXTENDED_TIMETABLE_S), ({"time_limit": 90.0}, None)):
        accepted = client.post(f"/v1/departments/{department.json()['id']}/timetables",
                               json={"week_start": WEEK.isoformat(), **body})
        job = accepted.json()["id"]
        assert client.get(f"/v1/timetables/{job}").json()[
            "searches_on_to_s"] == expected
        assert client.get(f"/v1/jobs/{job}").json()["searches_on_to_s"] == expected
