"""The plan files the commands read (score, timetable --warm-start, routes --timetable):
a file that is missing, not JSON, not a JSON object, or another department's or week's
plan is an input error naming the file (exit 2), never a crash nor a silent wrong plan.
And the timetable summary's lines for a week short, its gap and its conflicts. No solver."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.commands import console as console_module
from api.commands.console import EXIT_INPUT_ERROR, EXIT_NO_PLAN, conflict_line
from api.commands.timetable import hours_short_line, shown_gap
from engine.domain import Conflict, HoursShortfall, ManagerRef, Timetable
from engine.load import write_department
from engine.timetable.shortfalls import shortfall_proven
from engine.timetable.solve import TimetableResult
from tests.strategies import WEEK, simple_department


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console_module.console, "width", 300)
    monkeypatch.setattr(console_module.errors, "width", 300)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dept") / "dept2"
    write_department(simple_department(2), path)
    return path


def run(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def timetable_file(path: Path, department: str = "dept2", week: str = WEEK.isoformat(),
                   managers: tuple[tuple[str, str], ...] = (("m01", "Manager 1"), ("m02", "Manager 2"))) -> Path:
    timetable = Timetable(department=department, policy="15-13-7", week_start=week, status="feasible",
                          managers=tuple(ManagerRef(id=i, name=n) for i, n in managers))
    path.write_text(json.dumps(timetable.to_json_dict()), "utf-8")
    return path


@pytest.mark.parametrize("text, says", [("[]", "top level is a list"), ('"hello"', "top level is a string"),
                                        ("null", "top level is null")])
def test_score_of_a_json_that_is_not_an_object_is_an_input_error(folder: Path, tmp_path: Path,
                                                                 text: str, says: str) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(text, "utf-8")
    result = run("score", plan, "--department", folder)
    assert result.exit_code == EXIT_INPUT_ERROR, result.output
    assert "plan.json" in result.output and says in result.output


@pytest.mark.parametrize("text, says", [(None, "does not exist"), ('{"department": "dept2", "blo', "truncated"),
                                        ("[]", "top level is a list")])
def test_a_bad_warm_start_is_an_input_error(folder: Path, tmp_path: Path, text: str | None, says: str) -> None:
    start = tmp_path / "start.json"
    if text is not None:
        start.write_text(text, "utf-8")
    result = run("timetable", folder, "--week", WEEK.isoformat(), "--warm-start", start)
    assert result.exit_code == EXIT_INPUT_ERROR, result.output
    assert "start.json" in result.output and says in result.output


def test_a_warm_start_of_another_department_is_refused(folder: Path, tmp_path: Path) -> None:
    start = timetable_file(tmp_path / "start.json", department="dept9",
                           managers=(("m01", "Someone"), ("m08", "Other")))
    result = run("timetable", folder, "--week", WEEK.isoformat(), "--warm-start", start)
    assert result.exit_code == EXIT_INPUT_ERROR, result.output
    assert "'dept9', not 'dept2'" in result.output and "m08 (Other)" in result.output


def test_routes_refuse_another_departments_timetable(folder: Path, tmp_path: Path) -> None:
    other = timetable_file(tmp_path / "tt.json", department="dept9")
    result = run("routes", folder, "--week", WEEK.isoformat(), "--timetable", other)
    assert result.exit_code == EXIT_INPUT_ERROR, result.output
    assert "tt.json" in result.output and "'dept9', not 'dept2'" in result.output


@pytest.mark.parametrize("day, says", [("2026-11-29", "2026-11-29 (Sun) is not a working day"),
                                       ("2026-12-01", "2026-12-01 (Tue) is not in the week starting 2026-11-23")])
def test_routes_refuse_a_day_that_is_not_a_working_day_of_the_week(folder: Path, day: str, says: str) -> None:
    """A Sunday, or a day of another week, is refused before anything is solved, naming
    the week's working days (it planned nothing and said "0 routes", exit 0)."""
    result = run("routes", folder, "--week", WEEK.isoformat(), "--day", day)
    assert result.exit_code == EXIT_INPUT_ERROR, result.output
    assert says in result.output and "--day" in result.output
    assert "working days: Mon 2026-11-23, Tue 2026-11-24, Wed 2026-11-25, Thu 2026-11-26, Fri 2026-11-27" in result.output


def test_routes_refuse_a_timetable_of_another_week(folder: Path, tmp_path: Path) -> None:
    other = timetable_file(tmp_path / "tt.json", week="2026-11-30")
    result = run("routes", folder, "--week", WEEK.isoformat(), "--timetable", other)
    assert result.exit_code == EXIT_INPUT_ERROR, result.output
    assert "the week of 2026-11-30, not 2026-11-23" in result.output


def test_score_refuses_another_departments_timetable(folder: Path, tmp_path: Path) -> None:
    other = timetable_file(tmp_path / "tt.json", department="dept9",
                           managers=(("m01", "Manager 1"),))
    result = run("score", other, "--department", folder)
    assert result.exit_code == EXIT_INPUT_ERROR, result.output
    assert "'dept9', not 'dept2'" in result.output and "no week for manager(s) m02" in result.output


def test_score_accepts_its_own_departments_timetable(folder: Path, tmp_path: Path) -> None:
    result = run("score", timetable_file(tmp_path / "tt.json"), "--department", folder)
    # Read and scored (a week without blocks breaks the hard rules: exit 1, not an input error).
    assert result.exit_code == EXIT_NO_PLAN and "hard-rule violation" in result.output, result.output


def test_an_unknown_language_is_refused_with_the_known_ones(folder: Path) -> None:
    result = run("timetable", folder, "--week", WEEK.isoformat(), "--lang", "fr")
    assert result.exit_code == EXIT_INPUT_ERROR
    assert "'fr'" in result.output and "zh, en" in result.output


def _week(status: str, floor: int | None, *short: int) -> Timetable:
    return Timetable(department="d", policy="p", week_start=WEEK, status=status, hours_short_floor_minutes=floor,
                     shortfalls=tuple(HoursShortfall(manager=f"m0{i}", kind="maintenance", minutes_short=m)
                                      for i, m in enumerate(short)))


def test_the_minutes_short_are_said_even_without_a_proven_floor() -> None:
    line = hours_short_line(_week("feasible", None, 120, 50))
    assert line is not None and "weekly hours short: 170 min" in line and "not proven" in line
    assert "(proven)" in (hours_short_line(_week("feasible", 170, 120, 50)) or "")
    assert hours_short_line(_week("feasible", None)) is None


def test_a_floor_of_nothing_is_not_read_out_as_a_proof() -> None:
    """Tester's dH: "100 min · no week can be short of fewer than 0 min (proven)"."""
    line = hours_short_line(_week("feasible", 0, 100)) or ""
    assert "fewer than 0 min" not in line and "no week is proven to need any hour short" in line
    assert "fewer than 60 min (proven)" in (hours_short_line(_week("feasible", 60, 100)) or "")


def test_a_daily_block_the_leave_leaves_no_room_for_is_not_weekly_hours_short() -> None:
    """It printed as 330 of weekly hours short, 'not proven', for a block no week owes."""
    week = _week("feasible", 0, 60)
    leave = HoursShortfall(manager="m07", kind="visit", minutes_short=330, sessions_short=1, not_owed=True)
    week = week.model_copy(update={"shortfalls": (*week.shortfalls, leave)})
    line = hours_short_line(week) or ""
    assert "weekly hours short: 60 min" in line and "330 min of blocks not owed" in line and "m07" in line
    alone = week.model_copy(update={"shortfalls": week.shortfalls[1:], "hours_short_floor_minutes": None})
    assert (hours_short_line(alone) or "").startswith("weekly hours short: 0 min · 330 min")


def test_a_shortfall_is_proven_only_by_optimality_or_a_floor_as_large() -> None:
    assert shortfall_proven("optimal", 170, None)
    assert shortfall_proven("feasible", 170, 170)
    assert not shortfall_proven("feasible", 170, None)
    assert not shortfall_proven("feasible", 370, 170)


def test_the_gap_shown_is_never_above_100_percent() -> None:
    def gap(objective: float, bound: float) -> str:
        return shown_gap(TimetableResult(Timetable(department="d", policy="p", week_start=WEEK, status="feasible",
                                                   objective=objective, best_bound=bound)))
    assert gap(600_000, -1856) == "–"
    assert gap(100, 50) == "50.0%"


def test_a_conflict_without_rules_shows_no_empty_brackets() -> None:
    assert conflict_line(Conflict(rules=(), message="no timetable found")) == "[red]conflict[/red]: no timetable found"
    assert "(a, b)" in conflict_line(Conflict(rules=("a", "b"), message="m"))
