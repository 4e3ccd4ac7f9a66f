"""`fieldweek vrptw` and `bench vrptw` refuse an OR-Tools first-solution strategy OR-Tools
does not have as they refuse an unknown backend: exit 2 naming --backend and the choices,
before any solving. `--backend ortools:BOGUS` reached the solver and exited 3 as a bug."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.commands.console import EXIT_INPUT_ERROR

pytestmark = pytest.mark.usefixtures("wide_consoles")

# A depot and two customers with wide windows (times in file units).
TINY_VRPLIB = """NAME : TWO
TYPE : CVRPTW
DIMENSION : 3
VEHICLES : 2
CAPACITY : 10
SERVICE_TIME : 5
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 10 0
3 0 10
DEMAND_SECTION
1 0
2 4
3 3
TIME_WINDOW_SECTION
1 0 200
2 0 100
3 0 100
DEPOT_SECTION
1
-1
EOF
"""


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    path = tmp_path / "TWO.vrp"
    path.write_text(TINY_VRPLIB)
    return path


def _words(result) -> str:
    return " ".join(result.output.split())


def test_an_unknown_first_solution_strategy_is_an_input_error(instance):
    result = CliRunner().invoke(app, ["vrptw", str(instance), "--backend", "ortools:BOGUS",
                                      "--time-limit", "0.05"])
    assert result.exit_code == EXIT_INPUT_ERROR, result.output
    words = _words(result)
    assert "'--backend'" in words and "BOGUS" in words
    assert "PATH_CHEAPEST_ARC" in words and "PARALLEL_CHEAPEST_INSERTION" in words


def test_bench_refuses_it_before_solving_the_other_backends(instance):
    result = CliRunner().invoke(app, ["bench", "vrptw", str(instance.parent), "--backend",
                                      "pyvrp,ortools:BOGUS", "--time-limit", "0.05"])
    assert result.exit_code == EXIT_INPUT_ERROR, result.output
    assert "'--backend'" in _words(result) and "TWO" not in _words(result)


def test_an_unknown_backend_names_the_option_too(instance):
    result = CliRunner().invoke(app, ["vrptw", str(instance), "--backend", "gurobi"])
    assert result.exit_code == EXIT_INPUT_ERROR, result.output
    assert "'--backend'" in _words(result) and "ortools" in _words(result)


def test_a_known_strategy_in_any_case_still_solves(instance):
    result = CliRunner().invoke(app, ["vrptw", str(instance), "--backend", "ortools:path_cheapest_arc",
                                      "--time-limit", "0.05"])
    assert result.exit_code == 0, result.output
    assert "ortools:PATH_CHEAPEST_ARC" in _words(result)
