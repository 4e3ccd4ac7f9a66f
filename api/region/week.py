"""A region's week on a Dask cluster (SPEC §1-4): every department's timetable, then
every manager's visit days and routes as a task of its own, then the department's week
judged by the independent checkers.

The graph is submitted at once, each task naming the futures it needs, so the scheduler
starts a manager's routes the moment its department's timetable is done and a big
department never holds the others up. A department whose input is bad is never
submitted; one whose week has no timetable ends with its conflicts, like `fieldweek plan`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from distributed import Client, Future

from api.region.cluster import task_key
from api.region.folder import LoadedDepartment
from api.region.runs import DepartmentRun, checked_inputs, run_departments, task_results
from api.region.tasks import (
    PLANNED,
    JudgedWeek,
    Timed,
    hold,
    judge_week,
    manager_route_seconds,
    plan_manager_week,
    solve_week,
)
from engine.actuals import carried_into
from engine.routing.plan import STRAIGHT_LINE


@dataclass(frozen=True)
class WeekRequest:
    """The week and the seconds every department gets (as `fieldweek plan` takes them:
    a timetable limit of None is none named, the default extended as plan extends it)."""

    week_start: dt.date
    time_limit_s: float | None = None
    route_time_limit_s: float = 30.0
    cp_workers: int = 8
    matrix_source: str = STRAIGHT_LINE


@dataclass
class DepartmentWeek(DepartmentRun):
    """One department of the region's week: its tasks while it runs, its outcome after."""

    timetable: Future | None = None
    managers: dict[str, Future] = field(default_factory=dict)
    judged: Future | None = None
    result: JudgedWeek | None = None
    manager_seconds: dict[str, float] = field(default_factory=dict)

    def collect(self) -> None:
        """The department's outcome from its finished tasks: planned, a week with no
        timetable (its conflicts as the error), or a task that failed (its exception)."""
        assert self.judged is not None and self.timetable is not None
        done = task_results(self, [self.judged, self.timetable, *self.managers.values()])
        if done is None:
            return
        week: Timed[JudgedWeek] = done[0]
        timetable: Timed = done[1]
        parts: list[Timed] = done[2:]
        self.result = week.value
        self.manager_seconds = {manager: part.seconds for manager, part in zip(self.managers, parts, strict=True)}
        self.seconds = timetable.seconds + sum(self.manager_seconds.values()) + week.seconds
        self.critical_seconds = timetable.seconds + max(self.manager_seconds.values(), default=0.0) + week.seconds
        status = week.value.timetable.status
        if status in PLANNED and week.value.routes is not None:
            self.status = "planned"
        else:
            self.status = status
            self.error = "\n".join(c.message for c in week.value.timetable.conflicts)


def submit_week(client: Client, loaded: LoadedDepartment, request: WeekRequest) -> DepartmentWeek:
    """Submit one department's tasks (none when its input is bad: it ends as an error)."""
    work = DepartmentWeek(loaded)
    inputs = checked_inputs(work, lambda department, policy: carried_into(
        loaded.folder, department, policy, request.week_start))
    if inputs is None:
        return work
    department, policy, carried = inputs
    name = loaded.folder.name
    held = client.submit(hold, department, key=task_key("department", name), pure=False)
    work.timetable = client.submit(solve_week, held, policy, request.week_start, request.time_limit_s,
                                   request.cp_workers, key=task_key("timetable", name), pure=False)
    share = manager_route_seconds(request.route_time_limit_s, len(department.managers))
    for manager in department.managers:
        work.managers[manager.id] = client.submit(
            plan_manager_week, held, policy, work.timetable, manager.id, share, request.matrix_source,
            carried, key=task_key("routes", name, manager.id), pure=False)
    work.judged = client.submit(judge_week, held, policy, work.timetable, list(work.managers.values()),
                                carried, key=task_key("judge", name), pure=False)
    work.tasks = [work.timetable, *work.managers.values(), work.judged]
    return work


def run_week(client: Client, departments: Sequence[LoadedDepartment], request: WeekRequest,
             on_done: Callable[[int, Future], None] = lambda _i, _f: None,
             on_submitted: Callable[[list[DepartmentWeek]], None] = lambda _w: None) -> list[DepartmentWeek]:
    """Plan every department's week on the cluster; `on_submitted(works)` once
    the graph is submitted, `on_done(department, future)` as each task ends."""
    return run_departments(client, departments, lambda c, loaded: submit_week(c, loaded, request),
                           on_done, on_submitted)
