"""Rows of the daily report that used to be taken without a word: a retailer both done
and missed on one day (refused, naming both rows), a date outside the allowed window
(refused, naming the row: the timetable's week over HTTP, the days a report can be of
for `fieldweek actuals import`), times outside the policy's working day (taken, with a
warning naming the row and column)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer import Typer
from typer.testing import CliRunner

from api.commands import actuals as actuals_command
from engine.actuals import DateWindow, actuals_from_rows
from engine.domain import Department
from engine.errors import InputError, Problem
from engine.load import write_department
from engine.policy import Policy
from tests.strategies import WEEK, simple_department


@pytest.fixture(scope="module")
def department() -> Department:
    return simple_department(1)


def row(date: dt.date = WEEK, **cells: str) -> dict[str, str]:
    return {"manager": "m01", "date": date.isoformat(), "record": "visit", "retailer": "m01-r00",
            "status": "done", **cells}


def test_a_retailer_done_and_missed_on_one_day_is_refused_naming_both_rows(
    department: Department, policy_15_13_7: Policy
) -> None:
    rows = [row(), row(retailer="m01-r01"), row(status="missed", reason="shop closed")]
    with pytest.raises(InputError) as raised:
        actuals_from_rows(rows, department, policy_15_13_7, file="day.csv", first_row=2)
    [problem] = raised.value.problems
    assert (problem.row, problem.column) == (4, "status") and "row 2" in problem.message
    # The same retailer done on one day and missed on another is no contradiction.
    actuals_from_rows([row(), row(WEEK + dt.timedelta(days=1), status="missed", reason="closed")],
                      department, policy_15_13_7)


def test_a_row_outside_the_date_window_is_refused_naming_row_and_date(
    department: Department, policy_15_13_7: Policy
) -> None:
    week = DateWindow(WEEK, WEEK + dt.timedelta(days=6), "the timetable's week")
    rows = [row(), row(dt.date(1, 1, 1)), row(WEEK + dt.timedelta(days=7))]
    with pytest.raises(InputError) as raised:
        actuals_from_rows(rows, department, policy_15_13_7, file="rows", first_row=0, dates=week)
    assert [(p.row, p.column) for p in raised.value.problems] == [(1, "date"), (2, "date")]
    assert "the timetable's week" in raised.value.problems[0].message


def test_times_outside_the_working_day_are_taken_with_a_warning(
    department: Department, policy_15_13_7: Policy
) -> None:
    rows = [row(start="23:50", end="24:00"),
            {"manager": "m01", "date": WEEK.isoformat(), "record": "block", "kind": "admin",
             "start": "03:00", "end": "04:00"},
            row(retailer="m01-r01", start="09:00", end="09:10")]
    warnings: list[Problem] = []
    taken = actuals_from_rows(rows, department, policy_15_13_7, warnings=warnings)
    assert len(taken.visits) == 2 and len(taken.blocks) == 1
    assert [(w.row, w.column) for w in warnings] == [(2, "end"), (3, "start")]
    assert "08:00–17:30" in warnings[0].message


def test_cli_import_refuses_dates_no_report_can_be_of(
    tmp_path: Path, department: Department
) -> None:
    """0001-01-01 and 2099 used to be stored as actuals/0001-01-01.csv and a 2099 week."""
    folder = tmp_path / "dept"
    write_department(department, folder)
    report = tmp_path / "report.csv"
    report.write_text("manager,date,record,kind,retailer,start,end,status,reason\n"
                      "m01,0001-01-01,visit,,m01-r00,10:00,10:10,done,\n"
                      "m01,2099-01-05,visit,,m01-r00,10:00,10:10,done,\n", encoding="utf-8")
    app = Typer()
    actuals_command.register(app, Typer())
    result = CliRunner().invoke(app, ["actuals", "import", str(folder), str(report)])
    assert result.exit_code == 2, result.output
    assert not (folder / "actuals").exists()
    window = actuals_command.report_dates(dt.date(2026, 11, 26))
    assert window.problem(dt.date(2026, 11, 23)) is None
    assert window.problem(dt.date(1, 1, 1)) and window.problem(dt.date(2099, 1, 5))
