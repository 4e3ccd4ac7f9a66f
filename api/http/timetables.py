"""/v1/departments/{id}/timetables and /v1/timetables/{job}: solve a week in the
background, follow its progress, and export the result."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import or_, select

from api.exports.html import timetable_page
from api.exports.ics import manager_calendar, replan_calendar, revision_sequence
from api.exports.my_day_link import MyDaySite
from api.exports.xlsx import timetable_workbook
from api.http.department_input import (
    builtin_policy_problem,
    job_department,
    stored_policy,
    unknown_calendar_problem,
)
from api.http.job_endpoints import week_exports
from api.http.job_timetables import NoWeek, job_timetable, replan_result
from api.http.problems import PROBLEM_EXAMPLE, InputProblems, LimitExceeded, problem_dict
from api.http.quotas import add_job_within_quota
from api.http.schemas import BAD_INPUT_RESPONSE, JobAccepted, JobStatus, Problems, TimetableRequest
from api.http.service import CallerDep, ServiceDep, site_url, visible_department, visible_job
from api.http.settings import Settings
from api.http.storage import DepartmentRecord, Store, TimetableJob
from engine.budget import EXTENDED_TIMETABLE_S, first_week_by, timetable_limits
from engine.domain import Department, Timetable
from engine.errors import InputError
from engine.policy import Policy, builtin_policy_names, load_policy, policy_from_mapping
from engine.replan.result import ReplanResult

router = APIRouter(prefix="/v1", tags=["timetables"], responses=BAD_INPUT_RESPONSE)

Lang = Annotated[Literal["zh", "en"], Query(description="labels in Chinese (default) or English")]
NOT_FOUND = {404: {"description": "no such job (or not this key's)"}}
NOT_READY = {
    409: {"description": "the job has no timetable to export (still running, infeasible or failed)"}
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_file_name(name: str) -> str:
    """A file name without path separators or control characters (ids are user data)."""
    cleaned = "".join("_" if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in name).strip(". ")
    return cleaned or "export"


def attachment(filename: str) -> str:
    """A Content-Disposition header for a download: an ASCII name for old clients and the
    real (say, Chinese) name as RFC 6266 `filename*`, since header values must be Latin-1."""
    name = safe_file_name(filename)
    ascii_name = name.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def job_links(job_id: str) -> dict[str, str]:
    """A timetable job's links: the same downloads GET /v1/jobs/{id} links, and the job."""
    return {"self": f"/v1/timetables/{job_id}", "job": f"/v1/jobs/{job_id}", **week_exports(job_id)}


def _week_policy(request: TimetableRequest, department_document: dict[str, Any]) -> Policy:
    if request.policy is None:
        return stored_policy(department_document)
    if isinstance(request.policy, dict):
        try:
            policy = policy_from_mapping(request.policy, where="policy")
        except InputError as exc:
            raise InputProblems(
                [
                    problem_dict(p, ["body", "policy", *(p.column or "").split(".")])
                    for p in exc.problems
                ]
            ) from None
        # The week is planned under this policy's public calendar (`job_department`): one
        # the holidays package does not know is refused, as the department loader does.
        if problem := unknown_calendar_problem(policy, "body", "policy", "calendar"):
            raise InputProblems([problem])
        return policy
    if request.policy.strip() not in builtin_policy_names():
        raise InputProblems(
            [
                problem_dict(
                    builtin_policy_problem(request.policy, "body", "policy"), ["body", "policy"]
                )
            ]
        )
    return load_policy(request.policy.strip())


def week_limits(time_limit: float | None, settings: Settings) -> tuple[float, dict[str, float | None]]:
    """A timetable job's limit, and how long its worker searches on (the job's `request`:
    SolveParams.extend_to_s and first_week_by_s), by the command line's rules
    (engine/budget.py): no limit named, the service's default, searched again up to the
    longer limit when the week is short of hours no proof forces or none is found; a named
    limit that finds no week searches on for its first. Sent without these, a job failed
    "no timetable found" on a loaded machine where `fieldweek timetable` found a week, and
    kept a week 360 min short that the command line's default planned in full. The longer
    limit is the command line's, never over the service's `max_time_limit_s`."""
    ceiling = min(EXTENDED_TIMETABLE_S, settings.max_time_limit_s)
    limit, extend_to = timetable_limits(time_limit, settings.default_time_limit_s, ceiling)
    return limit, {"extend_to_s": extend_to, "first_week_by_s": first_week_by(time_limit, ceiling)}


@router.post(
    "/departments/{department_id}/timetables",
    status_code=202,
    response_model=JobAccepted,
    responses={
        404: {"description": "no such department"},
        413: {"description": "time_limit over the configured limit"},
        422: {
            "model": Problems,
            "description": "bad request",
            "content": {"application/json": {"example": PROBLEM_EXAMPLE}},
        },
        429: {"description": "over a quota of this key or of the service (see Retry-After)"},
    },
)
def submit_timetable(
    department_id: str,
    request: TimetableRequest,
    response: Response,
    service: ServiceDep,
    caller: CallerDep,
) -> dict[str, Any]:
    """Queue the department's week for solving; returns at once with the job's id.
    Follow it with GET /v1/timetables/{job}."""
    record = visible_department(service, caller, department_id)
    settings = service.settings
    time_limit, searched_on = week_limits(request.time_limit, settings)
    if time_limit > settings.max_time_limit_s:
        raise LimitExceeded("time_limit", time_limit, settings.max_time_limit_s, " s")
    policy = _week_policy(request, record.department)
    job = add_job_within_quota(
        settings, service.store, record.id, request.week_start, policy.model_dump(mode="json"),
        time_limit,
        owner=caller.fingerprint,
        request=searched_on,
    )
    service.jobs.submit_timetable(job.id)
    response.headers["Location"] = f"/v1/timetables/{job.id}"
    return {"id": job.id, "status": "queued", "links": job_links(job.id)}


def job_status(job: TimetableJob) -> dict[str, Any]:
    """A job as the API shows it: status, progress so far and, once done, the timetable."""
    has_progress = any(
        value is not None for value in (job.progress_seconds, job.objective, job.bound)
    )
    return {
        "id": job.id,
        "department": job.department_id,
        "week_start": job.week_start,
        "policy": job.policy.get("name", ""),
        "status": job.status,
        "reason": job.reason,
        "time_limit": job.time_limit_s,
        "searches_on_to_s": job.searches_on_to_s,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "progress": {
            "seconds": job.progress_seconds,
            "objective": job.objective,
            "bound": job.bound,
        }
        if has_progress
        else None,
        "timetable": job.timetable,
        "links": job_links(job.id),
    }


def _week_job(service: ServiceDep, caller: CallerDep, job_id: str) -> tuple[TimetableJob, DepartmentRecord]:
    """A timetable or re-plan job (whose week the downloads export) and its department; 404
    for any other job (routes)."""
    job, record = visible_job(service, caller, job_id, kind=None)
    if job.job_kind not in ("timetable", "replan"):
        raise HTTPException(404, f"no timetable or re-plan job {job_id!r}")
    return job, record


def week_name(job: TimetableJob, timetable: Timetable) -> str:
    """The week in a download's file name; a re-plan's also says which re-plan it is, so
    it does not take the plan's name."""
    if job.job_kind == "replan":
        return f"{timetable.week_start}-replan-{replan_result(job).now:%Y%m%dT%H%M}"
    return str(timetable.week_start)


def _solved_job(job: TimetableJob, record: DepartmentRecord) -> tuple[Timetable, Department, Policy]:
    """The week of a solved timetable job, or of a finished re-plan job (the re-planned
    week), with its department and policy; 409 when it has none (yet)."""
    try:
        timetable = job_timetable(job)
    except NoWeek as missing:
        raise HTTPException(409, str(missing)) from None
    return (timetable, *job_department(record.department, job.policy))


def _replanned(job: TimetableJob, record: DepartmentRecord) -> tuple[ReplanResult, Department, Policy]:
    """A finished re-plan job's result with its department and policy (the re-planned
    timetable's); 409 while it runs, when it failed or found no re-planned week."""
    try:
        result = replan_result(job)
    except NoWeek as missing:
        raise HTTPException(409, str(missing)) from None
    return (result, *job_department(record.department, job.policy))


ManagerCalendar = Callable[[str], bytes]
"""One manager's calendar of a job's week, by the manager's id."""


def _job_calendars(
    service: ServiceDep, caller: CallerDep, job_id: str, lang: Literal["zh", "en"]
) -> tuple[str, Department, ManagerCalendar]:
    """What a calendar download needs of a job: the week's name in file names, the
    department, and each manager's calendar. A solved week gives the plan; a finished
    re-plan (a job of its own) gives `replan_calendar`, which updates the plan's events a
    phone holds and cancels the dropped ones; its file names say which re-plan it is."""
    job, record = _week_job(service, caller, job_id)
    zone = service.settings.timezone
    if job.job_kind == "replan":
        result, department, policy = _replanned(job, record)
        latest, sequence = revision_before(service.store, job)

        def replanned(manager: str) -> bytes:
            return replan_calendar(result, department, policy, manager, zone, lang=lang,
                                   previous=latest, sequence=sequence)

        return week_name(job, result.timetable), department, replanned
    timetable, department, policy = _solved_job(job, record)
    previous, sequence = revision_before(service.store, job)

    def planned(manager: str) -> bytes:
        return manager_calendar(timetable, department, policy, manager, zone, lang=lang,
                                previous=previous, sequence=sequence)

    return str(timetable.week_start), department, planned


def revision_before(store: Store, job: TimetableJob) -> tuple[Timetable | None, int]:
    """What the calendar of a revision of the week (a solved timetable or a finished
    re-plan, `job`) needs of the department-week's earlier revisions (the timetables and
    finished re-plans with a week, queued before `job`): the latest of them, whose events
    this revision no longer has the calendar cancels (None: there is none), and the
    revision's SEQUENCE (`revision_sequence`), above every earlier one's in the order they
    were made, whatever a re-plan's `now`. A week solved again came at SEQUENCE 0, and a
    re-plan made later for an earlier `now` below the re-plan before it: a phone that had
    imported the earlier revision kept its times."""
    with store.sessions() as session:
        earlier = session.scalars(
            select(TimetableJob)
            .where(TimetableJob.department_id == job.department_id,
                   TimetableJob.week_start == job.week_start,
                   TimetableJob.created_at < job.created_at,
                   or_(TimetableJob.kind.is_(None), TimetableJob.kind.in_(("timetable", "replan"))))
            .order_by(TimetableJob.created_at)
        ).all()
    revisions: list[dt.datetime | None] = []  # each earlier revision: a re-plan's now, None for a timetable
    latest: Timetable | None = None
    for each in earlier:
        try:
            if each.job_kind == "replan":
                result = replan_result(each)
                revisions.append(result.now)
                latest = result.timetable
            else:
                latest = job_timetable(each)
                revisions.append(None)
        except NoWeek:  # never solved, or no re-planned week: nothing of it reached a phone
            continue
    now = replan_result(job).now if job.job_kind == "replan" else None
    return latest, revision_sequence(revisions, now)


# The routes with a suffix come before /timetables/{job_id}, which would match them too.


@router.get(
    "/timetables/{job_id}.xlsx",
    responses={**NOT_FOUND, **NOT_READY, 200: {"content": {XLSX: {}}}},
    response_class=Response,
)
def timetable_xlsx(
    job_id: str, service: ServiceDep, caller: CallerDep, lang: Lang = "zh"
) -> Response:
    """The 《周工作时间安排表》 workbook: a department overview and one sheet per manager.
    `job_id` may also be a finished re-plan's job: the re-planned week's sheet."""
    job, record = _week_job(service, caller, job_id)
    timetable, department, policy = _solved_job(job, record)
    content = timetable_workbook(timetable, department, policy, lang=lang)
    filename = f"timetable-{week_name(job, timetable)}.xlsx"
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": attachment(filename)},
    )


@router.get(
    "/timetables/{job_id}.ics",
    responses={
        **NOT_FOUND,
        **NOT_READY,
        200: {"content": {"text/calendar": {}, "application/zip": {}}},
    },
    response_class=Response,
)
def timetable_ics(
    job_id: str,
    service: ServiceDep,
    caller: CallerDep,
    manager: Annotated[
        str | None,
        Query(
            min_length=1,
            description="a manager's id; without it, a zip with one calendar per manager",
        ),
    ] = None,
    lang: Lang = "zh",
) -> Response:
    """A manager's week as an iCalendar file (one calendar per manager). `job_id` may
    also be a finished re-plan's job (POST /v1/timetables/{job}/replan): its calendar
    updates the events the plan's calendar made and cancels the blocks it dropped."""
    week, department, calendar_of = _job_calendars(service, caller, job_id, lang)
    if manager is not None:
        if manager not in {m.id for m in department.managers}:
            raise InputProblems(
                [
                    {
                        "file": "query",
                        "row": None,
                        "column": "manager",
                        "message": f"manager '{manager}' is not in the department",
                        "loc": ["query", "manager"],
                    }
                ]
            )
        return Response(
            calendar_of(manager),
            media_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": attachment(f"{manager}-{week}.ics")},
        )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for each in department.managers:
            bundle.writestr(
                safe_file_name(f"{each.id}-{week}.ics"), calendar_of(each.id)
            )
    return Response(
        archive.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": attachment(f"calendars-{week}.zip")},
    )


@router.get(
    "/timetables/{job_id}.html", response_class=HTMLResponse, responses={**NOT_FOUND, **NOT_READY}
)
def timetable_html(
    request: Request, job_id: str, service: ServiceDep, caller: CallerDep, lang: Lang = "zh"
) -> HTMLResponse:
    """A printable week grid: one page per manager, days across, hours down, and a QR
    code per working day that opens the manager's day (`/my/...`) on this service.
    `job_id` may also be a finished re-plan's job: the re-planned week's grid."""
    job, record = _week_job(service, caller, job_id)
    timetable, department, policy = _solved_job(job, record)
    site = MyDaySite(site_url(request), job.department_id)
    return HTMLResponse(timetable_page(timetable, department, policy, lang=lang, site=site))


@router.get("/timetables/{job_id}", response_model=JobStatus, responses=NOT_FOUND)
def get_timetable(job_id: str, service: ServiceDep, caller: CallerDep) -> dict[str, Any]:
    """A job's status (queued, running, optimal, feasible, infeasible, failed), the best
    objective and bound found so far, and once done the timetable (the CLI's JSON)."""
    job, _ = visible_job(service, caller, job_id)
    return job_status(job)
