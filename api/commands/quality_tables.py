"""Quality reports and bench cases as tables on the terminal (SPEC §6); the words and
values come from benchmarks.measures and benchmarks.tables, as in the markdown."""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from rich.table import Table

from api.commands.console import console, errors
from benchmarks.cases import CaseResult
from benchmarks.measures import format_measure, measure_label
from benchmarks.tables import CASE_HEADER, case_row, measure_rows
from engine.quality import QualityReport

VERDICT_STYLES = {"better": "green", "worse": "red"}


def summary_table(report: QualityReport, title: str) -> Table:
    """The headline measures of one plan."""
    table = Table(title=title, title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for measure, value in report.summary().items():
        table.add_row(measure_label(measure), format_measure(measure, value))
    return table


def render_report(report: QualityReport) -> None:
    """Everything a market manager needs to judge one plan, as tables."""
    head = f"{report.department} · week of {report.week_start} · policy {report.policy}"
    if report.status:
        head += f" · solver status {report.status}"
    console.print(f"[bold]{head}[/bold]")
    console.print(summary_table(report, "quality"))
    if report.away_all_week:
        console.print(f"[dim]spreads across managers are over the managers present: "
                      f"{escape(', '.join(report.away_all_week))} on leave all week left out[/dim]")
    if report.violations:
        table = Table(title=f"{len(report.violations)} hard-rule violation(s)", title_justify="left")
        for column in ("plan part", "rule", "manager", "date", "time", "what is wrong"):
            table.add_column(column)
        for v in report.violations:
            table.add_row(v.source, v.rule, v.manager or "", v.date or "", v.time or "", escape(v.message))
        console.print(table)
    else:
        console.print("[green]no hard rule is broken[/green]")
    off = [h for h in report.hours if h.difference]
    if off:
        table = Table(title="hours off the policy", title_justify="left")
        for column in ("manager", "kind", "planned min", "policy asks"):
            table.add_column(column)
        for h in off:
            table.add_row(h.manager, h.kind, str(h.planned), str(h.owed))
        console.print(table)
    if report.pairs:
        table = Table(title="pairs", title_justify="left")
        for column in ("pair", "senior–newcomer", "repeated", "km apart"):
            table.add_column(column)
        for p in report.pairs:
            table.add_row(" + ".join(p.members), "yes" if p.senior_newcomer else "",
                          "yes" if p.repeated else "", f"{p.distance_km:.1f}")
        console.print(table)
    if report.objective_terms:
        # Printed as text: rich read "late_finish[latest]" as markup and showed late_finish twice.
        console.print("objective by soft rule: " + ", ".join(
            f"{name} {cost:g}" for name, cost in report.objective_terms.items() if cost), markup=False)


def cases_table(cases: Sequence[CaseResult]) -> Table:
    """One row per case: the solver's figures and the objective against the baseline."""
    table = Table(title="solver and objective per case", title_justify="left")
    for column in CASE_HEADER:
        table.add_column(column, justify="right" if column not in ("suite", "case", "status") else "left")
    for case in cases:
        table.add_row(*case_row(case))
    return table


def measures_table(case: CaseResult) -> Table:
    """The quality measures of the optimised plan side by side with the baseline."""
    table = Table(title=f"{case.suite} · {case.case}: quality, optimised vs hand-made",
                  title_justify="left")
    table.add_column("measure")
    names, rows = measure_rows(case)
    for name in names:
        table.add_column(name, justify="right")
    table.add_column("optimised is")
    for label, values, verdict in rows:
        style = VERDICT_STYLES.get(verdict, "")
        table.add_row(label, *values, f"[{style}]{verdict}[/{style}]" if style else "")
    return table


def render_cases(cases: Sequence[CaseResult]) -> None:
    """The cases table, each case's measures, and any case's note."""
    console.print(cases_table(cases))
    for case in cases:
        console.print(measures_table(case))
        if case.note:
            errors.print(f"[yellow]{case.case}[/yellow]: {case.note}")
