"""Rows of the daily report that are impossible and were taken without a word: one
manager's visits overlapping in time and one retailer reported twice a day by one manager
(refused, naming both rows), and records on a day the department does not work (taken,
as the feedback sheet counts them, with a warning naming the rows)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine.actuals import actuals_from_rows, load_actuals, store_actuals
from engine.actuals.records import Actuals, ActualVisit
from engine.actuals.storage import actuals_csv_text, actuals_path
from engine.domain import Department
from engine.errors import InputError, Problem
from engine.load import write_department
from engine.policy import Policy
from tests.strategies import WEEK, simple_department

SATURDAY = WEEK + dt.timedelta(days=5)


@pytest.fixture(scope="module")
def department() -> Department:
    return simple_department(2)


def visit(retailer: str, start: str = "", end: str = "", manager: str = "m01", date: dt.date = WEEK,
          **cells: str) -> dict[str, str]:
    return {"manager": manager, "date": date.isoformat(), "record": "visit", "retailer": retailer,
            "start": start, "end": end, "status": "done", **cells}


def refused(rows: list[dict[str, str]], department: Department, policy: Policy) -> list[Problem]:
    with pytest.raises(InputError) as raised:
        actuals_from_rows(rows, department, policy, file="day.csv", first_row=2)
    return raised.value.problems


def test_overlapping_visits_of_one_manager_are_refused_naming_both_rows(
    department: Department, policy_15_13_7: Policy
) -> None:
    """The tester's three visits at 09:00-09:10, 09:00-09:10 and 09:05-09:15."""
    rows = [visit("m02-r00", "09:00", "09:10"), visit("m01-r00", "09:00", "09:10"),
            visit("m01-r01", "09:05", "09:15")]
    problems = refused(rows, department, policy_15_13_7)
    assert [(p.row, p.column) for p in problems] == [(3, "start"), (4, "start"), (4, "start")]
    assert "row 2" in problems[0].message and "09:00–09:10" in problems[0].message
    assert {"row 2" in problems[1].message, "row 3" in problems[2].message} == {True}
    # Touching visits, another manager at the same time and visits without times are fine.
    taken = actuals_from_rows([visit("m01-r00", "09:00", "09:10"), visit("m01-r01", "09:10", "09:20"),
                               visit("m02-r00", "09:00", "09:10", manager="m02"), visit("m01-r02"),
                               visit("m01-r03")], department, policy_15_13_7)
    assert len(taken.visits) == 5


def test_a_retailer_reported_twice_a_day_by_one_manager_is_refused(
    department: Department, policy_15_13_7: Policy
) -> None:
    rows = [visit("m01-r00", "09:00", "09:10"), visit("m01-r01"), visit("m01-r00", "10:00", "10:10")]
    [problem] = refused(rows, department, policy_15_13_7)
    assert (problem.row, problem.column) == (4, "retailer") and "row 2" in problem.message
    missed = [visit("m01-r00", status="missed", reason="closed")] * 2
    assert [(p.row, p.column) for p in refused(missed, department, policy_15_13_7)] == [(3, "retailer")]
    # Done and missed on one day stays one problem, as it was (its own check names it).
    [both] = refused([visit("m01-r00"), visit("m01-r00", status="missed", reason="closed")],
                     department, policy_15_13_7)
    assert both.column == "status"
    # The same retailer on another day is no duplicate.
    actuals_from_rows([visit("m01-r00"), visit("m01-r00", date=WEEK + dt.timedelta(days=1))],
                      department, policy_15_13_7)


def test_records_on_a_day_off_are_taken_with_a_warning_naming_the_rows(
    department: Department, policy_15_13_7: Policy
) -> None:
    assert SATURDAY.weekday() == 5 and "sat" not in [d.lower()[:3] for d in policy_15_13_7.working_days]
    rows = [visit("m01-r00", "09:00", "09:10"),
            {"manager": "m01", "date": SATURDAY.isoformat(), "record": "block", "kind": "admin",
             "start": "09:00", "end": "11:30"},
            visit("m01-r01", "12:00", "12:10", date=SATURDAY)]
    warnings: list[Problem] = []
    taken = actuals_from_rows(rows, department, policy_15_13_7, file="day.csv", warnings=warnings)
    assert len(taken.blocks) == 1 and len(taken.visits) == 2
    [warning] = warnings
    assert (warning.row, warning.column) == (3, "date")
    assert "rows 3, 4" in warning.message and str(SATURDAY) in warning.message


def test_a_stored_day_with_overlapping_visits_is_replaced_by_its_corrected_report(
    tmp_path: Path, department: Department, policy_15_13_7: Policy
) -> None:
    """A week file stored before the check (the tester's d6c) would refuse every later
    import of its week: the rows being replaced are not checked again."""
    folder = tmp_path / "dept"
    write_department(department, folder)
    path = actuals_path(folder, WEEK)
    path.parent.mkdir(parents=True)
    clock = 9 * 60
    stale = Actuals(visits=(
        ActualVisit(manager="m01", date=WEEK, retailer="m01-r00", status="done", start=clock, end=clock + 10),
        ActualVisit(manager="m01", date=WEEK, retailer="m01-r01", status="done", start=clock, end=clock + 10),
        ActualVisit(manager="m02", date=WEEK, retailer="m02-r00", status="done")))
    path.write_text(actuals_csv_text(stale), encoding="utf-8")
    with pytest.raises(InputError):
        load_actuals(folder, department, policy_15_13_7, WEEK)
    corrected = actuals_from_rows([visit("m01-r00", "09:00", "09:10"), visit("m01-r01", "09:20", "09:30")],
                                  department, policy_15_13_7)
    store_actuals(folder, corrected, department, policy_15_13_7)
    stored = load_actuals(folder, department, policy_15_13_7, WEEK)
    assert sorted((v.manager, v.retailer, v.start) for v in stored.visits) == [
        ("m01", "m01-r00", clock), ("m01", "m01-r01", clock + 20), ("m02", "m02-r00", None)]
