"""`fieldweek feedback` against a plan that holds no timetable (the solver found no week:
status unknown or infeasible, no blocks) is refused naming the plan, exit 2; it gave
exit 0 with every visit "missed"."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from engine.domain import ManagerRef, Timetable
from engine.load import write_department
from tests.strategies import WEEK, simple_department


@pytest.mark.parametrize("status", ["unknown", "infeasible"])
def test_a_plan_without_a_timetable_is_refused(tmp_path: Path, status: str, wide_consoles: None) -> None:
    department = simple_department(2)
    folder = tmp_path / "dept"
    write_department(department, folder)
    plan = tmp_path / "plan.json"
    plan.write_text(Timetable(department=department.name, policy="15-13-7", week_start=WEEK, status=status,
                              managers=tuple(ManagerRef(id=m.id, name=m.name) for m in department.managers),
                              ).model_dump_json(), encoding="utf-8")
    result = CliRunner().invoke(app, ["feedback", str(folder), "--week", WEEK.isoformat(), "--plan", str(plan)],
                                terminal_width=300)
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert f"the plan has no timetable (status {status}, no blocks)" in said and "plan.json" in said
