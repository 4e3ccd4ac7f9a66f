"""A job's worker dies with the service that started it, kill -9 included, and so does the
service's fork server: a worker left behind solved on for its whole time limit and wrote
its week into the database after the crash.

The service here is a child process that starts one job on the process pool the way
`fieldweek serve` does (ProcessPoolRunner, `watch_parent` its workers' initializer); the
job loops instead of solving. The test kills the service with SIGKILL and watches its
worker and fork server go. The pool's worker imports this module to run the job: it
imports only what the job needs at the top (the store's modules its fork server preloads).

A worker whose service died a moment ago, before its watch ended it, writes nothing more
to the store either."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api.http import workers
from tests.api.http.test_cancel_running import alive

WORKER_GONE_WITHIN_S = 1.0
"""How soon after the service its worker must be gone (it takes some 0.03 s)."""
FORK_SERVER_GONE_WITHIN_S = 3.0
"""How soon after the service its fork server must be gone: it exits once its last worker
is gone, and its interpreter's exit with the solvers loaded takes 1 to 2 s on a busy machine."""

SERVICE = """
import sys, time
from api.http.job_runners import ProcessPoolRunner
from tests.api.http.test_workers_die_with_service import looping_job

runner = ProcessPoolRunner(1, job=looping_job)
runner.start((sys.argv[1],))
time.sleep(60)
"""


def looping_job(folder: str) -> str:
    """Says '<its pid> <its parent's pid>' in `pids`, then loops: a long solve's worker,
    which writes `result` if the loop ever ends (it must not: the service dies first)."""
    Path(folder, "pids").write_text(f"{os.getpid()} {os.getppid()}")
    started = time.monotonic()
    while time.monotonic() - started < 30:
        time.sleep(0.05)
    Path(folder, "result").write_text("written")
    return "done"


def job_pids(folder: Path, timeout_s: float) -> tuple[int, int]:
    """The (worker, fork server) pids once the job runs."""
    marker = folder / "pids"
    deadline = time.monotonic() + timeout_s
    while not marker.exists() or len(marker.read_text().split()) != 2:
        assert time.monotonic() < deadline, f"the job did not start within {timeout_s} s"
        time.sleep(0.02)
    worker, fork_server = marker.read_text().split()
    return int(worker), int(fork_server)


def test_a_killed_services_worker_and_fork_server_exit_at_once(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[3]
    service = subprocess.Popen([sys.executable, "-c", SERVICE, str(tmp_path)], cwd=root)
    try:
        worker, fork_server = job_pids(tmp_path, timeout_s=20)
        assert fork_server != service.pid  # the worker's parent is not the service
        assert alive(worker) and alive(fork_server)

        service.send_signal(signal.SIGKILL)
        service.wait()
        killed = time.monotonic()
        for name, pid, within_s in (("worker", worker, WORKER_GONE_WITHIN_S),
                                    ("fork server", fork_server, FORK_SERVER_GONE_WITHIN_S)):
            while alive(pid) and time.monotonic() - killed < within_s:
                time.sleep(0.01)
            assert not alive(pid), f"the {name} still runs {within_s} s after the service died"
        assert not (tmp_path / "result").exists()
    finally:
        service.kill()
        service.wait()
        for pid in job_pids(tmp_path, timeout_s=0) if (tmp_path / "pids").exists() else ():
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


class _Ended(Exception):
    """Raised where a worker would exit."""


def _end_worker() -> None:
    raise _Ended


def test_a_worker_writes_nothing_once_its_service_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.http.storage import Store
    from engine.policy import load_policy
    from tests.api.http.support import WEEK, department_body

    url = f"sqlite:///{tmp_path / 'orphan.db'}"
    store = Store(url)
    store.create_tables()
    department = store.add_department(department_body(), None, None)
    job_id = store.add_job(department.id, WEEK, load_policy("15-13-7").model_dump(mode="json"), 60).id
    assert store.start_job(job_id, "worker")
    # The pipe a worker watches: the service holds its other end while it lives.
    watched, services_end = os.pipe()
    monkeypatch.setattr(workers, "_service_sentinel", watched, raising=False)
    monkeypatch.setattr(workers, "_die", _end_worker, raising=False)
    monkeypatch.setattr(workers, "_worker_stores", {})
    worker_store = workers._worker_store(url)

    worker_store.record_progress(job_id, "worker", 1.5, 10.0, 5.0)  # the service lives
    os.close(services_end)  # the service dies
    with pytest.raises(_Ended):
        worker_store.finish_job(job_id, "feasible", runner="worker", objective=9.0)
    with pytest.raises(_Ended):
        worker_store.record_progress(job_id, "worker", 2.0, 9.0, 5.0)
    os.close(watched)

    job = store.job(job_id)
    assert job is not None
    assert (job.status, job.progress_seconds, job.objective) == ("running", 1.5, 10.0)
