"""How every command talks to a person: one rich console, input errors as a table
naming file, row and column, internal errors with an id to report, and exit codes that
scripts can rely on."""

from __future__ import annotations

import datetime as dt
import json
import traceback
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup
from typer.exceptions import TyperException

from engine.domain import Conflict
from engine.errors import InputError, new_error_id
from engine.work_calendar import date_range_problem

console = Console()
errors = Console(stderr=True)

EXIT_INPUT_ERROR = 2
"""Bad input (a file, row or field is wrong): nothing was planned."""
EXIT_NO_PLAN = 1
"""The input is valid but no plan exists (infeasible) or none was found in time."""
EXIT_BUG = 3
"""fieldweek itself failed (an internal error): a bug to report with its error id."""


def fail_on_input(error: InputError) -> typer.Exit:
    """Print every problem of the input as one table (file, row, column, what is wrong)
    and exit with `EXIT_INPUT_ERROR`."""
    table = Table(title=f"{len(error.problems)} problem(s) in the input", title_justify="left")
    for column in ("file", "row", "column", "what is wrong"):
        table.add_column(column)
    for p in error.problems:
        # As plain text: a value in brackets ("[b]", "[min, max]") is the input's, not markup.
        table.add_row(*(Text(cell) for cell in (p.file or "", "" if p.row is None else str(p.row),
                                                p.column or "", p.message)))
    errors.print(table)
    return typer.Exit(EXIT_INPUT_ERROR)


def fail_on_bug(error: Exception) -> typer.Exit:
    """Print the traceback and an error id to report, and exit with `EXIT_BUG`: a bug is
    neither the input's fault nor cured by allowing more time."""
    error_id = new_error_id()
    errors.print("".join(traceback.format_exception(error)), markup=False, highlight=False)
    errors.print(f"[red]internal error {error_id}[/red]: {escape(f'{type(error).__name__}: {error}')}",
                 highlight=False)
    errors.print(f"This is a bug in fieldweek, not in the input. Please report error {error_id} "
                 f"with the traceback above.")
    return typer.Exit(EXIT_BUG)


class ReportingGroup(TyperGroup):
    """The `fieldweek` command group: an input error escaping any command is printed as
    its table of problems (exit 2), any other exception as an internal error (exit 3)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException, EOFError):
            raise  # the command's own exit, a usage error, or ^D: typer handles them
        except InputError as error:
            raise fail_on_input(error) from None
        except Exception as error:
            raise fail_on_bug(error) from None


def parse_week(text: str) -> dt.date:
    try:
        week = dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date YYYY-MM-DD") from None
    if week.weekday() != 0:
        raise typer.BadParameter(f"{week} is a {week:%A}; a week starts on a Monday")
    # "0026-11-23" is not planned as the year 26 (the service refuses it alike).
    sunday = week + dt.timedelta(days=6) if week <= dt.date.max - dt.timedelta(days=6) else dt.date.max
    if why := date_range_problem(week, sunday):
        raise typer.BadParameter(why)
    return week


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    console.print(f"[dim]wrote {escape(str(path))}[/dim]")


def conflict_line(conflict: Conflict, status: str | None = None) -> str:
    """A conflict as one line: its rules in brackets when it names any. A week of `status`
    "unknown" ran out of time: no rules conflict, so it is not called a conflict."""
    if status == "unknown":
        return f"[red]no timetable (status unknown)[/red]: {escape(conflict.message)}"
    rules = f" ({', '.join(conflict.rules)})" if conflict.rules else ""
    return f"[red]conflict[/red]{rules}: {escape(conflict.message)}"


LANGUAGES = ("zh", "en")
"""The languages of the labels (`--lang`)."""


def checked_lang(lang: str) -> str:
    """`--lang` as given, refused (a usage error, exit 2) when it is not one of `LANGUAGES`."""
    if lang not in LANGUAGES:
        raise typer.BadParameter(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    return lang


def solver_figure(value: float | None) -> str:
    """An objective or bound as a person reads it: "–" when there is none (no week found;
    the console printed "objective None · bound None")."""
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
