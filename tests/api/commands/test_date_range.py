"""The commands plan the service's dates, 1900-01-01 to 9998-12-31: a month or week of the
year 26 ("26-12", "0026-11-23") is refused with that range, not planned (was: exit 0,
"0026-12: 23 working days"), and one near the end of the calendar (9999-12) is refused
too, not an OverflowError reported as a bug (exit 3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from engine.errors import InputError
from engine.load import write_department
from engine.policy import Policy
from engine.work_calendar import EARLIEST_DATE, LATEST_DATE, WorkCalendar
from tests.strategies import simple_department

RANGE = f"{EARLIEST_DATE} to {LATEST_DATE}"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write_department(simple_department(2), tmp_path / "dept")
    return tmp_path / "dept"


@pytest.mark.parametrize("command", [
    ["month", "--month", "26-12"],
    ["month", "--month", "9999-12"],
    ["timetable", "--week", "0026-11-23"],
    ["timetable", "--week", "9999-12-27"],
    ["feedback", "--week", "0026-11-23"],
])
def test_a_date_outside_the_range_is_refused_with_the_range(folder: Path, command: list[str],
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            wide_consoles: None) -> None:
    import api.commands.month as month_module

    monkeypatch.setattr(month_module, "plan_month", lambda *a, **k: pytest.fail("planned a month out of range"))
    result = CliRunner().invoke(app, [command[0], str(folder), *command[1:]], terminal_width=300)
    assert result.exit_code == 2, result.output
    assert RANGE in " ".join(result.output.split()), result.output
    assert "bug" not in result.output


def test_the_engine_refuses_a_week_past_the_range_and_plans_the_last_one(policy_15_13_7: Policy) -> None:
    calendar = WorkCalendar(simple_department(2), policy_15_13_7)
    with pytest.raises(InputError, match=RANGE):
        calendar.working_days(dt.date(9999, 12, 27))
    last = calendar.working_days(dt.date(9998, 12, 28))
    assert last and last[0][0] == dt.date(9998, 12, 28) and last[-1][0] <= dt.date(9999, 1, 1)


def test_every_week_option_is_refused_outside_the_range_where_it_is_read() -> None:
    """`parse_week`, which every `--week` goes through, refuses the year 26 itself, before
    a department is loaded (routes and region read it there too)."""
    import typer

    from api.commands.console import parse_week

    with pytest.raises(typer.BadParameter, match="four digits"):
        parse_week("0026-11-23")
    assert parse_week("2026-11-23") == dt.date(2026, 11, 23)
