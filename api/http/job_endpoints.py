"""/v1/jobs/{id}: follow any job (timetable, routes, re-plan) and cancel it.

Route plans and re-plans are jobs like timetables: their POST answers 202 with the job's
id at once, and GET /v1/jobs/{id} shows the answer the request used to wait for as
`result` once the job is `done`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Response

from api.http.schemas import Job, JobAccepted
from api.http.service import CallerDep, ServiceDep, visible_job
from api.http.storage import TimetableJob

router = APIRouter(prefix="/v1", tags=["jobs"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such job (or not this key's)"}}


def week_exports(job_id: str) -> dict[str, str]:
    """The downloads of a job's week (a solved timetable's or a finished re-plan's): the
    weekly sheet, the calendars and the printable grid. A re-plan's calendar updates the
    plan's events on a phone (api/exports/ics.replan_calendar)."""
    return {
        "xlsx": f"/v1/timetables/{job_id}.xlsx",
        "ics": f"/v1/timetables/{job_id}.ics",
        "html": f"/v1/timetables/{job_id}.html",
    }


def route_map_link(job: TimetableJob) -> str:
    """The route map of a routes job's week, narrowed to the day and manager it planned, of
    the timetable it routed (the map shows only routes made from the plan it names: without
    it, a routes job of an older timetable linked to the newest plan's 409)."""
    request = job.request or {}
    query = {"department": job.department_id, "week_start": job.week_start.isoformat()}
    query |= {key: request[key] for key in ("day", "manager") if request.get(key)}
    if request.get("timetable_id"):
        query["timetable"] = str(request["timetable_id"])
    return f"/v1/routes/map.html?{urlencode(query)}"


def job_links(job: TimetableJob) -> dict[str, str]:
    """A job's links, the same in its 202 answer and in GET /v1/jobs/{id}."""
    links = {"self": f"/v1/jobs/{job.id}"}
    if job.job_kind == "timetable":
        links["timetable"] = f"/v1/timetables/{job.id}"
    if job.job_kind in ("timetable", "replan"):
        links |= week_exports(job.id)
    if job.job_kind == "routes":
        links["map"] = route_map_link(job)
    return links


def job_view(job: TimetableJob) -> dict[str, Any]:
    """A job as GET /v1/jobs/{id} shows it."""
    return {
        "id": job.id,
        "kind": job.job_kind,
        "department": job.department_id,
        "status": job.status,
        "reason": job.reason,
        "time_limit": job.time_limit_s,
        "searches_on_to_s": job.searches_on_to_s,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "result": job.timetable if job.job_kind == "timetable" else job.result,
        "links": job_links(job),
    }


def accepted(job: TimetableJob, response: Response) -> dict[str, Any]:
    """The 202 answer to a queued job, with its Location."""
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    return {"id": job.id, "status": job.status, "links": job_links(job)}


ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {"model": JobAccepted, "description": "queued: follow it at GET /v1/jobs/{id}"},
    429: {"description": "over a quota of this key or of the service (see Retry-After)"},
}


@router.get("/jobs/{job_id}", response_model=Job, responses=NOT_FOUND)
def get_job(job_id: str, service: ServiceDep, caller: CallerDep) -> dict[str, Any]:
    """Any job's status and, once `done` (or solved, for a timetable), its result."""
    job, _ = visible_job(service, caller, job_id, kind=None)
    return job_view(job)


@router.delete(
    "/jobs/{job_id}",
    response_model=Job,
    responses={**NOT_FOUND, 409: {"description": "the job has already ended"}},
)
def cancel_job(job_id: str, service: ServiceDep, caller: CallerDep) -> dict[str, Any]:
    """Cancel a queued or running job: it ends `cancelled` at once and its result, if its
    worker still produces one, is dropped."""
    job, _ = visible_job(service, caller, job_id, kind=None)
    if not service.jobs.cancel(job.id):
        raise HTTPException(409, f"job {job_id} has already ended ({job.status})")
    cancelled, _ = visible_job(service, caller, job_id, kind=None)
    return job_view(cancelled)
