"""The job queue: every job (a week to solve, routes to plan, a re-plan) is a row in the
store, and this module hands queued rows to a runner (api/http/job_runners.py): a pool of
worker processes, or a Dask cluster with `Settings.scheduler` (api/http/workers.py does
the work there).

The store is the queue: a job is handed to the runner only when a worker is free, so
nothing waits inside the runner where a dying service could lose it. Free workers go
to the key with the fewest jobs running (the one served longest ago first), and no key
runs more than `max_running_jobs_per_key` at once, so one key cannot hold every worker.

On start-up (after the service lease is taken, so no other service runs these jobs)
the service marks jobs a previous run left `running` as failed ("service restarted")
and hands out again the ones that never started. A clean stop (SIGTERM) stops the
workers and puts their jobs back in the queue. A cancelled job leaves its worker at once
(on the process pool its worker process is killed), and the next queued job takes it.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from functools import partial

from api.http.job_runners import (
    CLUSTER_LOST_REASON,
    JobFuture,
    JobRunner,
    RunnerUnavailable,
    connect_runner,
)
from api.http.settings import Settings
from api.http.storage import Store
from api.http.workers import internal_error_reason

log = logging.getLogger("fieldweek.jobs")


class Jobs:
    """Hands queued jobs to the runner's workers, fairly between keys."""

    def __init__(self, settings: Settings, store: Store, runner: JobRunner | None = None):
        self.settings = settings
        self.store = store
        self.runner = runner or connect_runner(settings.job_processes, settings.scheduler)
        self._lock = threading.RLock()
        self._in_flight: dict[str, tuple[JobFuture, str | None]] = {}
        """Jobs handed to the runner: id -> (future, owner)."""
        self._last_start: dict[str | None, int] = {}
        self._starts = 0
        self._stopping = False

    def recover(self) -> tuple[list[str], list[str]]:
        """After a (re)start: fail the jobs left running, hand out the ones never started.
        Returns (failed ids, queued ids)."""
        failed = self.store.fail_running_jobs()
        queued = [job_id for job_id, _owner in self.store.queued_jobs()]
        if failed:
            log.warning(
                "marked %d job(s) left running by the previous run as failed: %s",
                len(failed), ", ".join(failed),
            )
        self.dispatch()
        return failed, queued

    def submit(self, job_id: str) -> None:
        """A job was queued in the store: start it if a worker is free (else it waits)."""
        self.dispatch()

    submit_timetable = submit

    def running_count(self, owner: str | None) -> int:
        """Jobs of this key on the workers now (a cancelled one leaves when its worker
        process is killed, or its Dask task let go)."""
        with self._lock:
            return sum(1 for _future, who in self._in_flight.values() if who == owner)

    def dispatch(self) -> None:
        """Fill the free workers with queued jobs: the key with the fewest jobs running
        first, then the key served longest ago; each key's jobs oldest first."""
        with self._lock:
            if self._stopping:
                return
            free = self.runner.slots() - len(self._in_flight)
            if free <= 0:
                return
            running = Counter(owner for _future, owner in self._in_flight.values())
            waiting: dict[str | None, list[str]] = {}
            for job_id, owner in self.store.queued_jobs():
                if job_id not in self._in_flight:
                    waiting.setdefault(owner, []).append(job_id)
            cap = self.settings.max_running_jobs_per_key
            while free > 0:
                eligible = [o for o, ids in waiting.items() if ids and running[o] < cap]
                if not eligible:
                    return
                owner = min(eligible, key=lambda o: (running[o], self._last_start.get(o, -1)))
                job_id = waiting[owner].pop(0)
                if not self._start(job_id, owner):
                    return
                running[owner] += 1
                free -= 1

    def _start(self, job_id: str, owner: str | None) -> bool:
        args = (
            self.store.url, job_id, self.settings.solver_threads,
            self.settings.explain_time_limit_s,
        )
        try:
            future = self.runner.start(args)
        except RunnerUnavailable as exc:
            self.store.finish_job(job_id, "failed", reason=str(exc))
            return False
        self._in_flight[job_id] = (future, owner)
        self._starts += 1
        self._last_start[owner] = self._starts
        future.add_done_callback(partial(self._after, job_id))
        return True

    def _after(self, job_id: str, future: JobFuture) -> None:
        """A job whose worker died (killed, out of memory) is failed here, never left
        running; then the freed worker takes the next job."""
        with self._lock:
            self._in_flight.pop(job_id, None)
            stopping = self._stopping
        if stopping:
            return  # the service is stopping: the job is queued again (see `shutdown`)
        if future.cancelled():
            # Cancelled by the caller (the job has already ended, so this changes nothing)
            # or dropped by a cluster whose scheduler went away (the job must not stay running).
            self.store.finish_job(job_id, "failed", reason=CLUSTER_LOST_REASON)
        elif (error := future.exception()) is not None:
            reason = self.runner.lost_reason(error) or internal_error_reason(error)
            self.store.finish_job(job_id, "failed", reason=reason)
        # Not on this thread: it is the pool's own, and submitting from it could wait on itself.
        threading.Thread(target=self.dispatch, name="fieldweek-dispatch", daemon=True).start()

    def cancel(self, job_id: str) -> bool:
        """End a queued or running job as `cancelled`; False when it had already ended.
        On the process pool a running job stops at once: its worker process is killed (the
        other workers' jobs run on) and the next queued job starts in a fresh one."""
        if not self.store.cancel_job(job_id):
            return False
        with self._lock:
            flight = self._in_flight.get(job_id)
        if flight is not None:
            # Ended in the store first, so the killed worker's job stays `cancelled` (its
            # future ends as killed, not failed). A Dask task is let go instead: a solve
            # already running on a cluster worker stops at its time limit, its result dropped.
            flight[0].cancel()
        return True

    def shutdown(self) -> None:
        """Stop the workers (their jobs go back to the queue and run after the next start)."""
        with self._lock:
            self._stopping = True
            handed_out = list(self._in_flight)
        self.runner.stop()
        if not handed_out:
            return
        requeued = self.store.requeue_running_jobs(handed_out)
        if requeued:
            log.warning("stopped while running %s; queued again", ", ".join(requeued))
