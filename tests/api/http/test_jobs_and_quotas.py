"""Jobs and quotas of the HTTP API: each key's quotas answer 429 with Retry-After, one key
never holds every worker, a job can be cancelled, and a second service on the same
database refuses to start."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.lease import AnotherServiceRunning
from api.http.settings import Settings
from api.http.storage import Store
from engine.domain import Department
from engine.policy import load_policy
from tests.api.http.support import WEEK, department_body, hand_timetable, wait_for_result

EAST, WEST = "east-key-0123456789", "west-key-0123456789"


@dataclass
class Keyed:
    client: TestClient
    store: Store
    east: dict[str, str]
    west: dict[str, str]
    east_department: str
    west_department: str


@contextmanager
def keyed_service(tmp_path: Path, **limits: object) -> Iterator[Keyed]:
    """A service with two department keys, each owning a department with a solved week."""
    keys = tmp_path / "keys"
    keys.write_text(f"{EAST} = d-placeholder-east\n{WEST} = d-placeholder-west\n")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'quota.db'}", api_keys_file=keys,
        solver_threads=1, lease_heartbeat_s=0.2, lease_ttl_s=0.6, **limits,  # type: ignore[arg-type]
    )
    with TestClient(create_app(settings)) as client:
        east = {"Authorization": f"Bearer {EAST}"}
        west = {"Authorization": f"Bearer {WEST}"}
        ids = []
        for headers in (east, west):
            created = client.post("/v1/departments", json=department_body(), headers=headers)
            assert created.status_code == 201, created.text
            ids.append(created.json()["id"])
        yield Keyed(client, client.app.state.service.store, east, west, *ids)


def solved_week(store: Store, department_id: str) -> str:
    """A hand-typed solved timetable job of the department (no solver)."""
    job = store.add_job(department_id, WEEK, load_policy("15-13-7").model_dump(mode="json"), 1.0)
    store.start_job(job.id, "test")
    timetable = hand_timetable(Department.model_validate(department_body()))
    store.finish_job(job.id, "optimal", runner="test", timetable=timetable.to_json_dict())
    return job.id


def test_pending_jobs_per_key_answer_429_and_leave_other_keys_alone(tmp_path: Path) -> None:
    """With max_pending_jobs_per_key=1, east's second job is 429 with Retry-After; west's first
    is still accepted; cancelling east's job frees its quota."""
    with keyed_service(tmp_path, max_pending_jobs_per_key=1, default_time_limit_s=5) as service:
        week = {"week_start": WEEK.isoformat()}
        first = service.client.post(
            f"/v1/departments/{service.east_department}/timetables", json=week, headers=service.east
        )
        assert first.status_code == 202
        second = service.client.post(
            f"/v1/departments/{service.east_department}/timetables", json=week, headers=service.east
        )
        assert second.status_code == 429 and int(second.headers["Retry-After"]) > 0
        assert "DELETE /v1/jobs" in second.json()["detail"]
        west = service.client.post(
            f"/v1/departments/{service.west_department}/timetables", json=week, headers=service.west
        )
        assert west.status_code == 202
        cancelled = service.client.delete(f"/v1/jobs/{first.json()['id']}", headers=service.east)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        third = service.client.post(
            f"/v1/departments/{service.east_department}/timetables", json=week, headers=service.east
        )
        assert third.status_code == 202
        for job, headers in ((third, service.east), (west, service.west)):
            service.client.delete(f"/v1/jobs/{job.json()['id']}", headers=headers)


@pytest.mark.parametrize("kind", ["routes", "replan"])
def test_route_and_replan_requests_per_minute_answer_429(tmp_path: Path, kind: str) -> None:
    """With one route (re-plan) request per key and minute, the second is 429 with a
    Retry-After of at most a minute; the other key is not counted against."""
    with keyed_service(
        tmp_path, route_requests_per_minute=1, replan_requests_per_minute=1
    ) as service:
        def ask(department: str, headers: dict[str, str], service: Keyed = service):
            timetable = solved_week(service.store, department)
            if kind == "routes":
                return service.client.post(
                    f"/v1/departments/{department}/routes",
                    json={"week_start": WEEK.isoformat(), "timetable": timetable, "time_limit": 1},
                    headers=headers,
                )
            return service.client.post(
                f"/v1/timetables/{timetable}/replan",
                json={"now": f"{WEEK}T12:00", "time_limit": 1}, headers=headers,
            )

        first = ask(service.east_department, service.east)
        assert first.status_code == 202, first.text
        second = ask(service.east_department, service.east)
        assert second.status_code == 429 and 0 < int(second.headers["Retry-After"]) <= 60
        assert ask(service.west_department, service.west).status_code == 202
        job = wait_for_result(service.client, first, timeout_s=90, headers=service.east)
        assert job["kind"] == kind and job["status"] == "done" and job["result"], job


def test_one_key_never_holds_every_worker(tmp_path: Path) -> None:
    """Two workers, at most one running job per key: east's second job waits while its
    first runs, and west's job, sent after it, takes the free worker first."""
    with keyed_service(
        tmp_path, job_processes=2, max_running_jobs_per_key=1, max_time_limit_s=20
    ) as service:
        week = {"week_start": WEEK.isoformat(), "time_limit": 4}
        east = [
            service.client.post(
                f"/v1/departments/{service.east_department}/timetables", json=week,
                headers=service.east,
            ).json()["id"]
            for _ in range(2)
        ]
        west = service.client.post(
            f"/v1/departments/{service.west_department}/timetables", json=week,
            headers=service.west,
        ).json()["id"]
        deadline = time.monotonic() + 60
        while service.store.job(west).status == "queued":  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "west's job never started"
            time.sleep(0.1)
        assert service.store.job(east[1]).status == "queued"  # type: ignore[union-attr]
        for job_id in east:
            service.client.delete(f"/v1/jobs/{job_id}", headers=service.east)
        service.client.delete(f"/v1/jobs/{west}", headers=service.west)


def test_cancel_a_queued_and_a_running_job(tmp_path: Path) -> None:
    """DELETE ends a queued job `cancelled` before it runs and a running one at once (its
    late result is dropped); a finished job cannot be cancelled (409); another key's is 404."""
    with keyed_service(tmp_path, max_time_limit_s=20) as service:
        path = f"/v1/departments/{service.east_department}/timetables"
        week = {"week_start": WEEK.isoformat(), "time_limit": 3}
        running = service.client.post(path, json=week, headers=service.east).json()["id"]
        queued = service.client.post(path, json=week, headers=service.east).json()["id"]
        assert service.client.delete(f"/v1/jobs/{running}", headers=service.west).status_code == 404
        deadline = time.monotonic() + 60
        while service.store.job(running).status != "running":  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the job never started"
            time.sleep(0.1)
        for job_id in (queued, running):
            answer = service.client.delete(f"/v1/jobs/{job_id}", headers=service.east)
            assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
            assert answer.json()["reason"] == "cancelled by the caller"
        time.sleep(1)  # its worker is killed: nothing it wrote late may undo the cancel
        never_ran = service.client.get(f"/v1/jobs/{queued}", headers=service.east).json()
        assert never_ran["status"] == "cancelled" and never_ran["started_at"] is None
        stopped = service.client.get(f"/v1/jobs/{running}", headers=service.east).json()
        assert stopped["status"] == "cancelled" and stopped["result"] is None
        assert service.client.delete(f"/v1/jobs/{running}", headers=service.east).status_code == 409


def test_a_second_service_on_the_same_database_refuses_to_start(tmp_path: Path) -> None:
    """While a service beats its lease, another on the same database raises with a message
    naming it; after a clean stop a new one starts at once; a lease whose holder died
    (no heartbeat) is taken over after lease_ttl_s."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'one.db'}", lease_heartbeat_s=0.2, lease_ttl_s=1.0
    )
    with (
        TestClient(create_app(settings)),
        pytest.raises(AnotherServiceRunning, match=r"another fieldweek service .* is running"),
    ):
        create_app(settings)
    started = time.monotonic()
    with TestClient(create_app(settings)):
        assert time.monotonic() - started < 1.0
    store = Store(settings.database_url)
    assert store.take_lease("a-service-killed-with-kill-9", "elsewhere", None)
    started = time.monotonic()
    with TestClient(create_app(settings)) as client:
        assert time.monotonic() - started >= settings.lease_ttl_s
        assert client.app.state.service.store.lease().holder != "a-service-killed-with-kill-9"
    store.close()
