"""The `fieldweek` command. Thin: parses options, calls engine/, renders results.

Each command group lives in its own module under api/commands/ and adds itself
to the app through a `register(app, bench)` function."""

from __future__ import annotations

import importlib

import typer

from api.commands.console import ReportingGroup

app = typer.Typer(
    name="fieldweek",
    help="Weekly timetables, visit plans and routes for field sales departments.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=ReportingGroup,
)
bench = typer.Typer(help="Benchmarks: solver status, gap and quality per case.", no_args_is_help=True)
app.add_typer(bench, name="bench")

COMMAND_MODULES = (
    "plan", "timetable", "routes", "vrptw", "pvrp", "score", "baseline", "bench", "serve",
    "month", "replan", "actuals", "feedback", "capacity", "region", "screenshots",
)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"api.commands.{name}")
        module.register(app, bench)


_register_all()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
