"""The week a finished job holds: a solved timetable job's timetable, or a finished
re-plan job's re-planned timetable (a job of its own, whose `result` holds the week).
The calendar download, the routes and the Friday feedback sheet read a job's week here,
so a re-plan can be used wherever a plan can (as `fieldweek feedback --plan` takes one)."""

from __future__ import annotations

from api.http.storage import SOLVED_STATES, TimetableJob
from engine.domain import Timetable
from engine.replan.result import ReplanResult

TIMETABLE_UNFINISHED = {
    "queued": "is still waiting to be solved",
    "running": "is still being solved",
    "infeasible": "has no timetable: the rules conflict (see its reason)",
    "failed": "has no timetable: it failed (see its reason)",
}
"""Why a timetable job has no week yet (or ever), by its status."""
REPLAN_UNFINISHED = {
    "queued": "is still waiting to be re-planned",
    "running": "is still being re-planned",
    "failed": "has no re-planned week: it failed (see its reason)",
    "cancelled": "has no re-planned week: it was cancelled",
}
"""Why a re-plan job has no week yet (or ever), by its status."""
REPLANNED = ("optimal", "feasible")
"""A re-plan result's statuses that hold a re-planned week (not the old plan left as it was)."""


class NoWeek(LookupError):
    """The job holds no week (yet): its message says why, starting with `job {id}`."""


def replan_result(job: TimetableJob) -> ReplanResult:
    """A finished re-plan job's result; NoWeek while it runs, when it failed or found no
    re-planned week."""
    if job.status != "done" or job.result is None:
        raise NoWeek(f"job {job.id} {REPLAN_UNFINISHED.get(job.status, job.status)}")
    result = ReplanResult.model_validate(job.result)
    if result.status not in REPLANNED:
        raise NoWeek(f"job {job.id} found no re-planned week ({result.status}: see its result)")
    return result


def job_timetable(job: TimetableJob) -> Timetable:
    """The week a timetable or re-plan job holds; NoWeek when it has none (yet), or when
    the job is of another kind (routes)."""
    if job.job_kind == "replan":
        return replan_result(job).timetable
    if job.job_kind != "timetable":
        raise NoWeek(f"job {job.id} is a {job.job_kind} job: it holds no timetable")
    if job.status not in SOLVED_STATES or job.timetable is None:
        raise NoWeek(f"job {job.id} {TIMETABLE_UNFINISHED.get(job.status, job.status)}")
    return Timetable.model_validate(job.timetable)
