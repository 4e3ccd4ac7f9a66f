"""Where the service's jobs run (SPEC §1): a pool of worker processes on this machine (the
default) or a Dask cluster (`fieldweek serve --scheduler tcp://HOST:8786`).

The job queue (api/http/jobs.py) decides which job runs when; a runner only starts one job
and hands back a future that can be cancelled and tells when the job ended. Either way
the job itself is `run_job` (api/http/workers.py): it claims the job's row in the store,
solves, and writes the result there, so quotas, fairness, cancel and restart behave the
same on both. What differs is a dead worker: the pool's job ends `failed`; Dask runs the
task again on another worker (up to the scheduler's `allowed-failures`), and the re-run
takes the job back from the attempt that died."""

from __future__ import annotations

import multiprocessing
import os
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from api.http.workers import run_job, watch_parent

if TYPE_CHECKING:
    from distributed import Client

WORKER_DIED_REASON = "the worker process running this job died (out of memory or killed)"
CLUSTER_WORKERS_DIED_REASON = (
    "the cluster workers running this job died too often (out of memory or killed); "
    "Dask ran it again after each death and then gave up"
)
CLUSTER_LOST_REASON = "the Dask cluster dropped this job (its scheduler went away)"


class RunnerUnavailable(RuntimeError):
    """The runner cannot take a job now (its processes or cluster cannot be reached)."""


class JobFuture(Protocol):
    """What the queue needs of a handed-out job (a concurrent or a Dask future)."""

    def cancel(self) -> Any: ...
    def cancelled(self) -> bool: ...
    def exception(self) -> BaseException | None: ...
    def add_done_callback(self, fn: Callable[[Any], object]) -> None: ...


JobArgs = tuple[str, str, int, float]
"""`run_job`'s arguments: database URL, job id, solver threads, explain seconds."""


class JobRunner(Protocol):
    """Runs one job at a time per slot; the queue never hands out more than `slots()`."""

    def slots(self) -> int:
        """Jobs that may run at once."""
        ...

    def start(self, args: JobArgs) -> JobFuture:
        """Run `run_job(*args)`; raises RunnerUnavailable when it cannot."""
        ...

    def lost_reason(self, error: BaseException) -> str | None:
        """The reason a job failed when `error` means its worker died, else None (a bug)."""
        ...

    def stop(self) -> None:
        """Stop running jobs (the queue puts them back) and release the workers."""
        ...


class ProcessPoolRunner:
    """Jobs in worker processes of this machine, `job_processes` of them; a pool broken by
    a dead worker is replaced by a fresh one for the next job."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._lock = threading.RLock()
        self._pool: ProcessPoolExecutor | None = None
        # "spawn": forking a process that runs server threads can copy held locks.
        self._context = multiprocessing.get_context("spawn")

    def slots(self) -> int:
        return self.processes

    def _worker_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.processes,
                    mp_context=self._context,
                    initializer=watch_parent,
                    initargs=(os.getpid(),),
                )
            return self._pool

    def start(self, args: JobArgs) -> JobFuture:
        error: Exception | None = None
        for _attempt in range(2):  # a pool broken by a dead worker is replaced once
            pool = self._worker_pool()
            try:
                future = pool.submit(run_job, *args)
            except (BrokenProcessPool, RuntimeError) as exc:
                error = exc
                self._drop_pool(pool)
                continue
            # Added before the queue's own callback, so the broken pool is gone when it runs.
            future.add_done_callback(partial(self._drop_if_broken, pool))
            return future
        raise RunnerUnavailable(f"the worker processes could not be started: {error}")

    def _drop_pool(self, pool: ProcessPoolExecutor) -> None:
        """Forget a broken pool so that the next job starts a fresh one."""
        with self._lock:
            if self._pool is pool:
                self._pool = None

    def _drop_if_broken(self, pool: ProcessPoolExecutor, future: JobFuture) -> None:
        if not future.cancelled() and isinstance(future.exception(), BrokenProcessPool):
            self._drop_pool(pool)

    def lost_reason(self, error: BaseException) -> str | None:
        return WORKER_DIED_REASON if isinstance(error, BrokenProcessPool) else None

    def stop(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=5)


class DaskRunner:
    """Jobs as tasks on a Dask cluster: as many at once as the cluster has worker threads
    (read at every hand-out, so workers that join are used). The workers reach the store
    themselves, so its URL must name a database they can open (PostgreSQL for a cluster of
    machines; a SQLite file only when the workers share this machine's disk)."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def slots(self) -> int:
        try:
            threads = sum(self.client.nthreads().values())
        except OSError:  # the scheduler is unreachable: one job waits for it
            threads = 0
        return max(threads, 1)

    def start(self, args: JobArgs) -> JobFuture:
        # The task key is also the hand-out's token: a re-run after a worker died carries it
        # and may take the job back from the attempt that died (see `run_job`).
        key = f"fieldweek-job-{args[1]}-{uuid.uuid4().hex[:8]}"
        try:
            return self.client.submit(run_job, *args, dispatch=key, key=key, pure=False)
        except (OSError, RuntimeError) as exc:
            raise RunnerUnavailable(f"the Dask cluster did not take the job: {exc}") from None

    def lost_reason(self, error: BaseException) -> str | None:
        from distributed.scheduler import KilledWorker

        return CLUSTER_WORKERS_DIED_REASON if isinstance(error, KilledWorker) else None

    def stop(self) -> None:
        """Cancel the service's tasks and leave the cluster (its workers keep running; a
        task already solving stops at its time limit and its late result is not stored)."""
        self.client.close(timeout=10)  # the scheduler forgets the tasks nobody holds


def connect_runner(processes: int, scheduler: str | None) -> JobRunner:
    """The process pool, or a client of the Dask scheduler at `scheduler` (RunnerUnavailable
    when it does not answer)."""
    if scheduler is None:
        return ProcessPoolRunner(processes)
    from distributed import Client  # only a service on a cluster loads Dask

    try:
        client = Client(scheduler, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise RunnerUnavailable(f"no Dask scheduler answers at {scheduler}: {exc}") from None
    return DaskRunner(client)
