"""`fieldweek routes --timetable` refuses a timetable planned before leave.csv changed
(it routed the manager's visits onto his leave days and exited 0), naming the blocks and
saying to plan the timetable again. No solver: the refusal comes before any routing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.commands import console as console_module
from api.commands.console import EXIT_INPUT_ERROR
from engine.domain import Block, Leave, ManagerRef, Timetable
from engine.load import write_department
from engine.policy import parse_clock
from tests.strategies import WEEK, simple_department


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console_module.console, "width", 300)
    monkeypatch.setattr(console_module.errors, "width", 300)


def test_routes_refuse_a_timetable_that_puts_a_manager_to_work_on_his_leave(tmp_path: Path) -> None:
    department = simple_department(2)
    folder = tmp_path / "dept2"
    write_department(department.model_copy(update={"leave": (Leave(manager="m01", date=WEEK),)}), folder)
    blocks = (Block(manager="m01", date=WEEK, kind="visit", start=parse_clock("09:00"),
                         end=parse_clock("11:00")),)
    stale = Timetable(department=department.name, policy="15-13-7", week_start=WEEK, status="feasible",
                      managers=tuple(ManagerRef(id=m.id, name=m.name) for m in department.managers),
                      blocks=blocks)
    path = tmp_path / "tt.json"
    path.write_text(json.dumps(stale.to_json_dict()), "utf-8")
    result = CliRunner().invoke(app, ["routes", str(folder), "--week", WEEK.isoformat(), "--timetable", str(path)])
    assert result.exit_code == EXIT_INPUT_ERROR, result.output
    said = " ".join(result.output.replace("│", " ").split())  # however the table wraps a long path
    assert "m01 Mon 2026-11-23" in said and "on leave all day" in said
    assert "plan it again" in said
