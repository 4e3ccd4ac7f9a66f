"""`fieldweek replan`: the re-planned week is judged by the independent re-plan checker;
the CLI lists its faults and the hours the sickness cost, says in one line whether the
week can be carried out, and exits 1 when the checker finds a fault."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import api.replan_verdict as verdict_module
from api.cli import app
from api.commands import console as console_module
from api.commands.console import EXIT_NO_PLAN
from engine.check.replan import Closure, ReplanVerdict
from engine.check.timetable import Violation
from engine.load import write_department
from engine.policy import load_policy
from engine.timetable.solve import SolveParams, solve_timetable
from tests.strategies import WEEK, simple_department

NOW = dt.datetime.combine(WEEK + dt.timedelta(days=2), dt.time(13, 0))


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wide enough that no message is wrapped mid-word."""
    monkeypatch.setattr(console_module.console, "width", 300)
    monkeypatch.setattr(console_module.errors, "width", 300)


@pytest.fixture(scope="module")
def week_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A four-manager department, its solved week, and m02 off sick from Wednesday 13:00 to
    the week's end (the pair sessions he leaves cost hours: a sickness for the day may
    cost none when the re-plan moves them)."""
    folder = tmp_path_factory.mktemp("replan")
    department = simple_department(4)
    write_department(department, folder / "dept")
    solved = solve_timetable(department, load_policy("15-13-7"), WEEK, SolveParams(time_limit_s=5, workers=2))
    assert solved.status in ("optimal", "feasible")
    (folder / "plan.json").write_text(json.dumps(solved.timetable.to_json_dict()), "utf-8")
    (folder / "events.json").write_text(json.dumps([{"type": "manager_sick", "manager": "m02",
                                                     "from": NOW.isoformat()}]))
    return folder / "dept", folder / "plan.json", folder / "events.json"


def run(week_files: tuple[Path, Path, Path], out: Path):
    department, plan, events = week_files
    return CliRunner().invoke(app, ["replan", str(department), "--plan", str(plan), "--now", NOW.isoformat(),
                                    "--event", str(events), "--time-limit", "4", "--workers", "2",
                                    "--json", str(out)])


def test_a_sound_re_plan_exits_0_with_its_verdict_and_shortfalls(week_files, tmp_path: Path) -> None:
    result = run(week_files, tmp_path / "replan.json")
    assert result.exit_code == 0, result.output
    assert "the re-planned week is executable" in result.stdout
    assert "off sick from Wed" in result.stdout, "the hours the sickness cost are printed in words"
    check = json.loads((tmp_path / "replan.json").read_text("utf-8"))["check"]
    assert check["executable"] is True and check["violations"] == []


def test_a_fault_found_by_the_checker_exits_1(week_files, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fault = Violation("replan_past_changed", "m01", WEEK, "13:20–14:50", "m01's promotion on Mon was changed")
    monkeypatch.setattr(verdict_module, "check_replan", lambda *args: ReplanVerdict([fault], []))
    result = run(week_files, tmp_path / "replan.json")
    assert result.exit_code == EXIT_NO_PLAN, result.output
    assert "fault replan_past_changed: m01's promotion on Mon was changed" in result.stdout
    assert "the re-planned week is not executable" in result.stdout


def test_a_plan_of_another_department_is_refused(week_files, tmp_path: Path) -> None:
    """The plan must be the department's: another department's plan is an input error
    (exit 2) naming both, before any re-planning."""
    department, plan, events = week_files
    other = json.loads(plan.read_text("utf-8")) | {"department": "another department"}
    (tmp_path / "other.json").write_text(json.dumps(other), "utf-8")
    result = run((department, tmp_path / "other.json", events), tmp_path / "replan.json")
    assert result.exit_code == 2, result.output
    assert "another department" in result.output
    assert not (tmp_path / "replan.json").exists()


def test_the_checker_is_told_of_the_closures(week_files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A retailer closed on a day and a promotion store cancelled reach the independent
    checker as closures (the day of `now` when the event names none), so it can find a
    session held where the events closed it."""
    department, plan, _ = week_files
    store = next(b["retailer"] for b in json.loads(plan.read_text("utf-8"))["blocks"] if b["kind"] == "promotion")
    events = tmp_path / "closed.json"
    events.write_text(json.dumps([{"type": "retailer_closed", "retailer": "m01-r01", "date": str(WEEK)},
                                  {"type": "promotion_store_cancelled", "retailer": store}]), "utf-8")
    seen: list = []
    real = verdict_module.check_replan

    def spy(*args):
        seen.append(args[-1])
        return real(*args)

    monkeypatch.setattr(verdict_module, "check_replan", spy)
    result = run((department, plan, events), tmp_path / "replan.json")
    assert result.exit_code == 0, result.output
    assert seen == [[Closure("m01-r01", WEEK), Closure(store, NOW.date(), onwards=True)]]
