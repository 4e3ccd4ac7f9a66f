"""Solve jobs on a Dask cluster (`fieldweek serve --scheduler`): the same API and JSON as
with the local process pool; a re-run of a task whose worker died takes its job back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import LocalCluster
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.job_runners import DaskRunner, ProcessPoolRunner, connect_runner
from api.http.settings import Settings
from api.http.storage import Store
from api.http.workers import run_job
from engine.policy import load_policy
from tests.api.http.support import WEEK, department_body, wait_for_job

SOLVE_SECONDS = 2


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """One worker process with one thread, as `dask worker --nthreads 1` starts it."""
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as local:
        yield local


def test_a_timetable_job_runs_on_the_cluster_with_the_pools_contract(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'dask.db'}", solver_threads=1,
                        scheduler=cluster.scheduler_address)
    with TestClient(create_app(settings)) as client:
        assert isinstance(client.app.state.service.jobs.runner, DaskRunner)
        department = client.post("/v1/departments", json=department_body())
        assert department.status_code == 201, department.text
        path = f"/v1/departments/{department.json()['id']}/timetables"
        accepted = client.post(path, json={"week_start": WEEK.isoformat(), "time_limit": SOLVE_SECONDS})
        assert accepted.status_code == 202, accepted.text
        assert accepted.json()["status"] == "queued"
        assert accepted.headers["Location"] == f"/v1/timetables/{accepted.json()['id']}"
        solved = wait_for_job(client, accepted.json()["id"], timeout_s=60)
        job = client.get(f"/v1/jobs/{accepted.json()['id']}").json()
        cancelled_late = client.delete(f"/v1/jobs/{accepted.json()['id']}")
    # the answer `fieldweek serve` gives with its process pool (tests/api/http/test_api.py)
    assert solved["status"] in ("optimal", "feasible"), solved
    assert solved["reason"] is None and solved["finished_at"] is not None
    assert solved["progress"]["bound"] <= solved["progress"]["objective"] + 1e-6
    assert {b["manager"] for b in solved["timetable"]["blocks"]} == {"m01", "m02"}
    assert job["kind"] == "timetable" and job["status"] == solved["status"]
    assert job["result"] == solved["timetable"] and job["started_at"] is not None
    assert cancelled_late.status_code == 409
    # the service let go of the cluster; the cluster itself keeps running
    assert len(cluster.scheduler_info["workers"]) == 1


def test_a_rerun_after_its_worker_died_takes_the_job_back(tmp_path: Path) -> None:
    """The attempt that died left the job `running` under its runner token; Dask's re-run of
    the same hand-out claims it again and finishes it. Another hand-out's job stays put."""
    store = Store(f"sqlite:///{tmp_path / 'rerun.db'}")
    store.create_tables()
    record = store.add_department(department_body(), None, None)
    policy = load_policy("15-13-7").model_dump(mode="json")
    died, foreign = (store.add_job(record.id, WEEK, policy, 3.0) for _ in range(2))
    assert store.start_job(died.id, "fieldweek-job-a/first-attempt")
    assert store.start_job(foreign.id, "someone-else")
    assert run_job(store.url, foreign.id, 1, 1.0, dispatch="fieldweek-job-a") == "skipped"
    status = run_job(store.url, died.id, 1, 1.0, dispatch="fieldweek-job-a")
    rerun, untouched = store.job(died.id), store.job(foreign.id)
    store.close()
    assert rerun is not None and untouched is not None
    assert status in ("optimal", "feasible"), rerun.reason
    assert rerun.status == status and rerun.timetable is not None and rerun.reason is None
    assert rerun.runner is not None and rerun.runner != "fieldweek-job-a/first-attempt"
    assert untouched.status == "running" and untouched.runner == "someone-else"


def test_the_scheduler_comes_from_the_environment_and_the_pool_stays_the_default() -> None:
    assert Settings.from_env({}).scheduler is None
    assert Settings.from_env({"FIELDWEEK_SCHEDULER": "tcp://planner:8786"}).scheduler == "tcp://planner:8786"
    assert Settings.from_env({"FIELDWEEK_SCHEDULER": "tcp://a:1"}, scheduler="tcp://b:2").scheduler == "tcp://b:2"
    pool = connect_runner(3, None)
    assert isinstance(pool, ProcessPoolRunner) and pool.slots() == 3
