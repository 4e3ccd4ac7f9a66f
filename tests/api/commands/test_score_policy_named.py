"""`fieldweek score` says in one line when the plan names a policy other than the one it is
scored under: every rule and figure (the stops a day among them) is the scoring policy's,
and a seed-003 week scored under 15-13-7 said nothing of it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from benchmarks.departments import generate_department
from engine.load import write_department

WEEK = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated department of four, under 15-13-7."""
    path = tmp_path_factory.mktemp("score_policy") / "dept"
    write_department(generate_department(4, 0), path)
    return path


def _score(folder: Path, named: str, tmp_path: Path, *options: str) -> str:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"week_start": WEEK.isoformat(), "policy": named, "routes": [], "unvisited": []}),
                    "utf-8")
    result = CliRunner().invoke(app, ["score", str(plan), "--department", str(folder), *options])
    return result.output


def test_a_plan_of_another_policy_is_named_in_one_line(folder, tmp_path, wide_consoles):
    lines = [line for line in _score(folder, "seed-003", tmp_path).splitlines() if "names policy" in line]
    assert lines == ["the plan names policy 'seed-003'; it is scored under policy '15-13-7'"]
    lines = [line for line in _score(folder, "15-13-7", tmp_path, "--policy", "seed-003").splitlines()
             if "names policy" in line]
    assert lines == ["the plan names policy '15-13-7'; it is scored under policy 'seed-003'"]


def test_a_plan_of_the_scoring_policy_gets_no_such_line(folder, tmp_path, wide_consoles):
    assert "names policy" not in _score(folder, "15-13-7", tmp_path)
