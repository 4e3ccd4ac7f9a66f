"""`fieldweek plan`, the README's main command, end to end through its exit codes: 0 a
plan was made that the independent checkers find executable (declared shortfalls are no
fault), 1 no plan exists (the conflicting rules printed) or a checker finds a fault (each
fault printed, and the last line says the week is not executable), 2 the input is wrong
(file, row and column printed), 3 fieldweek itself failed (an error id to report)."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.commands import console as console_module
from api.commands import plan as plan_module
from api.commands.console import EXIT_BUG, EXIT_INPUT_ERROR, EXIT_NO_PLAN
from engine.domain import HoursShortfall
from engine.errors import ModelInvalid
from engine.load import write_department
from engine.policy import format_clock, parse_clock
from engine.routing.plan import RoutePlan
from engine.timetable import solve as solve_module
from tests.strategies import WEEK, simple_department

FAST = ["--time-limit", "3", "--route-time-limit", "2"]
EXECUTABLE = "The week is executable: no fault found by the independent checkers."


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wide enough that no table cell or message is wrapped mid-word."""
    monkeypatch.setattr(console_module.console, "width", 300)
    monkeypatch.setattr(console_module.errors, "width", 300)


def plan(folder: Path, out: Path, *options: str):
    return CliRunner().invoke(app, ["plan", str(folder), "--week", WEEK.isoformat(), *FAST,
                                    "--out", str(out), "--lang", "en", *options])


def test_small_department_is_planned_checked_and_exported(tmp_path: Path) -> None:
    """Exit 0 on a valid two-manager department: both checkers pass and every file is written."""
    write_department(simple_department(2), tmp_path / "dept")
    result = plan(tmp_path / "dept", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "the independent timetable checker found no problem" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == EXECUTABLE
    for name in ("timetable.json", "routes.json", "timetable.xlsx", "timetable.html", "routes.html"):
        assert (tmp_path / "out" / name).stat().st_size > 0, name
    timetable = json.loads((tmp_path / "out" / "timetable.json").read_text("utf-8"))
    assert timetable["status"] in ("optimal", "feasible") and timetable["blocks"]


def test_infeasible_department_exits_1_naming_the_conflicting_rules(tmp_path: Path) -> None:
    """A department of one cannot do paired work: exit 1, the pairing rule printed, no files."""
    write_department(simple_department(1), tmp_path / "dept")
    result = plan(tmp_path / "dept", tmp_path / "out")
    assert result.exit_code == EXIT_NO_PLAN, result.output
    assert "conflict (pairing" in result.stderr
    assert not (tmp_path / "out" / "timetable.json").exists()


def test_bad_input_exits_2_naming_file_row_and_column(tmp_path: Path) -> None:
    """A retailer closing before it opens: exit 2, with retailers.csv, its row and the column."""
    folder = tmp_path / "dept"
    write_department(simple_department(2), folder)
    path = folder / "retailers.csv"
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    rows[2]["closes"] = "07:00"
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = plan(folder, tmp_path / "out")
    assert result.exit_code == EXIT_INPUT_ERROR, result.output
    line = next(line for line in result.stderr.splitlines() if "must be after" in line)
    assert "retailers.csv" in line and " 4 " in line and "closes" in line  # row 4: header is row 1


def test_internal_error_exits_3_with_an_error_id_never_allow_more_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model CP-SAT finds invalid is a bug: exit 3 with an error id and the solver's reason,
    never exit 1 with "allow more time"."""
    real_objective = solve_module.add_objective

    def broken_objective(tm) -> None:
        real_objective(tm)
        tm.cp.proto.constraints.add().linear.vars.append(10**6)  # a variable that does not exist

    monkeypatch.setattr(solve_module, "add_objective", broken_objective)
    write_department(simple_department(2), tmp_path / "dept")
    result = plan(tmp_path / "dept", tmp_path / "out")
    assert result.exit_code == EXIT_BUG, result.output
    assert "internal error" in result.stderr and "ModelInvalid" in result.stderr
    assert "allow more time" not in result.output


def test_any_unexpected_exception_is_reported_as_a_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception the command does not expect exits 3 with its traceback and an error id."""
    def crash(*_args, **_kwargs):
        raise ModelInvalid("variable 7 has an empty domain")

    monkeypatch.setattr("api.commands.plan.solve_timetable", crash)
    write_department(simple_department(2), tmp_path / "dept")
    result = plan(tmp_path / "dept", tmp_path / "out")
    assert result.exit_code == EXIT_BUG, result.output
    assert "Traceback" in result.stderr and "variable 7 has an empty domain" in result.stderr
    assert "Please report error" in result.stderr


def test_a_late_arrival_at_a_fixed_block_is_printed_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The route planner reaches one appointment 15 min after it starts: the route checker's
    fault is printed with its words, the last line says the week is not executable and
    why, and the exit code is 1 (the files are still written for the market manager)."""
    real_plan_routes = plan_module.plan_routes
    late: list[str] = []

    def arriving_late(*args, **kwargs) -> RoutePlan:
        data = real_plan_routes(*args, **kwargs).to_json_dict()
        stop = next(s for r in data["routes"] for s in r["stops"] if s["kind"] != "visit")
        stop["arrive"] = format_clock(parse_clock(stop["start"]) + 15)
        late.append(f"{stop['kind']} at {stop['retailer']} reached at {stop['arrive']}")
        return RoutePlan.model_validate(data)

    monkeypatch.setattr(plan_module, "plan_routes", arriving_late)
    write_department(simple_department(2), tmp_path / "dept")
    result = plan(tmp_path / "dept", tmp_path / "out")
    assert result.exit_code == EXIT_NO_PLAN, result.output
    assert late and "late_for_appointment: " in result.stderr and late[0] in result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "The week is NOT executable: 1 fault (routes: 1 late_for_appointment).")
    assert (tmp_path / "out" / "routes.json").exists()


def test_a_declared_shortfall_is_printed_with_its_amounts_and_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A timetable one POS session short that says so: the shortfall is printed with its
    minutes and the plan's reason, and the week is executable (exit 0)."""
    real_solve = plan_module.solve_timetable

    def one_session_short(*args, **kwargs):
        result = real_solve(*args, **kwargs)
        timetable = result.timetable
        dropped = next(b for b in timetable.blocks if b.manager == "m01" and b.kind == "pos_project")
        short = HoursShortfall(manager="m01", kind="pos_project", minutes_short=dropped.end - dropped.start,
                               sessions_short=1, reason="no room for the ride")
        return dataclasses.replace(result, timetable=timetable.model_copy(update={
            "blocks": tuple(b for b in timetable.blocks if b is not dropped), "shortfalls": (short,)}))

    monkeypatch.setattr(plan_module, "solve_timetable", one_session_short)
    write_department(simple_department(2), tmp_path / "dept")
    result = plan(tmp_path / "dept", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "short m01 is 60 min and 1 session short of POS" in result.stdout
    assert "(the plan says: no room for the ride)" in result.stdout
    # Beside the verdict, not only at the top: "executable" read as a whole week (tester's d15).
    assert result.stdout.strip().splitlines()[-2].startswith(
        "Planned short: 60 min (1.0 h) of weekly hours for 1 manager(s)")
    assert result.stdout.strip().splitlines()[-1] == EXECUTABLE


def test_a_territory_with_too_few_pos_households_is_planned_short_and_executable(tmp_path: Path) -> None:
    """m02's territory has one POS-target household for the POS project's three different
    ones: the department is planned (was: refused, exit 1), m02's week declared two
    sessions short in his words, and the week is executable."""
    department = simple_department(2)
    households = [r.id for r in department.retailers if r.manager == "m02" and r.pos_target]
    department = department.model_copy(update={"retailers": tuple(
        r.model_copy(update={"pos_target": False}) if r.id in households[1:] else r for r in department.retailers)})
    write_department(department, tmp_path / "dept")
    result = plan(tmp_path / "dept", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "short m02 is 120 min and 2 sessions short of POS" in result.stdout
    assert "(the plan says: m02's territory has 1 POS-target household" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == EXECUTABLE
