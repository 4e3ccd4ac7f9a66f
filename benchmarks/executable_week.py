"""The executable-week suite (SPEC §6): the main job's week — timetable, then visit days
and routes, as `fieldweek plan` makes them under the same time budget — for the bundled
sample and generated departments (town and countryside territories) over consecutive
weeks, each department-week measured from its plan JSON by benchmarks.week_measures.
Generated territories hold as many retailers as the sample's (RETAILERS_PER_MANAGER).

The generated departments are made once for the first week (their leave and pair history
belong to it) and planned as they are for the weeks after; no week carries missed visits
into the next, as no actuals are recorded between them.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.cases import BENCH_WEEK, SAMPLE_DEPARTMENT, SuiteProgress, no_progress
from benchmarks.departments import generate_department
from benchmarks.measures import format_cell
from benchmarks.tables import code_version, markdown_table, write_rows_csv
from benchmarks.week_measures import WeekMeasures, measure_week
from engine.budget import time_budget
from engine.domain import Department
from engine.load import load_department_with_policy
from engine.policy import Policy, load_policy
from engine.routing.plan import plan_routes
from engine.timetable.solve import SolveParams, solve_timetable

WEEK_SIZES = (6, 9, 13, 24)
WEEK_SEEDS = (0, 1)
WEEKS = 4
RETAILERS_PER_MANAGER = 150
"""About as many as each manager of the sample holds, so that the visit blocks are as
full as a real territory makes them (the timetable suite's small territories never are)."""

# (key, column heading) of the tables, in order; keys are WeekRow.values() keys.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("case", "department"), ("week", "week"), ("status", "timetable"),
    ("due", "due"), ("planned_pct", "planned %"), ("class_a_coverage_pct", "A coverage %"),
    ("class_a_left_for_c", "A left, C made"), ("km", "km"), ("riding_min", "riding min"),
    ("idle_min", "idle min"), ("late_arrivals", "late arrivals"),
    ("late_office_returns", "of them at the office"), ("late_max_min", "max min late"),
    ("outside_opening", "outside opening"), ("first_stop_late", "first stop late"),
    ("visiting_after_end", "visiting after end"), ("unvisited_without_reason", "unvisited, no reason"),
    ("reasons_without_figures", "reasons without figures"), ("objective", "objective"), ("gap", "gap"),
)
SUMMED = ("due", "planned", "class_a_due", "class_a_planned", "class_a_left_for_c", "km",
          "riding_min", "idle_min", "late_arrivals", "late_office_returns", "outside_opening",
          "first_stop_late", "visiting_after_end", "unvisited_without_reason",
          "reasons_without_figures", "seconds")


@dataclass
class WeekRow:
    """One department-week: the plan's status, its measures and the seconds it took."""

    case: str
    managers: int
    week: dt.date
    status: str
    seconds: float
    measures: WeekMeasures | None = None
    note: str = ""

    def values(self) -> dict[str, Any]:
        head = {"case": self.case, "managers": self.managers, "week": self.week.isoformat(),
                "status": self.status, "seconds": round(self.seconds, 1)}
        return {**head, **(self.measures.as_dict() if self.measures else {}), "note": self.note}


@dataclass
class WeekCase:
    """A department of the suite and the policy it is planned under."""

    name: str
    department: Department
    policy: Policy
    rows: list[WeekRow] = field(default_factory=list)


def week_cases(sizes: Sequence[int], seeds: Sequence[int], with_sample: bool = True) -> list[WeekCase]:
    """The sample department (when bundled), then a generated one per size and seed."""
    cases = []
    if with_sample and SAMPLE_DEPARTMENT.is_dir():
        department, policy = load_department_with_policy(SAMPLE_DEPARTMENT)
        cases.append(WeekCase(f"sample-{len(department.managers)}", department, policy))
    for size in sizes:
        for seed in seeds:
            department = generate_department(size, seed, BENCH_WEEK, RETAILERS_PER_MANAGER)
            cases.append(WeekCase(f"generated-{size}-s{seed}", department, load_policy(department.policy)))
    return cases


def plan_week(case: WeekCase, week: dt.date, time_limit: float, route_time_limit: float) -> WeekRow:
    """The week as `fieldweek plan` makes it (same budget, same solvers), measured."""
    budget = time_budget(time_limit, route_time_limit)
    assert budget.routes is not None
    started = time.perf_counter()
    result = solve_timetable(case.department, case.policy, week, SolveParams.within(budget.timetable))
    row = WeekRow(case.name, len(case.department.managers), week, result.status, 0.0)
    if result.status not in ("optimal", "feasible"):
        row.seconds = time.perf_counter() - started
        row.note = "; ".join(c.message for c in result.timetable.conflicts) or "no timetable"
        return row
    routes = plan_routes(case.department, case.policy, result.timetable, week,
                         time_limit_s=budget.routes.limit_s)
    row.seconds = time.perf_counter() - started
    row.measures = measure_week(result.timetable.to_json_dict(), routes.to_json_dict(),
                                case.department, case.policy)
    return row


def run_executable_week_suite(sizes: Sequence[int], seeds: Sequence[int], weeks: int,
                              time_limit: float, route_time_limit: float,
                              progress: SuiteProgress = no_progress,
                              with_sample: bool = True) -> list[WeekCase]:
    """Every department of the suite over `weeks` consecutive weeks from the bench week."""
    cases = week_cases(sizes, seeds, with_sample)
    total, done = len(cases) * weeks, 0
    for case in cases:
        for number in range(weeks):
            week = BENCH_WEEK + dt.timedelta(weeks=number)
            progress(f"week · {case.name} · {week}", done, total)
            case.rows.append(plan_week(case, week, time_limit, route_time_limit))
            done += 1
    progress("week", total, total)
    return cases


# -- tables -------------------------------------------------------------------------------------


def department_total(case: WeekCase) -> dict[str, Any]:
    """The case's weeks together (see `weeks_total`)."""
    return weeks_total([row.values() for row in case.rows])


def weeks_total(weeks: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One department's weeks (WeekRow.values(), or CSV rows read back) together: counts
    summed, percentages over all its weeks, the worst lateness and gap, the mean
    objective, and how many weeks had a plan."""
    measured = [v for v in weeks if v.get("due") is not None]
    total: dict[str, Any] = {"case": weeks[0]["case"], "managers": weeks[0]["managers"],
                             "week": f"{len(measured)}/{len(weeks)} weeks",
                             "status": ", ".join(sorted({str(v["status"]) for v in weeks}))}
    for key in SUMMED:
        total[key] = round(sum(v.get(key) or 0 for v in measured), 1)
    total["planned_pct"] = _percent(total["planned"], total["due"])
    total["class_a_coverage_pct"] = _percent(total["class_a_planned"], total["class_a_due"])
    total["late_max_min"] = max((v["late_max_min"] for v in measured), default=0)
    objectives = [v["objective"] for v in measured if v["objective"] is not None]
    total["objective"] = round(sum(objectives) / len(objectives), 1) if objectives else None
    total["gap"] = max((v["gap"] for v in measured if v["gap"] is not None), default=None)
    return total


def _percent(part: float, whole: float) -> float | None:
    return None if not whole else round(100.0 * part / whole, 1)


def table_rows(values: Sequence[dict[str, Any]]) -> list[list[str]]:
    """Rows of COLUMNS as text (the gap as a percentage)."""
    rows = []
    for v in values:
        cells = [format_cell(v.get(key)) for key, _ in COLUMNS]
        gap = v.get("gap")
        cells[-1] = "–" if gap is None else f"{gap:.1%}"
        rows.append(cells)
    return rows


def weeks_markdown(cases: Sequence[WeekCase], command: str) -> str:
    """The suite as markdown: the command and machine, one total per department, then
    every department-week."""
    header = [title for _, title in COLUMNS]
    notes = [f"- {row.case} {row.week}: {row.note}" for case in cases for row in case.rows if row.note]
    parts = [
        f"Command: `{command}`\n\nRun {dt.date.today().isoformat()} on {platform.machine()} "
        f"({platform.system()}, Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"load {_load()}), code at {code_version()}.",
        "Per department, all weeks (objective: mean; gap and max min late: worst week)",
        markdown_table(header, table_rows([department_total(c) for c in cases])),
        "Per department-week",
        markdown_table(header, table_rows([row.values() for c in cases for row in c.rows])),
    ]
    if notes:
        parts.append("\n".join(notes))
    return "\n\n".join(parts) + "\n"


def _load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def write_weeks_csv(cases: Sequence[WeekCase], path: Path) -> Path:
    """One row per department-week, every measure a column; returns the file written."""
    return write_rows_csv([row.values() for case in cases for row in case.rows], path)
