"""A block row's retailer was dropped without a word (an outside tester's find: a
maintenance block at 'R09999', no retailer of the department, was imported, exit 0, and
stored with an empty retailer). A field block done at a retailer keeps it, checked as a
visit row's is; an office block, lunch and the visit block take none and say so; a
field block naming no retailer is taken, as the import format documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer import Typer
from typer.testing import CliRunner

from engine.actuals import actuals_from_rows, load_actuals, store_actuals
from engine.domain import Department
from engine.errors import InputError
from engine.load import write_department
from engine.policy import Policy
from tests.strategies import WEEK, simple_department

RETAILER = "m01-r00"


@pytest.fixture(scope="module")
def department() -> Department:
    return simple_department(1)


def block(kind: str, retailer: str = "", start: str = "12:00", end: str = "14:00") -> dict[str, str]:
    return {"manager": "m01", "date": WEEK.isoformat(), "record": "block", "kind": kind,
            "retailer": retailer, "start": start, "end": end}


def test_an_unknown_retailer_on_a_block_is_refused_naming_row_and_column(
    department: Department, policy_15_13_7: Policy
) -> None:
    with pytest.raises(InputError) as raised:
        actuals_from_rows([block("maintenance", "R09999")], department, policy_15_13_7, file="x.csv")
    [problem] = raised.value.problems
    assert (problem.file, problem.row, problem.column) == ("x.csv", 2, "retailer")
    assert problem.message == "retailer 'R09999' is not in retailers.csv"


@pytest.mark.parametrize("kind", ["phone", "meeting", "admin", "lunch", "visit"])
def test_a_block_that_is_at_no_retailer_refuses_one(department: Department, policy_15_13_7: Policy,
                                                    kind: str) -> None:
    with pytest.raises(InputError) as raised:
        actuals_from_rows([block(kind, RETAILER)], department, policy_15_13_7, file="x.csv")
    [problem] = raised.value.problems
    assert (problem.row, problem.column) == (2, "retailer")
    assert f"no retailer ('{RETAILER}')" in problem.message


@pytest.mark.parametrize("kind", ["maintenance", "promotion", "pos_project", "site_study"])
def test_a_field_block_keeps_its_retailer_or_is_taken_without_one(
    tmp_path: Path, department: Department, policy_15_13_7: Policy, kind: str
) -> None:
    rows = [block(kind, RETAILER, "09:00", "10:00"), block(kind, "", "10:00", "11:00")]
    actuals = actuals_from_rows(rows, department, policy_15_13_7)
    assert [b.retailer for b in actuals.blocks] == [RETAILER, None]
    store_actuals(tmp_path, actuals, department, policy_15_13_7)
    assert f"m01,{WEEK},block,{kind},{RETAILER},09:00,10:00,," in (
        tmp_path / "actuals" / f"{WEEK}.csv").read_text("utf-8")
    assert load_actuals(tmp_path, department, policy_15_13_7, WEEK) == actuals


def test_cli_refuses_the_unknown_retailer_of_a_block_exit_2(tmp_path: Path, department: Department) -> None:
    from api.commands import actuals

    folder = tmp_path / "dept"
    write_department(department, folder)
    csv_file = tmp_path / "x.csv"
    csv_file.write_text("manager,date,record,kind,retailer,start,end,status,reason\n"
                        f"m01,{WEEK},block,maintenance,R09999,12:00,14:00,,\n", encoding="utf-8")
    app = Typer()
    actuals.register(app, Typer())
    result = CliRunner().invoke(app, ["actuals", "import", str(folder), str(csv_file)])
    assert result.exit_code == 2, result.output
    assert "R09999" in result.output and "retailers.csv" in result.output
    assert not (folder / "actuals").exists()
