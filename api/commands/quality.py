"""`fieldweek score`, `fieldweek baseline` and the quality benchmarks
`fieldweek bench timetable|routes|all` (issue 5).

Thin: engine.quality scores a plan, engine.baseline builds the week a market
manager makes by hand, the solvers solve; this module loops over the cases,
renders tables, writes CSV/markdown/JSON and draws the charts.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.commands.console import (
    EXIT_NO_PLAN,
    console,
    errors,
    fail_on_input,
    parse_week,
    write_json,
)
from engine.baseline import BaselineImpossible, baseline_plan, baseline_routes, baseline_timetable
from engine.domain import Department, Timetable
from engine.errors import InputError
from engine.load import load_department_with_policy
from engine.policy import Policy, format_clock, load_policy
from engine.quality import QualityReport, score_plan

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DEPARTMENT = REPO / "data" / "sample"
BENCH_WEEK = dt.date(2026, 11, 23)
TIMETABLE_SIZES = (6, 13, 24, 48)
DEFAULT_SIZES = ",".join(str(size) for size in TIMETABLE_SIZES)
SAMPLE_SIZE = 13
"""The timetable suite's 13-manager case is the bundled sample department."""

# What each headline measure means and which way is better ("-": lower, "+": higher).
MEASURES: dict[str, tuple[str, str]] = {
    "violations": ("hard-rule violations", "-"),
    "objective": ("objective (policy weights)", "-"),
    "hours_off_policy": ("(manager, kind) hours off the policy", "-"),
    "senior_newcomer_pairs": ("senior–newcomer pairs", "+"),
    "repeated_partners": ("partners repeated from history", "-"),
    "pair_km_mean": ("km between paired territories, mean", "-"),
    "pair_km_max": ("km between paired territories, max", "-"),
    "office_pieces_per_day": ("pieces of office time per day", "-"),
    "idle_min": ("idle minutes between blocks", "-"),
    "late_finish_min": ("late-finish minutes", "-"),
    "late_finish_days": ("days with a late finish", "-"),
    "latest_finish": ("latest finish", "-"),
    "workload_std_managers": ("workload std across managers (min)", "-"),
    "workload_range_managers": ("workload max–min across managers (min)", "-"),
    "load_std_days": ("department load std across days (min)", "-"),
    "late_std_managers": ("late-finish std across managers (min)", "-"),
    "route_km": ("route km (recomputed)", "-"),
    "route_travel_min": ("riding minutes (recomputed)", "-"),
    "route_waiting_min": ("waiting minutes at retailers", "-"),
    "stops_per_day": ("visits per route", "+"),
    "stops_min": ("fewest visits in a route", "+"),
    "unvisited": ("due visits not planned", "-"),
    "timetable_transfers": ("rides the timetable leaves too little time for", "-"),
    "route_figures_disagree": ("routes whose stated km/min disagree", "-"),
    "travel_std_managers": ("riding std across managers (min)", "-"),
    "gap": ("solver gap to bound", "-"),
}


# -- rendering ------------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) >= 100 or value == int(value) else f"{value:.2f}"
    return str(value)


def _better(measure: str, optimised: object, baseline: object) -> str:
    """'better', 'worse' or '' for one measure of two plans."""
    if measure not in MEASURES or optimised is None or baseline is None or optimised == baseline:
        return ""
    direction = MEASURES[measure][1]
    try:
        lower = optimised < baseline  # type: ignore[operator]
    except TypeError:
        return ""
    return "better" if lower == (direction == "-") else "worse"


def summary_table(report: QualityReport, title: str) -> Table:
    """The headline measures of one plan."""
    table = Table(title=title, title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for measure, value in report.summary().items():
        table.add_row(MEASURES.get(measure, (measure, ""))[0], _cell(value))
    return table


def render_report(report: QualityReport) -> None:
    """Everything a market manager needs to judge one plan, as tables."""
    head = f"{report.department} · week of {report.week_start} · policy {report.policy}"
    if report.status:
        head += f" · solver status {report.status}"
    console.print(f"[bold]{head}[/bold]")
    console.print(summary_table(report, "quality"))
    if report.violations:
        table = Table(title=f"{len(report.violations)} hard-rule violation(s)", title_justify="left")
        for column in ("plan part", "rule", "manager", "date", "time", "what is wrong"):
            table.add_column(column)
        for v in report.violations:
            table.add_row(v.source, v.rule, v.manager or "", v.date or "", v.time or "", v.message)
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
        console.print("objective by soft rule: " + ", ".join(
            f"{name} {cost:g}" for name, cost in report.objective_terms.items() if cost))


def _md_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) if not isinstance(c, str) else c for c in row) + " |"
              for row in rows]
    return "\n".join(lines)


def report_markdown(report: QualityReport) -> str:
    """The report as markdown: headline, violations, hours off policy, pairs, days, routes."""
    parts = [f"# Plan quality: {report.department}, week of {report.week_start}",
             f"Policy `{report.policy}`" + (f", solver status {report.status}" if report.status else ""),
             _md_table(("measure", "value"),
                       [(MEASURES.get(k, (k, ""))[0], v) for k, v in report.summary().items()])]
    if report.violations:
        parts.append("## Hard-rule violations")
        parts.append(_md_table(("part", "rule", "manager", "date", "time", "what is wrong"),
                               [(v.source, v.rule, v.manager or "", v.date or "", v.time or "",
                                 v.message.replace("|", "/")) for v in report.violations]))
    if report.objective_terms:
        parts.append("## Objective by soft rule")
        parts.append(_md_table(("soft rule", "cost"), list(report.objective_terms.items())))
    if report.hours:
        parts.append("## Hours per kind per manager (planned / policy, minutes)")
        kinds = list(dict.fromkeys(h.kind for h in report.hours))
        by_manager: dict[str, dict[str, str]] = defaultdict(dict)
        for h in report.hours:
            by_manager[h.manager][h.kind] = f"{h.planned}" if not h.difference else f"**{h.planned}/{h.owed}**"
        parts.append(_md_table(("manager", *kinds),
                               [(m, *(row.get(k, "") for k in kinds)) for m, row in by_manager.items()]))
    if report.pairs:
        parts.append("## Pairs")
        parts.append(_md_table(("pair", "senior–newcomer", "repeated", "km apart"),
                               [(" + ".join(p.members), "yes" if p.senior_newcomer else "",
                                 "yes" if p.repeated else "", p.distance_km) for p in report.pairs]))
    if report.days:
        parts.append("## Days")
        parts.append(_md_table(("manager", "date", "work min", "first", "last", "late min", "idle min",
                                "office pieces"),
                               [(d.manager, d.date, d.work_minutes, d.first_start or "", d.last_end or "",
                                 d.late_minutes, d.idle_minutes, d.office_pieces) for d in report.days]))
    if report.routes:
        parts.append("## Routes")
        parts.append(_md_table(("manager", "date", "visits", "stated km", "km", "stated min", "min",
                                "waiting min"),
                               [(r.manager, r.date, r.visits, r.distance_km, r.recomputed_km,
                                 r.travel_minutes, r.recomputed_minutes, r.waiting_minutes)
                                for r in report.routes]))
    return "\n\n".join(parts) + "\n"


# -- score and baseline ---------------------------------------------------------------


def _load(department_dir: Path, policy: str | None = None) -> tuple[Department, Policy]:
    try:
        return load_department_with_policy(department_dir, policy)
    except InputError as error:
        raise fail_on_input(error) from None


def score_command(
    plan: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                         help="a timetable JSON, a routes JSON, or both in one")],
    department_dir: Annotated[Path, typer.Option("--department", help="department folder")],
    policy: Annotated[str | None, typer.Option("--policy", help="built-in policy or TOML path")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the report as JSON")] = None,
    md_out: Annotated[Path | None, typer.Option("--md", help="write the report as markdown")] = None,
) -> None:
    """Score a plan: every hard rule it breaks and every quality measure of SPEC §6."""
    department, pol = _load(department_dir, policy)
    try:
        data = json.loads(plan.read_text(encoding="utf-8"))
        report = score_plan(data, department, pol)
    except json.JSONDecodeError as error:
        raise fail_on_input(InputError([_problem(str(plan), f"not valid JSON: {error}")])) from None
    except InputError as error:
        raise fail_on_input(error) from None
    render_report(report)
    if json_out is not None:
        write_json(json_out, report.to_dict())
    if md_out is not None:
        md_out.parent.mkdir(parents=True, exist_ok=True)
        md_out.write_text(report_markdown(report), encoding="utf-8")
        console.print(f"[dim]wrote {md_out}[/dim]")


def _problem(file: str, message: str):
    from engine.errors import Problem

    return Problem(message, file=file)


def baseline_command(
    department_dir: Annotated[Path, typer.Argument(help="department folder")],
    week: Annotated[str, typer.Option("--week", help="Monday of the week, YYYY-MM-DD")],
    policy: Annotated[str | None, typer.Option("--policy", help="built-in policy or TOML path")] = None,
    routes: Annotated[bool, typer.Option("--routes/--no-routes", help="also the visit routes")] = True,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the plan JSON here")] = None,
) -> None:
    """Build the week a market manager makes by hand today: a fixed template, pairs by
    list order, nearest-neighbour routes in territory order."""
    week_start = parse_week(week)
    department, pol = _load(department_dir, policy)
    try:
        timetable = baseline_timetable(department, pol, week_start)
    except BaselineImpossible as impossible:
        errors.print("[red]the hand-made template cannot give a valid week:[/red]")
        for reason in impossible.reasons:
            errors.print(f"  {reason}")
        raise typer.Exit(EXIT_NO_PLAN) from None
    plan: dict[str, Any] = {"timetable": timetable.to_json_dict()}
    if routes:
        plan["routes"] = baseline_routes(department, pol, timetable)
    report = score_plan(plan, department, pol)
    render_report(report)
    if json_out is not None:
        write_json(json_out, plan if routes else plan["timetable"])


# -- the benchmark ----------------------------------------------------------------------


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


def department_generator() -> Callable[..., Department]:
    """benchmarks.departments.generate_department, from the package or the repo folder."""
    module: ModuleType
    try:
        module = importlib.import_module("benchmarks.departments")
    except ImportError:
        spec = importlib.util.spec_from_file_location("benchmarks_departments",
                                                      REPO / "benchmarks" / "departments.py")
        if spec is None or spec.loader is None:
            raise
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module.generate_department


def timetable_cases(sizes: Sequence[int], seed: int) -> list[tuple[str, Department, Policy]]:
    """The timetable suite: generated departments, the sample department for 13."""
    generate = department_generator()
    cases = []
    for size in sizes:
        if size == SAMPLE_SIZE and SAMPLE_DEPARTMENT.is_dir():
            department, policy = load_department_with_policy(SAMPLE_DEPARTMENT)
            cases.append((f"sample-{size}", department, policy))
        else:
            department = generate(size, seed)
            cases.append((f"generated-{size}", department, load_policy(department.policy)))
    return cases


def _solve(department: Department, policy: Policy, week: dt.date, time_limit: float, seed: int,
           workers: int):
    from engine.timetable.solve import SolveParams, solve_timetable

    return solve_timetable(department, policy, week,
                           SolveParams(time_limit_s=time_limit, workers=workers, seed=seed))


def _baseline(department: Department, policy: Policy, week: dt.date) -> tuple[Timetable | None, str]:
    try:
        return baseline_timetable(department, policy, week), ""
    except BaselineImpossible as impossible:
        return None, "baseline impossible: " + "; ".join(impossible.reasons)


def run_timetable_case(name: str, department: Department, policy: Policy, week: dt.date,
                       time_limit: float, seed: int, workers: int) -> CaseResult:
    """Solve the week, build the hand-made week, score both."""
    result = _solve(department, policy, week, time_limit, seed, workers)
    timetable = result.timetable
    case = CaseResult(
        suite="timetable", case=name, managers=len(department.managers), status=timetable.status,
        objective=timetable.objective, bound=timetable.best_bound, gap=result.gap,
        seconds=timetable.solve_seconds,
        progress=[(p.seconds, p.objective, p.bound) for p in result.progress],
    )
    if timetable.blocks:
        case.optimised = score_plan(timetable, department, policy).summary()
        case.timetables["optimised"] = timetable
    base, note = _baseline(department, policy, week)
    case.note = note
    if base is not None:
        case.baseline = score_plan(base, department, policy).summary()
        case.timetables["baseline"] = base
    return case


def run_routes_case(department_dir: Path, week: dt.date, time_limit: float, seed: int,
                    workers: int, solved: CaseResult | None = None) -> CaseResult:
    """The department's week: optimised timetable + routes against the hand-made week,
    and, to isolate the route planner, hand-made routes on the optimised timetable.

    The timetable gets `time_limit` seconds, then the routes as many; a timetable already
    solved for the same department and week (`solved`, from the timetable suite) is reused.
    """
    from engine.routing.plan import plan_routes

    department, policy = load_department_with_policy(department_dir)
    case = CaseResult(suite="routes", case=f"{department_dir.name}-{len(department.managers)}",
                      managers=len(department.managers), status="unknown", objective=None,
                      bound=None, gap=None, seconds=0.0)
    if solved is not None and "optimised" in solved.timetables:
        timetable = solved.timetables["optimised"]
        for name in ("status", "objective", "bound", "gap", "seconds", "progress"):
            setattr(case, name, getattr(solved, name))
    else:
        result = _solve(department, policy, week, time_limit, seed, workers)
        timetable = result.timetable
        case.status, case.objective, case.bound = timetable.status, timetable.objective, timetable.best_bound
        case.gap, case.seconds = result.gap, timetable.solve_seconds
        case.progress = [(p.seconds, p.objective, p.bound) for p in result.progress]
    if timetable.blocks:
        started = time.perf_counter()
        routes = plan_routes(department, policy, timetable, week, time_limit_s=time_limit, seed=seed)
        case.seconds = round(case.seconds + time.perf_counter() - started, 3)
        plan = {"timetable": timetable.to_json_dict(), "routes": routes.to_json_dict()}
        case.optimised = score_plan(plan, department, policy).summary()
        case.timetables["optimised"] = timetable
        by_hand = {"timetable": timetable.to_json_dict(),
                   "routes": baseline_routes(department, policy, timetable)}
        case.extra["hand_routes_on_optimised"] = score_plan(by_hand, department, policy).summary()
    try:
        base = baseline_plan(department, policy, week)
    except BaselineImpossible as impossible:
        case.note = "baseline impossible: " + "; ".join(impossible.reasons)
    else:
        case.baseline = score_plan(base, department, policy).summary()
        case.timetables["baseline"] = Timetable.model_validate(base["timetable"])
    return case


def _progress_bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def cases_table(cases: Sequence[CaseResult]) -> Table:
    """One row per case: the solver's figures and the objective against the baseline."""
    table = Table(title="solver and objective per case", title_justify="left")
    for column in ("suite", "case", "managers", "status", "objective", "bound", "gap", "seconds",
                   "baseline objective", "improvement"):
        table.add_column(column, justify="right" if column not in ("suite", "case", "status") else "left")
    for case in cases:
        table.add_row(*_case_row(case))
    return table


def _case_row(case: CaseResult) -> list[str]:
    base = case.baseline.get("objective")
    mine = case.optimised.get("objective")
    improvement = "–"
    if base is not None and mine is not None and base:
        improvement = f"{(base - mine) / abs(base):.1%}"
    return [case.suite, case.case, str(case.managers), case.status, _cell(case.objective),
            _cell(case.bound), _pct(case.gap), f"{case.seconds:.1f}", _cell(base), improvement]


def _columns(case: CaseResult) -> list[tuple[str, dict[str, Any]]]:
    columns = [("optimised", case.optimised), ("hand-made baseline", case.baseline)]
    columns += [(name.replace("_", " "), values) for name, values in case.extra.items()]
    return columns


def measures_table(case: CaseResult) -> Table:
    """The quality measures of the optimised plan side by side with the baseline."""
    table = Table(title=f"{case.suite} · {case.case}: quality, optimised vs hand-made",
                  title_justify="left")
    table.add_column("measure")
    columns = _columns(case)
    for name, _ in columns:
        table.add_column(name, justify="right")
    table.add_column("optimised is")
    keys = list(dict.fromkeys(k for _, values in columns for k in values))
    for key in keys:
        verdict = _better(key, case.optimised.get(key), case.baseline.get(key))
        style = {"better": "green", "worse": "red"}.get(verdict, "")
        table.add_row(MEASURES.get(key, (key, ""))[0], *(_cell(v.get(key)) for _, v in columns),
                      f"[{style}]{verdict}[/{style}]" if style else "")
    return table


def render_cases(cases: Sequence[CaseResult]) -> None:
    console.print(cases_table(cases))
    for case in cases:
        console.print(measures_table(case))
        if case.note:
            errors.print(f"[yellow]{case.case}[/yellow]: {case.note}")


def write_cases_csv(cases: Sequence[CaseResult], path: Path) -> None:
    """One row per case and plan, every measure a column."""
    rows = []
    for case in cases:
        head = {"suite": case.suite, "case": case.case, "managers": case.managers, "status": case.status,
                "solver_objective": case.objective, "bound": case.bound,
                "solver_gap": None if case.gap is None else round(case.gap, 6), "seconds": case.seconds}
        for plan, values in _columns(case):
            rows.append({**head, "plan": plan, **values, "note": case.note if plan != "optimised" else ""})
    names = list(dict.fromkeys(k for row in rows for k in row))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)
    console.print(f"[dim]wrote {path}[/dim]")


def _code_version() -> str:
    """The commit the run used, and whether the working tree had changes on top of it."""
    try:
        described = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
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
            f"code at {_code_version()}. The baseline is the week a "
            "market manager plans by hand (engine/baseline.py): a fixed template, pairs by list "
            "order, nearest-neighbour routes in territory order. Every measure is recomputed by "
            "engine/quality.py from the plan itself; hard rules are judged by the independent checkers."
        ),
        _md_table(("suite", "case", "managers", "status", "objective", "bound", "gap", "seconds",
                   "baseline objective", "improvement"), [_case_row(c) for c in cases]),
    ]
    for case in cases:
        columns = _columns(case)
        keys = list(dict.fromkeys(k for _, values in columns for k in values))
        parts.append(f"## {case.suite} · {case.case}")
        parts.append(_md_table(
            ("measure", *(name for name, _ in columns), "optimised is"),
            [(MEASURES.get(k, (k, ""))[0], *(_cell(v.get(k)) for _, v in columns),
              _better(k, case.optimised.get(k), case.baseline.get(k))) for k in keys]))
        if case.note:
            parts.append(f"_{case.note}_")
    return "\n\n".join(parts) + "\n"


def _finish(cases: list[CaseResult], csv_out: Path | None, md_out: Path | None, plot_dir: Path | None,
            policies: dict[str, Policy]) -> None:
    render_cases(cases)
    if csv_out is not None:
        write_cases_csv(cases, csv_out)
    if md_out is not None:
        md_out.parent.mkdir(parents=True, exist_ok=True)
        md_out.write_text(cases_markdown(cases, "fieldweek " + " ".join(sys.argv[1:])), encoding="utf-8")
        console.print(f"[dim]wrote {md_out}[/dim]")
    if plot_dir is not None:
        for path in write_plots(cases, policies, plot_dir):
            console.print(f"[dim]wrote {path}[/dim]")


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a comma list of head-counts") from None
    if not sizes or min(sizes) < 1:
        raise typer.BadParameter("give at least one head-count of 1 or more")
    return sizes


TimeLimit = Annotated[float, typer.Option("--time-limit", min=0.1, help="solver seconds per case")]
Seed = Annotated[int, typer.Option("--seed", help="solver seed and department generator seed")]
Workers = Annotated[int, typer.Option("--workers", min=1, help="CP-SAT workers")]
CsvOut = Annotated[Path | None, typer.Option("--csv", help="write one row per case and plan")]
MdOut = Annotated[Path | None, typer.Option("--md", help="write the tables as markdown")]
PlotDir = Annotated[Path | None, typer.Option("--plot", help="write PNG charts into this folder")]
Sizes = Annotated[str, typer.Option("--sizes", help="head-counts of the timetable suite")]


def _run_timetable_suite(sizes: Sequence[int], time_limit: float, seed: int, workers: int,
                         policies: dict[str, Policy]) -> list[CaseResult]:
    cases = timetable_cases(sizes, seed)
    results = []
    with _progress_bar() as bar:
        task = bar.add_task("timetable", total=len(cases))
        for name, department, policy in cases:
            bar.update(task, description=f"timetable · {name} ({len(department.managers)} managers)")
            results.append(run_timetable_case(name, department, policy, BENCH_WEEK, time_limit, seed,
                                              workers))
            policies[name] = policy
            bar.advance(task)
    return results


def _run_routes_suite(department_dir: Path, time_limit: float, seed: int, workers: int,
                      policies: dict[str, Policy], solved: CaseResult | None = None) -> list[CaseResult]:
    with _progress_bar() as bar:
        task = bar.add_task(f"routes · {department_dir.name}", total=1)
        case = run_routes_case(department_dir, BENCH_WEEK, time_limit, seed, workers, solved)
        bar.advance(task)
    policies[case.case] = load_department_with_policy(department_dir)[1]
    return [case]


def bench_timetable_command(
    time_limit: TimeLimit = 10.0, seed: Seed = 0, workers: Workers = 2,
    sizes: Sizes = DEFAULT_SIZES,
    csv_out: CsvOut = None, md_out: MdOut = None, plot_dir: PlotDir = None,
) -> None:
    """Timetable suite: departments of 6, 13, 24, 48 managers, optimised vs hand-made."""
    policies: dict[str, Policy] = {}
    cases = _run_timetable_suite(_sizes(sizes), time_limit, seed, workers, policies)
    _finish(cases, csv_out, md_out, plot_dir, policies)


def bench_routes_command(
    time_limit: TimeLimit = 30.0, seed: Seed = 0, workers: Workers = 2,
    department_dir: Annotated[Path, typer.Option("--department", help="department folder")] = SAMPLE_DEPARTMENT,
    csv_out: CsvOut = None, md_out: MdOut = None, plot_dir: PlotDir = None,
) -> None:
    """Routes suite: the sample department's week, timetable and routes, optimised vs hand-made
    (the time limit for the timetable, then as much for the routes)."""
    policies: dict[str, Policy] = {}
    cases = _run_routes_suite(department_dir, time_limit, seed, workers, policies)
    _finish(cases, csv_out, md_out, plot_dir, policies)


def bench_all_command(
    time_limit: TimeLimit = 10.0, seed: Seed = 0, workers: Workers = 2,
    sizes: Sizes = DEFAULT_SIZES,
    vrptw_dir: Annotated[Path | None, typer.Option(
        "--vrptw-dir", help="VRPLIB folder for the vrptw suite (skipped when absent)")] = (
        REPO.parent / "shared" / "benchmarks" / "solomon"),
    with_vrptw: Annotated[bool, typer.Option("--vrptw/--no-vrptw", help="run the vrptw suite too")] = True,
    csv_out: CsvOut = None, md_out: MdOut = None, plot_dir: PlotDir = None,
) -> None:
    """Every suite: timetable, routes (the sample week, on the sample timetable the timetable
    suite solved) and, when its module and instances are there, vrptw."""
    policies: dict[str, Policy] = {}
    cases = _run_timetable_suite(_sizes(sizes), time_limit, seed, workers, policies)
    sample = next((c for c in cases if c.case == f"sample-{SAMPLE_SIZE}"), None)
    cases += _run_routes_suite(SAMPLE_DEPARTMENT, time_limit, seed, workers, policies, sample)
    _finish(cases, csv_out, md_out, plot_dir, policies)
    if not with_vrptw:
        return
    if vrptw_dir is not None and vrptw_dir.is_dir():
        try:
            vrptw = importlib.import_module("api.commands.vrptw")
        except ImportError as error:
            errors.print(f"[yellow]vrptw suite skipped: {error}[/yellow]")
            return
        vrptw_csv = csv_out.with_name(csv_out.stem + "_vrptw.csv") if csv_out else None
        vrptw_md = md_out.with_name(md_out.stem + "_vrptw.md") if md_out else None
        vrptw.bench_vrptw_command(vrptw_dir, time_limit=time_limit, seed=seed, backend="pyvrp",
                                  only=None, csv_out=vrptw_csv, md_out=vrptw_md)
    else:
        errors.print(f"[yellow]vrptw suite skipped: no instance folder at {vrptw_dir}[/yellow]")


# -- charts ------------------------------------------------------------------------------

KIND_COLOURS = {
    "visit": "#4caf50", "maintenance": "#00acc1", "site_study": "#ab47bc", "promotion": "#fbc02d",
    "pos_project": "#1e88e5", "phone": "#8d6e63", "meeting": "#e53935", "admin": "#9e9e9e",
    "lunch": "#e0e0e0",
}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)


def gantt_chart(timetable: Timetable, policy: Policy, path: Path, title: str) -> Path:
    """Each manager's week as a Gantt chart: a panel per working day, a row per manager."""
    plt = _pyplot()
    dates = sorted({b.date for b in timetable.blocks})
    managers = [m.id for m in timetable.managers] or sorted({b.manager for b in timetable.blocks})
    rows = {m: i for i, m in enumerate(managers)}
    height = max(3.0, 0.28 * len(managers) + 1.5)
    fig, axes = plt.subplots(1, max(1, len(dates)), figsize=(3.2 * max(1, len(dates)), height),
                             sharey=True, squeeze=False)
    for ax, date in zip(axes[0], dates, strict=False):
        for block in (b for b in timetable.blocks if b.date == date and b.manager in rows):
            ax.barh(rows[block.manager], (block.end - block.start) / 60, left=block.start / 60,
                    color=KIND_COLOURS.get(block.kind, "#607d8b"), edgecolor="white", linewidth=0.4)
        ax.set_xlim(policy.day.start / 60, policy.day.end / 60)
        ax.axvline(policy.day.normal_end / 60, color="black", linestyle=":", linewidth=0.8)
        ax.set_title(f"{date:%a %m-%d}", fontsize=9)
        ax.set_xticks(range(policy.day.start // 60, policy.day.end // 60 + 1, 2))
        ax.tick_params(labelsize=7)
    axes[0][0].set_yticks(range(len(managers)), managers, fontsize=7)
    axes[0][0].set_ylim(len(managers) - 0.5, -0.5)  # first manager on top, no empty margin
    handles = [plt.Rectangle((0, 0), 1, 1, color=KIND_COLOURS[k]) for k in KIND_COLOURS
               if any(b.kind == k for b in timetable.blocks)]
    labels = [policy.kind_label(k, "en") for k in KIND_COLOURS if any(b.kind == k for b in timetable.blocks)]
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 5), fontsize=7, frameon=False)
    fig.suptitle(title, fontsize=10)
    # Room for the legend and title in inches, whatever the number of managers.
    fig.tight_layout(rect=(0, 0.6 / height, 1, 1 - 0.45 / height))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def daily_load_chart(timetables: dict[str, Timetable], policy: Policy, path: Path, title: str) -> Path:
    """The department's hours per day and kind, one panel per plan."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(timetables), figsize=(5 * len(timetables), 3.6), sharey=True,
                             squeeze=False)
    for ax, (name, timetable) in zip(axes[0], timetables.items(), strict=True):
        dates = sorted({b.date for b in timetable.blocks})
        bottom = [0.0] * len(dates)
        for kind, colour in KIND_COLOURS.items():
            if kind == "lunch":
                continue
            hours = [sum(b.end - b.start for b in timetable.blocks if b.date == d and b.kind == kind) / 60
                     for d in dates]
            if any(hours):
                ax.bar([f"{d:%a}" for d in dates], hours, bottom=bottom, color=colour,
                       label=policy.kind_label(kind, "en"))
                bottom = [a + b for a, b in zip(bottom, hours, strict=True)]
        ax.set_title(name, fontsize=9)
        ax.set_ylabel("hours, whole department")
    axes[0][-1].legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def gap_chart(cases: Sequence[CaseResult], path: Path) -> Path:
    """The solver's relative gap to its bound over time, one curve per case."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for case in cases:
        if not case.progress:
            continue
        seconds = [p[0] for p in case.progress]
        gaps = [max(abs(obj - bound) / max(1.0, abs(obj)), 1e-4) for _, obj, bound in case.progress]
        seconds.append(case.seconds)
        gaps.append(max(case.gap if case.gap is not None else gaps[-1], 1e-4))
        ax.step(seconds, gaps, where="post", label=f"{case.case} ({case.status})")
    ax.set_yscale("log")
    ax.set_xlabel("seconds")
    ax.set_ylabel("gap |objective − bound| / |objective|")
    ax.set_title("CP-SAT gap to bound over time")
    ax.grid(True, which="both", linewidth=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "no solution found in the time limit", transform=ax.transAxes,
                ha="center", va="center")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_plots(cases: Sequence[CaseResult], policies: dict[str, Policy], folder: Path) -> list[Path]:
    """Gantt charts of both plans, the daily load, and the gap curves of the suite."""
    written = []
    for case in cases:
        policy = policies[case.case]
        stem = f"{case.suite}-{_slug(case.case)}"
        for name, timetable in case.timetables.items():
            written.append(gantt_chart(timetable, policy, folder / f"{stem}-{name}-gantt.png",
                                       f"{case.case}: {name} week ({format_clock(policy.day.start)}–"
                                       f"{format_clock(policy.day.end)})"))
        if case.timetables:
            written.append(daily_load_chart(case.timetables, policy, folder / f"{stem}-daily-load.png",
                                            f"{case.case}: the department's daily load"))
    if cases:
        written.append(gap_chart(cases, folder / "gap-vs-time.png"))
    return written


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add `score` and `baseline` to the app and `timetable`, `routes`, `all` to the bench group."""
    app.command("score")(score_command)
    app.command("baseline")(baseline_command)
    bench.command("timetable")(bench_timetable_command)
    bench.command("routes")(bench_routes_command)
    bench.command("all")(bench_all_command)
