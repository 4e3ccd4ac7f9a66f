"""Where the service's jobs run (SPEC §1): a pool of worker processes on this machine (the
default) or a Dask cluster (`fieldweek serve --scheduler tcp://HOST:8786`).

The job queue (api/http/jobs.py) decides which job runs when; a runner only starts one job
and hands back a future that tells when the job ended and can be cancelled: on the pool
that kills the job's worker process even mid-solve, on Dask it lets the task go. Either
way the job itself is `run_job` (api/http/workers.py): it claims the job's row in the
store, solves, and writes the result there, so quotas, fairness, cancel and restart behave
the same on both. What differs is a dead worker: the pool's job ends `failed`; Dask runs
the task again on another worker (up to the scheduler's `allowed-failures`), and the re-run
takes the job back from the attempt that died."""

from __future__ import annotations

import atexit
import multiprocessing
import os
import pickle
import signal
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Protocol

from api.http.workers import run_job, watch_parent
from engine.processes import PRELOADED

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from distributed import Client

WORKER_DIED_REASON = "the worker process running this job died (out of memory or killed)"
CLUSTER_WORKERS_DIED_REASON = (
    "the cluster workers running this job died too often (out of memory or killed); "
    "Dask ran it again after each death and then gave up"
)
CLUSTER_LOST_REASON = "the Dask cluster dropped this job (its scheduler went away)"
KILLED_STATUS = "cancelled"
"""The result of a pool job whose worker the runner killed (a cancel or a stop): the queue
already ended the job in the store, and nothing about it failed."""


class RunnerUnavailable(RuntimeError):
    """The runner cannot take a job now (its processes or cluster cannot be reached)."""


class WorkerDied(RuntimeError):
    """A pool worker process died while it ran a job (out of memory, or killed by someone
    other than the runner)."""


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


class _Worker:
    """One worker process of the pool and this side of the pipe that hands it jobs."""

    def __init__(self, process: BaseProcess, connection: Connection) -> None:
        self.process = process
        self.connection = connection
        self.killed = False
        """Killed by the runner (a cancel or a stop): its job's end is no failure."""


class _PoolJob(Future[Any]):
    """A job on one worker process. `cancel()` kills that process even while the job runs
    (a concurrent future cancels only a job still waiting), so a cancelled solve stops at
    once instead of at its time limit; the future then ends with KILLED_STATUS."""

    def __init__(self, runner: ProcessPoolRunner, worker: _Worker) -> None:
        super().__init__()
        self.set_running_or_notify_cancel()
        self.runner = runner
        self.worker: _Worker | None = worker
        """None once the job ended: the worker may run another job by then."""

    def cancel(self) -> bool:
        """Kill the job's worker; False when the job had already ended."""
        return self.runner.kill_job(self)


class ProcessPoolRunner:
    """Jobs in worker processes of this machine, at most `job_processes` of them, each kept
    for the next job (a worker imports the solvers once). Each worker leads a process group
    of its own, so a cancel kills the one job's worker with whatever it started (a route
    plan's pool) and leaves the other workers' jobs running; a fresh worker replaces it.

    `job` is what a worker runs for `start(args)` (a test gives its own), and
    `initializer(pid of the worker's parent)` what it runs first."""

    def __init__(
        self, processes: int, job: Callable[..., str] = run_job,
        initializer: Callable[[int], object] | None = watch_parent,
    ) -> None:
        self.processes = processes
        self._job = job
        self._initializer = initializer
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        """Live workers the runner has not killed, running a job or idle."""
        self._idle: list[_Worker] = []
        # The planners' fork server (engine/processes.py), preloaded with the jobs' code too:
        # a worker that replaces a killed one runs the next job within a fraction of a
        # second, where a spawned one spent seconds importing the solvers. Never a plain
        # fork: the service runs threads, which a forked child would inherit locked.
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload([*PRELOADED, "api.http.workers"])
        # Before multiprocessing's own exit handler, which would wait for the idle workers.
        atexit.register(self.stop)

    def slots(self) -> int:
        return self.processes

    def start(self, args: JobArgs) -> JobFuture:
        error: Exception | None = None
        for _attempt in range(2):  # an idle worker that died meanwhile is replaced once
            try:
                worker = self._idle_worker()
            except OSError as exc:
                raise RunnerUnavailable(
                    f"the worker processes could not be started: {exc}"
                ) from None
            future = _PoolJob(self, worker)
            try:
                worker.connection.send(args)
            except OSError as exc:
                error = exc
                self._discard(worker)
                continue
            threading.Thread(
                target=self._await_answer, args=(worker, future),
                name="fieldweek-worker-answer", daemon=True,
            ).start()
            return future
        raise RunnerUnavailable(f"the worker processes could not be started: {error}")

    def _idle_worker(self) -> _Worker:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_serve_jobs, args=(theirs, self._job, self._initializer),
            name="fieldweek-worker",
        )
        process.start()
        theirs.close()  # the worker's end is its own: its death ends this side's reading
        worker = _Worker(process, ours)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _await_answer(self, worker: _Worker, future: _PoolJob) -> None:
        """End the job's future with the worker's answer, or as killed or died when the
        worker went first; a worker that answered takes the next job."""
        answered = False
        try:
            succeeded, value = worker.connection.recv()
            answered = True
        except (EOFError, OSError):
            succeeded, value = False, None
        with self._lock:
            future.worker = None  # a late cancel must not kill the worker's next job
            killed = worker.killed
            reused = answered and not killed and worker in self._workers
            if reused:
                self._idle.append(worker)
        if not reused:
            self._discard(worker)
        if killed:
            future.set_result(KILLED_STATUS)
        elif not answered:
            code = worker.process.exitcode
            future.set_exception(WorkerDied(f"worker process {worker.process.pid} exited ({code})"))
        elif succeeded:
            future.set_result(value)
        else:
            future.set_exception(value)

    def kill_job(self, future: _PoolJob) -> bool:
        """Kill the worker running `future`'s job (its answer then ends the future)."""
        with self._lock:
            worker = future.worker
            if worker is None:
                return False
            worker.killed = True
            self._workers.discard(worker)
        _kill_group(worker.process)
        return True

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker that will run no more jobs, wait for it to be gone and close its
        pipe (only the thread that last used the pipe does: a file closed twice may close
        another one opened meanwhile)."""
        with self._lock:
            worker.killed = True
            self._workers.discard(worker)
        _kill_group(worker.process)
        worker.process.join(timeout=5)
        worker.connection.close()

    def lost_reason(self, error: BaseException) -> str | None:
        return WORKER_DIED_REASON if isinstance(error, WorkerDied) else None

    def stop(self) -> None:
        with self._lock:
            workers, idle = list(self._workers), self._idle
            self._workers, self._idle = set(), []
            for worker in workers:
                worker.killed = True
        for worker in workers:
            _kill_group(worker.process)
        for worker in workers:
            worker.process.join(timeout=5)
        for worker in idle:  # a busy worker's pipe is closed by the thread awaiting its answer
            worker.connection.close()


def _serve_jobs(
    connection: Connection, job: Callable[..., str], initializer: Callable[[int], object] | None,
) -> None:
    """A pool worker: run each job the runner sends and answer (succeeded, status or
    error), until the runner closes the pipe."""
    # A group of its own: a cancel kills this worker and what it started, and nothing else.
    os.setpgrp()
    if initializer is not None:
        # Its parent is the service's fork server, which lives exactly as long as the service.
        initializer(os.getppid())
    while True:
        try:
            args = connection.recv()
        except EOFError:
            return
        try:
            answer: tuple[bool, Any] = (True, job(*args))
        except Exception as exc:  # the queue fails the job with this error's id
            answer = (False, exc)
        try:
            connection.send(answer)
        except (pickle.PicklingError, TypeError, AttributeError):  # an error that cannot be pickled
            connection.send((False, RuntimeError(f"{type(answer[1]).__name__}: {answer[1]}")))


def _kill_group(process: BaseProcess) -> None:
    """SIGKILL a worker and every process it started (its process group; the worker alone
    while it has not made the group yet). No clean-up is owed: the job's row was already
    ended or put back by the queue, and the store's writes are transactions."""
    if process.pid is None:
        return  # never started
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()


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
