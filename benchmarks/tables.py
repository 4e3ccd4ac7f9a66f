"""Quality reports and bench cases as markdown and CSV (SPEC §6): the tables of
benchmarks/RESULTS.md and of `fieldweek score --md`."""

from __future__ import annotations

import csv
import datetime as dt
import os
import platform
import subprocess
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from benchmarks.cases import CaseResult
from benchmarks.measures import better, format_cell, format_measure, measure_label
from engine.quality import QualityReport

CASE_HEADER = ("suite", "case", "managers", "status", "objective", "bound", "gap", "seconds",
               "baseline objective", "improvement")
SOURCE_FOLDER = Path(__file__).resolve().parents[1]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A markdown table; values that are not text are written as `format_cell` does."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(format_cell(c) if not isinstance(c, str) else c for c in row) + " |"
              for row in rows]
    return "\n".join(lines)


def report_markdown(report: QualityReport) -> str:
    """The report as markdown: headline, violations, hours off policy, pairs, days, routes."""
    parts = [f"# Plan quality: {report.department}, week of {report.week_start}",
             f"Policy `{report.policy}`" + (f", solver status {report.status}" if report.status else ""),
             markdown_table(("measure", "value"),
                            [(measure_label(k), format_measure(k, v)) for k, v in report.summary().items()])]
    if report.away_all_week:
        parts.append(f"The spreads across managers leave out {', '.join(report.away_all_week)}, "
                     "on leave all week.")
    if report.violations:
        parts.append("## Hard-rule violations")
        parts.append(markdown_table(("part", "rule", "manager", "date", "time", "what is wrong"),
                                    [(v.source, v.rule, v.manager or "", v.date or "", v.time or "",
                                      v.message.replace("|", "/")) for v in report.violations]))
    if report.objective_terms:
        parts.append("## Objective by soft rule")
        parts.append(markdown_table(("soft rule", "cost"), list(report.objective_terms.items())))
    if report.hours:
        parts.append("## Hours per kind per manager (planned / policy, minutes)")
        kinds = list(dict.fromkeys(h.kind for h in report.hours))
        by_manager: dict[str, dict[str, str]] = defaultdict(dict)
        for h in report.hours:
            by_manager[h.manager][h.kind] = f"{h.planned}" if not h.difference else f"**{h.planned}/{h.owed}**"
        parts.append(markdown_table(("manager", *kinds),
                                    [(m, *(row.get(k, "") for k in kinds)) for m, row in by_manager.items()]))
    if report.pairs:
        parts.append("## Pairs")
        parts.append(markdown_table(("pair", "senior–newcomer", "repeated", "km apart"),
                                    [(" + ".join(p.members), "yes" if p.senior_newcomer else "",
                                      "yes" if p.repeated else "", p.distance_km) for p in report.pairs]))
    if report.days:
        parts.append("## Days")
        parts.append(markdown_table(("manager", "date", "work min", "first", "last", "late min", "idle min",
                                     "office pieces"),
                                    [(d.manager, d.date, d.work_minutes, d.first_start or "", d.last_end or "",
                                      d.late_minutes, d.idle_minutes, d.office_pieces) for d in report.days]))
    if report.routes:
        parts.append("## Routes")
        parts.append(markdown_table(("manager", "date", "visits", "stated km", "km", "stated min", "min",
                                     "waiting min"),
                                    [(r.manager, r.date, r.visits, r.distance_km, r.recomputed_km,
                                      r.travel_minutes, r.recomputed_minutes, r.waiting_minutes)
                                     for r in report.routes]))
    return "\n\n".join(parts) + "\n"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def case_row(case: CaseResult) -> list[str]:
    """The case's solver figures and its objective against the baseline (`CASE_HEADER`)."""
    base = case.baseline.get("objective")
    mine = case.optimised.get("objective")
    improvement = "–"
    if base is not None and mine is not None and base:
        improvement = f"{(base - mine) / abs(base):.1%}"
    return [case.suite, case.case, str(case.managers), case.status, format_cell(case.objective),
            format_cell(case.bound), _percent(case.gap), f"{case.seconds:.1f}", format_cell(base),
            improvement]


def measure_rows(case: CaseResult) -> tuple[list[str], list[tuple[str, list[str], str]]]:
    """The case's plans by name, and per measure (in words) each plan's value and the verdict."""
    columns = case.columns()
    keys = list(dict.fromkeys(k for _, values in columns for k in values))
    rows = [(measure_label(k), [format_measure(k, v.get(k)) for _, v in columns],
             better(k, case.optimised.get(k), case.baseline.get(k))) for k in keys]
    return [name for name, _ in columns], rows


def write_cases_csv(cases: Sequence[CaseResult], path: Path) -> Path:
    """One row per case and plan, every measure a column; returns the file written."""
    rows = []
    for case in cases:
        head = {"suite": case.suite, "case": case.case, "managers": case.managers, "status": case.status,
                "solver_objective": case.objective, "bound": case.bound,
                "solver_gap": None if case.gap is None else round(case.gap, 6), "seconds": case.seconds}
        for plan, values in case.columns():
            rows.append({**head, "plan": plan, **values, "note": case.note if plan != "optimised" else ""})
    return write_rows_csv(rows, path)


def write_rows_csv(rows: Sequence[dict], path: Path, first: str = "suite") -> Path:
    """Rows as one CSV, every key of any row a column in the order first seen (`first`
    alone when there is no row); returns the file written."""
    names = list(dict.fromkeys(k for row in rows for k in row)) or [first]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)
    return path


def code_version() -> str:
    """The commit the run used, and whether the working tree had changes on top of it
    ("unknown" outside a git checkout, e.g. from an installed wheel)."""
    try:
        described = subprocess.run(["git", "-C", str(SOURCE_FOLDER), "describe", "--always", "--dirty"],
                                   capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    version = described.stdout.strip()
    return version.replace("-dirty", " with uncommitted changes") if version else "unknown"


def cases_markdown(cases: Sequence[CaseResult], command: str) -> str:
    """The bench tables as markdown, the command that produced them at the top."""
    parts = [
        "# Plan quality: optimised vs hand-made baseline",
        (
            f"Command: `{command}`\n\nRun {dt.date.today().isoformat()} on {platform.machine()} "
            f"({platform.system()}, Python {platform.python_version()}, {os.cpu_count()} cores), "
            f"code at {code_version()}. The baseline is the week a "
            "market manager plans by hand (engine/baseline.py): a fixed template, pairs by list "
            "order, nearest-neighbour routes in territory order. Every measure is recomputed by "
            "engine/quality.py from the plan itself; hard rules are judged by the independent checkers."
        ),
        markdown_table(CASE_HEADER, [case_row(c) for c in cases]),
    ]
    for case in cases:
        names, rows = measure_rows(case)
        parts.append(f"## {case.suite} · {case.case}")
        parts.append(markdown_table(("measure", *names, "optimised is"),
                                    [(label, *values, verdict) for label, values, verdict in rows]))
        if case.note:
            parts.append(f"_{case.note}_")
    return "\n\n".join(parts) + "\n"
