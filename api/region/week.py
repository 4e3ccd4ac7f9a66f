"""A region's week on a Dask cluster (SPEC §1-4): every department's timetable, then
every manager's visit days and routes as a task of its own, then the department's week
judged by the independent checkers.

The graph is submitted at once, each task naming the futures it needs, so the scheduler
starts a manager's routes the moment its department's timetable is done and a big
department never holds the others up. A department whose input is bad is never
submitted; one whose week has no timetable ends with its conflicts, like `fieldweek plan`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from distributed import Client, Future

from api.region.cluster import task_key, until_done
from api.region.folder import LoadedDepartment, error_text
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
from engine.errors import InputError
from engine.routing.plan import STRAIGHT_LINE


@dataclass(frozen=True)
class WeekRequest:
    """The week and the seconds every department gets (as `fieldweek plan` takes them)."""

    week_start: dt.date
    time_limit_s: float = 10.0
    route_time_limit_s: float = 30.0
    cp_workers: int = 8
    matrix_source: str = STRAIGHT_LINE


@dataclass
class DepartmentWeek:
    """One department of the region: its tasks while it runs, its outcome after."""

    loaded: LoadedDepartment
    tasks: list[Future] = field(default_factory=list)
    timetable: Future | None = None
    managers: dict[str, Future] = field(default_factory=dict)
    judged: Future | None = None
    result: JudgedWeek | None = None
    error: str = ""
    status: str = "error"
    seconds: float = 0.0
    critical_seconds: float = 0.0
    manager_seconds: dict[str, float] = field(default_factory=dict)


def submit_week(client: Client, loaded: LoadedDepartment, request: WeekRequest) -> DepartmentWeek:
    """Submit one department's tasks (none when its input is bad: it ends as an error)."""
    work = DepartmentWeek(loaded)
    if loaded.error is not None:
        work.error = error_text(loaded.error)
        return work
    department, policy = loaded.department, loaded.policy
    assert department is not None and policy is not None
    try:
        carried: Mapping[str, int] = carried_into(loaded.folder, department, policy, request.week_start)
    except InputError as error:
        work.error = error_text(error)
        return work
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
    works = [submit_week(client, loaded, request) for loaded in departments]
    on_submitted(works)
    until_done([work.tasks for work in works], on_done)
    for work in works:
        if work.judged is not None:
            _collect(work)
    return works


def _collect(work: DepartmentWeek) -> None:
    """The department's outcome from its finished tasks: planned, a week with no
    timetable (its conflicts as the error), or a task that failed (its exception)."""
    assert work.judged is not None and work.timetable is not None
    try:
        week: Timed[JudgedWeek] = work.judged.result()
        timetable: Timed = work.timetable.result()
        parts: list[Timed] = [future.result() for future in work.managers.values()]
    except Exception as error:  # a bug in a task, or a task that lost too many workers
        work.status, work.error = "error", f"internal error: {type(error).__name__}: {error}"
        return
    work.result = week.value
    work.manager_seconds = {manager: part.seconds for manager, part in zip(work.managers, parts, strict=True)}
    work.seconds = timetable.seconds + sum(work.manager_seconds.values()) + week.seconds
    work.critical_seconds = timetable.seconds + max(work.manager_seconds.values(), default=0.0) + week.seconds
    status = week.value.timetable.status
    if status in PLANNED and week.value.routes is not None:
        work.status = "planned"
    else:
        work.status = status
        work.error = "\n".join(c.message for c in week.value.timetable.conflicts)
