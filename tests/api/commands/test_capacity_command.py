"""`fieldweek capacity`: the figures and the proposal printed and written as JSON, and
`--apply` writing a complete department folder (every other file kept, a policy given as
a relative path still found) whose week plans every due visit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.commands import console as console_module
from engine.domain import Department, Retailer
from engine.load import load_department_with_policy, write_department
from engine.policy import load_policy
from tests.locations import REPO
from tests.strategies import WEEK, simple_department

FAST = ["--time-limit", "3", "--route-time-limit", "2"]


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wide enough that no table cell or message is wrapped mid-word."""
    monkeypatch.setattr(console_module.console, "width", 300)
    monkeypatch.setattr(console_module.errors, "width", 300)


def _overloaded(tmp_path: Path) -> Path:
    """Two neighbouring managers: m01 with more weekly visits than his visit blocks hold,
    m02 with a handful; the policy is a file beside the folder, named by a relative path;
    a holidays.csv that the command must carry over."""
    base = simple_department(2)
    m01 = next(r for r in base.retailers if r.manager == "m01")
    busy = tuple(
        Retailer(id=f"x{k:02d}", name=f"busy shop {k}", lat=m01.lat + (k % 7) * 0.002,
                 lon=m01.lon + (k // 7) * 0.002, manager="m01", retailer_class="AB"[k % 2],
                 visits_per_4_weeks=4, area="town", opens=8 * 60, closes=21 * 60, service_min=20)
        for k in range(45))
    policies = tmp_path / "policies"
    policies.mkdir()
    shutil.copy(REPO / "data" / "policies" / "15-13-7.toml", policies / "ours.toml")
    department = Department.model_validate({**base.model_dump(by_alias=True),
                                            "retailers": (*base.retailers, *busy),
                                            "policy": "../policies/ours.toml"})
    folder = tmp_path / "dept"
    write_department(department, folder)
    (folder / "holidays.csv").write_text("date,kind,name\n2026-10-01,holiday,National Day\n", "utf-8")
    return folder


@pytest.mark.bench  # plans a whole week (19 s): opt-in; test_capacity_applied plans the written folder
def test_apply_writes_a_folder_whose_week_plans_every_due_visit(tmp_path: Path) -> None:
    """m01 is short: the command prints his need against his visit blocks, proposes moves
    to m02, proves them by planning again, and --apply writes a folder that loads (policy
    found, holidays kept) with the moved retailers in m02's territory."""
    folder = _overloaded(tmp_path)
    out = tmp_path / "out" / "applied"
    result = CliRunner().invoke(app, ["capacity", str(folder), "--week", WEEK.isoformat(), *FAST,
                                      "--json", str(tmp_path / "capacity.json"), "--apply", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "capacity.json").read_text("utf-8"))
    m01 = next(m for m in report["before"]["managers"] if m["manager"] == "m01")
    assert m01["unplanned_visits"] > 0 and m01["need_min"] == m01["service_min"] + m01["riding_min"]
    changes = report["proposal"]["changes"]
    assert changes and all(c["manager"] == "m01" for c in changes)
    assert any(c["kind"] == "move" and c["to_manager"] == "m02" for c in changes)
    assert not any(c["kind"] == "lower_frequency" and c["retailer_class"] == "A" for c in changes)
    assert report["fits"] is True and report["rounds"][-1]["unplanned_visits"] == 0
    assert "proposed changes" in result.stdout and "every due visit of the week is planned" in result.stdout

    assert "2026-10-01,holiday,National Day" in (out / "holidays.csv").read_text("utf-8-sig")
    department, policy = load_department_with_policy(out)
    assert policy == load_policy(tmp_path / "policies" / "ours.toml")
    moved = {c["retailer"] for c in changes if c["kind"] == "move"}
    assert {r.id for r in department.territory("m02")} >= moved
    # The folder's week planned afresh, twice, is tests/engine/test_capacity_applied.py's;
    # here the command verified its proposal with its own fresh plans (`report["fits"]`).


def test_apply_refuses_the_department_folder_itself(tmp_path: Path) -> None:
    """Writing the changes over the input folder would lose it: exit 2, nothing planned."""
    write_department(simple_department(2), tmp_path / "dept")
    result = CliRunner().invoke(app, ["capacity", str(tmp_path / "dept"), "--week", WEEK.isoformat(),
                                      *FAST, "--no-verify", "--apply", str(tmp_path / "dept")])
    assert result.exit_code == 2, result.output
    assert "is the department folder itself" in result.stderr
