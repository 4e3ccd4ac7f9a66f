"""Solving off the request thread: timetables and routes run in worker processes.

A timetable job is a row in the store. The worker process claims it (queued ->
running, with a runner token), writes progress as the solver improves, and writes
the result itself, so a finished plan is stored even if the service dies right after.
On start-up the service marks jobs a previous run left `running` as failed ("service
restarted") and queues again the ones that never started; a worker of an old run
that finishes late cannot overwrite that, because its runner token no longer matches.

Route planning is answered within the request, but it too runs in a worker process
(its own pool, so a route request never waits behind a long timetable solve).

A job ends `failed` with its reason: the input's problems when the input is wrong, or
an internal error's id (its traceback is logged under that id) when fieldweek failed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import multiprocessing
import threading
import time
import uuid
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from api.http.department_input import department_from_document
from api.http.settings import Settings
from api.http.storage import Store
from engine.budget import time_budget
from engine.domain import Timetable
from engine.errors import InputError, new_error_id
from engine.policy import policy_from_mapping
from engine.timetable.solve import Progress, SolveParams, solve_timetable

log = logging.getLogger("fieldweek.jobs")

PROGRESS_INTERVAL_S = 0.5
"""Write progress at most this often: CP-SAT can improve many times a second."""
ROUTE_GRACE_S = 30.0


# ---------------------------------------------------------------------------
# In the worker process

_worker_stores: dict[str, Store] = {}
"""One store per database URL and worker process (engines cannot cross processes)."""


def _worker_store(database_url: str) -> Store:
    if database_url not in _worker_stores:
        _worker_stores[database_url] = Store(database_url)
    return _worker_stores[database_url]


def solve_timetable_job(
    database_url: str, job_id: str, solver_threads: int, explain_time_limit_s: float
) -> str:
    """Solve one queued job and store its result; returns the final status.

    Runs in a worker process. Never raises: any error ends the job as `failed`, with
    the input's problems or an internal error's id as its reason.
    """
    store = _worker_store(database_url)
    runner = uuid.uuid4().hex
    job = store.start_job(job_id, runner)
    if job is None:
        return "skipped"  # no longer queued: failed at a restart, or claimed by another worker
    try:
        record = store.department(job.department_id)
        if record is None:
            raise LookupError(f"department {job.department_id} is gone")
        department = department_from_document(record.department)
        policy = policy_from_mapping(job.policy)
        last_write = [0.0]

        def on_progress(point: Progress) -> None:
            now = time.monotonic()
            if now - last_write[0] >= PROGRESS_INTERVAL_S:
                last_write[0] = now
                store.record_progress(job_id, runner, point.seconds, point.objective, point.bound)

        budget = time_budget(job.time_limit_s, explain_s=explain_time_limit_s)
        params = SolveParams.within(budget.timetable, workers=solver_threads)
        result = solve_timetable(
            department, policy, job.week_start, params, on_progress=on_progress
        )
        timetable = result.timetable
        status, reason = _final_status(timetable)
        store.finish_job(
            job_id,
            status,
            runner=runner,
            reason=reason,
            timetable=timetable.to_json_dict(),
            objective=timetable.objective,
            bound=timetable.best_bound,
        )
        return status
    except InputError as exc:
        problems = "; ".join(str(problem) for problem in exc.problems)
        store.finish_job(job_id, "failed", runner=runner, reason=f"the input is wrong: {problems}")
        return "failed"
    except Exception as exc:  # a job must end failed with its reason, never stay running
        store.finish_job(job_id, "failed", runner=runner, reason=internal_error_reason(exc))
        return "failed"


def internal_error_reason(error: BaseException) -> str:
    """Log `error` with its traceback under a new error id; the reason a failed job shows."""
    error_id = new_error_id()
    log.error("internal error %s", error_id, exc_info=error)
    return (f"internal error {error_id}: {type(error).__name__}: {error} — a bug in fieldweek, "
            f"not in the input; report this error id")


def _final_status(timetable: Timetable) -> tuple[str, str | None]:
    """The job status for a solver result; `unknown` (no plan within the time limit) is a failure."""
    messages = "; ".join(conflict.message for conflict in timetable.conflicts) or None
    if timetable.status == "unknown":
        return "failed", messages or "no timetable found within the time limit"
    if timetable.status == "infeasible":
        return "infeasible", messages
    return timetable.status, None


def plan_routes_job(
    department_document: dict[str, Any],
    policy: dict[str, Any],
    timetable_json: dict[str, Any],
    week_start: str,
    day: str | None,
    manager: str | None,
    time_limit_s: float,
    carried: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Plan the week's (or one day's / one manager's) routes from a solved timetable with
    the policy it was solved under, owing also the visits `carried` from earlier weeks;
    returns the routes JSON of `fieldweek routes`. Runs in a worker process."""
    # Imported here: the service process itself never plans routes.
    from engine.routing.plan import plan_routes

    plan = plan_routes(
        department_from_document(department_document),
        policy_from_mapping(policy),
        Timetable.model_validate(timetable_json),
        dt.date.fromisoformat(week_start),
        day=dt.date.fromisoformat(day) if day else None,
        manager=manager,
        time_limit_s=time_limit_s,
        carried=carried,
    )
    return plan.to_json_dict()


# ---------------------------------------------------------------------------
# In the service


def route_wait_s(time_limit_s: float) -> float:
    """How long a route request waits for its answer: the solver's time, plus time for a
    worker process to start (imports take seconds) and for timing each day's stops."""
    return 1.5 * time_limit_s + ROUTE_GRACE_S


class Jobs:
    """Queues timetable jobs and route plans onto worker processes."""

    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store
        self._lock = threading.Lock()
        self._pools: dict[str, ProcessPoolExecutor] = {}
        # "spawn": forking a process that runs server threads can copy held locks.
        self._context = multiprocessing.get_context("spawn")

    def _pool(self, name: str, processes: int) -> ProcessPoolExecutor:
        with self._lock:
            if name not in self._pools:
                self._pools[name] = ProcessPoolExecutor(
                    max_workers=processes, mp_context=self._context
                )
            return self._pools[name]

    def _drop_pool(self, name: str, pool: ProcessPoolExecutor) -> None:
        """Forget a broken pool so that the next submission starts a fresh one."""
        with self._lock:
            if self._pools.get(name) is pool:
                del self._pools[name]

    def recover(self) -> tuple[list[str], list[str]]:
        """After a (re)start: fail the jobs left running, queue again the ones never started.
        Returns (failed ids, requeued ids)."""
        failed = self.store.fail_running_jobs()
        queued = [job.id for job in self.store.jobs_in(("queued",))]
        for job_id in queued:
            self.submit_timetable(job_id)
        if failed:
            log.warning(
                "marked %d job(s) left running by the previous run as failed: %s",
                len(failed),
                ", ".join(failed),
            )
        return failed, queued

    def submit_timetable(self, job_id: str) -> None:
        """Hand a queued job to the timetable workers."""
        args = (
            self.store.url,
            job_id,
            self.settings.solver_threads,
            self.settings.explain_time_limit_s,
        )
        error: Exception | None = None
        for _attempt in range(2):  # a pool broken by a dead worker is replaced once
            pool = self._pool("timetables", self.settings.job_processes)
            try:
                future = pool.submit(solve_timetable_job, *args)
            except (BrokenProcessPool, RuntimeError) as exc:
                error = exc
                self._drop_pool("timetables", pool)
                continue
            future.add_done_callback(
                lambda done, pool=pool: self._after_timetable(job_id, pool, done)
            )
            return
        self.store.finish_job(
            job_id, "failed", reason=f"the worker processes could not be started: {error}"
        )

    def _after_timetable(self, job_id: str, pool: ProcessPoolExecutor, future: Future) -> None:
        """A job whose worker died (killed, out of memory) is failed here, never left running."""
        if future.cancelled():
            return  # the service is stopping: the job stays queued and runs after the restart
        error = future.exception()
        if error is None:
            return
        if isinstance(error, BrokenProcessPool):
            self._drop_pool("timetables", pool)
            reason = "the worker process solving this job died (out of memory or killed)"
        else:
            reason = internal_error_reason(error)
        self.store.finish_job(job_id, "failed", reason=reason)

    async def plan_routes(
        self,
        department_document: dict[str, Any],
        policy: dict[str, Any],
        timetable_json: dict[str, Any],
        week_start: dt.date,
        day: dt.date | None,
        manager: str | None,
        time_limit_s: float,
        carried: dict[str, int] | None = None,
    ) -> dict[str, Any]:
        """The routes JSON, planned in a worker process within `time_limit_s` of solver time;
        `TimeoutError` when the answer takes much longer than that."""
        pool = self._pool("routes", 1)
        future = pool.submit(
            plan_routes_job,
            department_document,
            policy,
            timetable_json,
            week_start.isoformat(),
            day.isoformat() if day else None,
            manager,
            time_limit_s,
            carried,
        )
        try:
            return await asyncio.wait_for(
                asyncio.wrap_future(future), timeout=route_wait_s(time_limit_s)
            )
        except BrokenProcessPool:
            self._drop_pool("routes", pool)
            raise

    def shutdown(self) -> None:
        """Stop taking work; queued jobs stay queued in the store and run after the next start."""
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)
