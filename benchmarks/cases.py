"""One benchmark case: the solver's figures and the quality measures of the optimised
plan, the hand-made baseline and any other plan compared with them (SPEC §6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from benchmarks.departments import BENCH_WEEK
from engine.baseline import BaselineImpossible, baseline_timetable
from engine.domain import Department, Timetable
from engine.policy import Policy
from engine.timetable.solve import SolveParams, TimetableResult, solve_timetable

__all__ = ["BENCH_WEEK", "SAMPLE_DEPARTMENT", "CaseResult", "SuiteProgress"]

SAMPLE_DEPARTMENT = Path(__file__).resolve().parents[1] / "data" / "sample"
"""The bundled sample department of a checkout (absent from an installed wheel)."""


class SuiteProgress(Protocol):
    """Told before each case (`done` cases of `total` finished) and once after the last."""

    def __call__(self, description: str, done: int, total: int) -> None: ...


def no_progress(description: str, done: int, total: int) -> None:
    """A suite run that reports nothing while it runs."""


@dataclass
class CaseResult:
    """One bench case: the solver's figures and both plans' quality measures."""

    suite: str
    case: str
    managers: int
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    optimised: dict[str, Any] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)
    progress: list[tuple[float, float, float]] = field(default_factory=list)
    timetables: dict[str, Timetable] = field(default_factory=dict)
    note: str = ""
    policy: Policy | None = field(default=None, repr=False)
    """The policy the case was planned under (the charts draw its day)."""

    def columns(self) -> list[tuple[str, dict[str, Any]]]:
        """The plans compared, by name: optimised, the hand-made baseline, then the extras."""
        columns = [("optimised", self.optimised), ("hand-made baseline", self.baseline)]
        columns += [(name.replace("_", " "), values) for name, values in self.extra.items()]
        return columns


def solve_week(department: Department, policy: Policy, week: dt.date, time_limit: float, seed: int,
               workers: int) -> TimetableResult:
    """The optimised week, as `fieldweek timetable` solves it."""
    return solve_timetable(department, policy, week,
                           SolveParams(time_limit_s=time_limit, workers=workers, seed=seed))


def hand_made_week(department: Department, policy: Policy, week: dt.date) -> tuple[Timetable | None, str]:
    """The baseline week, or none and why the hand-made template cannot give one."""
    try:
        return baseline_timetable(department, policy, week), ""
    except BaselineImpossible as impossible:
        return None, "baseline impossible: " + "; ".join(impossible.reasons)
