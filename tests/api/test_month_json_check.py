"""The month JSON says what the month checker found (its `check`, shaped as the
re-plan's): a program reading the file saw no sign of the problems the exit code 1
stood for."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.commands.month import month_check
from engine.check.month import MonthViolation
from engine.load import write_department
from engine.month import MonthPlan, MonthRoute, MonthStop, WeekSolved
from engine.policy import Policy
from tests.engine.month_cases import MONDAYS
from tests.strategies import simple_department

DAY = dt.date(2026, 12, 1)


def _plan(retailer: str, policy: Policy, status: str = "feasible") -> MonthPlan:
    return MonthPlan(department="d", policy=policy.name, month="2026-12", days=(DAY,), visits=1, wanted=1,
                     weeks=(WeekSolved(week_start=MONDAYS[0], status=status),),
                     routes=(MonthRoute(manager="m01", date=DAY, visit_start=540, visit_end=720,
                                        start_from="office",
                                        stops=(MonthStop(retailer=retailer, arrive=560, start=560, end=570),)),))


def _run(tmp_path: Path, policy: Policy, monkeypatch: pytest.MonkeyPatch,
         problems: list[MonthViolation]) -> tuple[int, dict]:
    import api.commands.month as command
    from api.cli import app

    department = simple_department(2)
    folder = tmp_path / "dept"
    write_department(department, folder)
    plan = _plan(department.territory("m01")[0].id, policy)
    monkeypatch.setattr(command, "plan_month", lambda *args, **kwargs: plan)
    monkeypatch.setattr(command, "check_month", lambda *args, **kwargs: problems)
    out = tmp_path / "m.json"
    result = CliRunner().invoke(app, ["month", str(folder), "--month", "2026-12", "--json", str(out)])
    return result.exit_code, json.loads(out.read_text(encoding="utf-8"))


def test_the_month_json_lists_the_checkers_problems(tmp_path: Path, policy_15_13_7: Policy,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    problem = MonthViolation("key_customer", "m01", DAY, "R1", "a key customer left out")
    code, data = _run(tmp_path, policy_15_13_7, monkeypatch, [problem])
    assert code == 1
    assert data["check"] == {
        "executable": False,
        "violations": [{"rule": "key_customer", "manager": "m01", "date": "2026-12-01", "retailer": "R1",
                        "message": "a key customer left out"}],
        "weeks_without_timetable": [],
    }
    assert data["routes"] and data["month"] == "2026-12"  # the plan's own fields are kept


def test_a_month_without_problems_says_so(tmp_path: Path, policy_15_13_7: Policy,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    code, data = _run(tmp_path, policy_15_13_7, monkeypatch, [])
    assert code == 0
    assert data["check"] == {"executable": True, "violations": [], "weeks_without_timetable": []}


def test_a_week_without_timetable_is_not_executable(policy_15_13_7: Policy) -> None:
    plan = _plan("R1", policy_15_13_7, status="infeasible")
    check = month_check(plan, [], plan.weeks)
    assert check["executable"] is False
    assert check["weeks_without_timetable"] == [{"week_start": MONDAYS[0].isoformat(), "status": "infeasible"}]
    assert month_check(plan.model_copy(update={"routes": ()}), [], [])["executable"] is False
