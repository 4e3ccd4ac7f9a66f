"""Input errors and conflicts are printed as the input gave them: rich read the brackets
in them as markup, so a class "[b]" showed as '', a manager "[bold]m01" as 'm01' ("not
in managers.csv", though m01 is), and a policy's "[min, max]" vanished from its message
(tester seed 377)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from api.commands import console as console_module
from api.commands.console import conflict_line, fail_on_input
from engine.domain import Conflict
from engine.errors import InputError, Problem


def test_an_input_error_keeps_its_brackets(monkeypatch: pytest.MonkeyPatch) -> None:
    printed = io.StringIO()
    monkeypatch.setattr(console_module, "errors", Console(file=printed, width=300))
    fail_on_input(InputError([
        Problem("class '[b]' is not one of A, B, C", file="retailers.csv", row=3, column="class"),
        Problem("manager '[bold]m01' is not in managers.csv", file="retailers.csv", row=4, column="manager"),
        Problem("must be [min, max] with 1 <= min <= max", column="[sessions]")]))
    text = printed.getvalue()
    assert "class '[b]' is not" in text
    assert "manager '[bold]m01' is not" in text
    assert "must be [min, max] with" in text and "[sessions]" in text


def test_a_conflict_keeps_its_brackets() -> None:
    printed = io.StringIO()
    Console(file=printed, width=300).print(conflict_line(Conflict(rules=("lunch",), message="store [bold]R01 is closed")))
    assert "store [bold]R01 is closed" in printed.getvalue()


def test_a_week_out_of_time_is_not_called_a_conflict() -> None:
    """Tester A, seed 586: a 20-manager week that found no timetable within its time was
    printed "conflict: no timetable found within 61 s", though no rules conflict."""
    out_of_time = Conflict(rules=(), message="no timetable found within 61 s (searched on from 10 s); allow more time")
    printed = io.StringIO()
    Console(file=printed, width=300).print(conflict_line(out_of_time, "unknown"))
    assert printed.getvalue().startswith("no timetable (status unknown): no timetable found within 61 s")
    printed = io.StringIO()
    Console(file=printed, width=300).print(conflict_line(Conflict(rules=("lunch",), message="x"), "infeasible"))
    assert printed.getvalue().startswith("conflict (lunch): x")
