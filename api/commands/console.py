"""How every command talks to a person: one rich console, input errors as a table
naming file, row and column, and exit codes that scripts can rely on."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from engine.errors import InputError

console = Console()
errors = Console(stderr=True)

EXIT_INPUT_ERROR = 2
"""Bad input (a file, row or field is wrong): nothing was planned."""
EXIT_NO_PLAN = 1
"""The input is valid but no plan exists (infeasible) or none was found in time."""


def fail_on_input(error: InputError) -> typer.Exit:
    table = Table(title=f"{len(error.problems)} problem(s) in the input", title_justify="left")
    for column in ("file", "row", "column", "what is wrong"):
        table.add_column(column)
    for p in error.problems:
        table.add_row(p.file or "", "" if p.row is None else str(p.row), p.column or "", p.message)
    errors.print(table)
    return typer.Exit(EXIT_INPUT_ERROR)


def parse_week(text: str) -> dt.date:
    try:
        week = dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date YYYY-MM-DD") from None
    if week.weekday() != 0:
        raise typer.BadParameter(f"{week} is a {week:%A}; a week starts on a Monday")
    return week


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    console.print(f"[dim]wrote {path}[/dim]")
