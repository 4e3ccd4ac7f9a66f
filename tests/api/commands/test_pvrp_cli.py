"""`fieldweek pvrp` writes the JSON contract (instance, distance, days of routes
of customer numbers 1..n, depot left out) and `fieldweek bench pvrp` reports both
approaches, each verified; a bad file is an input error naming its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.commands import console as console_module
from api.commands import pvrp as pvrp_module
from api.commands.console import EXIT_INPUT_ERROR
from tests.engine.routing.pvrp_cases import write_two_clusters


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console_module.errors, "width", 300)
    monkeypatch.setattr(pvrp_module.console, "width", 300)


def test_pvrp_writes_the_json_contract(tmp_path: Path) -> None:
    path = write_two_clusters(tmp_path / "two")
    out = tmp_path / "two.json"
    result = CliRunner().invoke(app, ["pvrp", str(path), "--time-limit", "1", "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert {"instance", "distance", "days"} <= set(data)
    assert data["instance"] == "two" and data["feasible"] is True
    assert len(data["days"]) == 2
    visited = sorted(c for routes in data["days"] for route in routes for c in route)
    assert visited == list(range(1, 9))  # each once, numbered as in the file, no depot
    assert isinstance(data["distance"], float) and data["distance"] > 0
    assert "two:" in result.output and "feasible" in result.output


def test_bench_pvrp_reports_both_approaches(tmp_path: Path) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    write_two_clusters(folder / "two")
    (folder / "bks.csv").write_text("instance,bks,source\ntwo,170,test\n")
    (folder / "README.md").write_text("not an instance\n")
    md = tmp_path / "out.md"
    result = CliRunner().invoke(app, ["bench", "pvrp", str(folder), "--time-limit", "1",
                                      "--md", str(md)])
    assert result.exit_code == 0, result.output
    text = md.read_text()
    assert "| two | 170 |" in text
    assert "| product | 1 | 0 |" in text and "| plain | 1 | 0 |" in text


def test_pvrp_bad_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "bad"
    path.write_text("1 2 8 2\n0 100\n0 100\n0 0 0 0 0 0 0\n1 3 x 0 10 1 2 2 1\n")
    result = CliRunner().invoke(app, ["pvrp", str(path)])
    assert result.exit_code == EXIT_INPUT_ERROR
    assert "'x' is not a number" in result.output and "Traceback" not in result.output
