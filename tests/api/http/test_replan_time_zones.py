"""POST /v1/timetables/{id}/replan reads a moment with an offset (`Z`, `+05:00`) in the
service's time zone (Settings.timezone, Asia/Shanghai by default): `now` and a sickness's
`from` are turned into that zone's clock time before the re-planner reads them. The offset
used to be dropped, so 05:00Z was taken as 05:00 Beijing time (13:00 was meant) and a
manager's morning he had worked was cancelled. No solver runs: the queued job's stored
request is what the worker would re-plan."""

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

WEDNESDAY = (WEEK + dt.timedelta(days=2)).isoformat()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Any, str]]:
    """A client, its store and the id of a hand-typed solved week; jobs are queued, never run."""
    folder: Path = tmp_path_factory.mktemp("replan_time_zones")
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 'z.db'}"))) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        service.jobs.submit = lambda _job_id: None
        _, _, job_id = store_department_and_week(service.store)
        yield client, service.store, job_id


def queued_replan(service: tuple[TestClient, Any, str], now: str, sick_from: str) -> dict[str, Any]:
    """The re-plan request as stored for the worker."""
    client, store, job_id = service
    body = {"now": now, "events": [{"type": "manager_sick", "manager": "m01", "from": sick_from}]}
    response = client.post(f"/v1/timetables/{job_id}/replan", json=body)
    assert response.status_code == 202, response.text
    stored: dict[str, Any] = store.job(response.json()["id"]).request["replan"]
    return stored


@pytest.mark.parametrize(("now", "sick_from", "local_now", "local_from"), [
    (f"{WEDNESDAY}T05:00:00Z", f"{WEDNESDAY}T02:30:00Z", "13:00:00", "10:30:00"),
    (f"{WEDNESDAY}T10:00:00+05:00", f"{WEDNESDAY}T07:30:00+05:00", "13:00:00", "10:30:00"),
    (f"{WEDNESDAY}T13:00:00", f"{WEDNESDAY}T10:30:00", "13:00:00", "10:30:00"),  # clock times
])
def test_moments_with_an_offset_are_read_in_the_service_s_time_zone(
    service: tuple[TestClient, Any, str], now: str, sick_from: str, local_now: str, local_from: str,
) -> None:
    stored = queued_replan(service, now, sick_from)
    assert stored["now"] == f"{WEDNESDAY}T{local_now}"
    assert stored["events"][0]["from"] == f"{WEDNESDAY}T{local_from}"


def test_now_beyond_the_calendar_in_the_service_s_zone_is_422(
    service: tuple[TestClient, Any, str],
) -> None:
    client, _store, job_id = service
    response = client.post(f"/v1/timetables/{job_id}/replan",
                           json={"now": "9999-12-31T23:00:00-05:00", "events": []})
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "now"]
