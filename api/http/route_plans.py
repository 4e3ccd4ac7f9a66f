"""/v1/departments/{id}/routes and /v1/routes/map.html: the visit routes of a solved week."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from api.exports.route_map import route_map_page
from api.http.access import Caller
from api.http.department_input import department_from_document, stored_policy
from api.http.jobs import route_wait_s
from api.http.problems import InputProblems, LimitExceeded
from api.http.schemas import BAD_INPUT_RESPONSE, ROUTES_EXAMPLE, RoutesRequest
from api.http.service import CallerDep, Service, ServiceDep, visible_department
from api.http.storage import SOLVED_STATES, DepartmentRecord, TimetableJob
from engine.actuals import Actuals, missed_in_week

router = APIRouter(prefix="/v1", tags=["routes"], responses=BAD_INPUT_RESPONSE)

ROUTES_RESPONSES = {
    200: {
        "description": "the routes JSON of `fieldweek routes`",
        "content": {"application/json": {"example": ROUTES_EXAMPLE}},
    },
    404: {"description": "no such department or timetable job"},
    409: {"description": "no solved timetable for that week yet"},
    413: {"description": "time_limit over the configured limit"},
    504: {"description": "route planning took longer than the configured limit"},
}


def _bad(where: str, column: str, message: str) -> InputProblems:
    return InputProblems(
        [{"file": where, "row": None, "column": column, "message": message, "loc": [where, column]}]
    )


def _check_scope(
    record: DepartmentRecord,
    week_start: dt.date,
    day: dt.date | None,
    manager: str | None,
    where: str,
) -> None:
    if day is not None and not 0 <= (day - week_start).days <= 6:
        raise _bad(where, "day", f"day {day} is not in the week starting {week_start}")
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
    if job.status not in SOLVED_STATES:
        raise HTTPException(
            409, f"timetable {job_id} is {job.status}: routes need a solved timetable"
        )
    return job


def _route_time_limit(service: Service, requested: float | None) -> float:
    settings = service.settings
    time_limit = settings.default_route_time_limit_s if requested is None else requested
    if time_limit > settings.max_route_time_limit_s:
        raise LimitExceeded("time_limit", time_limit, settings.max_route_time_limit_s, " s")
    return time_limit


async def _plan(
    service: Service,
    record: DepartmentRecord,
    job: TimetableJob,
    day: dt.date | None,
    manager: str | None,
    time_limit: float,
) -> dict[str, Any]:
    carried = await run_in_threadpool(_carried_from_last_week, service, record, job)
    try:
        routes = await service.jobs.plan_routes(
            record.department,
            job.policy,
            job.timetable or {},
            job.week_start,
            day,
            manager,
            time_limit,
            carried,
        )
    except TimeoutError:
        raise HTTPException(
            504, f"route planning took longer than {route_wait_s(time_limit):g} s"
        ) from None
    await run_in_threadpool(
        service.store.add_route_plan, record.id, job.id, job.week_start, day, manager, routes
    )
    return routes


def _carried_from_last_week(service: Service, record: DepartmentRecord, job: TimetableJob) -> dict[str, int]:
    """Visits due last week and not reported done, when last week's actuals were posted
    (a week nobody reported on carries nothing: nothing is known about it)."""
    last_week = job.week_start - dt.timedelta(weeks=1)
    days = [Actuals.model_validate(day) for day in service.store.actuals_of_week(record.id, last_week)]
    if not days:
        return {}
    reported = Actuals(blocks=tuple(b for d in days for b in d.blocks),
                       visits=tuple(v for d in days for v in d.visits))
    return missed_in_week(department_from_document(record.department), last_week, reported, {})


async def _visible(service: Service, caller: Caller, department_id: str) -> DepartmentRecord:
    return await run_in_threadpool(visible_department, service, caller, department_id)


@router.post("/departments/{department_id}/routes", responses=ROUTES_RESPONSES)
async def plan_routes(
    department_id: str,
    request: Annotated[RoutesRequest, Body()],
    service: ServiceDep,
    caller: CallerDep,
) -> dict[str, Any]:
    """Plan the visit routes of a solved week: every manager and day, or one `day` and/or
    one `manager`. Uses the newest solved timetable of that week unless `timetable`
    names a job. Returns the routes JSON of `fieldweek routes` and stores it (the
    route map shows the stored plan)."""
    record = await _visible(service, caller, department_id)
    time_limit = _route_time_limit(service, request.time_limit)
    _check_scope(record, request.week_start, request.day, request.manager, "body")
    job = await run_in_threadpool(
        _timetable_job, service, record, request.week_start, request.timetable
    )
    return await _plan(service, record, job, request.day, request.manager, time_limit)


@router.get(
    "/routes/map.html",
    response_class=HTMLResponse,
    responses={k: v for k, v in ROUTES_RESPONSES.items() if k != 200},
)
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
    lang: Annotated[Literal["zh", "en"], Query()] = "zh",
) -> HTMLResponse:
    """The day's routes on a map: stops numbered in visiting order and the path between
    them. The stops and the path are drawn in the page itself (SVG), so they show even
    where the map tiles or the map library cannot be loaded. Uses the newest stored
    route plan covering the request, planning one from the solved timetable if needed."""
    if week_start.weekday() != 0:
        raise _bad(
            "query", "week_start", f"week_start must be a Monday; {week_start} is a {week_start:%A}"
        )
    record = await _visible(service, caller, department)
    _check_scope(record, week_start, day, manager, "query")
    stored = await run_in_threadpool(
        service.store.latest_route_plan, record.id, week_start, day, manager
    )
    if stored is not None:
        routes = stored.routes
    else:
        job = await run_in_threadpool(_timetable_job, service, record, week_start, None)
        routes = await _plan(service, record, job, day, manager, _route_time_limit(service, None))
    page = route_map_page(
        routes,
        department_from_document(record.department),
        stored_policy(record.department),
        day=day,
        manager=manager,
        lang=lang,
    )
    return HTMLResponse(page)
