"""A region's month on a Dask cluster (SPEC §3: next month's plan on the last working
day): every department's ISO weeks solved as tasks of their own, then the month planned
in them and judged by the independent month checker.

The holidays are those `fieldweek month` reads (the department's holidays.csv) plus the
region's shared ones and the department's calendar, the same set the month planner
computes itself, so each week task solves the very week the planner would."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from distributed import Client, Future

from api.region.cluster import task_key
from api.region.folder import LoadedDepartment
from api.region.runs import DepartmentRun, checked_inputs, run_departments, task_results
from api.region.tasks import JudgedMonth, Timed, hold, plan_and_judge_month, solve_month_week
from engine.month import MonthParams, read_holidays, working_days
from engine.routing.due import week_monday
from engine.work_calendar import WorkCalendar

CHECK_FAILED = "check_failed"
"""A month planned that the independent month checker rejects: not one to hand out."""


@dataclass(frozen=True)
class MonthRequest:
    year: int
    month: int
    params: MonthParams
    region_holidays: frozenset[dt.date] = frozenset()


@dataclass
class DepartmentMonth(DepartmentRun):
    """One department of the region's month: its tasks while it runs, its outcome after."""

    weeks: list[Future] = field(default_factory=list)
    planned: Future | None = None
    result: JudgedMonth | None = None

    def collect(self) -> None:
        """The department's outcome: planned, a plan its month checker rejects (its faults
        as the error: `fieldweek month` exits 1 on it too), no route at all (the weeks'
        conflicts as the error), or a failed task (its exception)."""
        assert self.planned is not None
        done = task_results(self, [self.planned, *self.weeks])
        if done is None:
            return
        judged: Timed[JudgedMonth] = done[0]
        weeks: list[Timed] = done[1:]
        self.result = judged.value
        self.seconds = sum(w.seconds for w in weeks) + judged.seconds
        self.critical_seconds = max((w.seconds for w in weeks), default=0.0) + judged.seconds
        if judged.value.plan.routes and judged.value.faults:
            self.status, self.error = CHECK_FAILED, "\n".join(judged.value.faults)
            return
        if judged.value.plan.routes:
            self.status = "planned"
            return
        timetables = [t for w in weeks for t in w.value.values()]
        self.status = "infeasible" if any(t.status == "infeasible" for t in timetables) else "unknown"
        self.error = "\n".join(c.message for t in timetables for c in t.conflicts) or "no visit day in the month"


def month_holidays(loaded: LoadedDepartment, request: MonthRequest) -> frozenset[dt.date]:
    """The department's holidays of the month plan: its holidays.csv, the region's, and
    the month's holidays by its calendar."""
    department, policy = loaded.department, loaded.policy
    assert department is not None and policy is not None
    works = WorkCalendar(department, policy)
    days = (dt.date(request.year, request.month, d)
            for d in range(1, calendar.monthrange(request.year, request.month)[1] + 1))
    return frozenset(read_holidays(loaded.folder) | request.region_holidays
                     | {d for d in days if works.is_holiday(d)})


def submit_month(client: Client, loaded: LoadedDepartment, request: MonthRequest) -> DepartmentMonth:
    """Submit one department's week tasks and its month task (none for a bad input)."""
    work = DepartmentMonth(loaded)
    inputs = checked_inputs(work, lambda _department, _policy: month_holidays(loaded, request))
    if inputs is None:
        return work
    department, policy, holidays = inputs
    days = working_days(policy, request.year, request.month, set(holidays), department)
    name = loaded.folder.name
    held = client.submit(hold, department, key=task_key("department", name), pure=False)
    for monday in sorted({week_monday(d) for d in days}):
        week_days = [d for d in days if week_monday(d) == monday]
        work.weeks.append(client.submit(solve_month_week, held, policy, week_days, holidays, request.params,
                                        key=task_key("week", name, str(monday)), pure=False))
    work.planned = client.submit(plan_and_judge_month, held, policy, request.year, request.month, holidays,
                                 work.weeks, request.params, key=task_key("month", name), pure=False)
    work.tasks = [*work.weeks, work.planned]
    return work


def run_month(client: Client, departments: Sequence[LoadedDepartment], request: MonthRequest,
              on_done: Callable[[int, Future], None] = lambda _i, _f: None,
              on_submitted: Callable[[list[DepartmentMonth]], None] = lambda _w: None) -> list[DepartmentMonth]:
    """Plan every department's month on the cluster; `on_submitted(works)` once
    the graph is submitted, `on_done(department, future)` as each task ends."""
    return run_departments(client, departments, lambda c, loaded: submit_month(c, loaded, request),
                           on_done, on_submitted)
