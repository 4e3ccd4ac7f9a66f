"""The `fieldweek` command. Thin: parses options, calls engine/, renders results.

Each command group lives in its own module under api/commands/ and adds itself
to the app through a `register(app, bench)` function."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from api.commands.console import ReportingGroup

EXIT_CLOSED_PIPE = 1
"""Click's own exit status when the reader of its output goes away."""


class _QuietOnClosedPipe(TyperGroup):
    """A reader that stops reading (`fieldweek routes --help | head`) ends the command
    quietly: a closed pipe is nobody's bug, so it must not reach ReportingGroup's
    internal-error report (this class sits just inside it, see `CommandGroup`)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _discard_stdout()
            raise typer.Exit(EXIT_CLOSED_PIPE) from None


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises no second error."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing is flushed to a pipe
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


class CommandGroup(ReportingGroup, _QuietOnClosedPipe):
    """ReportingGroup's reports around a command, a closed pipe handled beneath them."""


app = typer.Typer(
    name="fieldweek",
    help="Weekly timetables, visit plans and routes for field sales departments.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=CommandGroup,
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
