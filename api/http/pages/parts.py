"""The key-checked pieces of the desk's pages, rendered on the server (Jinja2, escaped):
a planned week (verdict, quality charts, links), its route map, its routes JSON, and a
manager's day for the phone. The desk's script asks for them with the department key
in the `Authorization` header, like any /v1 request; a key sees only its departments."""

from __future__ import annotations

import datetime as dt
import json
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from api.exports.route_map import (
    ROUTE_COLOURS,
    replan_notice,
    replan_route_plan,
    route_map_fragment,
)
from api.exports.street_basemap import configured_tiles
from api.http.department_input import department_from_document, job_department
from api.http.job_timetables import NoWeek, job_timetable, replan_result
from api.http.pages.charts import coverage_by_manager_and_class, quality_charts
from api.http.pages.qr_codes import my_day_url, qr_svg
from api.http.pages.templating import part, render
from api.http.pages.texts import TEXTS, page_lang
from api.http.route_plans import routes_of_plan, week_plan
from api.http.schemas import Monday
from api.http.service import CallerDep, ServiceDep, site_url, visible_department, visible_job
from api.http.storage import SOLVED_STATES, Store, TimetableJob
from engine.baseline import BaselineImpossible, baseline_plan
from engine.domain import Department
from engine.policy import Policy, policy_from_mapping
from engine.quality import QualityReport, score_plan

router = APIRouter(prefix="/v1/desk", include_in_schema=False)
LangQuery = Annotated[str | None, Query()]


def week_job(service: ServiceDep, caller: CallerDep, department_id: str, week_start: dt.date,
              job_id: str | None) -> tuple[TimetableJob | None, Department, dict[str, Any]]:
    """The job whose week a page shows: `job_id` (a timetable or re-plan job of the
    department), else the week's newest plan (`week_plan`: its newest re-plan, else its
    timetable). Read as timetables only, a re-plan's id was 404 and the pages kept the
    plan it had changed."""
    record = visible_department(service, caller, department_id)
    if job_id is not None:
        job, _ = visible_job(service, caller, job_id, None)
        if job.department_id != record.id or job.job_kind not in ("timetable", "replan"):
            raise HTTPException(404, f"no timetable or re-plan job {job_id!r}")
    else:
        job = week_plan(service.store, record.id, week_start)
    return job, department_from_document(record.department), record.department


def job_week(job: TimetableJob) -> dict[str, Any]:
    """The week a timetable or re-plan job holds, as the timetable JSON; NoWeek when none."""
    if job.job_kind == "timetable" and job.timetable is not None and job.status in SOLVED_STATES:
        return job.timetable
    return job_timetable(job).to_json_dict()


def job_routes(store: Store, job: TimetableJob, day: dt.date | None = None,
               manager: str | None = None) -> dict[str, Any] | None:
    """The routes of a job's own week (or of the route plans covering `day` and `manager`):
    a re-plan's (None when asked without routes), or the newest stored route plan when it
    was routed from this timetable. None says no routes yet: the desk's week and the phone's
    day both ask here (the phone took the newest route plan of any timetable of the week,
    and showed a re-solved week's blocks with the old week's stops)."""
    if job.job_kind == "replan":
        return routes_of_plan(job, None)[0]
    stored = store.latest_route_plan(job.department_id, job.week_start, day, manager)
    return stored.routes if stored is not None and stored.job_id == job.id else None


@router.get("/week", response_class=HTMLResponse)
def week_part(request: Request, service: ServiceDep, caller: CallerDep, department: str, week_start: Monday,
              job: str | None = None, lang: LangQuery = None, baseline: bool = False) -> HTMLResponse:
    """A planned week: the verdict of the independent checkers, the faults and declared
    shortfalls, the quality charts (with `baseline`, against the hand-made week), the
    grid, map and downloads."""
    language = page_lang(lang)
    words = TEXTS[language]
    found, domain, _ = week_job(service, caller, department, week_start, job)
    if found is None:
        return part(f'<p class="muted">{escape(words["no_plan"])}</p>')
    try:
        timetable = job_week(found)
    except NoWeek as missing:
        reason = f"{found.status}: {found.reason or missing}"
        return part(f'<div class="verdict bad" id="verdict" data-executable="no">'
                    f'{escape(words["not_executable"])}<br>{escape(reason)}</div>')
    policy = policy_from_mapping(found.policy)
    routes = job_routes(service.store, found)
    replanned = found.job_kind == "replan"
    # A re-plan is judged by the re-plan checker (its job's `check`): the week's own
    # checkers know nothing of the sickness or closures, and called every re-plan not
    # executable (no lunch on a sick day, partners changed, …).
    report = score_plan({"timetable": timetable, "routes": routes}, domain, policy, check=not replanned)
    verdict = (found.result or {}).get("check") if replanned else None
    if replanned and verdict is None:  # never judged: not shown as executable
        verdict = {"violations": [{"rule": "replan", "message": f"job {found.id} carries no checker's verdict"}]}
    faults = [
        {"rule": v.rule, "message": v.message,
         "where": " ".join(str(p) for p in (v.manager, v.date, v.time) if p)}
        for v in report.violations
    ] if verdict is None else [
        {"rule": v["rule"], "message": v["message"],
         "where": " ".join(str(v[k]) for k in ("manager", "date", "time") if v.get(k))}
        for v in verdict.get("violations", [])
    ]
    short = [d.message for d in report.deviations] if verdict is None else [
        s["message"] for s in (*verdict.get("shortfalls", []), *verdict.get("late", []))]
    days = sorted({str(r.get("date")) for r in (routes or {}).get("routes", [])})
    compared, baseline_note = _baseline_report(domain, policy, found.week_start) if baseline else (None, "")
    notice = words["replanned_week"].format(now=f"{replan_result(found).now:%Y-%m-%d %H:%M}", job=found.id) \
        if replanned else ""
    return part(render(
        "week_part.html", language, job=found, department_id=found.department_id, notice=notice,
        json_url=f"/v1/jobs/{found.id}" if replanned else f"/v1/timetables/{found.id}",
        department_name=domain.name, executable=not faults, faults=faults,
        short=short, has_routes=routes is not None,
        charts=quality_charts(report, domain, words, compared), baseline_note=baseline_note,
        days=days, managers=domain.managers,
        qr={(m.id, day): qr_svg(my_day_url(site_url(request), found.department_id, m.id, day, language))
            for m in domain.managers for day in days},
        coverage=coverage_by_manager_and_class(routes, domain) if routes is not None else None,
    ))


def _baseline_report(department: Department, policy: Policy, week_start: dt.date
                     ) -> tuple[QualityReport | None, str]:
    """The hand-made week's quality (SPEC §6 baseline), or why the template gives none."""
    try:
        plan = baseline_plan(department, policy, week_start)
    except BaselineImpossible as error:
        return None, str(error)
    return score_plan(plan, department, policy, check=False), ""


def _solved_routes(service: ServiceDep, caller: CallerDep, job_id: str
                   ) -> tuple[TimetableJob, Department, Policy, dict[str, Any]]:
    """The routes of a timetable job's week (its newest stored route plan, when made from
    it: `job_routes`), or a finished re-plan job's own routes, which live in its result and
    were 404 here."""
    job, record = visible_job(service, caller, job_id, None)
    if job.job_kind == "replan":
        return job, *job_department(record.department, job.policy), _replan_routes(job)
    if job.job_kind != "timetable":
        raise HTTPException(404, f"no timetable or re-plan job {job_id!r}")
    # The desk's week and the phone's rule: only a route plan made from this timetable (the
    # newest of the week, made from an older timetable, was served as this one's).
    routes = job_routes(service.store, job)
    if routes is None:
        raise HTTPException(409, f"no routes planned from timetable {job.id} (week of {job.week_start}) yet")
    return job, *job_department(record.department, job.policy), routes


def _replan_routes(job: TimetableJob) -> dict[str, Any]:
    """A finished re-plan's routes as the map reads them; 409 while it has no week, or
    when it was asked without routes (it then has none)."""
    try:
        result = replan_result(job)
    except NoWeek as missing:
        raise HTTPException(409, str(missing)) from None
    if result.routes is None or job.result is None:
        raise HTTPException(409, f"job {job.id} was re-planned without the week's routes: it has none")
    return replan_route_plan(job.result)


@router.get("/map/{job_id}", response_class=HTMLResponse)
async def map_part(service: ServiceDep, caller: CallerDep, job_id: str, lang: LangQuery = None) -> HTMLResponse:
    """The week's route map (the drawing, switchers and tables of api/exports/route_map.py);
    with a tile server configured, the routes as data for Leaflet too."""
    job, department, policy, routes = await run_in_threadpool(_solved_routes, service, caller, job_id)
    language = page_lang(lang)
    html = await run_in_threadpool(
        lambda: route_map_fragment(routes, department, policy, lang=language)
    )
    if job.job_kind == "replan" and job.result is not None:
        notice = replan_notice(job.result, job.id, language)
        html = f'<p class="replan-notice"><strong>{escape(notice)}</strong></p>\n{html}'
    if configured_tiles():
        html += _leaflet_data(routes, department)
    return part(html)


def _leaflet_data(routes: dict[str, Any], department: Department) -> str:
    """The routes as (lat, lon) paths for Leaflet, in an inert JSON script element
    (`<` escaped so that no name can end the element)."""
    where = {r.id: (r.lat, r.lon) for r in department.retailers}
    office = (department.office.lat, department.office.lon)
    colours = {m.id: ROUTE_COLOURS[i % len(ROUTE_COLOURS)] for i, m in enumerate(department.managers)}
    names = {m.id: m.name for m in department.managers}
    data = {"routes": [
        {"label": f"{names.get(r.get('manager'), r.get('manager'))} {r.get('date')}",
         "colour": colours.get(r.get("manager"), ROUTE_COLOURS[0]),
         "path": [office, *(where[s["retailer"]] for s in r.get("stops", []) if s.get("retailer") in where), office]}
        for r in routes.get("routes", [])
    ]}
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" class="map-data">{text}</script>'


@router.get("/routes/{job_id}.json")
def routes_json(service: ServiceDep, caller: CallerDep, job_id: str) -> JSONResponse:
    """The week's routes JSON (the `fieldweek routes` contract), for the desk's download."""
    _, _, _, routes = _solved_routes(service, caller, job_id)
    return JSONResponse(routes)
