"""`fieldweek month`, `replan`, `actuals import` and `feedback`: the month and the week as
they really happen (issue 6). Thin: the engine plans (engine.month, engine.replan,
engine.actuals) and the independent checker judges (engine.check.month); this module
reads the inputs, renders tables and writes JSON and Excel."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from pydantic import ValidationError
from rich.table import Table

from api.commands.console import (
    EXIT_INPUT_ERROR,
    EXIT_NO_PLAN,
    console,
    errors,
    fail_on_input,
    parse_week,
    write_json,
)
from engine.check.month import check_month
from engine.actuals import (
    FeedbackSheet,
    carried_into,
    feedback_sheet,
    load_actuals,
    read_actuals_csv,
    store_actuals,
)
from engine.domain import Department, Timetable
from engine.errors import InputError
from engine.load import load_department_with_policy
from engine.month import MonthParams, MonthPlan, parse_month, plan_month, read_holidays
from engine.policy import Policy, format_clock
from engine.replan import ReplanResult, read_events, replan
from engine.routing.plan import plan_routes
from engine.timetable.solve import SolveParams

PLANS_FOLDER = "plans"
ROUTES_SHARE = 0.5
"""Share of --time-limit spent routing a plan that came without routes."""
FLAG_FILL = PatternFill("solid", fgColor="F4C7C3")
HEADER_FONT = Font(bold=True)

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "sheet_hours": "工作时间实行情况反馈表", "sheet_visits": "拜访完成情况", "sheet_missed": "未完成拜访",
        "manager": "客户经理", "name": "姓名", "kind": "工作内容", "planned_h": "计划(小时)",
        "actual_h": "实际(小时)", "deviation_h": "偏差(小时)", "deviation_pct": "偏差(%)", "flag": "提示",
        "due": "应访", "planned": "计划", "done": "已访", "missed": "未访", "extra": "计划外",
        "retailer": "零售户", "retailer_name": "零售户名称", "planned_date": "计划日期", "visits": "次数",
        "reason": "原因", "flagged": "需关注", "week": "周",
        "sheet_month": "月度拜访计划", "date": "日期", "stops": "拜访顺序", "count": "户数",
        "sheet_unplanned": "未排拜访",
    },
    "en": {
        "sheet_hours": "Planned vs actual hours", "sheet_visits": "Visits", "sheet_missed": "Missed visits",
        "manager": "Manager", "name": "Name", "kind": "Kind", "planned_h": "Planned (h)",
        "actual_h": "Actual (h)", "deviation_h": "Deviation (h)", "deviation_pct": "Deviation (%)",
        "flag": "Flag", "due": "Due", "planned": "Planned", "done": "Done", "missed": "Missed",
        "extra": "Not due", "retailer": "Retailer", "retailer_name": "Retailer name",
        "planned_date": "Planned date", "visits": "Visits", "reason": "Reason", "flagged": "check",
        "week": "Week", "sheet_month": "Monthly visit plan", "date": "Date", "stops": "Visit order",
        "count": "Stops", "sheet_unplanned": "Visits not planned",
    },
}


# -- reading plans -----------------------------------------------------------------------------


def read_plan(path: Path) -> tuple[Timetable, dict | None]:
    """A plan file: a timetable (`fieldweek timetable --json`), `{"timetable", "routes"}`
    with a route plan (`fieldweek routes --json`), or a re-plan (`fieldweek replan --json`)."""
    try:
        data = json.loads(path.read_text("utf-8"))
        if "timetable" in data and isinstance(data["timetable"], Mapping):
            timetable = Timetable.model_validate(data["timetable"])
            routes = data.get("routes")
            if isinstance(routes, list):
                routes = {"week_start": data.get("week_start"), "routes": routes,
                          "unvisited": data.get("unplaced", data.get("unvisited", []))}
            return timetable, routes
        return Timetable.model_validate(data), None
    except (OSError, ValueError, ValidationError) as error:
        errors.print(f"[red]cannot read the plan {path}:[/red] {error}")
        raise typer.Exit(EXIT_INPUT_ERROR) from None


def _load(department_dir: Path, policy: str | None) -> tuple[Department, Policy]:
    try:
        return load_department_with_policy(department_dir, policy)
    except InputError as error:
        raise fail_on_input(error) from None


def _hours(minutes: int) -> float:
    return round(minutes / 60, 2)


# -- replan ------------------------------------------------------------------------------------


def render_replan(result: ReplanResult) -> None:
    """Per manager, what changed; then the visits that found no place."""
    console.print(f"[bold]re-plan from {result.now:%Y-%m-%d %H:%M}[/bold] · status [bold]{result.status}"
                  f"[/bold] · objective {result.objective} (start {result.start_objective}) · "
                  f"{result.solve_seconds:.1f} s")
    for diff in result.diff:
        table = Table(title=diff.manager, title_justify="left")
        for column in ("change", "what", "before", "after", "why"):
            table.add_column(column)
        for c in diff.blocks:
            before = f"{c.before.date:%a} {format_clock(c.before.start)}-{format_clock(c.before.end)}" \
                if c.before else ""
            after = f"{c.after.date:%a} {format_clock(c.after.start)}-{format_clock(c.after.end)}" if c.after else ""
            partners = f" +{','.join(c.after.with_)}" if c.after and c.after.with_ and len(c.after.with_) <= 2 else ""
            table.add_row(c.change, c.kind, before, after + partners, c.reason)
        for s in diff.stops:
            before = f"{s.manager_before or ''} {s.date_before or ''}".strip()
            after = f"{s.manager_after or ''} {s.date_after or ''}".strip()
            table.add_row(s.change, f"visit {s.retailer}", before, after, s.reason)
        console.print(table)
    lost = [u for u in result.unplaced if u.reason != "not_planned"]
    if lost:
        table = Table(title=f"{len(lost)} visit(s) without a place this week (they roll into next week)",
                      title_justify="left")
        for column in ("retailer", "manager", "planned", "reason", "why"):
            table.add_column(column)
        for u in lost:
            table.add_row(u.retailer, u.manager, str(u.date or ""), u.reason, u.detail)
        console.print(table)
    for note in result.notes:
        errors.print(f"[yellow]note[/yellow] {note}")


def replan_command(
    department_dir: Annotated[Path, typer.Argument(help="department folder")],
    plan: Annotated[Path, typer.Option(help="the week's plan JSON (timetable, or {timetable, routes})")],
    now: Annotated[str, typer.Option(help="the moment of re-planning, YYYY-MM-DDTHH:MM")],
    event: Annotated[Path, typer.Option(help="events JSON: a list, or {\"events\": [...]}")],
    policy: Annotated[str | None, typer.Option(help="built-in policy name or TOML path")] = None,
    time_limit: Annotated[float, typer.Option(min=0.5, help="solver seconds")] = 10.0,
    workers: Annotated[int, typer.Option(min=1, help="CP-SAT workers")] = 8,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the re-plan JSON here")] = None,
) -> None:
    """Re-plan the rest of the week after sickness, closures, urgent visits, cancelled stores."""
    try:
        moment = dt.datetime.fromisoformat(now)
    except ValueError:
        raise typer.BadParameter(f"{now!r} is not a date and time YYYY-MM-DDTHH:MM", param_hint="--now") from None
    department, pol = _load(department_dir, policy)
    timetable, routes = read_plan(plan)
    try:
        events = read_events(json.loads(event.read_text("utf-8")), where=event.name)
    except (OSError, ValueError) as error:
        if isinstance(error, InputError):
            raise fail_on_input(error) from None
        errors.print(f"[red]cannot read the events {event}:[/red] {error}")
        raise typer.Exit(EXIT_INPUT_ERROR) from None
    if routes is None:
        with console.status("the plan has no routes: routing the week first …"):
            routes = plan_routes(department, pol, timetable, timetable.week_start,
                                 time_limit_s=time_limit * ROUTES_SHARE).to_json_dict()
    try:
        with console.status("re-planning …"):
            result = replan(department, pol, timetable, moment, events, routes,
                            SolveParams(time_limit_s=time_limit, workers=workers))
    except InputError as error:
        raise fail_on_input(error) from None
    render_replan(result)
    if json_out is not None:
        write_json(json_out, result.to_json_dict())
    if result.status not in ("optimal", "feasible"):
        raise typer.Exit(EXIT_NO_PLAN)


# -- actuals and the feedback sheet --------------------------------------------------------------


def actuals_import_command(
    department_dir: Annotated[Path, typer.Argument(help="department folder")],
    file: Annotated[Path, typer.Argument(help="actuals CSV: manager,date,record,kind,retailer,start,end,status,reason")],
    policy: Annotated[str | None, typer.Option(help="built-in policy name or TOML path")] = None,
) -> None:
    """Record what happened (blocks done, visits done or missed) in the department folder."""
    department, pol = _load(department_dir, policy)
    try:
        actuals = read_actuals_csv(file, department, pol)
    except InputError as error:
        raise fail_on_input(error) from None
    except OSError as error:
        errors.print(f"[red]cannot read {file}:[/red] {error.strerror}")
        raise typer.Exit(EXIT_INPUT_ERROR) from None
    written = store_actuals(department_dir, actuals, department, pol)
    days = len(actuals.days())
    console.print(f"{len(actuals.blocks)} blocks and {len(actuals.visits)} visits of {days} manager-day(s) "
                  f"recorded in {', '.join(str(p) for p in written)}")


def feedback_workbook(sheet: FeedbackSheet, department: Department, policy: Policy, lang: str = "zh") -> bytes:
    """The Friday sheet as .xlsx: hours per manager and kind, visits, missed visits."""
    words = WORDS.get(lang, WORDS["zh"])
    names = {m.id: m.name for m in department.managers}
    book = Workbook()
    hours = book.active
    hours.title = words["sheet_hours"][:31]
    hours.append([f"{department.name} · {words['week']} {sheet.week_start}"])
    hours.append([words[k] for k in ("manager", "name", "kind", "planned_h", "actual_h", "deviation_h",
                                     "deviation_pct", "flag")])
    for row in sheet.hours:
        hours.append([row.manager, names.get(row.manager, ""), policy.kind_label(row.kind, lang),
                      _hours(row.planned_min), _hours(row.actual_min), _hours(row.deviation_min),
                      row.deviation_percent, words["flagged"] if row.flagged else ""])
        if row.flagged:
            for cell in hours[hours.max_row]:
                cell.fill = FLAG_FILL
    visits = book.create_sheet(words["sheet_visits"][:31])
    visits.append([words[k] for k in ("manager", "name", "due", "planned", "done", "missed", "extra", "flag")])
    for tally in sheet.visits:
        visits.append([tally.manager, names.get(tally.manager, ""), tally.due, tally.planned, tally.done,
                       tally.missed, tally.done_not_due, words["flagged"] if tally.flagged else ""])
        if tally.flagged:
            for cell in visits[visits.max_row]:
                cell.fill = FLAG_FILL
    missed = book.create_sheet(words["sheet_missed"][:31])
    missed.append([words[k] for k in ("manager", "retailer", "retailer_name", "visits", "planned_date", "reason")])
    for item in sheet.missed:
        missed.append([item.manager, item.retailer, item.name, item.visits,
                       item.planned_date.isoformat() if item.planned_date else "", item.reason])
    return _save(book, {hours.title: 2})


def _save(book: Workbook, header_rows: Mapping[str, int] | None = None) -> bytes:
    """The workbook as bytes: header rows bold (row 1 unless `header_rows` says otherwise)."""
    for ws in book.worksheets:
        for cell in ws[(header_rows or {}).get(ws.title, 1)]:
            cell.font = HEADER_FONT
        for row in ws.iter_rows():
            for cell in row:
                # text typed by users (a shop named "=...") must stay text, never a formula
                if cell.data_type == "f":
                    cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render_feedback(sheet: FeedbackSheet, policy: Policy, lang: str) -> None:
    """Hours per manager and kind (flagged rows in red), visits, and the flags in words."""
    table = Table(title=f"{sheet.department} week of {sheet.week_start}: planned vs actual",
                  title_justify="left")
    for column in ("manager", "kind", "planned h", "actual h", "deviation"):
        table.add_column(column)
    for row in sheet.hours:
        style = "red" if row.flagged else ""
        pct = f" ({row.deviation_percent:+.0f} %)" if row.deviation_percent is not None else ""
        table.add_row(row.manager, policy.kind_label(row.kind, lang), f"{row.planned_min / 60:.1f}",
                      f"{row.actual_min / 60:.1f}", f"{row.deviation_min / 60:+.1f} h{pct}", style=style)
    console.print(table)
    table = Table(title="visits", title_justify="left")
    for column in ("manager", "due", "planned", "done", "missed"):
        table.add_column(column)
    for tally in sheet.visits:
        table.add_row(tally.manager, str(tally.due), "–" if tally.planned is None else str(tally.planned),
                      str(tally.done), str(tally.missed), style="red" if tally.flagged else "")
    console.print(table)
    for flag in sheet.flags:
        console.print(f"[red]flag[/red] {flag.message}")
    carried = sum(sheet.carried_out.values())
    console.print(f"{len(sheet.missed)} retailer(s) missed; {carried} visit(s) roll into next week's due list")


def feedback_command(
    department_dir: Annotated[Path, typer.Argument(help="department folder")],
    week: Annotated[str, typer.Option("--week", help="Monday of the week, YYYY-MM-DD")],
    plan: Annotated[Path | None, typer.Option(help="the week's plan JSON; default plans/<monday>.json in the "
                                                   "department folder")] = None,
    policy: Annotated[str | None, typer.Option(help="built-in policy name or TOML path")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the sheet JSON here")] = None,
    xlsx_out: Annotated[Path | None, typer.Option("--xlsx", help="write the sheet as Excel here")] = None,
    lang: Annotated[str, typer.Option(help="labels: zh or en")] = "zh",
) -> None:
    """The Friday sheet 《工作时间实行情况反馈表》: planned vs actual hours and visits."""
    week_start = parse_week(week)
    department, pol = _load(department_dir, policy)
    plan = plan or department_dir / PLANS_FOLDER / f"{week_start.isoformat()}.json"
    if not plan.is_file():
        errors.print(f"[red]no plan for the week:[/red] give --plan (or save it as {plan})")
        raise typer.Exit(EXIT_INPUT_ERROR)
    timetable, routes = read_plan(plan)
    if timetable.week_start != week_start:
        errors.print(f"[red]{plan} is the week of {timetable.week_start}, not {week_start}[/red]")
        raise typer.Exit(EXIT_INPUT_ERROR)
    try:
        actuals = load_actuals(department_dir, department, pol, week_start)
        carried = carried_into(department_dir, department, pol, week_start)
        sheet = feedback_sheet(department, pol, timetable, actuals, routes, carried)
    except InputError as error:
        raise fail_on_input(error) from None
    if not actuals.blocks and not actuals.visits:
        errors.print(f"[yellow]no actuals recorded for the week of {week_start}: "
                     f"import them with `fieldweek actuals import`[/yellow]")
    render_feedback(sheet, pol, lang)
    if json_out is not None:
        write_json(json_out, sheet.to_json_dict())
    if xlsx_out is not None:
        xlsx_out.parent.mkdir(parents=True, exist_ok=True)
        xlsx_out.write_bytes(feedback_workbook(sheet, department, pol, lang))
        console.print(f"[dim]wrote {xlsx_out}[/dim]")


# -- month -------------------------------------------------------------------------------------


def month_workbook(plan: MonthPlan, department: Department, lang: str = "zh") -> bytes:
    """The month plan as .xlsx: one row per visit (date, manager, order, retailer, times),
    then the visits that could not be planned."""
    words = WORDS.get(lang, WORDS["zh"])
    names = {r.id: r.name for r in department.retailers}
    managers = {m.id: m.name for m in department.managers}
    book = Workbook()
    sheet = book.active
    sheet.title = words["sheet_month"][:31]
    sheet.append([words[k] for k in ("date", "manager", "name", "stops", "retailer", "retailer_name")]
                 + ["arrive" if lang == "en" else "到达", "start" if lang == "en" else "开始",
                    "end" if lang == "en" else "结束"])
    for route in sorted(plan.routes, key=lambda r: (r.date, r.manager)):
        for number, stop in enumerate(route.stops, start=1):
            sheet.append([route.date.isoformat(), route.manager, managers.get(route.manager, ""), number,
                          stop.retailer, names.get(stop.retailer, ""), format_clock(stop.arrive),
                          format_clock(stop.start), format_clock(stop.end)])
    missing = book.create_sheet(words["sheet_unplanned"][:31])
    missing.append([words[k] for k in ("manager", "retailer", "retailer_name", "due", "planned", "reason")]
                   + ["detail" if lang == "en" else "说明"])
    for item in plan.unplanned:
        missing.append([item.manager, item.retailer, names.get(item.retailer, ""), item.wanted, item.planned,
                        item.reason, item.detail])
    return _save(book)


def render_month(plan: MonthPlan) -> None:
    """Per manager: visit days, visits planned of due, stops per day; then the shortfalls."""
    table = Table(title=f"{plan.department} {plan.month}: {len(plan.days)} working days, focus days "
                        f"{', '.join(f'{d:%d}' for d in plan.focus_days)}", title_justify="left")
    for column in ("manager", "visit days", "visits", "stops/day min–max", "unplanned"):
        table.add_column(column)
    for manager in dict.fromkeys(r.manager for r in plan.routes):
        mine = [r for r in plan.routes if r.manager == manager]
        counts = [len(r.stops) for r in mine]
        short = sum(u.wanted - u.planned for u in plan.unplanned if u.manager == manager and u.reason != "focus_window")
        table.add_row(manager, str(len(mine)), str(sum(counts)), f"{min(counts)}–{max(counts)}", str(short))
    console.print(table)
    for item in plan.unplanned[:30]:
        console.print(f"  [yellow]{item.reason}[/yellow] {item.manager} {item.retailer}: "
                      f"{item.planned}/{item.wanted} — {item.detail}")
    if len(plan.unplanned) > 30:
        console.print(f"  … and {len(plan.unplanned) - 30} more (see --json / --xlsx)")
    console.print(f"{plan.visits} of {plan.wanted} visits planned · {plan.solve_seconds:.1f} s")


def month_command(
    department_dir: Annotated[Path, typer.Argument(help="department folder (holidays.csv optional)")],
    month: Annotated[str, typer.Option("--month", help="the month, YYYY-MM")],
    policy: Annotated[str | None, typer.Option(help="built-in policy name or TOML path")] = None,
    week_time_limit: Annotated[float, typer.Option(min=0.5, help="timetable seconds per week")] = 10.0,
    assign_time_limit: Annotated[float, typer.Option(min=0.5, help="day-assignment seconds per manager")] = 5.0,
    route_time_limit: Annotated[float, typer.Option(min=0.0, help="routing seconds per manager and day")] = 0.3,
    workers: Annotated[int, typer.Option(min=1, help="CP-SAT workers")] = 8,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the month plan JSON here")] = None,
    xlsx_out: Annotated[Path | None, typer.Option("--xlsx", help="write the month plan as Excel here")] = None,
    lang: Annotated[str, typer.Option(help="labels: zh or en")] = "zh",
) -> None:
    """The monthly visit plan 《月度拜访计划》: every working day's visits per manager, in route order."""
    try:
        year, number = parse_month(month)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--month") from None
    department, pol = _load(department_dir, policy)
    try:
        holidays = read_holidays(department_dir)
        with console.status(f"planning {month} for {len(department.managers)} managers …"):
            plan = plan_month(department, pol, year, number, holidays,
                              params=MonthParams(timetable_time_limit_s=week_time_limit,
                                                 assign_time_limit_s=assign_time_limit,
                                                 route_time_limit_s=route_time_limit, workers=workers))
    except InputError as error:
        raise fail_on_input(error) from None
    render_month(plan)
    problems = check_month(plan, department, pol, holidays)
    if problems:
        errors.print(f"[red]the month checker found {len(problems)} problem(s):[/red]")
        for v in problems[:20]:
            errors.print(f"  [{v.rule}] {v.manager or ''} {v.date or ''} {v.retailer or ''} {v.message}")
    else:
        console.print("[green]the independent month checker found no problem[/green]")
    if json_out is not None:
        write_json(json_out, plan.to_json_dict())
    if xlsx_out is not None:
        xlsx_out.parent.mkdir(parents=True, exist_ok=True)
        xlsx_out.write_bytes(month_workbook(plan, department, lang))
        console.print(f"[dim]wrote {xlsx_out}[/dim]")
    if not plan.routes:
        raise typer.Exit(EXIT_NO_PLAN)


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add `month`, `replan`, `actuals import` and `feedback` to the app."""
    app.command("month")(month_command)
    app.command("replan")(replan_command)
    actuals = typer.Typer(help="What happened: blocks done, visits done or missed.", no_args_is_help=True)
    actuals.command("import")(actuals_import_command)
    app.add_typer(actuals, name="actuals")
    app.command("feedback")(feedback_command)

