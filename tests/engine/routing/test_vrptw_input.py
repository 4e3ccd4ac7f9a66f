"""Malformed VRPLIB files given to `fieldweek vrptw` and `bench vrptw`: an input
error naming the file, line and field (exit 2), never a traceback (exit 3); and
a --seed PyVRP cannot take refused up front. Tiny files, nothing is solved."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from engine.errors import InputError
from engine.routing.instances import read_instance

GOOD = """NAME : T3
TYPE : CVRPTW
DIMENSION : 3
VEHICLES : 2
CAPACITY : 10
SERVICE_TIME : 1
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 3 4
3 6 8
DEMAND_SECTION
1 0
2 4
3 5
TIME_WINDOW_SECTION
1 0 100
2 0 50
3 10 60
DEPOT_SECTION
1
-1
EOF
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems(path: Path) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(InputError) as raised:
        read_instance(path)
    assert all(p.file == str(path) for p in raised.value.problems)
    return [(p.row, p.column, p.message) for p in raised.value.problems]


def test_the_tiny_good_instance_reads(tmp_path: Path) -> None:
    problem = read_instance(write(tmp_path, "T3.vrp", GOOD))
    assert [c.demand for c in problem.clients] == [4, 5]
    assert problem.clients[1].tw_early == 100  # DIMACS: times × 10


def test_a_truncated_file_names_the_short_section_and_the_missing_one(tmp_path: Path) -> None:
    found = problems(write(tmp_path, "T3.vrp", GOOD.split("3 5\n")[0]))
    assert (12, "DEMAND_SECTION", "2 rows, but DIMENSION is 3") in found
    assert (None, "TIME_WINDOW_SECTION", "no TIME_WINDOW_SECTION") in found


def test_a_wrong_dimension_is_named_at_each_section(tmp_path: Path) -> None:
    found = problems(write(tmp_path, "T3.vrp", GOOD.replace("DIMENSION : 3", "DIMENSION : 5")))
    assert [(row, message) for row, _, message in found] == [
        (8, "3 rows, but DIMENSION is 5"),
        (12, "3 rows, but DIMENSION is 5"),
        (16, "3 rows, but DIMENSION is 5"),
    ]


def test_a_word_or_nan_where_a_number_belongs_is_named(tmp_path: Path) -> None:
    found = problems(write(tmp_path, "T3.vrp", GOOD.replace("2 4\n", "2 abc\n")
                           .replace("3 10 60", "3 nan 60")))
    assert (14, "DEMAND_SECTION demand", "'abc' is not a number") in found
    assert (19, "TIME_WINDOW_SECTION ready", "'nan' is not a number") in found


def test_an_empty_file_and_another_format_are_refused_in_one_line(tmp_path: Path) -> None:
    assert problems(write(tmp_path, "empty.vrp", "")) == [
        (None, None, "the file holds no VRPLIB instance (it is empty)")]
    cordeau = write(tmp_path, "p01", "1 2 3 4\n0 20\n0 20\n")
    [(row, _, message)] = problems(cordeau)
    assert row == 1 and message.startswith("not a VRPLIB instance")


def test_vrptw_exits_2_naming_the_file_not_3(tmp_path: Path) -> None:
    bad = write(tmp_path, "T3.vrp", GOOD.split("TIME_WINDOW_SECTION")[0])
    result = CliRunner().invoke(app, ["vrptw", str(bad), "--time-limit", "0.1"])
    assert result.exit_code == 2, result.output
    assert "TIME_WINDOW_SECTION" in result.output and "bug" not in result.output


def test_bench_refuses_a_folder_with_one_bad_file_before_solving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "A1.vrp", GOOD)
    write(tmp_path, "B1.vrp", GOOD.replace("DIMENSION : 3", "DIMENSION : x"))
    monkeypatch.chdir(tmp_path)  # short file names, whole in the table
    result = CliRunner().invoke(app, ["bench", "vrptw", ".", "--time-limit", "0.1",
                                      "--csv", "rows.csv"])
    assert result.exit_code == 2, result.output
    assert "B1.vrp" in result.output and "A1.vrp" not in result.output
    assert "DIMENSION" in result.output
    assert not (tmp_path / "rows.csv").exists()


@pytest.mark.parametrize("seed", ["-5", "5000000000"])
@pytest.mark.parametrize("command", [["vrptw", "{folder}/T3.vrp"], ["bench", "vrptw", "{folder}"]])
def test_a_seed_pyvrp_cannot_take_is_a_usage_error(
    tmp_path: Path, command: list[str], seed: str
) -> None:
    write(tmp_path, "T3.vrp", GOOD)
    args = [part.format(folder=tmp_path) for part in command]
    result = CliRunner().invoke(app, [*args, "--time-limit", "0.1", "--seed", seed])
    assert result.exit_code == 2, result.output
    assert "--seed" in result.output
