"""Request and response bodies of the API. The domain (department, timetable) is
engine.domain's; these models only wrap it with ids, statuses and links."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from engine.domain import CalendarDay, Department, Timetable
from engine.policy import Policy
from engine.replan import Event
from engine.work_calendar import EARLIEST_DATE, LATEST_DATE

JobStatusName = Literal[
    "queued", "running", "optimal", "feasible", "infeasible", "failed", "done", "cancelled"
]
"""`done`: a route or re-plan job with its result; `cancelled`: DELETE /v1/jobs/{id}."""


class ProblemItem(BaseModel):
    """One bad value: where it is (file or table, row as numbered in a sheet, column) and why."""

    file: str | None
    row: int | None
    column: str | None
    message: str
    loc: list[str | int] | None = Field(
        default=None, description="the position in a JSON body or query"
    )


class Problems(BaseModel):
    """Every bad value of a request, all at once."""

    detail: list[ProblemItem]


BAD_INPUT_RESPONSE: dict[int | str, dict[str, Any]] = {
    422: {
        "model": Problems,
        "description": "bad values, each with its file (table), row, column and reason",
    }
}


class DepartmentDocument(Department):
    """A department as sent and as stored: the folder's department.toml settings plus one
    list of rows per table (managers, retailers, leave, history, calendar_days). `policy`
    is the name of a built-in policy, or a department's own policy sent as an object.
    POST /v1/departments takes every field listed here (and refuses any other)."""

    policy: str | Policy = Field(
        description="a built-in policy name (15-13-7, seed-003) or a policy object"
    )
    public_calendar: str | None = Field(
        default=None,
        description="the country whose public holidays and make-up working days apply: the "
        "policy's `calendar` (e.g. CN; null: none). It comes from the policy: when sent, it "
        "must be the policy's, and a country the holidays package knows (422 otherwise)",
    )
    calendar_days: tuple[CalendarDay, ...] = Field(
        default=(),
        description="the department's own days (the rows of holidays.csv: date, kind holiday or "
        "workday, name), over the public calendar's; also taken by that file's name, `holidays`",
    )
    street_network: str | None = Field(
        default=None,
        description="department.toml's street network (GraphML or OSM extract), a path relative "
        "to the department folder; kept as text: the service opens no file a body names",
    )


class StoredDepartment(BaseModel):
    id: str
    created_at: dt.datetime
    department: DepartmentDocument
    links: dict[str, str]


class DepartmentSummary(BaseModel):
    id: str
    name: str
    created_at: dt.datetime


EARLIEST_WEEK, LATEST_WEEK = EARLIEST_DATE, LATEST_DATE
"""The dates fieldweek plans (engine.work_calendar), the commands' range too."""


def _monday(value: dt.date) -> dt.date:
    if value.weekday() != 0:
        raise ValueError(f"week_start must be a Monday; {value} is a {value:%A}")
    if not EARLIEST_WEEK <= value <= LATEST_WEEK:
        raise ValueError(f"week_start must be between {EARLIEST_WEEK} and {LATEST_WEEK}, not {value}")
    return value


Monday = Annotated[dt.date, AfterValidator(_monday)]
"""A week's first day as a query parameter: a Tuesday is refused (422), not read as a week
without a plan."""


class TimetableRequest(BaseModel):
    """Solve a department's week."""

    model_config = ConfigDict(extra="forbid")

    week_start: dt.date = Field(description="the Monday of the week")
    policy: str | dict[str, Any] | None = Field(
        default=None,
        description="another built-in policy name or a policy object for this week only; "
        "default: the department's own",
    )
    time_limit: float | None = Field(default=None, gt=0, description="solver time limit in seconds")

    _week = field_validator("week_start")(_monday)


class JobProgress(BaseModel):
    """The search so far: best objective found and best bound proved (lower is better)."""

    seconds: float | None
    objective: float | None
    bound: float | None


class JobAccepted(BaseModel):
    id: str
    status: JobStatusName
    links: dict[str, str]


class JobStatus(BaseModel):
    id: str
    department: str
    week_start: dt.date
    policy: str
    status: JobStatusName
    reason: str | None = Field(description="why a job failed or is infeasible")
    time_limit: float
    searches_on_to_s: float | None = Field(
        default=None, description="seconds the job may search in all when its limit ends with a week short "
        "of unproven hours or no week (the command line's rule); none: the limit is all")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    progress: JobProgress | None
    timetable: Timetable | None = Field(
        description="when done: the JSON of `fieldweek timetable --json`"
    )
    links: dict[str, str]


class Job(BaseModel):
    """Any job (timetable, routes, re-plan): its status and, once `done`, its result."""

    id: str
    kind: Literal["timetable", "routes", "replan"]
    department: str
    status: JobStatusName
    reason: str | None = Field(description="why a job failed, is infeasible or was cancelled")
    time_limit: float
    searches_on_to_s: float | None = Field(
        default=None, description="seconds the job may search in all when its limit ends with a week short "
        "of unproven hours or no week (the command line's rule); none: the limit is all")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    result: dict[str, Any] | None = Field(
        description="when done: the routes JSON of `fieldweek routes` (routes), the re-plan "
        "with `check` (replan), the timetable JSON (timetable)"
    )
    links: dict[str, str]


class ReplanRequest(BaseModel):
    """The moment of re-planning, what happened, and (optionally) the week's routes."""

    model_config = ConfigDict(extra="forbid")

    now: dt.datetime = Field(description="everything that started before this stays as it was; "
                             "a clock time of the service's time zone, or a moment with an offset "
                             "(Z, +05:00) turned into it, as a sickness's `from` is")
    events: list[Event] = Field(default_factory=list)
    routes: dict[str, Any] | None = Field(
        default=None, description="the week's routes (the result of a routes job); "
        "without them a re-plan job's own routes when the job re-planned is one, else only "
        "the timetable is re-planned")
    time_limit: float | None = Field(default=None, gt=0, description="solver seconds")


class RoutesRequest(BaseModel):
    """Plan routes from the week's finished timetable."""

    model_config = ConfigDict(extra="forbid")

    week_start: dt.date = Field(description="the Monday of the week")
    day: dt.date | None = Field(
        default=None, description="one day of that week; default: every day"
    )
    manager: str | None = Field(
        default=None, min_length=1, description="one manager's id; default: all"
    )
    timetable: str | None = Field(
        default=None,
        min_length=1,
        description="the timetable job to route (a re-plan job is 409: its result carries "
        "its own routes, with the stops before its `now` kept); "
        "default: the newest solved timetable of the week",
    )
    time_limit: float | None = Field(
        default=None, gt=0, description="route solver time limit in seconds"
    )

    _week = field_validator("week_start")(_monday)


ROUTES_EXAMPLE: dict[str, Any] = {
    "week_start": "2026-11-23",
    "routes": [
        {
            "manager": "m01",
            "date": "2026-11-23",
            "depart": "09:00",
            "return": "12:10",
            "distance_km": 7.4,
            "travel_minutes": 41,
            "stops": [
                {
                    "retailer": "R00001",
                    "kind": "visit",
                    "arrive": "09:18",
                    "start": "09:18",
                    "end": "09:26",
                }
            ],
        }
    ],
    "unvisited": [{"retailer": "R00012", "manager": "m01", "reason": "opening_hours"}],
}
