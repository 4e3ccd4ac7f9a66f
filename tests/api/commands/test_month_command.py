"""`fieldweek month` with a week that has no timetable: said loudly, never "no problem"."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.domain import Conflict, Timetable
from engine.load import write_department
from engine.month import plan_month
from engine.policy import Policy
from engine.timetable.solve import SolveParams, solve_timetable
from tests.engine.month_cases import MONDAYS, moved_weeks
from tests.strategies import simple_department


def test_a_week_without_timetable_fails_the_month(tmp_path: Path, policy_15_13_7: Policy,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The week of 12-07 has no timetable (its visits cannot be planned): the month exits
    non-zero and names the week, though the month checker accepts the visits it lists as
    unplanned (was: exit 0, "the independent month checker found no problem")."""
    import api.commands.month as command
    from api.cli import app

    department = simple_department(2)
    folder = tmp_path / "dept"
    write_department(department, folder)
    solved = solve_timetable(department, policy_15_13_7, MONDAYS[0], SolveParams(time_limit_s=2.0, workers=2))
    weeks = moved_weeks(solved.timetable, MONDAYS)
    weeks[MONDAYS[1]] = Timetable(department=department.name, policy=policy_15_13_7.name, week_start=MONDAYS[1],
                                  status="infeasible", conflicts=(Conflict(rules=(), message="no week"),))
    monkeypatch.setattr(command, "plan_month", lambda *args, **kwargs: plan_month(*args, timetables=weeks, **kwargs))
    result = CliRunner().invoke(app, ["month", str(folder), "--month", "2026-12", "--assign-time-limit", "1",
                                      "--route-time-limit", "0", "--workers", "2"])
    assert result.exit_code == 1, result.output
    assert "no timetable" in result.output and "12-07: infeasible" in result.output
    assert "found no problem" not in result.output
