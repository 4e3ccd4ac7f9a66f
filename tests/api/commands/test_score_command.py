"""`fieldweek score` on the command line: its exit says whether the plan breaks a hard
rule (as `plan`'s does), the report is written either way, and the console says which
managers the spreads across managers leave out. It exited 0 on a plan it found faults in."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.commands.console import EXIT_NO_PLAN
from benchmarks.departments import generate_department
from engine.baseline import baseline_timetable
from engine.domain import Leave
from engine.load import write_department
from engine.policy import load_policy

WEEK = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A generated department of four (no leave) and its hand-made week, which breaks no rule."""
    department = generate_department(4, 0)
    folder = tmp_path_factory.mktemp("score") / "dept"
    write_department(department, folder)
    return folder, baseline_timetable(department, load_policy("15-13-7"), WEEK).to_json_dict()


def _score(folder: Path, plan: dict, tmp_path: Path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), "utf-8")
    return CliRunner().invoke(app, ["score", str(path), "--department", str(folder),
                                    "--json", str(tmp_path / "report.json")])


def test_score_exits_1_on_a_plan_that_breaks_a_hard_rule_and_writes_the_report(week, tmp_path):
    folder, plan = week
    result = _score(folder, plan, tmp_path)
    assert result.exit_code == 0, result.output
    broken = {**plan, "blocks": [b for b in plan["blocks"] if b["kind"] != "meeting"]}
    result = _score(folder, broken, tmp_path)
    assert result.exit_code == EXIT_NO_PLAN, result.output
    assert "NOT executable" in result.output
    assert json.loads((tmp_path / "report.json").read_text("utf-8"))["summary"]["violations"] > 0


def test_score_says_who_the_spreads_across_managers_leave_out(week, tmp_path):
    _, plan = week
    department = generate_department(4, 0)
    away = tuple(Leave(manager="m04", date=WEEK + dt.timedelta(days=k)) for k in range(5))
    other = tmp_path / "dept"
    write_department(department.model_copy(update={"leave": away}), other)
    result = _score(other, {**plan, "blocks": [b for b in plan["blocks"] if b["manager"] != "m04"]}, tmp_path)
    assert "m04 on leave all week left out" in " ".join(result.output.split()), result.output
