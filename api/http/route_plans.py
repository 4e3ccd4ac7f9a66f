"""/v1/departments/{id}/routes and /v1/routes/map.html: the visit routes of a solved week.

Route planning is a job on the worker pool (api/http/jobs.py): the POST answers 202 with
the job's id, and the job's `result` (GET /v1/jobs/{id}) is the routes JSON, also stored
as the week's route plan that the map shows. A re-plan's routes are in its job's result,
not among the stored plans: the map of a re-planned week shows them, and every page shows
the week's newest plan, a re-plan's week among them (`week_plan`). The map, like the desk,
shows only routes made from the plan it shows: after the week was solved again it kept
the older timetable's stops."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from api.exports.route_map import MAP_WORDS, replan_notice, replan_route_plan, route_map_page
from api.http.access import Caller
from api.http.department_input import job_department
from api.http.job_endpoints import ACCEPTED, accepted
from api.http.job_timetables import NoWeek, job_timetable, replan_result
from api.http.problems import InputProblems, LimitExceeded
from api.http.quotas import add_job_within_quota
from api.http.schemas import BAD_INPUT_RESPONSE, JobAccepted, RoutesRequest
from api.http.service import CallerDep, Service, ServiceDep, visible_department
from api.http.storage import DepartmentRecord, RoutePlanRecord, Store, TimetableJob
from engine.work_calendar import WorkCalendar

router = APIRouter(prefix="/v1", tags=["routes"], responses=BAD_INPUT_RESPONSE)

ROUTES_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ACCEPTED,
    404: {"description": "no such department or timetable job"},
    409: {"description": "no solved timetable (or, for the map, no route plan made from the "
          "plan it shows) for that week yet; or `timetable` is a re-plan, which carries its "
          "own routes"},
    413: {"description": "time_limit over the configured limit"},
}
MAP_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: answer for code, answer in ROUTES_RESPONSES.items() if code not in (202, 429)
}



def _bad(where: str, column: str, message: str) -> InputProblems:
    return InputProblems(
        [{"file": where, "row": None, "column": column, "message": message, "loc": [where, column]}]
    )


def _check_scope(
    record: DepartmentRecord,
    job: TimetableJob,
    day: dt.date | None,
    manager: str | None,
    where: str,
) -> None:
    """`day` must be a working day of `job`'s week under the policy that job was planned
    with (`job.policy`), not the department's stored one: a week planned with a policy
    of its own (six days, say) had its Saturday refused as no working day."""
    if day is not None:
        calendar = WorkCalendar(*job_department(record.department, job.policy))
        if why := calendar.day_problem(job.week_start, day):
            raise _bad(where, "day", why)
    managers = {m["id"] for m in record.department.get("managers", ())}
    if manager is not None and manager not in managers:
        raise _bad(where, "manager", f"manager '{manager}' is not in the department")


def _timetable_job(
    service: Service, record: DepartmentRecord, week_start: dt.date, job_id: str | None
) -> TimetableJob:
    if job_id is None:
        job = service.store.latest_solved_job(record.id, week_start)
        if job is None:
            raise HTTPException(
                409,
                f"no solved timetable for the week of {week_start} yet: "
                f"POST /v1/departments/{record.id}/timetables first",
            )
        return job
    job = service.store.job(job_id)
    if job is None or job.department_id != record.id:
        raise HTTPException(404, f"no timetable job {job_id!r} for department {record.id}")
    if job.week_start != week_start:
        raise _bad(
            "body",
            "timetable",
            f"timetable {job_id} is for the week of {job.week_start}, not {week_start}",
        )
    try:
        job_timetable(job)  # a solved timetable, or a finished re-plan's week
    except NoWeek as missing:
        raise HTTPException(
            409, f"{missing}: routes need a solved timetable or a finished re-plan"
        ) from None
    if job.job_kind == "replan":
        raise HTTPException(409, replan_routes_refusal(job))
    return job


def replan_routes_refusal(job: TimetableJob) -> str:
    """Why a finished re-plan is not routed again: routing plans the whole week from
    scratch, so it would rewrite the stops made before the re-plan's `now` (and store
    that as the week's plan). The re-plan carries its own routes, past stops pinned."""
    result = replan_result(job)
    where = (
        f"its routes are in its result (GET /v1/jobs/{job.id}: `routes`, the stops "
        "before its `now` pinned as they were made)"
        if result.routes is not None
        else "it was asked without the week's routes, so it has none: re-plan the week "
        "with its route plan (`routes`) to have them re-planned"
    )
    return (
        f"job {job.id} is a re-plan of the week from {result.now:%Y-%m-%d %H:%M}: "
        f"{where}; routing it again would plan the whole week anew and change the visits "
        "already made"
    )


def _route_time_limit(service: Service, requested: float | None) -> float:
    settings = service.settings
    time_limit = settings.default_route_time_limit_s if requested is None else requested
    if time_limit > settings.max_route_time_limit_s:
        raise LimitExceeded("time_limit", time_limit, settings.max_route_time_limit_s, " s")
    return time_limit


async def _visible(service: Service, caller: Caller, department_id: str) -> DepartmentRecord:
    return await run_in_threadpool(visible_department, service, caller, department_id)


@router.post(
    "/departments/{department_id}/routes",
    status_code=202,
    response_model=JobAccepted,
    responses=ROUTES_RESPONSES,
)
async def plan_routes(
    department_id: str,
    request: Annotated[RoutesRequest, Body()],
    response: Response,
    service: ServiceDep,
    caller: CallerDep,
) -> dict[str, Any]:
    """Queue the planning of a solved week's visit routes: every manager and day, or one
    `day` and/or one `manager`, from the newest solved timetable of that week unless
    `timetable` names a timetable job. A re-plan job is 409: it carries its own routes
    (its `result.routes`, the stops before its `now` kept as made), which routing the
    week anew would rewrite. Answers 202 with the job's id; once `done`, the job's
    `result` (GET /v1/jobs/{id}) is the routes JSON of `fieldweek routes`, also stored
    as the week's route plan (the route map shows it)."""
    record = await _visible(service, caller, department_id)
    time_limit = _route_time_limit(service, request.time_limit)
    job = await run_in_threadpool(
        _timetable_job, service, record, request.week_start, request.timetable
    )
    _check_scope(record, job, request.day, request.manager, "body")
    service.rates.admit("route", caller.fingerprint, service.settings.route_requests_per_minute)
    queued = await run_in_threadpool(_queue_routes, service, caller.fingerprint, job, request,
                                     time_limit)
    return accepted(queued, response)


def _queue_routes(
    service: Service, owner: str | None, source: TimetableJob, request: RoutesRequest,
    time_limit: float,
) -> TimetableJob:
    job = add_job_within_quota(
        service.settings,
        service.store,
        source.department_id,
        source.week_start,
        source.policy,
        time_limit,
        kind="routes",
        owner=owner,
        request={
            "timetable_id": source.id,
            "day": request.day.isoformat() if request.day else None,
            "manager": request.manager,
        },
    )
    service.jobs.submit(job.id)
    return job


@router.get("/routes/map.html", response_class=HTMLResponse, responses=MAP_RESPONSES)
async def route_map(
    service: ServiceDep,
    caller: CallerDep,
    department: Annotated[str, Query(min_length=1, description="the department's id")],
    week_start: Annotated[dt.date, Query(description="the Monday of the week")],
    day: Annotated[
        dt.date | None, Query(description="one day; default: every day of the week")
    ] = None,
    manager: Annotated[
        str | None, Query(min_length=1, description="one manager; default: all")
    ] = None,
    timetable: Annotated[
        str | None,
        Query(min_length=1, description="the timetable or re-plan job whose routes to show; "
              "default: the week's newest plan (the one the desk and the phone show)"),
    ] = None,
    lang: Annotated[Literal["zh", "en"], Query()] = "zh",
) -> HTMLResponse:
    """The day's routes on a map: stops numbered in visiting order and the path between
    them. The stops and the path are drawn in the page itself (SVG), so they show even
    where the map tiles or the map library cannot be loaded. Shows the routes of the
    week's newest plan (`week_plan`), or of the `timetable` job named: a re-plan's own
    routes, else the newest stored route plan covering the request when it was made from
    that plan's timetable (409 when there is none: POST the routes first). The page names
    the job whose routes it shows, and its policy is the one that job was planned with."""
    if week_start.weekday() != 0:
        raise _bad(
            "query", "week_start", f"week_start must be a Monday; {week_start} is a {week_start:%A}"
        )
    record = await _visible(service, caller, department)
    plan = await run_in_threadpool(_plan_shown, service, record, week_start, timetable)
    _check_scope(record, plan, day, manager, "query")
    stored = await run_in_threadpool(
        service.store.latest_route_plan, record.id, week_start, day, manager
    )
    source = await run_in_threadpool(timetable_of, service.store, plan)
    routes, replan = routes_of_plan(plan, stored if stored is not None and stored.job_id == source else None)
    if routes is None:
        raise HTTPException(
            409,
            f"no routes planned from timetable {source} (week of {week_start}) yet: "
            f"POST /v1/departments/{record.id}/routes first",
        )
    if replan is not None and replan.result is not None:
        notice = replan_notice(replan.result, replan.id, lang)
        links = [(MAP_WORDS[lang]["replan_map"], f"/v1/desk/map/{replan.id}?lang={lang}"),
                 (MAP_WORDS[lang]["replan_result"], f"/v1/jobs/{replan.id}")]
    else:
        notice = PLAN_WORDS[lang]["routes_of"].format(job=source)
        links = [(PLAN_WORDS[lang]["timetable"], f"/v1/timetables/{source}.html?lang={lang}")]
    page = route_map_page(
        routes,
        *job_department(record.department, plan.policy),
        day=day,
        manager=manager,
        lang=lang,
        notice=notice,
        notice_links=links,
    )
    return HTMLResponse(page)


PLAN_WORDS = {
    "zh": {"routes_of": "路线由排班 {job} 规划", "timetable": "排班表"},
    "en": {"routes_of": "Routes planned from timetable {job}", "timetable": "the timetable"},
}
"""What the map says of the plan it shows when that is a timetable (a re-plan says
`replan_notice`): the map kept an older timetable's routes after the week was solved
again, and nothing on it told which timetable its stops came from."""


def _plan_shown(
    service: Service, record: DepartmentRecord, week_start: dt.date, job_id: str | None
) -> TimetableJob:
    """The plan whose routes the map shows: the job `job_id` (a timetable or re-plan of the
    department's week that holds a week), else the week's newest plan (`week_plan`), the
    one the desk's week, the phone and the timetable pages show."""
    if job_id is None:
        plan = week_plan(service.store, record.id, week_start)
        if plan is None:
            raise HTTPException(
                409,
                f"no solved timetable for the week of {week_start} yet: "
                f"POST /v1/departments/{record.id}/timetables first",
            )
        return plan
    job = service.store.job(job_id)
    if job is None or job.department_id != record.id or job.job_kind not in ("timetable", "replan"):
        raise HTTPException(404, f"no timetable or re-plan job {job_id!r} for department {record.id}")
    if job.week_start != week_start:
        raise _bad("query", "timetable",
                   f"timetable {job_id} is for the week of {job.week_start}, not {week_start}")
    try:
        job_timetable(job)
    except NoWeek as missing:
        raise HTTPException(409, f"{missing}: it has no week to show the routes of") from None
    return job


def timetable_of(store: Store, plan: TimetableJob) -> str:
    """The timetable job a plan is, or that a re-plan descends from (through re-plans of
    re-plans): the one its stored route plans are made from (a re-plan is never routed)."""
    job, seen = plan, {plan.id}
    while job.job_kind == "replan":
        source = store.job(str((job.request or {}).get("timetable_id")))
        if source is None or source.id in seen:
            break
        job = source
        seen.add(job.id)
    return job.id


def week_plan(store: Store, department_id: str, week_start: dt.date) -> TimetableJob | None:
    """The week's newest plan, the one every page shows: the newest finished re-plan of the
    week's latest solved timetable (a re-plan of that re-plan included) that found a
    re-planned week, else that timetable; None before any is solved. A timetable solved
    after a re-plan is a new plan of the week: the re-plans of the older one no longer
    count. The phone and the desk read only timetables, and kept showing a sick
    manager's day after the re-plan had cancelled it."""
    timetable = store.latest_solved_job(department_id, week_start)
    if timetable is None:
        return None
    replans = store.finished_replans(department_id, week_start)
    sources = {job.id: str((job.request or {}).get("timetable_id")) for job in replans}
    for job in replans:
        if _plan_it_replans(job.id, sources) == timetable.id and _has_week(job):
            return job
    return timetable


def _plan_it_replans(job_id: str, sources: dict[str, str]) -> str:
    """The timetable job a re-plan descends from, through the re-plans of re-plans."""
    seen = {job_id}
    while (job_id := sources[job_id]) in sources and job_id not in seen:
        seen.add(job_id)
    return job_id


def _has_week(replan: TimetableJob) -> bool:
    try:
        replan_result(replan)
    except NoWeek:  # it found no re-planned week: the plan before it stands
        return False
    return True


def routes_of_plan(
    plan: TimetableJob | None, stored: RoutePlanRecord | None
) -> tuple[dict[str, Any] | None, TimetableJob | None]:
    """The routes of a week whose plan is `plan`, and the re-plan they come from, if any.
    A re-plan's routes live in its job's result, never among the `stored` route plans
    (routing a re-plan job is refused): after a re-plan the map kept showing the first
    routes, a sick manager's day among them. A re-plan asked without routes has none:
    the stored plan is shown, and the re-plan named with it."""
    stored_routes = stored.routes if stored is not None else None
    if plan is None or plan.job_kind != "replan":
        return stored_routes, None
    result = plan.result or {}
    if isinstance(result.get("routes"), list):
        return replan_route_plan(result), plan
    return stored_routes, plan
