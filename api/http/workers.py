"""The work done in the worker processes: solve a week, plan routes, re-plan a week.

Each job is a row in the store. The worker claims it (queued -> running, with a
runner token), writes progress as the solver improves, and writes the result itself,
so a finished job is stored even if the service dies right after; a worker of an old
run that finishes late cannot overwrite what a restart decided, because its runner
token no longer matches. A job ends `failed` with its reason: the input's problems
when the input is wrong, or an internal error's id (its traceback is logged under that
id) when fieldweek failed.

A worker dies with the service that started it (`watch_parent`), kill -9 included, and
writes nothing to the store once the service is gone: an orphaned worker would go on
solving and write its week into the database after the crash. A cancelled job's worker is
killed by the service (api/http/job_runners.py), so a cancel stops a solve at once, not at
its time limit.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import signal
import threading
import time
import uuid
from multiprocessing.connection import wait as wait_for
from typing import Any

from api.http.department_input import job_department
from api.http.job_timetables import job_timetable
from api.http.schemas import ReplanRequest
from api.http.storage import STOPPED_REASON, RoutePlanRecord, Store, TimetableJob
from engine.actuals import Actuals, missed_in_week
from engine.budget import time_budget
from engine.domain import Department, Timetable
from engine.errors import InputError, new_error_id
from engine.policy import policy_from_mapping
from engine.timetable.solve import Progress, SolveParams, solve_timetable

log = logging.getLogger("fieldweek.jobs")

PROGRESS_INTERVAL_S = 0.5
"""Write progress at most this often: CP-SAT can improve many times a second."""
HEARTBEAT_S = 2.0
"""How often a running week's seconds are written even when the solver reports nothing:
before its first week (no progress for 90 s read as a hung job) and between improvements."""
PARENT_CHECK_S = 0.25
"""How often a worker outside multiprocessing checks that its parent is alive."""

_worker_stores: dict[str, Store] = {}
"""One store per database URL and worker process (engines cannot cross processes)."""
_service_sentinel: int | None = None
"""In a worker: a pipe that reads at its end (EOF) once the service that started the worker
is gone; None outside a worker."""


def watch_parent(parent_pid: int) -> None:
    """Pool initializer: exit this worker as soon as the service that started it is gone.

    `parent_pid`, the worker's parent, is the service's fork server, and that does not exit
    with the service: every worker it forked holds the service's end of its 'alive' pipe,
    so it lives as long as they do (and a busy worker never reads the pipe from the service,
    so no EOF tells it). The worker watches the service itself: `parent_process()`, the
    process that created it, whose end of the pipe that carried the worker's start only the
    service holds, so it reads EOF the moment the service dies however it dies. Once this
    worker is gone its fork server, holding nothing, exits too. `parent_pid` is only for a
    worker that multiprocessing did not start (no `parent_process()`)."""
    global _service_sentinel
    service = multiprocessing.parent_process()
    sentinel = _parent_pid_sentinel(parent_pid) if service is None else service.sentinel
    _service_sentinel = sentinel

    def watch() -> None:
        wait_for([sentinel])  # blocks until the service is gone: nothing to poll
        _die()

    threading.Thread(target=watch, name="fieldweek-service-watch", daemon=True).start()


def _parent_pid_sentinel(parent_pid: int) -> int:
    """A pipe that reads EOF once this process's parent is no longer `parent_pid` (a worker
    outside multiprocessing: nothing else tells when its parent is gone)."""
    ends, alive = os.pipe()

    def poll() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_S)
        os.close(alive)

    threading.Thread(target=poll, name="fieldweek-parent-poll", daemon=True).start()
    return ends


def _die() -> None:
    """End this worker and what it started, without clean-up: the service that owned this
    work is gone. A pool worker leads a process group of its own (out of the service's):
    the processes it started, a route plan's pool, go with it."""
    if os.getpgrp() == os.getpid():
        os.killpg(0, signal.SIGKILL)
    os._exit(1)


def parent_alive() -> bool:
    """Whether the service that started this worker lives (outside a worker: True)."""
    return _service_sentinel is None or not wait_for([_service_sentinel], timeout=0)


def _while_service_lives() -> None:
    """Exit this worker, before it writes to the store, when its service is gone: the watch
    thread may not have run yet (the service died a moment ago), and a restarted service
    may not have told the store yet that the dead one's jobs are over."""
    if not parent_alive():
        _die()


class _WorkerStore(Store):
    """The store as a worker writes to it: each write first makes sure the service that
    started the worker is alive (`_while_service_lives`)."""

    def start_job(self, job_id: str, runner: str) -> TimetableJob | None:
        _while_service_lives()
        return super().start_job(job_id, runner)

    def requeue_running_jobs(self, ids: list[str], reason: str = STOPPED_REASON) -> list[str]:
        _while_service_lives()
        return super().requeue_running_jobs(ids, reason)

    def record_progress(
        self, job_id: str, runner: str, seconds: float, objective: float | None, bound: float | None
    ) -> None:
        _while_service_lives()
        super().record_progress(job_id, runner, seconds, objective, bound)

    def finish_job(self, *args: Any, **kwargs: Any) -> bool:
        _while_service_lives()
        return super().finish_job(*args, **kwargs)

    def add_route_plan(self, *args: Any, **kwargs: Any) -> RoutePlanRecord:
        _while_service_lives()
        return super().add_route_plan(*args, **kwargs)


def _worker_store(database_url: str) -> Store:
    if database_url not in _worker_stores:
        _worker_stores[database_url] = _WorkerStore(database_url)
    return _worker_stores[database_url]


def internal_error_reason(error: BaseException) -> str:
    """Log `error` with its traceback under a new error id; the reason a failed job shows."""
    error_id = new_error_id()
    log.error("internal error %s", error_id, exc_info=error)
    return (f"internal error {error_id}: {type(error).__name__}: {error} — a bug in fieldweek, "
            f"not in the input; report this error id")


def run_job(
    database_url: str, job_id: str, solver_threads: int, explain_time_limit_s: float,
    dispatch: str | None = None,
) -> str:
    """Claim one queued job, do it and store its result; returns the final status.

    `dispatch` names one hand-out of the job to a Dask cluster: when the worker running it
    dies, Dask runs this again elsewhere, and the re-run takes back the job the dead
    attempt of the same hand-out had claimed (any other runner's job it leaves alone).

    Never raises: any error ends the job as `failed`, with the input's problems or an
    internal error's id as its reason."""
    if not parent_alive():
        return "skipped"  # the service is gone: the job stays queued for the next one
    store = _worker_store(database_url)
    runner = uuid.uuid4().hex if dispatch is None else f"{dispatch}/{uuid.uuid4().hex}"
    if dispatch is not None:
        _take_back_from_dead_attempt(store, job_id, dispatch)
    job = store.start_job(job_id, runner)
    if job is None:
        return "skipped"  # no longer queued: cancelled, or failed at a restart
    try:
        record = store.department(job.department_id)
        if record is None:
            raise LookupError(f"department {job.department_id} is gone")
        # Under the job's policy's public calendar (a policy sent with the request), as
        # `fieldweek timetable --policy` plans; routes and re-plans carry their week's.
        department, _ = job_department(record.department, job.policy)
        if job.job_kind == "routes":
            return _plan_routes(store, job, runner, record.department, department)
        if job.job_kind == "replan":
            return _replan(store, job, runner, department, solver_threads, explain_time_limit_s)
        return _solve_week(store, job, runner, department, solver_threads, explain_time_limit_s)
    except InputError as exc:
        problems = "; ".join(str(problem) for problem in exc.problems)
        store.finish_job(job_id, "failed", runner=runner, reason=f"the input is wrong: {problems}")
        return "failed"
    except Exception as exc:  # a job must end failed with its reason, never stay running
        store.finish_job(job_id, "failed", runner=runner, reason=internal_error_reason(exc))
        return "failed"


solve_timetable_job = run_job
"""The name of `run_job` from before route and re-plan jobs (a timetable job is one kind)."""

RERUN_REASON = "the cluster worker running this job died; running it again on another worker"


def _take_back_from_dead_attempt(store: Store, job_id: str, dispatch: str) -> None:
    """Queue the job again if an earlier attempt of this hand-out claimed it: that attempt's
    worker died (Dask runs a task again only then); a late result of it is then refused by
    its runner token. A job cancelled or failed meanwhile is not running and stays ended."""
    job = store.job(job_id)
    if job is not None and job.status == "running" and (job.runner or "").startswith(f"{dispatch}/"):
        store.requeue_running_jobs([job_id], reason=RERUN_REASON)


def _solve_week(
    store: Store, job: TimetableJob, runner: str, department: Department,
    solver_threads: int, explain_time_limit_s: float,
) -> str:
    progress = _JobProgress(store, job.id, runner)
    budget = time_budget(job.time_limit_s, explain_s=explain_time_limit_s)
    # How long to search on, chosen when the job was asked for (api/http/timetables.py
    # `week_limits`, the command line's rules); a job stored without it keeps its limit.
    searched_on = job.request or {}
    params = SolveParams.within(budget.timetable, workers=solver_threads,
                                extend_to_s=searched_on.get("extend_to_s"),
                                first_week_by_s=searched_on.get("first_week_by_s"))
    try:
        result = solve_timetable(
            department, policy_from_mapping(job.policy), job.week_start, params,
            on_progress=progress.improved,
        )
    finally:
        progress.stop()
    timetable = result.timetable
    status, reason = _final_status(timetable, params)
    store.finish_job(
        job.id, status, runner=runner, reason=reason, timetable=timetable.to_json_dict(),
        objective=timetable.objective, bound=timetable.best_bound,
    )
    return status


class _JobProgress:
    """A week's progress as the job shows it: seconds since the job started (the solver's
    own count restarts with each phase: 3.98 s on a job of 120 s), with the best week and
    bound so far, written on each improvement (at most every PROGRESS_INTERVAL_S) and by a
    heartbeat every HEARTBEAT_S, so the seconds grow before the first week too."""

    def __init__(self, store: Store, job_id: str, runner: str) -> None:
        self.store, self.job_id, self.runner = store, job_id, runner
        self.started = time.monotonic()
        self.last_improvement = 0.0
        self.best: tuple[float | None, float | None] = (None, None)
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        threading.Thread(target=self._beat, name="fieldweek-progress", daemon=True).start()

    def improved(self, point: Progress) -> None:
        """The solver's callback: a better week (or bound) found."""
        with self.lock:
            self.best = (point.objective, point.bound)
        now = time.monotonic()
        if now - self.last_improvement >= PROGRESS_INTERVAL_S:  # else the next beat writes it
            self.last_improvement = now
            self.write()

    def write(self) -> None:
        with self.lock:  # one write at a time: the solver's thread and the heartbeat's
            objective, bound = self.best
            self.store.record_progress(self.job_id, self.runner,
                                       round(time.monotonic() - self.started, 2), objective, bound)

    def _beat(self) -> None:
        while not self.stopped.wait(HEARTBEAT_S):
            try:
                self.write()
            except Exception:  # a missed beat is no reason to stop the solve
                log.warning("progress of job %s not written", self.job_id, exc_info=True)

    def stop(self) -> None:
        self.stopped.set()


def _searches_on_to(params: SolveParams) -> float | None:
    """How long the solve searches on past its limit when it finds no week (None: never)."""
    cap = params.extend_to_s if params.extend_to_s is not None else params.first_week_by_s
    return cap if cap is not None and cap > params.time_limit_s else None


def _final_status(timetable: Timetable, params: SolveParams | None = None) -> tuple[str, str | None]:
    """The job status for a solver result; `unknown` (no plan within the time limit) is a
    failure. Searched on to a cap for a first week, the reason names the cap (the solver's
    rounded seconds said 'within 21 s' of a job capped at 20 s)."""
    messages = "; ".join(conflict.message for conflict in timetable.conflicts) or None
    cap = _searches_on_to(params) if params is not None else None
    if timetable.status == "unknown" and cap is not None and params is not None and not timetable.blocks:
        return "failed", (f"no timetable found within the job's cap of {cap:g} s "
                          f"(searched on from its limit of {params.time_limit_s:g} s); allow more time")
    if timetable.status == "unknown":
        return "failed", messages or "no timetable found within the time limit"
    if timetable.status == "infeasible":
        return "infeasible", messages
    return timetable.status, None


def _solved_timetable(store: Store, job: TimetableJob) -> tuple[TimetableJob, Timetable]:
    """The job a route or re-plan job starts from and its week: a solved timetable, or
    (for routes) a finished re-plan's re-planned week."""
    timetable_id = (job.request or {}).get("timetable_id", "")
    source = store.job(timetable_id)
    if source is None:
        raise LookupError(f"timetable job {timetable_id} is gone")
    return source, job_timetable(source)


def _plan_routes(
    store: Store, job: TimetableJob, runner: str, document: dict[str, Any], department: Department
) -> str:
    """Plan the week's (or one day's / one manager's) routes from a solved timetable with
    the policy it was solved under, owing also the visits carried from last week; the
    result is the routes JSON of `fieldweek routes`, also stored as the week's route plan."""
    # Imported here: only the workers that plan routes load the routing stack.
    from engine.routing.one_day import one_day
    from engine.routing.plan import plan_routes

    request = job.request or {}
    source, timetable = _solved_timetable(store, job)
    day = dt.date.fromisoformat(request["day"]) if request.get("day") else None
    manager = request.get("manager")
    budget = time_budget(job.time_limit_s, route_time_limit_s=job.time_limit_s)
    assert budget.routes is not None
    plan = plan_routes(
        department,
        policy_from_mapping(source.policy),
        timetable,
        source.week_start,
        manager=manager,
        time_limit_s=budget.routes.limit_s,
        carried=carried_from_last_week(store, job.department_id, department, source.week_start),
    )
    # A day is cut from the week's plan, as `fieldweek routes --day` does (engine/routing/one_day.py).
    routes = (one_day(plan, day) if day is not None else plan).to_json_dict()
    if store.finish_job(job.id, "done", runner=runner, result=routes):
        store.add_route_plan(job.department_id, source.id, source.week_start, day, manager, routes)
    return "done"


def carried_from_last_week(
    store: Store, department_id: str, department: Department, week_start: dt.date
) -> dict[str, int]:
    """Visits due last week and not reported done, when last week's actuals were posted
    (a week nobody reported on carries nothing: nothing is known about it)."""
    last_week = week_start - dt.timedelta(weeks=1)
    days = [Actuals.model_validate(day) for day in store.actuals_of_week(department_id, last_week)]
    if not days:
        return {}
    reported = Actuals(blocks=tuple(b for d in days for b in d.blocks),
                       visits=tuple(v for d in days for v in d.visits))
    return missed_in_week(department, last_week, reported, {})


def _replan(
    store: Store, job: TimetableJob, runner: str, department: Department,
    solver_threads: int, explain_time_limit_s: float,
) -> str:
    """Re-plan the rest of the week; the result is the re-plan JSON with `check`, the
    independent checker's verdict (null when no week was found)."""
    # Imported here: only the workers that re-plan load the re-planner and its checker.
    from api.replan_verdict import judge_replan
    from engine.replan import replan
    from engine.replan.situation import earlier_replan, with_earlier_events

    request = ReplanRequest.model_validate((job.request or {}).get("replan", {}))
    source, timetable = _solved_timetable(store, job)
    policy = policy_from_mapping(source.policy)
    budget = time_budget(job.time_limit_s, explain_s=explain_time_limit_s)
    # A re-planned week is re-planned with its re-plan's events: without them its sick
    # manager would count as at work again.
    earlier = earlier_replan(source.result, where=f"job {source.id}") \
        if source.job_kind == "replan" and source.result is not None else None
    result = replan(
        department, policy, timetable, request.now, with_earlier_events(earlier, request.now, request.events),
        request.routes,
        SolveParams.within(budget.timetable, workers=solver_threads),
    )
    # Judged as `fieldweek replan` judges it, its routes against the week's too.
    verdict = judge_replan(department, policy, timetable, result, request.routes)
    check = verdict.as_dict() if verdict is not None else None
    store.finish_job(job.id, "done", runner=runner, result={**result.to_json_dict(), "check": check})
    return "done"
