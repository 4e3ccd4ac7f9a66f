"""POST /v1/timetables/{job}/replan: re-plan the rest of a solved week after the events
of a real week (a manager off sick, a retailer closed, an urgent visit, a promotion
store cancelled). Thin: engine.replan does the work, and the independent checker
(engine.check.replan) judges the result: the answer's `check` lists the faults it finds
and the hours the absences cost.

A re-plan is small (everything before `now` is fixed) and its time limit is capped by
the service's settings, so it is answered in the request, not queued as a job."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.http.department_input import department_from_document
from api.http.problems import LimitExceeded
from api.http.schemas import BAD_INPUT_RESPONSE
from api.http.service import CallerDep, ServiceDep, visible_job
from api.http.storage import SOLVED_STATES
from engine.check.replan import Sickness, check_replan
from engine.domain import Timetable
from engine.policy import policy_from_mapping
from engine.replan import Event, ManagerSick, replan
from engine.timetable.solve import SolveParams

router = APIRouter(prefix="/v1", tags=["replan"], responses=BAD_INPUT_RESPONSE)


class ReplanRequest(BaseModel):
    """The moment of re-planning, what happened, and (optionally) the week's routes."""

    model_config = ConfigDict(extra="forbid")

    now: dt.datetime = Field(description="everything that started before this stays as it was")
    events: list[Event] = Field(default_factory=list)
    routes: dict[str, Any] | None = Field(
        default=None, description="the week's routes (POST /v1/departments/{id}/routes); "
        "without them only the timetable is re-planned")
    time_limit: float | None = Field(default=None, gt=0, description="solver seconds")


@router.post(
    "/timetables/{job_id}/replan",
    responses={404: {"description": "no such job (or not this key's)"},
               409: {"description": "the job has no solved timetable"},
               413: {"description": "time_limit over the configured limit"}},
)
async def replan_timetable(job_id: str, request: ReplanRequest, service: ServiceDep,
                           caller: CallerDep) -> dict[str, Any]:
    """The re-planned week: the new timetable (and routes), the diff per manager, every
    due visit that found no place, with its reason, and `check`: the independent
    checker's verdict (executable, violations, shortfalls; null when no week was found)."""
    job, record = visible_job(service, caller, job_id)
    if job.status not in SOLVED_STATES or job.timetable is None:
        raise HTTPException(409, f"job {job_id} is {job.status}: a re-plan needs a solved timetable")
    settings = service.settings
    time_limit = request.time_limit if request.time_limit is not None else settings.default_time_limit_s
    if time_limit > settings.max_time_limit_s:
        raise LimitExceeded("time_limit", time_limit, settings.max_time_limit_s, " s")
    department = department_from_document(record.department)
    policy = policy_from_mapping(job.policy)
    timetable = Timetable.model_validate(job.timetable)
    result = await run_in_threadpool(
        replan, department, policy, timetable, request.now, tuple(request.events), request.routes,
        SolveParams(time_limit_s=time_limit, workers=settings.solver_threads),
    )
    check = None
    if result.status in ("optimal", "feasible"):
        sick = [Sickness(e.manager, e.from_, e.until) for e in result.events if isinstance(e, ManagerSick)]
        check = check_replan(department, policy, timetable, result.timetable, result.now, sick).as_dict()
    return {**result.to_json_dict(), "check": check}
