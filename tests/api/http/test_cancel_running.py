"""Cancelling a running job on the local process pool stops it at once: its worker process
(and what that started) is killed, the job stays `cancelled`, the next queued job starts
in a fresh worker, and a job running in another worker runs on.

The jobs here sleep instead of solving, so that a job "would run long" costs nothing. The
pool's workers import this module to run them: it imports only what they need at the top
(the queue and the store, which load the solvers, are imported in the test)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

from api.http.job_runners import ProcessPoolRunner

LONG_S = 60.0
"""How long every job here would run if nothing stopped it."""


def sleeping_job(database_url: str, job_id: str, _threads: int, _explain_s: float) -> str:
    """A job that runs for LONG_S in its worker and in a process the worker started (as a
    route plan's pool), and says so in `<job id>.pids` beside the database."""
    child = subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({LONG_S})"])
    marker = Path(database_url.removeprefix("sqlite:///")).with_name(f"{job_id}.pids")
    marker.write_text(f"{os.getpid()} {child.pid}")
    time.sleep(LONG_S)
    return "done"


def started_pids(folder: Path, job_id: str, timeout_s: float) -> tuple[int, int]:
    """The (worker, child) pids of the job once it runs; fails after `timeout_s`."""
    marker = folder / f"{job_id}.pids"
    deadline = time.monotonic() + timeout_s
    while not marker.exists() or len(marker.read_text().split()) != 2:
        assert time.monotonic() < deadline, f"job {job_id} did not start within {timeout_s} s"
        time.sleep(0.02)
    worker, child = marker.read_text().split()
    return int(worker), int(child)


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, dead but not yet reaped by its parent, does not)."""
    with suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    with suppress(ProcessLookupError, PermissionError):
        os.kill(pid, 0)
        return True
    return False


def test_a_cancelled_running_job_stops_at_once_and_the_next_job_starts(tmp_path: Path) -> None:
    from api.http.jobs import Jobs
    from api.http.settings import Settings
    from api.http.storage import Store
    from engine.policy import load_policy
    from tests.api.http.support import WEEK, department_body

    url = f"sqlite:///{tmp_path / 'cancel.db'}"
    store = Store(url)
    store.create_tables()
    department = store.add_department(department_body(), None, None)
    policy = load_policy("15-13-7").model_dump(mode="json")
    cancelled, sibling, following = (store.add_job(department.id, WEEK, policy, LONG_S).id
                                     for _ in range(3))
    settings = Settings(database_url=url, job_processes=2, max_running_jobs_per_key=2)
    jobs = Jobs(settings, store, ProcessPoolRunner(2, job=sleeping_job))
    try:
        jobs.dispatch()  # two workers: `following` waits for one
        worker, child = started_pids(tmp_path, cancelled, timeout_s=20)
        sibling_worker, _ = started_pids(tmp_path, sibling, timeout_s=20)
        for job_id in (cancelled, sibling):
            assert store.start_job(job_id, f"worker-of-{job_id}")  # as `run_job` claims it
        assert not (tmp_path / f"{following}.pids").exists()

        asked = time.monotonic()
        assert jobs.cancel(cancelled)
        started_pids(tmp_path, following, timeout_s=10)
        waited = time.monotonic() - asked

        assert waited < 3.0, f"the next job started {waited:.1f} s after the cancel"
        assert not alive(worker) and not alive(child)
        assert alive(sibling_worker)
        assert jobs.running_count(None) == 2  # the sibling and the next job
        ended = store.job(cancelled)
        assert ended is not None and ended.status == "cancelled"
        assert ended.reason == "cancelled by the caller"
        running = store.job(sibling)
        assert running is not None and running.status == "running"
    finally:
        jobs.shutdown()
        store.close()
    assert not alive(sibling_worker)
