"""`fieldweek actuals import`: record what happened (blocks done, visits done or missed)
in the department folder. Thin: engine.actuals reads and stores the rows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.commands.console import EXIT_INPUT_ERROR, console, errors, fail_on_input
from api.commands.inputs import load_department
from engine.actuals import read_actuals_csv, store_actuals
from engine.errors import InputError


def actuals_import_command(
    department_dir: Annotated[Path, typer.Argument(help="department folder")],
    file: Annotated[Path, typer.Argument(help="actuals CSV: manager,date,record,kind,retailer,start,end,status,reason")],
    policy: Annotated[str | None, typer.Option(help="built-in policy name or TOML path")] = None,
) -> None:
    """Record what happened (blocks done, visits done or missed) in the department folder."""
    department, pol = load_department(department_dir, policy)
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


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add the `actuals` group, with `actuals import`, to the app."""
    actuals = typer.Typer(help="What happened: blocks done, visits done or missed.", no_args_is_help=True)
    actuals.command("import")(actuals_import_command)
    app.add_typer(actuals, name="actuals")
