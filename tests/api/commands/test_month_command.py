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


def test_a_month_its_checker_rejects_exits_non_zero(tmp_path: Path, policy_15_13_7: Policy,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The month checker's problems are printed and the command exits 1, the files still
    written (was: exit 0 with "the month checker found 1 problem(s)")."""
    import datetime as dt

    import api.commands.month as command
    from api.cli import app
    from engine.check.month import MonthViolation
    from engine.month import MonthPlan, MonthRoute, MonthStop, WeekSolved

    department = simple_department(2)
    folder = tmp_path / "dept"
    write_department(department, folder)
    retailer = department.territory("m01")[0].id
    plan = MonthPlan(department=department.name, policy=policy_15_13_7.name, month="2026-12",
                     days=(dt.date(2026, 12, 1),), visits=1, wanted=1,
                     weeks=(WeekSolved(week_start=MONDAYS[0], status="feasible"),),
                     routes=(MonthRoute(manager="m01", date=dt.date(2026, 12, 1), visit_start=540, visit_end=720,
                                        start_from="office",
                                        stops=(MonthStop(retailer=retailer, arrive=560, start=560, end=570),)),))
    problem = MonthViolation("key_customer", "m01", dt.date(2026, 12, 1), retailer, "a key customer left out")
    monkeypatch.setattr(command, "plan_month", lambda *args, **kwargs: plan)
    monkeypatch.setattr(command, "check_month", lambda *args, **kwargs: [problem])
    out = tmp_path / "m.json"
    result = CliRunner().invoke(app, ["month", str(folder), "--month", "2026-12", "--json", str(out)])
    assert result.exit_code == 1, result.output
    assert "found 1 problem" in result.output and "a key customer left out" in result.output
    assert out.exists()
