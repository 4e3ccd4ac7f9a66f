"""POST /v1/timetables/{job}/replan: re-plan the rest of a solved week after the events
of a real week (a manager off sick, a retailer closed, an urgent visit, a promotion
store cancelled). Thin: engine.replan does the work in a worker process (a job, as
timetables: 202 with its id), and the independent checker (engine.check.replan) judges
the result: the job's `result` carries `check`, the faults it finds and the hours the
absences cost."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response
from fastapi.concurrency import run_in_threadpool

from api.http.access import Caller
from api.http.actuals import check_route_plan
from api.http.department_input import job_department
from api.http.job_endpoints import ACCEPTED, accepted
from api.http.job_timetables import NoWeek, job_timetable
from api.http.problems import InputProblems, LimitExceeded, problem_dict
from api.http.quotas import add_job_within_quota
from api.http.schemas import BAD_INPUT_RESPONSE, JobAccepted, ReplanRequest
from api.http.service import CallerDep, Service, ServiceDep, visible_job
from api.http.storage import TimetableJob
from engine.domain import Department, Timetable
from engine.errors import InputError, Problem
from engine.policy import policy_from_mapping
from engine.replan.events import clock_times
from engine.replan.situation import EarlierReplan, earlier_replan, replan_input_problems

router = APIRouter(prefix="/v1", tags=["replan"], responses=BAD_INPUT_RESPONSE)

@router.post(
    "/timetables/{job_id}/replan",
    status_code=202,
    response_model=JobAccepted,
    responses={**ACCEPTED,
               404: {"description": "no such job (or not this key's)"},
               409: {"description": "the job has no solved timetable or re-planned week"},
               413: {"description": "time_limit over the configured limit"}},
)
async def replan_timetable(job_id: str, request: ReplanRequest, response: Response,
                           service: ServiceDep, caller: CallerDep) -> dict[str, Any]:
    """Queue a re-plan of the week; answers 202 with the job's id. Once `done`, the job's
    `result` (GET /v1/jobs/{id}) is the re-planned week: the new timetable (and routes),
    the diff per manager, every due visit that found no place, with its reason, and
    `check`: the independent checker's verdict (executable, violations, shortfalls; null
    when no week was found). A re-plan job's week is re-planned with that re-plan's
    events carried before the new ones (`now` may not be earlier than its `now`), and
    with its routes when the request sends none."""
    source, record = await run_in_threadpool(visible_job, service, caller, job_id, None)
    if source.job_kind not in ("timetable", "replan"):
        raise HTTPException(404, f"no timetable or re-plan job {job_id!r}")
    request = local_request(request, service.settings.timezone)
    try:
        # A solved week, or a finished re-plan's: a second event re-plans the re-planned week.
        week = job_timetable(source)
    except NoWeek as missing:
        raise HTTPException(409, f"{missing}: a re-plan needs a solved timetable or a finished re-plan") from None
    department, _ = job_department(record.department, source.policy)
    request = with_replanned_routes(request, source)
    check_route_plan(request.routes, department)
    await run_in_threadpool(check_replan_request, request, source, week, department)
    settings = service.settings
    time_limit = request.time_limit if request.time_limit is not None else settings.default_time_limit_s
    if time_limit > settings.max_time_limit_s:
        raise LimitExceeded("time_limit", time_limit, settings.max_time_limit_s, " s")
    service.rates.admit("re-plan", caller.fingerprint, settings.replan_requests_per_minute)
    job = await run_in_threadpool(_queue_replan, service, caller, source, request, time_limit)
    return accepted(job, response)


def local_request(request: ReplanRequest, zone: str) -> ReplanRequest:
    """The request with every moment given with an offset (`Z`, `+05:00`) turned into the
    clock time of the service's time zone (the zone its timetables are written in) by
    the re-planner's `clock_times`, the one conversion `fieldweek replan` uses too."""
    try:
        now, events = clock_times(request.now, request.events, zone)
    except InputError as error:
        raise _input_problems(error.problems) from None
    return request.model_copy(update={"now": now, "events": list(events)})


def check_replan_request(request: ReplanRequest, source: TimetableJob, week: Timetable,
                         department: Department) -> None:
    """422 for what the worker's re-plan would refuse, before the job is queued: `now`
    far from the week, a policy without [replan], events naming a manager or retailer
    the department does not have, routes of another week, an urgent visit without
    routes, and — when `source` is a re-plan, whose events are carried into this one —
    `now` before that re-plan's `now`. The re-planner's own `replan_input_problems`
    finds them (as `fieldweek replan` does), not a second check here."""
    policy = policy_from_mapping(source.policy)
    try:
        earlier = earlier_of(source)
    except InputError as error:
        raise _input_problems(error.problems) from None
    problems = replan_input_problems(department, policy, week,
                                     request.now, request.events, request.routes, earlier=earlier)
    if problems:
        raise _input_problems(problems)


def with_replanned_routes(request: ReplanRequest, source: TimetableJob) -> ReplanRequest:
    """A re-plan of a re-plan job sent without routes re-plans the re-planned routes,
    the job's own (as `fieldweek replan` reads them from a re-plan's JSON): without
    routes its visits were not re-planned and an urgent visit was refused, and the
    week's first routes would hand over again visits the re-plan had handed over."""
    if request.routes is not None or source.job_kind != "replan" or not source.result \
            or not isinstance(source.result.get("routes"), list):
        return request
    result = source.result
    routes = {"week_start": result.get("week_start"), "routes": result["routes"],
              "unvisited": result.get("unplaced", [])}
    return request.model_copy(update={"routes": routes})


def earlier_of(source: TimetableJob) -> EarlierReplan | None:
    """The re-plan a re-plan job's week came from (its `now`, events and routes), whose
    events a re-plan of that week carries; None for a timetable job."""
    if source.job_kind != "replan" or source.result is None:
        return None
    return earlier_replan(source.result, where=f"job {source.id}")


def _input_problems(problems: list[Problem]) -> InputProblems:
    return InputProblems([problem_dict(p, _body_location(p)) for p in problems])


def _body_location(problem: Problem) -> list[str | int] | None:
    """Where in the body a problem is: the re-planner numbers events from 1, and names a
    route plan's values by their path inside it (`routes.3.date`)."""
    if problem.file == "events" and problem.row is not None:
        return ["body", "events", problem.row - 1, *([problem.column] if problem.column else [])]
    if problem.file is None and problem.column == "now":
        return ["body", "now"]
    if problem.file == "routes" and problem.column:
        return ["body", "routes", *(int(part) if part.isdigit() else part for part in problem.column.split("."))]
    return None


def _queue_replan(service: Service, caller: Caller, source: TimetableJob, request: ReplanRequest,
                  time_limit: float) -> TimetableJob:
    job = add_job_within_quota(
        service.settings, service.store, source.department_id, source.week_start, source.policy,
        time_limit, kind="replan",
        owner=caller.fingerprint,
        request={"timetable_id": source.id,
                 "replan": request.model_dump(mode="json", by_alias=True)},
    )
    service.jobs.submit(job.id)
    return job
