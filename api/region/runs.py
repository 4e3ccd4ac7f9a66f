"""What a region's week and its month do alike with each department (SPEC §1): check its
input before any task is submitted, drive every department's graph to its end, and read
its finished tasks, a failed task ending the department as an internal error."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from distributed import Client, Future

from api.region.cluster import until_done
from api.region.folder import LoadedDepartment, error_text
from engine.domain import Department
from engine.errors import InputError
from engine.policy import Policy


@dataclass
class DepartmentRun:
    """One department of a region's run: its tasks while it runs, its outcome after."""

    loaded: LoadedDepartment
    tasks: list[Future] = field(default_factory=list)
    error: str = ""
    status: str = "error"
    seconds: float = 0.0
    critical_seconds: float = 0.0

    def collect(self) -> None:
        """The outcome from the finished tasks (called only when tasks were submitted)."""
        raise NotImplementedError


Run = TypeVar("Run", bound=DepartmentRun)
Read = TypeVar("Read")


def checked_inputs(work: DepartmentRun, read: Callable[[Department, Policy], Read],
                   ) -> tuple[Department, Policy, Read] | None:
    """The department, its policy and what `read` takes from its folder; None, with the
    error on `work`, when the folder or that read is bad (nothing is submitted then)."""
    loaded = work.loaded
    if loaded.error is not None:
        work.error = error_text(loaded.error)
        return None
    department, policy = loaded.department, loaded.policy
    assert department is not None and policy is not None
    try:
        return department, policy, read(department, policy)
    except InputError as error:
        work.error = error_text(error)
        return None


def run_departments(client: Client, departments: Sequence[LoadedDepartment],
                    submit: Callable[[Client, LoadedDepartment], Run],
                    on_done: Callable[[int, Future], None],
                    on_submitted: Callable[[list[Run]], None]) -> list[Run]:
    """Submit every department's graph, `on_submitted(works)` once it is submitted,
    `on_done(department, future)` as each task ends, then each department's outcome."""
    works = [submit(client, loaded) for loaded in departments]
    on_submitted(works)
    until_done([work.tasks for work in works], on_done)
    for work in works:
        if work.tasks:
            work.collect()
    return works


def task_results(work: DepartmentRun, futures: Sequence[Future]) -> list[Any] | None:
    """The futures' results in order; None, with the department ended as an internal
    error, when one failed."""
    try:
        return [future.result() for future in futures]
    except Exception as error:  # a bug in a task, or a task that lost too many workers
        work.status, work.error = "error", f"internal error: {type(error).__name__}: {error}"
        return None
