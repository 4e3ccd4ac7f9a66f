"""`fieldweek actuals import`: record what happened (blocks done, visits done or missed)
in the department folder. Thin: engine.actuals reads and stores the rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from api.commands.console import EXIT_INPUT_ERROR, console, errors, fail_on_input
from api.commands.inputs import load_department
from engine.actuals import DateWindow, read_actuals_csv, store_actuals
from engine.errors import InputError, Problem

REPORT_DAYS_AHEAD = 1
"""A report is of a day already worked; one day ahead of this machine's date allows for
a report written across midnight or a time zone."""
REPORT_YEARS_BACK = 5
"""Older reports are taken for a typo in the year (0001-01-01 would make actuals/0001-01-01.csv)."""


def report_dates(today: dt.date) -> DateWindow:
    """The dates an imported report may carry, seen from `today`."""
    earliest = today - dt.timedelta(days=round(REPORT_YEARS_BACK * 365.25))
    return DateWindow(earliest, today + dt.timedelta(days=REPORT_DAYS_AHEAD),
                      f"the days a report can be of (today is {today})")


def actuals_import_command(
    department_dir: Annotated[Path, typer.Argument(help="department folder")],
    file: Annotated[Path, typer.Argument(help="actuals CSV: manager,date,record,kind,retailer,start,end,status,reason")],
    policy: Annotated[str | None, typer.Option(help="built-in policy name or TOML path")] = None,
) -> None:
    """Record what happened (blocks done, visits done or missed) in the department folder."""
    department, pol = load_department(department_dir, policy)
    warnings: list[Problem] = []
    try:
        actuals = read_actuals_csv(file, department, pol, dates=report_dates(dt.date.today()),
                                   warnings=warnings)
    except InputError as error:
        raise fail_on_input(error) from None
    except OSError as error:
        errors.print(f"[red]cannot read {file}:[/red] {error.strerror}")
        raise typer.Exit(EXIT_INPUT_ERROR) from None
    for warning in warnings:
        errors.print(f"[yellow]warning[/yellow] {warning}")
    written = store_actuals(department_dir, actuals, department, pol)
    days = len(actuals.days())
    console.print(f"{len(actuals.blocks)} blocks and {len(actuals.visits)} visits of {days} manager-day(s) "
                  f"recorded in {', '.join(str(p) for p in written)}")


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add the `actuals` group, with `actuals import`, to the app."""
    actuals = typer.Typer(help="What happened: blocks done, visits done or missed.", no_args_is_help=True)
    actuals.command("import")(actuals_import_command)
    app.add_typer(actuals, name="actuals")
