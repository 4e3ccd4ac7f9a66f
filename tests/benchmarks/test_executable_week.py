"""The executable-week benchmark (benchmarks/executable_week.py, week_measures.py):
a one-department, one-week suite through `fieldweek bench week` gives consistent
measures, and hand-made plans show that each fault is counted where it happens."""

from __future__ import annotations

import csv
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from api.commands import bench
from benchmarks.departments import BENCH_WEEK, generate_department
from benchmarks.week_measures import measure_week
from engine.check.spec import expected_visits
from engine.domain import Department
from engine.policy import Policy, load_policy

runner = CliRunner()


@pytest.mark.bench  # a bench run (7.5 s): opt-in
def test_bench_week_runs_one_small_department(tmp_path):
    """Four managers, one week, short limits: the timetable is found, and every measure
    lies in its range (planned ≤ due, coverage a percentage, counts not negative)."""
    app, group = typer.Typer(), typer.Typer()
    app.add_typer(group, name="bench")
    bench.register(app, group)
    out = tmp_path / "week.csv"
    result = runner.invoke(app, ["bench", "week", "--sizes", "4", "--seeds", "0", "--weeks", "1",
                                 "--no-sample", "--time-limit", "5", "--route-time-limit", "2",
                                 "--csv", str(out), "--md", str(tmp_path / "week.md")])
    assert result.exit_code == 0, result.output
    [row] = list(csv.DictReader(out.open(encoding="utf-8")))
    assert row["case"] == "generated-4-s0" and row["status"] in ("optimal", "feasible")
    assert 0 < int(row["planned"]) <= int(row["due"])
    assert int(row["class_a_planned"]) <= int(row["class_a_due"])
    assert 0 <= float(row["class_a_coverage_pct"]) <= 100
    for count in ("class_a_left_for_c", "idle_min", "late_arrivals", "late_office_returns",
                  "outside_opening", "first_stop_late", "visiting_after_end", "unvisited_without_reason"):
        assert int(row[count]) >= 0, count
    assert int(row["late_office_returns"]) <= int(row["late_arrivals"])
    assert "Per department-week" in (tmp_path / "week.md").read_text(encoding="utf-8")


# -- hand-made plans --------------------------------------------------------------------------------

MONDAY = BENCH_WEEK


@pytest.fixture(scope="module")
def department() -> Department:
    return generate_department(2, 0)


@pytest.fixture(scope="module")
def policy(department) -> Policy:
    return load_policy(department.policy)


def _timetable(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"department": "d", "policy": "15-13-7", "week_start": MONDAY.isoformat(), "status": "feasible",
            "blocks": [{"manager": "m01", "date": MONDAY.isoformat(), **b} for b in blocks]}


def _stop(retailer: str, kind: str, arrive: str, start: str, end: str, origin: str) -> dict[str, Any]:
    return {"retailer": retailer, "kind": kind, "arrive": arrive, "start": start, "end": end,
            "from": origin, "ride_min": 5, "ride_km": 1.0}


def _routes(stops: list[dict[str, Any]], returns: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    return {"week_start": MONDAY.isoformat(), "routes": [
        {"manager": "m01", "date": MONDAY.isoformat(), "stops": stops, "office_returns": list(returns),
         "distance_km": 0, "travel_minutes": 0}]}


VISIT_BLOCK = {"kind": "visit", "start": "09:00", "end": "12:00"}
PROMOTION = {"kind": "promotion", "start": "13:30", "end": "15:00", "retailer": "R01002"}
VISIT = _stop("R01001", "visit", "09:10", "09:10", "09:20", "office")
RETURN = {"from": "R01002", "leave": "15:00", "arrive": "15:20", "ride_min": 20, "ride_km": 3.0}


def test_an_appointment_reached_after_its_start_is_counted(department, policy):
    late = _stop("R01002", "promotion", "13:42", "13:30", "15:00", "R01001")
    week = measure_week(_timetable([VISIT_BLOCK, PROMOTION]), _routes([VISIT, late]), department, policy)
    assert (week.late_arrivals, week.late_max_min, week.late_office_returns) == (1, 12, 0)
    on_time = {**late, "arrive": "13:25"}
    week = measure_week(_timetable([VISIT_BLOCK, PROMOTION]), _routes([VISIT, on_time]), department, policy)
    assert (week.late_arrivals, week.late_max_min) == (0, 0)


def test_a_ride_back_after_the_office_block_starts_is_counted(department, policy):
    promotion = _stop("R01002", "promotion", "13:25", "13:30", "15:00", "R01001")
    blocks = [VISIT_BLOCK, PROMOTION, {"kind": "admin", "start": "15:10", "end": "17:00"}]
    week = measure_week(_timetable(blocks), _routes([VISIT, promotion], (RETURN,)), department, policy)
    assert (week.late_arrivals, week.late_office_returns, week.late_max_min) == (1, 1, 10)
    blocks[-1] = {"kind": "admin", "start": "15:30", "end": "17:00"}
    week = measure_week(_timetable(blocks), _routes([VISIT, promotion], (RETURN,)), department, policy)
    assert week.late_arrivals == 0


def test_idle_time_and_unreasoned_gaps_are_read_from_the_plan(department, policy):
    """The 3 h visit block holds a 5-min ride and a 10-min visit: 165 min idle; no
    unvisited entry is given, so every missing due visit lacks a reason."""
    week = measure_week(_timetable([VISIT_BLOCK]), _routes([VISIT]), department, policy)
    assert week.idle_min == 180 - 5 - 10
    assert week.planned <= 1 and week.unvisited_without_reason == week.due - week.planned


def test_a_class_a_visit_left_out_beside_a_class_c_visit_is_counted(department, policy):
    """m01's due class-A visits are all missing while a class-C retailer is visited."""
    own = [r for r in department.retailers if r.manager == "m01"]
    a_due = sum(expected_visits(r.id, r.visits_per_4_weeks, MONDAY) for r in own if r.retailer_class == "A")
    small = next(r for r in own if r.retailer_class == "C")
    visit = _stop(small.id, "visit", "09:10", "09:10", "09:20", "office")
    week = measure_week(_timetable([VISIT_BLOCK]), _routes([visit]), department, policy)
    assert a_due > 0 and week.class_a_left_for_c == a_due
    assert week.class_a_coverage_pct == 0
    without_c = measure_week(_timetable([VISIT_BLOCK]), _routes([]), department, policy)
    assert without_c.class_a_left_for_c == 0
