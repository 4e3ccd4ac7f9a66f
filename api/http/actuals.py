"""POST /v1/actuals: what happened in a solved week (blocks done with their real times,
visits done or missed with a reason) checked row by row, and the Friday feedback sheet
《工作时间实行情况反馈表》 computed from it. Thin: engine.actuals does the work.

The rows are stored per manager-day (a day posted again replaces that day, as
`fieldweek actuals import` does in the department folder), and the sheet is computed
from everything stored for the timetable's week. With `merge` (the phone page's marks)
a posted row replaces only its own stored row: the phone sends one card at a time, and a
replaced day wiped the day's blocks and every other card's mark."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from api.http.department_input import job_department
from api.http.job_timetables import NoWeek, job_timetable
from api.http.problems import InputProblems, problem_dict
from api.http.schemas import BAD_INPUT_RESPONSE
from api.http.service import CallerDep, ServiceDep, visible_job
from engine.actuals import Actuals, DateWindow, actuals_from_rows, feedback_sheet
from engine.actuals.planned_routes import route_plan_problems
from engine.domain import Department
from engine.errors import InputError, Problem

router = APIRouter(prefix="/v1", tags=["actuals"], responses=BAD_INPUT_RESPONSE)

MAX_CARRIED_IN = 100
"""Visits one retailer may carry into a week. The carry-over grows by at most a week's
due visits each week a retailer is missed; a count beyond this is a mistake (1e21 was
taken and shown on the sheet as due)."""


class ActualsRequest(BaseModel):
    """The week's records against a solved timetable job."""

    model_config = ConfigDict(extra="forbid")

    timetable: str = Field(description="id of the solved timetable job, or of the finished re-plan "
                           "job, the records are measured against")
    rows: list[dict[str, Any]] = Field(
        description="rows of the actuals table: manager, date, record (block|visit), kind, retailer, "
        "start, end, status (done|missed), reason")
    routes: dict[str, Any] | None = Field(default=None, description="the week's routes, for planned visits")
    carried_in: dict[str, StrictInt] = Field(
        default_factory=dict,
        description=f"visits carried into the week, per retailer id: whole numbers 0 to {MAX_CARRIED_IN}")
    merge: bool = Field(default=False, description=(
        "false (a daily report): each manager-day posted replaces what was stored for it; "
        "true (the phone's marks): a visit row replaces only the stored visit of the same "
        "retailer that day, a block row only the stored block of the same kind and start; "
        "every other stored record stays"))


@router.post(
    "/actuals",
    responses={404: {"description": "no such timetable or re-plan job (or not this key's)"},
               409: {"description": "the job has no solved timetable or re-planned week"}},
)
def record_actuals(request: ActualsRequest, service: ServiceDep, caller: CallerDep) -> dict[str, Any]:
    """Check the rows (422 names every bad value by row and column; every row's date must
    lie in the timetable's week) and return the feedback sheet: hours per manager and
    kind, visits, missed visits, flags; `warnings` names the rows whose times fall
    outside the policy's working day (taken: overtime is what the sheet measures)."""
    job, record = visible_job(service, caller, request.timetable, kind=None)
    try:
        timetable = job_timetable(job)  # a solved timetable, or a finished re-plan's week
    except NoWeek as missing:
        raise HTTPException(
            409, f"{missing}: feedback needs a solved timetable or a finished re-plan"
        ) from None
    department, policy = job_department(record.department, job.policy)
    monday = job.week_start
    week = DateWindow(monday, monday + dt.timedelta(days=6), f"the timetable's week of {monday}")
    warnings: list[Problem] = []
    try:
        # Rows are numbered from 1, as the re-plan's events and `fieldweek service actuals` are.
        posted = actuals_from_rows(request.rows, department, policy, file="rows", first_row=1,
                                   dates=week, warnings=warnings)
    except InputError as error:
        raise InputProblems([problem_dict(p, _row_location(p)) for p in error.problems]) from None
    _check_context(request, department)  # all of the request, before anything is stored
    days = _by_manager_day(posted)
    if request.merge:
        days = _merged_with_stored(days, service.store.actuals_of_week(record.id, job.week_start))
    service.store.put_actuals(record.id, days)
    stored = [Actuals.model_validate(day) for day in service.store.actuals_of_week(record.id, job.week_start)]
    reported = Actuals(blocks=tuple(b for day in stored for b in day.blocks),
                       visits=tuple(v for day in stored for v in day.visits)).in_week(job.week_start)
    sheet = feedback_sheet(department, policy, timetable, reported, request.routes, request.carried_in)
    return {"blocks": len(posted.blocks), "visits": len(posted.visits),
            "stored_days": len(stored), "feedback": sheet.to_json_dict(),
            "warnings": [problem_dict(w, _row_location(w)) for w in warnings]}


def _row_location(problem: Problem) -> list[str | int] | None:
    """Where in the body a row's problem is: `row` counts from 1, the body's list from 0."""
    if problem.row is None:
        return None
    return ["body", "rows", problem.row - 1, *([problem.column] if problem.column else [])]


def route_plan_problem_dicts(routes: Any, department: Department) -> list[dict[str, Any]]:
    """The problems of a request's `routes` (None: no plan sent), located in the body."""
    if routes is None:
        return []
    return [
        problem_dict(p, ["body", "routes", *(int(part) if part.isdigit() else part
                                             for part in (p.column or "").split(".") if part)])
        for p in route_plan_problems(routes, department)
    ]


def check_route_plan(routes: Any, department: Department) -> None:
    """422 naming every bad value of a request's `routes`, before any solve reads them."""
    problems = route_plan_problem_dicts(routes, department)
    if problems:
        raise InputProblems(problems)


def _check_context(request: ActualsRequest, department: Department) -> None:
    """The routes and the carried-in visits name this department's managers and
    retailers in the route plan's shape; 422 naming each bad value otherwise."""
    problems = route_plan_problem_dicts(request.routes, department)
    retailers = {r.id for r in department.retailers}
    for retailer, visits in request.carried_in.items():
        if retailer not in retailers:
            message = f"carried_in names '{retailer}', which is not a retailer of the department"
        elif not 0 <= visits <= MAX_CARRIED_IN:
            message = (f"carried_in of '{retailer}' ({visits}) must be a whole number of visits "
                       f"from 0 to {MAX_CARRIED_IN}")
        else:
            continue
        problems.append(problem_dict(Problem(message, file="carried_in", column=retailer),
                                     ["body", "carried_in", retailer]))
    if problems:
        raise InputProblems(problems)


def _by_manager_day(actuals: Actuals) -> dict[tuple[str, dt.date], dict[str, Any]]:
    """The posted records grouped per manager-day, as JSON for the store."""
    days: dict[tuple[str, dt.date], Actuals] = {}
    for block in actuals.blocks:
        day = days.setdefault((block.manager, block.date), Actuals())
        days[(block.manager, block.date)] = day.model_copy(update={"blocks": (*day.blocks, block)})
    for visit in actuals.visits:
        day = days.setdefault((visit.manager, visit.date), Actuals())
        days[(visit.manager, visit.date)] = day.model_copy(update={"visits": (*day.visits, visit)})
    return {key: day.model_dump(mode="json") for key, day in days.items()}


def _merged_with_stored(days: dict[tuple[str, dt.date], dict[str, Any]],
                        stored_week: list[dict[str, Any]]) -> dict[tuple[str, dt.date], dict[str, Any]]:
    """Each posted manager-day laid over what is stored for it: a posted visit replaces the
    stored visit of its retailer, a posted block the stored block of its kind and start;
    every other stored record is kept (the phone posts only the card just marked)."""
    stored: dict[tuple[str, dt.date], Actuals] = {}
    for day in map(Actuals.model_validate, stored_week):
        for key in day.days():
            stored[key] = day
    merged = {}
    for key, posted_json in days.items():
        posted = Actuals.model_validate(posted_json)
        before = stored.get(key, Actuals())
        new_visits = {v.retailer for v in posted.visits}
        new_blocks = {(b.kind, b.start) for b in posted.blocks}
        merged[key] = Actuals(
            blocks=(*(b for b in before.blocks if (b.kind, b.start) not in new_blocks), *posted.blocks),
            visits=(*(v for v in before.visits if v.retailer not in new_visits), *posted.visits),
        ).model_dump(mode="json")
    return merged
