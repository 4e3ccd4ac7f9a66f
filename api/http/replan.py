"""POST /v1/timetables/{job}/replan: re-plan the rest of a solved week after the events
of a real week (a manager off sick, a retailer closed, an urgent visit, a promotion
store cancelled). Thin: engine.replan does the work in a worker process (a job, as
timetables: 202 with its id), and the independent checker (engine.check.replan) judges
the result: the job's `result` carries `check`, the faults it finds and the hours the
absences cost."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Response
from fastapi.concurrency import run_in_threadpool

from api.http.access import Caller
from api.http.actuals import check_route_plan
from api.http.department_input import department_from_document
from api.http.job_endpoints import ACCEPTED, accepted
from api.http.problems import InputProblems, LimitExceeded, problem_dict
from api.http.quotas import add_job_within_quota
from api.http.schemas import BAD_INPUT_RESPONSE, JobAccepted, ReplanRequest
from api.http.service import CallerDep, Service, ServiceDep, visible_job
from api.http.storage import SOLVED_STATES, TimetableJob
from engine.domain import Department, Timetable
from engine.errors import InputError, Problem
from engine.policy import policy_from_mapping
from engine.replan import Event
from engine.replan.situation import replan_rules, situation_at

router = APIRouter(prefix="/v1", tags=["replan"], responses=BAD_INPUT_RESPONSE)

NOW_MARGIN = dt.timedelta(days=7)
"""How far before the timetable's week, or after its end, `now` may lie: a re-plan is
asked just before or during the week (after it, everything is pinned); a year away is a
mistake."""

@router.post(
    "/timetables/{job_id}/replan",
    status_code=202,
    response_model=JobAccepted,
    responses={**ACCEPTED,
               404: {"description": "no such job (or not this key's)"},
               409: {"description": "the job has no solved timetable"},
               413: {"description": "time_limit over the configured limit"}},
)
async def replan_timetable(job_id: str, request: ReplanRequest, response: Response,
                           service: ServiceDep, caller: CallerDep) -> dict[str, Any]:
    """Queue a re-plan of the week; answers 202 with the job's id. Once `done`, the job's
    `result` (GET /v1/jobs/{id}) is the re-planned week: the new timetable (and routes),
    the diff per manager, every due visit that found no place, with its reason, and
    `check`: the independent checker's verdict (executable, violations, shortfalls; null
    when no week was found)."""
    source, record = await run_in_threadpool(visible_job, service, caller, job_id)
    request = local_request(request, service.settings.timezone)
    if source.status not in SOLVED_STATES or source.timetable is None:
        raise HTTPException(409, f"job {job_id} is {source.status}: a re-plan needs a solved timetable")
    department = department_from_document(record.department)
    check_route_plan(request.routes, department)
    await run_in_threadpool(check_replan_request, request, source, department)
    settings = service.settings
    time_limit = request.time_limit if request.time_limit is not None else settings.default_time_limit_s
    if time_limit > settings.max_time_limit_s:
        raise LimitExceeded("time_limit", time_limit, settings.max_time_limit_s, " s")
    service.rates.admit("re-plan", caller.fingerprint, settings.replan_requests_per_minute)
    job = await run_in_threadpool(_queue_replan, service, caller, source, request, time_limit)
    return accepted(job, response)


def local_request(request: ReplanRequest, zone: str) -> ReplanRequest:
    """The request with every moment given with an offset (`Z`, `+05:00`) turned into the
    clock time of the service's time zone (the zone its timetables are written in) and
    then made naive: the re-planner reads clock times, and dropping the offset read
    05:00Z as 05:00 Beijing time (13:00 was meant). Naive moments are clock times already."""
    now = _clock_time(request.now, zone, ["body", "now"])
    events = [_local_event(event, index, zone) for index, event in enumerate(request.events)]
    return request.model_copy(update={"now": now, "events": events})


def _local_event(event: Event, index: int, zone: str) -> Event:
    moments = {
        name: _clock_time(value, zone, ["body", "events", index, field.alias or name])
        for name, field in type(event).model_fields.items()
        if isinstance(value := getattr(event, name), dt.datetime)
    }
    return event.model_copy(update=moments) if moments else event


def _clock_time(moment: dt.datetime, zone: str, location: list[str | int]) -> dt.datetime:
    if moment.tzinfo is None:
        return moment
    try:
        return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    except OverflowError:
        message = f"{moment.isoformat()} lies outside the calendar in the time zone {zone}"
        raise InputProblems([problem_dict(Problem(message, file="body", column=str(location[-1])),
                                          location)]) from None


def check_replan_request(request: ReplanRequest, source: TimetableJob, department: Department) -> None:
    """422 for what the worker's re-plan would refuse, before the job is queued: `now`
    far from the week, a policy without [replan], events naming a manager or retailer
    the department does not have. The events are resolved by the re-planner's own
    `situation_at` (as `fieldweek replan` does), not checked a second way here."""
    _check_now(request.now, source.week_start)
    policy = policy_from_mapping(source.policy)
    try:
        replan_rules(policy)
        situation_at(department, policy, Timetable.model_validate(source.timetable), request.now,
                     request.events)
    except InputError as error:
        raise InputProblems([problem_dict(p, _event_location(p)) for p in error.problems]) from None


def _check_now(now: dt.datetime, week_start: dt.date) -> None:
    earliest = dt.datetime.combine(week_start - NOW_MARGIN, dt.time())
    latest = dt.datetime.combine(week_start + dt.timedelta(days=7) + NOW_MARGIN, dt.time())
    if not earliest <= now < latest:
        message = (f"now ({now:%Y-%m-%d %H:%M}) is not near the timetable's week of "
                   f"{week_start}: it must lie from {earliest:%Y-%m-%d} to before "
                   f"{latest:%Y-%m-%d} (at most {NOW_MARGIN.days} days before or after the week)")
        raise InputProblems([problem_dict(Problem(message, file="body", column="now"),
                                          ["body", "now"])])


def _event_location(problem: Problem) -> list[str | int] | None:
    """Where in the body an event's problem is: the re-planner numbers events from 1."""
    if problem.file == "events" and problem.row is not None:
        return ["body", "events", problem.row - 1, *([problem.column] if problem.column else [])]
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
