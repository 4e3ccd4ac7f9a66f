"""`fieldweek bench timetable|routes|week|all`: the quality benchmarks of SPEC §6.
Thin: the suites, tables and charts live in the benchmarks package; this module parses
the options, shows progress, renders the tables and says which files it wrote."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.commands.console import console, errors
from api.commands.quality_tables import render_cases
from api.commands.vrptw import bench_vrptw_command
from benchmarks.cases import SAMPLE_DEPARTMENT, CaseResult
from benchmarks.charts import write_plots
from benchmarks.executable_week import (
    COLUMNS,
    WEEK_SEEDS,
    WEEK_SIZES,
    WEEKS,
    department_total,
    run_executable_week_suite,
    table_rows,
    weeks_markdown,
    write_weeks_csv,
)
from benchmarks.routes_suite import run_routes_suite
from benchmarks.scale import (
    SCALE_MANAGERS,
    SCALE_RETAILERS,
    run_scale_suite,
    scale_markdown,
    write_scale_csv,
    write_scale_plots,
)
from benchmarks.tables import cases_markdown, write_cases_csv
from benchmarks.timetable_suite import SAMPLE_SIZE, TIMETABLE_SIZES, run_timetable_suite

DEFAULT_SIZES = ",".join(str(size) for size in TIMETABLE_SIZES)
DEFAULT_WEEK_SIZES = ",".join(str(size) for size in WEEK_SIZES)
DEFAULT_WEEK_SEEDS = ",".join(str(seed) for seed in WEEK_SEEDS)
VRPTW_INSTANCES = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "solomon"
"""Where a checkout beside the shared benchmark instances finds the Solomon set."""

TimeLimit = Annotated[float, typer.Option("--time-limit", min=0.1, help="solver seconds per case")]
Seed = Annotated[int, typer.Option("--seed", help="solver seed and department generator seed")]
Workers = Annotated[int, typer.Option("--workers", min=1, help="CP-SAT workers")]
CsvOut = Annotated[Path | None, typer.Option("--csv", help="write one row per case and plan")]
MdOut = Annotated[Path | None, typer.Option("--md", help="write the tables as markdown")]
PlotDir = Annotated[Path | None, typer.Option("--plot", help="write PNG charts into this folder")]
Sizes = Annotated[str, typer.Option("--sizes", help="head-counts of the timetable suite")]


def parse_sizes(text: str) -> list[int]:
    """The --sizes option: a comma list of head-counts of 1 or more."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a comma list of head-counts") from None
    if not sizes or min(sizes) < 1:
        raise typer.BadParameter("give at least one head-count of 1 or more")
    return sizes


class ProgressBar:
    """A transient progress bar the suites report to."""

    def __init__(self) -> None:
        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), console=console, transient=True)
        self._task = self._bar.add_task("", total=None)

    def __enter__(self) -> ProgressBar:
        self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.__exit__(None, None, None)

    def __call__(self, description: str, done: int, total: int) -> None:
        self._bar.update(self._task, description=description, completed=done, total=total)


def write_outputs(cases: Sequence[CaseResult], csv_out: Path | None, md_out: Path | None,
                  plot_dir: Path | None) -> None:
    """Render the cases and write the files asked for."""
    render_cases(cases)
    written: list[Path] = []
    if csv_out is not None:
        written.append(write_cases_csv(cases, csv_out))
    if md_out is not None:
        md_out.parent.mkdir(parents=True, exist_ok=True)
        md_out.write_text(cases_markdown(cases, "fieldweek " + " ".join(sys.argv[1:])), encoding="utf-8")
        written.append(md_out)
    if plot_dir is not None:
        written += write_plots(cases, plot_dir)
    for path in written:
        console.print(f"[dim]wrote {path}[/dim]")


def bench_timetable_command(
    time_limit: TimeLimit = 10.0, seed: Seed = 0, workers: Workers = 2,
    sizes: Sizes = DEFAULT_SIZES,
    csv_out: CsvOut = None, md_out: MdOut = None, plot_dir: PlotDir = None,
) -> None:
    """Timetable suite: departments of 6, 13, 24, 48 managers, optimised vs hand-made."""
    head_counts = parse_sizes(sizes)
    with ProgressBar() as progress:
        cases = run_timetable_suite(head_counts, time_limit, seed, workers, progress)
    write_outputs(cases, csv_out, md_out, plot_dir)


def bench_routes_command(
    time_limit: TimeLimit = 30.0, seed: Seed = 0, workers: Workers = 2,
    department_dir: Annotated[Path, typer.Option("--department", help="department folder")] = SAMPLE_DEPARTMENT,
    csv_out: CsvOut = None, md_out: MdOut = None, plot_dir: PlotDir = None,
) -> None:
    """Routes suite: the sample department's week, timetable and routes, optimised vs hand-made
    (the time limit for the timetable, then as much for the routes)."""
    with ProgressBar() as progress:
        cases = run_routes_suite(department_dir, time_limit, seed, workers, progress=progress)
    write_outputs(cases, csv_out, md_out, plot_dir)


def bench_all_command(
    time_limit: TimeLimit = 10.0, seed: Seed = 0, workers: Workers = 2,
    sizes: Sizes = DEFAULT_SIZES,
    vrptw_dir: Annotated[Path | None, typer.Option(
        "--vrptw-dir", help="VRPLIB folder for the vrptw suite (skipped when absent)")] = VRPTW_INSTANCES,
    with_vrptw: Annotated[bool, typer.Option("--vrptw/--no-vrptw", help="run the vrptw suite too")] = True,
    csv_out: CsvOut = None, md_out: MdOut = None, plot_dir: PlotDir = None,
) -> None:
    """Every suite: timetable, routes (the sample week, on the sample timetable the timetable
    suite solved) and, when its instances are there, vrptw."""
    head_counts = parse_sizes(sizes)
    with ProgressBar() as progress:
        cases = run_timetable_suite(head_counts, time_limit, seed, workers, progress)
        sample = next((c for c in cases if c.case == f"sample-{SAMPLE_SIZE}"), None)
        cases += run_routes_suite(SAMPLE_DEPARTMENT, time_limit, seed, workers, sample, progress)
    write_outputs(cases, csv_out, md_out, plot_dir)
    if not with_vrptw:
        return
    if vrptw_dir is not None and vrptw_dir.is_dir():
        vrptw_csv = csv_out.with_name(csv_out.stem + "_vrptw.csv") if csv_out else None
        vrptw_md = md_out.with_name(md_out.stem + "_vrptw.md") if md_out else None
        bench_vrptw_command(vrptw_dir, time_limit=time_limit, seed=seed, backend="pyvrp",
                                  only=None, csv_out=vrptw_csv, md_out=vrptw_md)
    else:
        errors.print(f"[yellow]vrptw suite skipped: no instance folder at {vrptw_dir}[/yellow]")


def bench_week_command(
    sizes: Sizes = DEFAULT_WEEK_SIZES,
    seeds: Annotated[str, typer.Option("--seeds", help="generator seeds of the departments")] = DEFAULT_WEEK_SEEDS,
    weeks: Annotated[int, typer.Option("--weeks", min=1, help="consecutive weeks from the bench week")] = WEEKS,
    time_limit: TimeLimit = 10.0,
    route_time_limit: Annotated[float, typer.Option("--route-time-limit", min=0.5,
                                                    help="route solver seconds in all, per week")] = 30.0,
    with_sample: Annotated[bool, typer.Option("--sample/--no-sample", help="plan the sample department too")] = True,
    csv_out: CsvOut = None, md_out: MdOut = None,
) -> None:
    """Executable week: the main job's weeks (timetable, then routes, as `fieldweek plan`)
    for the sample and generated departments, measured from the plans."""
    head_counts = parse_sizes(sizes)
    try:
        seed_list = [int(part) for part in seeds.split(",") if part.strip()]
    except ValueError:
        raise typer.BadParameter(f"{seeds!r} is not a comma list of seeds", param_hint="--seeds") from None
    with ProgressBar() as progress:
        cases = run_executable_week_suite(head_counts, seed_list, weeks, time_limit, route_time_limit,
                                          progress, with_sample)
    for title, values in (("per department, all weeks", [department_total(c) for c in cases]),
                          ("per department-week", [r.values() for c in cases for r in c.rows])):
        table = Table(title=title, title_justify="left")
        for _, heading in COLUMNS:
            table.add_column(heading)
        for row in table_rows(values):
            table.add_row(*row)
        console.print(table)
    if csv_out is not None:
        console.print(f"[dim]wrote {write_weeks_csv(cases, csv_out)}[/dim]")
    if md_out is not None:
        md_out.parent.mkdir(parents=True, exist_ok=True)
        md_out.write_text(weeks_markdown(cases, "fieldweek " + " ".join(sys.argv[1:])), encoding="utf-8")
        console.print(f"[dim]wrote {md_out}[/dim]")


def bench_scale_command(
    sizes: Sizes = ",".join(map(str, SCALE_MANAGERS)),
    retailers: Annotated[str, typer.Option("--retailers", help="retailers of the route cases")] = ",".join(
        map(str, SCALE_RETAILERS)),
    time_limit: TimeLimit = 20.0,
    seconds_per_manager: Annotated[float, typer.Option("--route-seconds", min=0.1,
                                                       help="route seconds per manager")] = 2.0,
    seed: Seed = 0, workers: Workers = 8, csv_out: CsvOut = None, md_out: MdOut = None, plot_dir: PlotDir = None,
    policy: Annotated[str | None, typer.Option(help="built-in policy name or TOML path")] = None,
) -> None:
    """How cost grows: timetables by managers, routes by retailers, the product's approach
    beside the plain one, with fitted growth exponents and log–log charts."""
    with console.status("scale suite …") as status:
        timetables, routes = run_scale_suite(parse_sizes(sizes), parse_sizes(retailers), time_limit,
                                             seconds_per_manager, seed, workers, status.update, policy)
    text = scale_markdown(timetables, routes)
    console.print(text)
    if csv_out is not None:
        console.print(f"[dim]wrote {write_scale_csv(timetables, routes, csv_out)}[/dim]")
    if md_out is not None:
        md_out.parent.mkdir(parents=True, exist_ok=True)
        md_out.write_text(f"`fieldweek {' '.join(sys.argv[1:])}`\n\n{text}", encoding="utf-8")
        console.print(f"[dim]wrote {md_out}[/dim]")
    if plot_dir is not None:
        for path in write_scale_plots(timetables, routes, plot_dir):
            console.print(f"[dim]wrote {path}[/dim]")


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add `timetable`, `routes`, `week`, `all` and `scale` to the bench group."""
    bench.command("scale")(bench_scale_command)
    bench.command("timetable")(bench_timetable_command)
    bench.command("routes")(bench_routes_command)
    bench.command("week")(bench_week_command)
    bench.command("all")(bench_all_command)
