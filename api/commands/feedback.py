"""`fieldweek feedback`: the Friday sheet 《工作时间实行情况反馈表》, the week's plan
against what happened. Thin: engine.actuals builds the sheet, api.exports writes the
workbook; this module reads the inputs and renders the tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from api.commands.console import (
    EXIT_INPUT_ERROR,
    checked_lang,
    console,
    errors,
    fail_on_input,
    write_json,
)
from api.commands.inputs import load_department, read_plan, week_option
from api.commands.serve import masked_url
from api.commands.service_actuals import database_url, merged_actuals, service_days
from api.exports.feedback_xlsx import feedback_workbook
from engine.actuals import FeedbackSheet, carried_into, feedback_sheet, load_actuals
from engine.errors import InputError, Problem
from engine.policy import Policy

PLANS_FOLDER = "plans"
"""Where a department folder keeps each week's plan, as plans/<monday>.json."""


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
        console.print(f"[red]flag[/red] {escape(flag.message)}")
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
    lang: Annotated[str, typer.Option(help="labels: zh or en", callback=checked_lang)] = "zh",
    db: Annotated[str | None, typer.Option(
        "--db", "--database",
        help="also read the week's actuals the service holds (the phone's done / missed marks): the "
             "database of `fieldweek serve` (default as there: FIELDWEEK_DB or sqlite:///fieldweek.db)")] = None,
    service_department: Annotated[str | None, typer.Option(
        help="the department's id or name on the service (default: the folder's name); implies the "
             "service's actuals are read")] = None,
) -> None:
    """The Friday sheet 《工作时间实行情况反馈表》: planned vs actual hours and visits, from
    the folder's actuals and, with --db or --service-department, the service's."""
    week_start = week_option(week)
    department, pol = load_department(department_dir, policy)
    plan = plan or department_dir / PLANS_FOLDER / f"{week_start.isoformat()}.json"
    if not plan.is_file():
        errors.print(f"[red]no plan for the week:[/red] give --plan (or save it as {plan})")
        raise typer.Exit(EXIT_INPUT_ERROR)
    timetable, routes = read_plan(plan, department, week_start)
    if not timetable.blocks and timetable.status not in ("optimal", "feasible"):
        # Against no timetable every visit reads "missed": a sheet of the solver's failure.
        raise fail_on_input(InputError([Problem(
            f"the plan has no timetable (status {timetable.status}, no blocks): no week was found for it; "
            f"give a plan `fieldweek timetable` or `fieldweek plan` solved", file=str(plan), column="status")]))
    try:
        actuals = load_actuals(department_dir, department, pol, week_start)
        if db is not None or service_department is not None:
            url = database_url(db)
            service_id, days = service_days(url, service_department or department.name, department, pol,
                                            week_start)
            actuals = merged_actuals(department_dir, actuals, days, week_start)
            console.print(f"[dim]{len(days)} manager-day(s) of actuals from the service "
                          f"(department {service_id}, {masked_url(url)})[/dim]")
        carried = carried_into(department_dir, department, pol, week_start)
        sheet = feedback_sheet(department, pol, timetable, actuals, routes, carried)
    except InputError as error:
        raise fail_on_input(error) from None
    if not actuals.blocks and not actuals.visits:
        errors.print(f"[yellow]no actuals recorded for the week of {week_start}: "
                     f"import them with `fieldweek actuals import`, or read the service's "
                     f"with --db[/yellow]")
    render_feedback(sheet, pol, lang)
    if json_out is not None:
        write_json(json_out, sheet.to_json_dict())
    if xlsx_out is not None:
        xlsx_out.parent.mkdir(parents=True, exist_ok=True)
        xlsx_out.write_bytes(feedback_workbook(sheet, department, pol, lang))
        console.print(f"[dim]wrote {xlsx_out}[/dim]")


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add `feedback` to the app."""
    app.command("feedback")(feedback_command)
