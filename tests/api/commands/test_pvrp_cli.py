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


@pytest.mark.parametrize("seed", ["-5", "5000000000"])
def test_a_seed_out_of_range_is_refused_before_solving(tmp_path: Path, seed: str) -> None:
    path = write_two_clusters(tmp_path / "two")
    result = CliRunner().invoke(app, ["pvrp", str(path), "--seed", seed])
    assert result.exit_code == 2, result.output
    assert "--seed" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(app, ["bench", "pvrp", str(tmp_path), "--seed", seed])
    assert result.exit_code == 2, result.output


def test_a_json_path_that_is_a_folder_is_refused_before_solving(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_two_clusters(tmp_path / "two")

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("solved before checking --json")

    monkeypatch.setattr(pvrp_module, "solve_pvrp", never)
    result = CliRunner().invoke(app, ["pvrp", str(path), "--json", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "is a folder" in " ".join(result.output.replace("│", " ").split())  # however the box wraps it


def test_an_infeasible_plan_has_no_gap_and_no_share_of_the_mean(tmp_path: Path) -> None:
    """The plain plan missing customer 1 (its distance below the best known)
    shows "infeasible", not a gap, and the mean gap is over feasible plans only."""
    from engine.routing.periodic import PvrpSolution

    path = write_two_clusters(tmp_path / "two")
    full = PvrpSolution("two", (((1, 2, 3, 4),), ((5, 6, 7, 8),)), (), 0.0, True, 0.1)
    short = PvrpSolution("two", (((2, 3, 4),), ((5, 6, 7, 8),)), (), 0.0, False, 0.1)
    product = pvrp_module.checked_row("product", path, full, 170.0)
    plain = pvrp_module.checked_row("plain", path, short, 170.0)
    assert product.feasible and product.gap_pct is not None
    assert not plain.feasible and plain.gap_pct is None
    summary_head, summary = pvrp_module.tables([product, plain])["Summary"]
    _, body = pvrp_module.tables([product, plain])["Per instance"]
    assert body[0][6] == "infeasible"
    column = summary_head.index("mean gap (feasible only)")
    assert "mean gap (all)" not in summary_head
    assert summary[1][:3] == ["plain", "1", "1"] and summary[1][column] == "–"
    assert summary[0][column] == f"{product.gap_pct:.2f} %"
