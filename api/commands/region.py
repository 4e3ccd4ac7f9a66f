"""`fieldweek region plan` and `fieldweek region month`: every department of a region
folder planned on a Dask cluster (SPEC §1). Thin: api.region cuts the work into tasks and
runs them, this module reads the options, shows a progress bar per department, writes
each department's files with the single-department commands' writers, region.json and
the overview workbook, and sets the exit code.

Exit code: 0 when every department is planned and its week passes the independent
checkers; 2 when a department's input is bad; 3 when a task failed (a bug); 1 otherwise
(a week or month with no plan, or a checker's fault). The other departments are planned
and written whatever happens to one."""

from __future__ import annotations

import calendar
import datetime as dt
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from distributed import Future
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.commands.console import (
    EXIT_BUG,
    EXIT_INPUT_ERROR,
    EXIT_NO_PLAN,
    checked_lang,
    console,
    errors,
    fail_on_input,
    parse_week,
    write_json,
)
from api.commands.inputs import checked_dates
from api.commands.timetable import TIME_LIMIT_HELP, hours_short_line
from api.exports.month_xlsx import month_workbook
from api.region.cluster import region_client, worker_count
from api.region.folder import LoadedDepartment, Region, load_region_department, read_region
from api.region.generated import write_region
from api.region.month import DepartmentMonth, MonthRequest, run_month
from api.region.report import (
    MONTH_TOTALS,
    WEEK_TOTALS,
    month_entry,
    month_overview,
    projected_wall,
    projected_wall_at_most,
    region_document,
    week_entry,
    week_overview,
)
from api.region.week import DepartmentWeek, WeekRequest, run_week
from engine.errors import InputError
from engine.month import MonthParams, parse_month
from engine.routing.plan import STRAIGHT_LINE

region_app = typer.Typer(help="A region: every department planned on a Dask cluster.", no_args_is_help=True)

RegionDir = Annotated[Path, typer.Argument(help="region folder (region.toml + one folder per department)")]
Scheduler = Annotated[str | None, typer.Option(
    help="address of a running Dask scheduler, e.g. tcp://HOST:8786; without it a local cluster")]
Workers = Annotated[int | None, typer.Option(
    min=1, help="worker processes of the local cluster (default: the number of cores)")]
CpWorkers = Annotated[int, typer.Option(min=1, help="CP-SAT threads of each timetable solve")]
PolicyOption = Annotated[str | None, typer.Option(help="policy of every department (built-in name or TOML)")]
OutDir = Annotated[Path, typer.Option(help="folder for the departments' files, region.json and region.xlsx")]
JsonOut = Annotated[Path | None, typer.Option("--json", help="also write region.json here")]
Work = TypeVar("Work", DepartmentWeek, DepartmentMonth)


def _load(root: Path, policy: str | None) -> tuple[Region, list[LoadedDepartment]]:
    try:
        region = read_region(root)
    except InputError as error:
        raise fail_on_input(error) from None
    with console.status(f"reading {len(region.departments)} departments of {region.name} …"):
        loaded = [load_region_department(region, folder, policy) for folder in region.departments]
    return region, loaded


class DepartmentBars:
    """A progress bar per department: its tasks done of all (a bad department is done at once)."""

    def __init__(self, names: Sequence[str]) -> None:
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=errors)
        self.bars = [self.progress.add_task(escape(name), total=None) for name in names]

    def start(self, works: Sequence[DepartmentWeek | DepartmentMonth]) -> None:
        for bar, work in zip(self.bars, works, strict=True):
            self.progress.update(bar, total=max(len(work.tasks), 1), completed=0 if work.tasks else 1)

    def done(self, department: int, _future: Future) -> None:
        self.progress.advance(self.bars[department])


def _on_cluster(run: Callable[..., list[Work]], loaded: Sequence[LoadedDepartment], request: Any,
                scheduler: str | None, workers: int | None) -> tuple[list[Work], float, int]:
    """`run` (run_week or run_month) on the cluster with a bar per department: the
    departments' works, the wall seconds and the workers the cluster had."""
    started = time.perf_counter()
    bars = DepartmentBars([d.folder.name for d in loaded])
    with region_client(scheduler, workers) as client, bars.progress:
        works = run(client, loaded, request, on_done=bars.done, on_submitted=bars.start)
        cluster_workers = worker_count(client)
    return works, time.perf_counter() - started, cluster_workers


def _conclude(title: str, entries: Sequence[dict], columns: Sequence[str], executable: bool,
              notes: Sequence[str] = (), faults: Sequence[str] = ()) -> None:
    """The table of departments, the notes and the checker's faults under it (the table
    shows only each department's first), then the exit code this module's docstring sets out."""
    _render(title, entries, columns)
    for note in notes:
        console.print(f"  [yellow]short[/yellow] {escape(note)}")
    for fault in faults:
        errors.print(f"  [red]fault[/red] {escape(fault)}")
    code = _exit_code(entries, executable)
    if code:
        raise typer.Exit(code)


def _render(title: str, entries: Sequence[dict], columns: Sequence[str]) -> None:
    table = Table(title=title, title_justify="left")
    for column in ("department", "status", *columns, "error"):
        table.add_column(column)
    for e in entries:
        first_error = e["error"].splitlines()[0] if e["error"] else ""
        table.add_row(escape(e["department"]), e["status"], *(str(e[c]) for c in columns), escape(first_error))
    console.print(table)


def week_short_lines(works: Sequence[DepartmentWeek], entries: Sequence[dict], out: Path) -> list[str]:
    """A line per department whose timetable is short of weekly hours: the line `fieldweek
    plan` prints for it, each short manager's minutes, and the file with each kind."""
    lines = []
    for work, entry in zip(works, entries, strict=True):
        line = hours_short_line(work.result.timetable) if work.result is not None else None
        if line is None or not entry["minutes_short"]:
            continue  # its 0 (proven the least, or not) is in the table
        managers = ", ".join(f"{manager} {sum(kinds.values())}" for manager, kinds in entry["short_by_manager"].items())
        where = out / work.loaded.folder.name / "timetable.json"
        lines.append(f"{entry['department']}: {line}" + (f" — {managers}" if managers else "")
                     + f" (each kind: {where.as_posix()} shortfalls)")
    return lines


def month_short_lines(entries: Sequence[dict], out: Path) -> list[str]:
    """A line per department whose month's week timetables are short of weekly hours:
    the minutes, each short week's, and the file with the weeks."""
    lines = []
    for entry in entries:
        if not entry["minutes_short"]:
            continue
        weeks = ", ".join(f"week of {week} {minutes}" for week, minutes in entry["minutes_short_by_week"].items()
                          if minutes)
        where = out / entry["folder"] / "month.json"
        lines.append(f"{entry['department']}: weekly hours short: {entry['minutes_short']} min — {weeks} "
                     f"(see {where.as_posix()} weeks)")
    return lines


def _exit_code(entries: Sequence[dict], executable: bool) -> int:
    if any(e["status"] == "error" and e["error"].startswith("internal error") for e in entries):
        return EXIT_BUG
    if any(e["status"] == "error" for e in entries):
        return EXIT_INPUT_ERROR
    if any(e["status"] != "planned" for e in entries) or not executable:
        return EXIT_NO_PLAN
    return 0


def region_plan_command(
    region_dir: RegionDir,
    week: Annotated[str, typer.Option("--week", help="Monday of the week, YYYY-MM-DD")],
    scheduler: Scheduler = None,
    workers: Workers = None,
    time_limit: Annotated[float | None, typer.Option(
        min=0.5, help=f"timetable solver seconds per department; {TIME_LIMIT_HELP}")] = None,
    route_time_limit: Annotated[float, typer.Option(min=0.5, help="route solver seconds per department")] = 30.0,
    cp_workers: CpWorkers = 8,
    policy: PolicyOption = None,
    out: OutDir = Path("out/region"),
    json_out: JsonOut = None,
) -> None:
    """Plan every department's week: timetable, then each manager's visit days and routes."""
    week_start = parse_week(week)
    region, loaded = _load(region_dir, policy)
    request = WeekRequest(week_start, time_limit, route_time_limit, cp_workers,
                          str(region.street_network) if region.street_network else STRAIGHT_LINE)
    works, wall, cluster_workers = _on_cluster(run_week, loaded, request, scheduler, workers)
    for work in works:
        judged = work.result
        if judged is not None:
            folder = out / work.loaded.folder.name
            write_json(folder / "timetable.json", judged.timetable.to_json_dict())
            if judged.routes is not None:
                write_json(folder / "routes.json", judged.routes.to_json_dict())
    entries = [week_entry(work) for work in works]
    document = region_document(region.name, {"week_start": str(week_start)}, entries, WEEK_TOTALS,
                               wall, cluster_workers)
    _write_region(document, week_overview(document, works), out, json_out)
    _conclude(f"{region.name} week of {week_start}: {wall:.1f} s on {cluster_workers} workers", entries,
              ("managers", "due_visits", "planned_visits", "unvisited", "km", "route_faults", "minutes_short",
               "seconds"),
              all(e["executable"] for e in entries), week_short_lines(works, entries, out))


def region_month_command(
    region_dir: RegionDir,
    month: Annotated[str, typer.Option("--month", help="the month, YYYY-MM")],
    scheduler: Scheduler = None,
    workers: Workers = None,
    week_time_limit: Annotated[float, typer.Option(min=0.5, help="timetable seconds per week")] = 10.0,
    assign_time_limit: Annotated[float, typer.Option(min=0.5, help="day-assignment seconds per manager and round")] = MonthParams.assign_time_limit_s,
    route_time_limit: Annotated[float, typer.Option(min=0.0, help="routing seconds per manager and day")] = 0.3,
    cp_workers: CpWorkers = 8,
    policy: PolicyOption = None,
    out: OutDir = Path("out/region"),
    json_out: JsonOut = None,
    lang: Annotated[str, typer.Option(help="labels of the month workbooks: zh or en",
                                              callback=checked_lang)] = "zh",
) -> None:
    """Plan every department's month: each ISO week's timetable, then the month's visits."""
    try:
        year, number = parse_month(month)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--month") from None
    checked_dates(dt.date(year, number, 1), dt.date(year, number, calendar.monthrange(year, number)[1]), "--month")
    region, loaded = _load(region_dir, policy)
    params = MonthParams(timetable_time_limit_s=week_time_limit, assign_time_limit_s=assign_time_limit,
                         route_time_limit_s=route_time_limit, workers=cp_workers,
                         processes=1)  # the cluster runs the departments' tasks side by side; a
                                       # worker's task starts no process pool of its own
    request = MonthRequest(year, number, params, region.holidays)
    works, wall, cluster_workers = _on_cluster(run_month, loaded, request, scheduler, workers)
    for work in works:
        if work.result is not None and work.loaded.department is not None:
            folder = out / work.loaded.folder.name
            write_json(folder / "month.json", work.result.plan.to_json_dict())
            (folder / "month.xlsx").write_bytes(month_workbook(work.result.plan, work.loaded.department, lang))
    entries = [month_entry(work) for work in works]
    document = region_document(region.name, {"month": f"{year:04d}-{number:02d}"}, entries, MONTH_TOTALS,
                               wall, cluster_workers)
    _write_region(document, month_overview(document, works), out, json_out)
    _conclude(f"{region.name} {month}: {wall:.1f} s on {cluster_workers} workers", entries,
              ("managers", "visits", "wanted", "unplanned", "unplanned_retailers", "faults", "minutes_short",
               "seconds"),
              all(e["faults"] == 0 for e in entries), month_short_lines(entries, out),
              faults=[f"{e['department']}: {line}" for e in entries for line in e.get("fault_lines", ())])


def _write_region(document: dict, workbook: bytes, out: Path, json_out: Path | None) -> None:
    write_json(out / "region.json", document)
    if json_out is not None:
        write_json(json_out, document)
    (out / "region.xlsx").write_bytes(workbook)
    console.print(f"[dim]wrote {out / 'region.xlsx'}[/dim]")


def bench_region_command(
    departments: Annotated[int, typer.Option(min=1, help="departments of the generated region")] = 20,
    seed: Annotated[int, typer.Option()] = 0,
    min_managers: Annotated[int, typer.Option(min=1)] = 6,
    max_managers: Annotated[int, typer.Option(min=1)] = 20,
    retailers_per_manager: Annotated[int, typer.Option(min=1)] = 150,
    time_limit: Annotated[float, typer.Option(min=0.5, help="timetable seconds per department")] = 10.0,
    route_time_limit: Annotated[float, typer.Option(min=0.5, help="route seconds per department")] = 30.0,
    cp_workers: CpWorkers = 8,
    workers: Annotated[str, typer.Option(help="local cluster sizes to run, comma-separated")] = "1,2",
    md_out: Annotated[Path | None, typer.Option("--md", help="write the results as Markdown here")] = None,
) -> None:
    """A generated region planned on local clusters of each size: wall, speed-up, critical
    path, and the wall projected on 4, 16 and 64 workers from the task durations."""
    sizes = [int(part) for part in workers.split(",") if part.strip()]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "region"
        write_region(root, departments, seed, min_managers, max(min_managers, max_managers),
                     retailers_per_manager, "基准片区")
        _, loaded = _load(root, None)
        request = WeekRequest(dt.date(2026, 11, 23), time_limit, route_time_limit, cp_workers)
        runs = []
        not_planned: list[str] = []
        for size in sizes:
            with region_client(None, size) as client:
                started = time.perf_counter()  # the cluster's start-up is not the region's work
                works = run_week(client, loaded, request)
            runs.append((size, time.perf_counter() - started, sum(w.seconds for w in works),
                         max(w.critical_seconds for w in works), sum(w.status == "planned" for w in works)))
            not_planned += _not_planned(size, [week_entry(work) for work in works])
    managers = sum(len(d.department.managers) for d in loaded if d.department is not None)
    retailers = sum(len(d.department.retailers) for d in loaded if d.department is not None)
    lines = [f"{departments} departments, {managers} managers, {retailers} retailers; "
             f"--time-limit {time_limit:g} --route-time-limit {route_time_limit:g}", "",
             "| workers | wall s | speed-up | task s | critical path s | planned |", "|---|---|---|---|---|---|"]
    lines += [f"| {n} | {wall:.1f} | {runs[0][1] / wall:.2f} | {busy:.1f} | {critical:.1f} | {ok}/{departments} |"
              for n, wall, busy, critical, ok in runs]
    _, _, busy, critical, _ = runs[0]
    lines += ["", "projected wall, from max(critical path, task s / workers) to task s / workers "
              "+ critical path: " + ", ".join(
                  f"{n} workers {projected_wall(busy, critical, n):.0f}-"
                  f"{projected_wall_at_most(busy, critical, n):.0f} s" for n in (4, 16, 64))]
    lines += ["", *not_planned] if not_planned else []
    console.print("\n".join(lines), markup=False)
    if md_out is not None:
        md_out.parent.mkdir(parents=True, exist_ok=True)
        md_out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        console.print(f"[dim]wrote {md_out}[/dim]")


def _not_planned(workers: int, entries: Sequence[dict]) -> list[str]:
    """A line per department a run left without a plan: its size, status and first error line."""
    return [f"- not planned on {workers} worker(s): {e['folder']} ({e['managers']} managers), "
            f"{e['status']}: {e['error'].splitlines()[0] if e['error'] else ''}"
            for e in entries if e["status"] != "planned"]


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add `region plan`, `region month` and `bench region` to the app."""
    region_app.command("plan")(region_plan_command)
    region_app.command("month")(region_month_command)
    app.add_typer(region_app, name="region")
    bench.command("region")(bench_region_command)
