"""`fieldweek routes --manager` plans one manager alone and hands nothing over, but the week
plan gives a neighbour the visits of a colleague away all week or most of it: an outside
tester's m01 read 36/36 of his own visits and no note, while the week plan had him make 17
of m03's and m06's and leave 15 of his own out. The console now says so, naming them.
No solver here: the engine's plan is replaced by an empty one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.commands import routes as routes_module
from api.commands.routes import alone_note
from engine.check.routes import RouteCheck
from engine.domain import Leave, Timetable
from engine.load import write_department
from engine.policy import Policy
from tests.strategies import WEEK, simple_department

AWAY = (*(Leave(manager="m03", date=WEEK + dt.timedelta(days=n)) for n in range(5)),
        *(Leave(manager="m04", date=WEEK + dt.timedelta(days=n)) for n in range(4)))
"""m03 away all week, m04 all but Friday; their territories lie about a kilometre from m01's."""


def test_a_neighbour_planned_alone_is_told_the_week_plan_gives_him_the_away_ones_visits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wide_consoles: None) -> None:
    monkeypatch.setattr(routes_module, "plan_routes",
                        lambda *args, **kwargs: routes_module.RoutePlan(week_start=WEEK))
    monkeypatch.setattr(routes_module, "week_timetable",
                        lambda *args: Timetable(department="d", policy="15-13-7", week_start=WEEK,
                                                status="feasible"))
    monkeypatch.setattr(routes_module, "check_routes",
                        lambda *args, **kwargs: RouteCheck(violations=(), visits=0, distance_km=0.0))
    folder = tmp_path / "dept"
    write_department(simple_department(4, AWAY), folder)
    result = CliRunner().invoke(app, ["routes", str(folder), "--week", WEEK.isoformat(), "--manager", "m01"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "a plan of m01 alone hands nothing over" in text
    assert "m03 (away all week), m04 (away most of the week)" in text


def test_the_away_one_is_told_where_the_week_plan_sends_his_visits(policy_15_13_7: Policy) -> None:
    note = alone_note(simple_department(4, AWAY), policy_15_13_7, WEEK, "m03")
    assert note is not None and "away all of the week" in note and "(m02, m01)" in note


def test_no_note_without_an_away_colleague(policy_15_13_7: Policy) -> None:
    assert alone_note(simple_department(4), policy_15_13_7, WEEK, "m01") is None
