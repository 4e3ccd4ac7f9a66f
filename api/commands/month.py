"""`fieldweek month`: the monthly visit plan 《月度拜访计划》. Thin: engine.month plans,
the independent checker (engine.check.month) judges, api.exports writes the workbook;
this module reads the inputs and renders the tables."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.commands.console import (
    EXIT_NO_PLAN,
    checked_lang,
    conflict_line,
    console,
    errors,
    fail_on_input,
    write_json,
)
from api.commands.inputs import checked_dates, load_department
from api.exports.month_xlsx import month_workbook
from engine.check.month import MonthViolation, check_month
from engine.domain import Department
from engine.errors import InputError, Problem
from engine.month import (
    MonthParams,
    MonthPlan,
    MonthProgress,
    PreviousMonth,
    WeekSolved,
    parse_month,
    plan_month,
    previous_month,
    read_holidays,
)

SHORTFALLS_SHOWN = 6
"""Shortfall lines shown per week on the console; the JSON and the workbook hold them all."""


def few_stops_lines(plan: MonthPlan) -> list[str]:
    """A line per manager with days below the stops a day the policy asks (SPEC §3,
    seed 003's 30 in town / 25 in the countryside): how many days, and the fewest."""
    lines = []
    for manager in dict.fromkeys(r.manager for r in plan.routes):
        below = [r for r in plan.routes if r.manager == manager and r.required_stops
                 and len(r.stops) < r.required_stops]
        if below:
            fewest = min(below, key=lambda r: len(r.stops))
            lines.append(f"{manager}: {len(below)} of {sum(r.manager == manager for r in plan.routes)} visit days "
                         f"below the stops a day the policy asks ({fewest.required_stops} on {fewest.date:%m-%d}, "
                         f"{len(fewest.stops)} planned): his due visits of the month do not fill them")
    return lines


def manager_rows(plan: MonthPlan) -> list[tuple[str, list[int], int, int]]:
    """Per manager of the month's due list or routes: his stops per visit day, the visits of
    his retailers neighbours make (a manager away), and his visits unplanned. A manager on
    leave all month has a row too: no visit day, his visits made by others."""
    owner = {d.retailer: d.manager for d in plan.due}
    rows = []
    for manager in dict.fromkeys([*(d.manager for d in plan.due), *(r.manager for r in plan.routes)]):
        counts = [len(r.stops) for r in plan.routes if r.manager == manager]
        by_others = sum(1 for r in plan.routes if r.manager != manager for s in r.stops
                        if owner.get(s.retailer) == manager)
        short = sum(u.wanted - u.planned for u in plan.unplanned if u.manager == manager and u.reason != "focus_window")
        rows.append((manager, counts, by_others, short))
    return rows


def render_month(plan: MonthPlan) -> None:
    """Per manager: visit days, visits planned of due, stops per day; then the shortfalls."""
    focus = ", ".join(f"{d:%d}" for d in plan.focus_days) or "none (see the note)"
    table = Table(title=f"{plan.department} {plan.month}: {len(plan.days)} working days, focus days {focus}",
                  title_justify="left")
    for column in ("manager", "visit days", "visits", "stops/day min–max", "made by others", "unplanned"):
        table.add_column(column)
    for manager, counts, by_others, short in manager_rows(plan):
        table.add_row(manager, str(len(counts)), str(sum(counts)), f"{min(counts)}–{max(counts)}" if counts else "–",
                      str(by_others), str(short))
    console.print(table)
    for item in plan.unplanned[:30]:
        console.print(f"  [yellow]{item.reason}[/yellow] {item.manager} {item.retailer}: "
                      f"{item.planned}/{item.wanted} — {item.detail}")
    if len(plan.unplanned) > 30:
        console.print(f"  … and {len(plan.unplanned) - 30} more (see --json / --xlsx)")
    for line in few_stops_lines(plan):
        console.print(f"  [yellow]stops[/yellow] {line}")
    for note in plan.notes:
        console.print(f"  note: {note}", markup=False)
    for week in plan.weeks:
        how = f"taken from the week of {week.taken_from:%m-%d}" if week.taken_from else week.status
        hours = f", {week.minutes_short} min of weekly hours short" if week.minutes_short else ""
        console.print(f"  [dim]timetable of the week of {week.week_start:%m-%d}: {how}{hours}[/dim]")
        for lack in week.shortfalls[:SHORTFALLS_SHOWN]:
            console.print(f"    {lack.manager} {lack.kind} {lack.minutes_short} min short — {lack.reason}",
                          markup=False, highlight=False)
        if len(week.shortfalls) > SHORTFALLS_SHOWN:
            console.print(f"    … and {len(week.shortfalls) - SHORTFALLS_SHOWN} more (see --json / --xlsx)")
        for conflict in week.conflicts[:3]:
            errors.print(f"    {conflict_line(conflict)}")
        for note in week.week_notes:
            console.print(f"    {note}", markup=False, highlight=False)
    console.print(f"{plan.visits} of {plan.wanted} visits planned · {plan.solve_seconds:.1f} s")


def month_check(plan: MonthPlan, problems: Sequence[MonthViolation], no_week: Sequence[WeekSolved]) -> dict:
    """The month checker's verdict as JSON-ready data, shaped as the re-plan's `check`: a
    program reading the month JSON learns from it what the exit code says (was: exit 1
    with nothing in the JSON saying why). `executable` is false exactly when the command
    exits 1: the checker found a problem, a week has no timetable (its visits are not
    planned) or the month has no route at all."""
    return {
        "executable": bool(plan.routes) and not problems and not no_week,
        "violations": [{"rule": v.rule, "manager": v.manager, "date": v.date.isoformat() if v.date else None,
                        "retailer": v.retailer, "message": v.message} for v in problems],
        "weeks_without_timetable": [{"week_start": w.week_start.isoformat(), "status": w.status} for w in no_week],
    }


def month_command(
    department_dir: Annotated[Path, typer.Argument(help="department folder (holidays.csv optional)")],
    month: Annotated[str, typer.Option("--month", help="the month, YYYY-MM")],
    policy: Annotated[str | None, typer.Option(help="built-in policy name or TOML path")] = None,
    week_time_limit: Annotated[float, typer.Option(min=0.5, help="timetable seconds per week")] = 10.0,
    assign_time_limit: Annotated[float, typer.Option(min=0.5, help="day-assignment seconds per manager and round")] = MonthParams.assign_time_limit_s,
    route_time_limit: Annotated[float, typer.Option(min=0.0, help="routing seconds per manager and day")] = 0.3,
    workers: Annotated[int, typer.Option(min=1, help="CP-SAT workers")] = 8,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the month plan JSON here")] = None,
    xlsx_out: Annotated[Path | None, typer.Option("--xlsx", help="write the month plan as Excel here")] = None,
    lang: Annotated[str, typer.Option(help="labels: zh or en", callback=checked_lang)] = "zh",
    previous: Annotated[Path | None, typer.Option(
        "--previous", help="the previous month's plan JSON (as --json writes it): its actual visits space the "
                           "month's first ones")] = None,
) -> None:
    """The monthly visit plan 《月度拜访计划》: every working day's visits per manager, in route order."""
    try:
        year, number = parse_month(month)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--month") from None
    checked_dates(dt.date(year, number, 1), dt.date(year, number, calendar.monthrange(year, number)[1]), "--month")
    department, pol = load_department(department_dir, policy)
    try:
        before_data, before = _previous(previous, department, pol.name, year, number)
        holidays = read_holidays(department_dir)
        with Progress(TextColumn("{task.fields[stage]}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                      transient=True) as progress:
            task = progress.add_task("", total=None, stage=f"planning {month}")

            def show(point: MonthProgress) -> None:
                progress.update(task, description=point.text, completed=point.done, total=point.total,
                                stage="weeks' timetables" if point.stage == "weeks" else "managers' months")

            plan = plan_month(department, pol, year, number, holidays,
                              params=MonthParams(timetable_time_limit_s=week_time_limit,
                                                 assign_time_limit_s=assign_time_limit,
                                                 route_time_limit_s=route_time_limit, workers=workers),
                              on_progress=show, previous=before)
    except InputError as error:
        raise fail_on_input(error) from None
    render_month(plan)
    problems = check_month(plan, department, pol, holidays, plan.timetables, previous=before_data)
    # A week without a timetable has no visit blocks: its visits are listed as unplanned,
    # which the checker accepts, so the month is not whole and must not pass as such.
    no_week = [w for w in plan.weeks if w.status not in ("optimal", "feasible")]
    if no_week:
        errors.print(f"[bold red]{len(no_week)} week(s) of the month have no timetable "
                     f"({', '.join(f'{w.week_start:%m-%d}: {w.status}' for w in no_week)}): "
                     f"their visits are not planned[/bold red]")
    if problems:
        errors.print(f"[red]the month checker found {len(problems)} problem(s):[/red]")
        for v in problems[:20]:
            errors.print(escape(f"  [{v.rule}] {v.manager or ''} {v.date or ''} {v.retailer or ''} {v.message}"))
    elif not no_week:
        console.print("[green]the independent month checker found no problem[/green]")
    if json_out is not None:
        write_json(json_out, {**plan.to_json_dict(), "check": month_check(plan, problems, no_week)})
    if xlsx_out is not None:
        xlsx_out.parent.mkdir(parents=True, exist_ok=True)
        xlsx_out.write_bytes(month_workbook(plan, department, lang, pol))
        console.print(f"[dim]wrote {xlsx_out}[/dim]")
    # A month its own checker rejects is not one to hand out (a key customer left out
    # beside small shops' visits, a late first stop): the files are written to be read,
    # and the exit code says the plan is not whole.
    if not plan.routes or no_week or problems:
        raise typer.Exit(EXIT_NO_PLAN)


def _previous(path: Path | None, department: Department, policy: str, year: int,
              month: int) -> tuple[dict | None, PreviousMonth | None]:
    """The previous month's plan (`--previous`): its JSON data, for the checker, and what the
    planner reads of it; refused (`InputError`, exit 2) when it is not a month plan of this
    department (its fingerprint, or every manager and retailer it names) and `policy` of the
    department's month directly before, its routes on that month's days (`previous_month`)."""
    if path is None:
        return None, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError([Problem(f"cannot read the previous month's plan: {error}", str(path))]) from None
    return data, previous_month(data, department, year, month, str(path), policy=policy)


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add `month` to the app."""
    app.command("month")(month_command)
