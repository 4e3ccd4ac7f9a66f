"""The Friday sheet 《工作时间实行情况反馈表》 on the desk (SPEC §1): computed from the
actuals the week has so far (the phone's done / missed marks among them) against the
week's timetable and routes, as `POST /v1/actuals` computes it; shown as a table and
offered as the workbook of `fieldweek feedback --xlsx`."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response

from api.exports.feedback_xlsx import feedback_workbook
from api.http.department_input import job_department
from api.http.job_timetables import NoWeek, job_timetable
from api.http.pages.parts import job_routes
from api.http.pages.templating import part, render
from api.http.pages.texts import page_lang
from api.http.service import CallerDep, ServiceDep, visible_job
from api.http.timetables import attachment
from engine.actuals import Actuals, FeedbackSheet, feedback_sheet
from engine.domain import Department
from engine.policy import Policy

router = APIRouter(prefix="/v1/desk", include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(service: ServiceDep, caller: CallerDep, job_id: str) -> tuple[FeedbackSheet, Department, Policy]:
    job, record = visible_job(service, caller, job_id, None)
    if job.job_kind not in ("timetable", "replan"):
        raise HTTPException(404, f"no timetable or re-plan job {job_id!r}")
    try:
        timetable = job_timetable(job)  # a solved timetable, or a finished re-plan's week
    except NoWeek as missing:
        raise HTTPException(409, f"{missing}: feedback needs a solved timetable or a finished re-plan") from None
    department, policy = job_department(record.department, job.policy)
    days = [Actuals.model_validate(day) for day in service.store.actuals_of_week(record.id, job.week_start)]
    week = Actuals(blocks=tuple(b for day in days for b in day.blocks),
                   visits=tuple(v for day in days for v in day.visits)).in_week(job.week_start)
    sheet = feedback_sheet(department, policy, timetable, week, job_routes(service.store, job))
    return sheet, department, policy


# The workbook's route comes first: /feedback/{job_id} would match its path too.
@router.get("/feedback/{job_id}.xlsx")
def feedback_xlsx(service: ServiceDep, caller: CallerDep, job_id: str, lang: str | None = None) -> Response:
    """The sheet as the Excel workbook people hand in on Friday."""
    sheet, department, policy = _sheet(service, caller, job_id)
    return Response(feedback_workbook(sheet, department, policy, page_lang(lang)), media_type=XLSX,
                    headers={"Content-Disposition": attachment(f"feedback-{sheet.week_start}.xlsx")})


@router.get("/feedback/{job_id}", response_class=HTMLResponse)
def feedback_part(service: ServiceDep, caller: CallerDep, job_id: str, lang: str | None = None) -> HTMLResponse:
    """Visits due, planned, done and missed per manager, and every missed visit with its reason.
    Missed is the JSON's `missed` (the due visits not done, unreported included), the
    unreported among them beside it, as the workbook has them (the page left the unreported
    out under the same word: 1 missed where the workbook and the JSON said 13)."""
    sheet, department, _ = _sheet(service, caller, job_id)
    names = {m.id: m.name for m in department.managers}
    return part(render("feedback_part.html", page_lang(lang), sheet=sheet, names=names, job_id=job_id))
