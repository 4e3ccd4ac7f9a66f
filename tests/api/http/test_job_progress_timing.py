"""A week's job timing as the service shows it (an outside tester): `progress.seconds`
was the solver's count of its last phase (3.98 s on a job of 120 s) and stayed null for
90 s before the first week; a job that found no week searched on to its cap of 20 s
failed "no timetable found within 21 s". Progress now counts from the job's start, with
a heartbeat before the first week, and the failure names the cap. The solve is replaced
here: no solver runs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http import workers
from api.http.app import create_app
from api.http.settings import Settings
from engine.domain import Conflict, Timetable
from engine.timetable.solve import Progress, TimetableResult
from tests.api.http.support import WEEK, department_body

CAP_S = 20.0


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", max_time_limit_s=CAP_S)
    with TestClient(create_app(settings)) as client:
        client.app.state.service.jobs.dispatch = lambda: None  # type: ignore[attr-defined]
        yield client


def test_progress_counts_from_the_job_s_start_and_beats_before_the_first_week(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    store = client.app.state.service.store  # type: ignore[attr-defined]
    department = client.post("/v1/departments", json=department_body()).json()["id"]
    job_id = client.post(f"/v1/departments/{department}/timetables",
                         json={"week_start": WEEK.isoformat()}).json()["id"]  # no limit named
    seen: dict[str, Any] = {}

    def solve(department: Any, _policy: Any, week: Any, params: Any, on_progress: Any, **_: Any) -> Any:
        time.sleep(0.35)  # no week yet: only the heartbeat writes
        seen["before"] = client.get(f"/v1/timetables/{job_id}").json()["progress"]
        on_progress(Progress(seconds=0.01, objective=7.0, bound=3.0))  # a later phase's own count
        seen["after"] = client.get(f"/v1/timetables/{job_id}").json()["progress"]
        seen["params"] = params
        return TimetableResult(Timetable(
            department=department.name, policy=department.policy, week_start=week, status="unknown",
            conflicts=(Conflict(rules=(), message="no timetable found within 21 s (searched on from 10 s); "
                                                  "allow more time"),)))

    monkeypatch.setattr(workers, "HEARTBEAT_S", 0.05, raising=False)
    monkeypatch.setattr(workers, "solve_timetable", solve)
    assert workers.run_job(store.url, job_id, 1, 1.0) == "failed"

    before, after = seen["before"], seen["after"]
    assert before is not None and before["seconds"] >= 0.2 and before["objective"] is None
    assert after["seconds"] >= 0.35 and after["objective"] == 7.0  # since the start, not 0.01
    job = client.get(f"/v1/timetables/{job_id}").json()
    assert seen["params"].extend_to_s == CAP_S
    assert f"cap of {CAP_S:g} s" in job["reason"] and "21 s" not in job["reason"]


def test_the_desk_s_bar_never_reads_a_search_past_the_limit_as_done() -> None:
    script = (Path(__file__).parents[3] / "api/http/pages/static/desk.js").read_text(encoding="utf-8")
    progress = script[script.index("function showProgress"):script.index("async function follow")]
    assert "p.seconds / job.time_limit" not in progress
    assert "searches_on_to_s" in progress and 'removeAttribute("value")' in progress
