"""The quality commands end to end (api/commands/score.py, baseline.py, bench.py, over the
benchmarks package) on a local typer app: `score`, `baseline`, and `bench
timetable|routes` on a tiny suite."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from api.commands import baseline, bench, score
from api.commands.console import EXIT_NO_PLAN
from benchmarks.cases import CaseResult
from benchmarks.charts import write_plots
from benchmarks.departments import BENCH_WEEK, generate_department
from benchmarks.tables import cases_markdown, write_cases_csv
from engine.baseline import baseline_timetable
from engine.load import write_department
from engine.policy import load_policy

runner = CliRunner()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    """A fieldweek app holding only the quality commands."""
    app = typer.Typer()
    group = typer.Typer()
    app.add_typer(group, name="bench")
    for module in (score, baseline, bench):
        module.register(app, group)
    return app


@pytest.fixture(scope="module")
def small_department_dir(tmp_path_factory) -> Path:
    """A generated four-manager department written as a folder."""
    folder = tmp_path_factory.mktemp("dept4")
    write_department(generate_department(4, 0), folder)
    return folder


@pytest.mark.bench  # a bench run: its optimised-vs-hand-made comparison needs a quiet machine (opt-in)
def test_bench_timetable_runs_end_to_end(app, tmp_path):
    """A one-case suite (4 managers) prints both plans and writes CSV, markdown and charts;
    the optimised week breaks no rule and costs no more than the hand-made one.

    The four-manager week is not proven optimal even in 20 s (its group floors and first
    week take under 3 s on 2 cores); 4 s gives it a week the search has worked on."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["bench", "timetable", "--sizes", "4", "--time-limit", "4",
                                 "--csv", str(out / "q.csv"), "--md", str(out / "q.md"),
                                 "--plot", str(out / "plots")])
    assert result.exit_code == 0, result.output
    assert "hand-made baseline" in result.output
    rows = list(csv.DictReader((out / "q.csv").open(encoding="utf-8")))
    assert [r["plan"] for r in rows] == ["optimised", "hand-made baseline"]
    assert rows[1]["violations"] == "0" and float(rows[1]["objective"]) > 0
    assert rows[0]["status"] in ("optimal", "feasible"), rows[0]
    assert rows[0]["violations"] == "0"
    assert float(rows[0]["objective"]) <= float(rows[1]["objective"])
    markdown = (out / "q.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Plan quality") and "Command: `" in markdown
    charts = sorted(p.name for p in (out / "plots").glob("*.png"))
    assert {"gap-vs-time.png", "timetable-generated-4-baseline-gantt.png",
            "timetable-generated-4-optimised-gantt.png", "timetable-generated-4-daily-load.png"} <= set(charts)


def test_a_case_without_a_week_is_reported_not_dropped(tmp_path):
    """A case whose solver found no week in time keeps its row (status unknown, no
    optimised measures) beside the baseline's, and the charts draw only the baseline."""
    department = generate_department(2, 0)
    policy = load_policy(department.policy)
    case = CaseResult(suite="timetable", case="generated-2", managers=2, status="unknown",
                      objective=None, bound=None, gap=None, seconds=0.5, policy=policy,
                      baseline={"violations": 0, "objective": 120.0},
                      timetables={"baseline": baseline_timetable(department, policy, BENCH_WEEK)})
    rows = list(csv.DictReader(write_cases_csv([case], tmp_path / "q.csv").open(encoding="utf-8")))
    assert [(r["plan"], r["status"]) for r in rows] == [("optimised", "unknown"),
                                                       ("hand-made baseline", "unknown")]
    assert rows[0]["objective"] == "" and rows[1]["objective"] == "120.0"
    assert "| timetable | generated-2 | 2 | unknown |" in cases_markdown([case], "fieldweek bench")
    charts = {p.name for p in write_plots([case], tmp_path / "plots")}
    assert charts == {"gap-vs-time.png", "timetable-generated-2-baseline-gantt.png",
                      "timetable-generated-2-daily-load.png"}


@pytest.mark.bench  # a bench run (6.4 s): opt-in
def test_bench_routes_runs_end_to_end(app, small_department_dir, tmp_path):
    """The routes suite on a small department: optimised, hand-made, and hand-made routes on
    the optimised timetable, each with route measures."""
    result = runner.invoke(app, ["bench", "routes", "--department", str(small_department_dir),
                                 "--time-limit", "3", "--csv", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((tmp_path / "r.csv").open(encoding="utf-8")))
    assert rows[0]["status"] in ("optimal", "feasible"), rows[0]
    assert [r["plan"] for r in rows] == ["optimised", "hand-made baseline", "hand routes on optimised"]
    assert all(r["route_km"] not in ("", None) and float(r["route_km"]) > 0 for r in rows)


def test_baseline_then_score(app, small_department_dir, tmp_path):
    """`baseline` writes the hand-made week; `score` reads it back and reports no broken
    timetable rule, with every measure in the JSON and markdown."""
    plan = tmp_path / "plan.json"
    result = runner.invoke(app, ["baseline", str(small_department_dir), "--week", "2026-11-23",
                                 "--no-routes", "--json", str(plan)])
    assert result.exit_code == 0, result.output
    assert json.loads(plan.read_text(encoding="utf-8"))["blocks"]
    report_path, md_path = tmp_path / "report.json", tmp_path / "report.md"
    result = runner.invoke(app, ["score", str(plan), "--department", str(small_department_dir),
                                 "--json", str(report_path), "--md", str(md_path)])
    assert result.exit_code == 0, result.output
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["summary"]["violations"] == 0
    assert report["hours"] and report["pairs"] and report["days"]
    assert "## Pairs" in md_path.read_text(encoding="utf-8")


def test_baseline_says_why_it_cannot(app, tmp_path):
    """A department of one cannot be paired: the command exits with the no-plan code and
    the reason, and writes nothing."""
    folder = tmp_path / "one"
    write_department(generate_department(1, 0), folder)
    result = runner.invoke(app, ["baseline", str(folder), "--week", "2026-11-23",
                                 "--json", str(tmp_path / "plan.json")])
    assert result.exit_code == EXIT_NO_PLAN
    assert "pair" in result.output
    assert not (tmp_path / "plan.json").exists()


def test_score_rejects_what_is_not_a_plan(app, small_department_dir, tmp_path):
    """A JSON file with neither blocks nor routes is an input error, not a crash."""
    plan = tmp_path / "nothing.json"
    plan.write_text('{"hello": 1}', encoding="utf-8")
    result = runner.invoke(app, ["score", str(plan), "--department", str(small_department_dir)])
    assert result.exit_code == 2
    assert "neither a timetable" in result.output
