"""The scaling suite's arithmetic and output (benchmarks/scale.py): the fitted growth
exponent, the milestones of one small timetable solve, and the tables and charts."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import typer
from matplotlib.axes import Axes
from typer.testing import CliRunner

from api.commands import bench
from benchmarks.departments import BENCH_WEEK, generate_department
from benchmarks.scale import (
    PLANNED,
    RoutePoint,
    TimetablePoint,
    growth_exponent,
    route_case,
    route_point,
    scale_markdown,
    timetable_point,
    write_scale_plots,
)
from engine.domain import Timetable
from engine.policy import load_policy


def test_growth_exponent_is_the_log_log_slope() -> None:
    """Times that grow with the square of the size give 2; missing points are skipped;
    fewer than two points give none."""
    assert growth_exponent([1, 2, 4, 8], [3, 12, 48, None]) == pytest.approx(2.0)
    assert growth_exponent([10, 100], [5.0, 5.0]) == pytest.approx(0.0, abs=1e-9)
    assert growth_exponent([6, 13], [1.0, None]) is None


def test_a_small_timetable_reaches_its_milestones_in_order() -> None:
    """Two managers: a first week is found, and no milestone comes before the first week."""
    point = timetable_point(2, decompose=True, time_limit=3, seed=0, workers=2)
    assert point.status in ("optimal", "feasible") and point.first_feasible_s is not None
    for later in (point.one_percent_s, point.proof_s):
        assert later is None or later >= point.first_feasible_s


def test_tables_and_charts_name_both_approaches(tmp_path: Path) -> None:
    """The markdown holds a row per point and the exponents of both approaches; the two
    charts are written."""
    timetables = [TimetablePoint(m, a, "feasible", 0.1 * m, 0.2 * m, None, 0.05)
                  for m in (6, 12) for a in ("product", "plain")]
    routes = [RoutePoint(n, n // 250, a, n / 500, n // 10, n // 5, n / 3.0)
              for n in (1000, 2000) for a in ("product", "plain")]
    text = scale_markdown(timetables, routes)
    rows = [line for line in text.splitlines() if line[2:3].isdigit()]
    assert len(rows) == 8 and sum("| product |" in row for row in rows) == 4
    assert "| timetable: first feasible | 1.00 | 1.00 |" in text
    assert "| routes: wall seconds | 1.00 | 1.00 |" in text
    written = write_scale_plots(timetables, routes, tmp_path)
    assert [p.name for p in written] == ["scale_timetable.png", "scale_routes.png"]
    assert all(p.stat().st_size > 1000 for p in written)


def test_a_small_route_case_has_enough_managers_for_a_week() -> None:
    """250 retailers would be one manager, whose week has no timetable (the pair sessions
    need two): the case keeps its 250 retailers among as many managers as a pair needs,
    and its week has blocks to route."""
    department, policy, timetable = route_case(250, 543, timetable_s=2)
    assert len(department.managers) >= policy.pairs.size >= 2
    assert len(department.retailers) == 250
    assert timetable.blocks


@pytest.mark.filterwarnings("ignore:No artists with labels")  # no timetable lines in this chart
def test_a_week_without_a_timetable_is_marked_and_left_out(tmp_path: Path, monkeypatch) -> None:
    """A route case whose week has no timetable says so in its status; the table shows it,
    and neither the exponent nor the chart takes its seconds."""
    department = generate_department(1, 0, retailers_per_manager=5)
    policy = load_policy(department.policy)
    empty = Timetable(department=department.name, policy=policy.name, week_start=BENCH_WEEK, status="infeasible")
    point = route_point((department, policy, empty), pooled=False, seconds_per_manager=0.1, seed=0)
    assert point.status != PLANNED and "infeasible" in point.status and point.visits == 0
    routes = [RoutePoint(250, 1, a, 0.02, 0, 122, 0.0, point.status) for a in ("product", "plain")]
    routes += [RoutePoint(n, n // 250, a, n / 500, n // 10, n // 5, n / 3.0) for n in (500, 1000)
               for a in ("product", "plain")]
    text = scale_markdown([], routes)
    assert f"| 250 | 1 | product | {point.status} | 0.0 |" in text
    assert "| routes: wall seconds | 1.00 | 1.00 |" in text
    drawn: list[list[float]] = []
    plot = Axes.plot

    def record(self, *args, **kwargs):  # the x values of every line drawn
        if args and not isinstance(args[0], str):
            drawn.append(list(args[0]))
        return plot(self, *args, **kwargs)

    monkeypatch.setattr(Axes, "plot", record)
    write_scale_plots([], routes, tmp_path)
    assert drawn == [[500, 1000], [500, 1000]]


def test_bench_scale_writes_the_tables_rows_as_csv(tmp_path: Path, monkeypatch) -> None:
    """`--csv` writes one row per timetable and route point, with the table's measures."""
    timetables = [TimetablePoint(6, a, "feasible", 1.5, None, None, 0.5) for a in ("product", "plain")]
    routes = [RoutePoint(500, 2, a, 1.9, 147, 239, 115.9) for a in ("product", "plain")]
    monkeypatch.setattr(bench, "run_scale_suite", lambda *args, **kwargs: (timetables, routes))
    app, group = typer.Typer(), typer.Typer()
    app.add_typer(group, name="bench")
    bench.register(app, group)
    out = tmp_path / "scale.csv"
    result = CliRunner().invoke(app, ["bench", "scale", "--sizes", "6", "--retailers", "500", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["suite"], r["approach"]) for r in rows] == [
        ("timetable", "product"), ("timetable", "plain"), ("routes", "product"), ("routes", "plain")]
    assert rows[0]["first_feasible_s"] == "1.5" and rows[0]["status"] == "feasible"
    assert rows[2]["visits"] == "147" and rows[2]["km"] == "115.9" and rows[2]["status"] == PLANNED
