"""`fieldweek routes --day` is that day of the week plan: the week is planned as without
--day and the day kept (`one_day`). The engine's own day narrowing also narrowed what the
hand-over of a manager away part of the week read, so an outside tester's five day sheets
held 200 visits of a 198-visit week, a class-A visit on a day the week did not give it and
a handed visit on no sheet. No solver here: the week plan is given."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.commands import routes as routes_module
from engine.check.routes import RouteCheck
from engine.domain import Timetable
from engine.load import write_department
from engine.policy import parse_clock
from engine.routing.plan import DayRoutePlan, RoutePlan, Shortfall, UnvisitedRetailer
from tests.strategies import WEEK, simple_department

TUESDAY = WEEK + dt.timedelta(days=1)


def route(manager: str, date: dt.date, visits: int) -> DayRoutePlan:
    clock = parse_clock("09:00")
    return DayRoutePlan(manager=manager, date=date, depart=clock, return_=clock, distance_km=1.0,
                        travel_minutes=5, stops=(), visits=visits, visit_start=clock, visit_end=clock,
                        start_from="office")


WEEK_PLAN = RoutePlan(
    week_start=WEEK, department="d", policy="15-13-7",
    routes=(route("m01", WEEK, 4), route("m01", TUESDAY, 3), route("m02", TUESDAY, 2)),
    unvisited=(UnvisitedRetailer(retailer="R1", manager="m01", reason="no_room_in_day", date=WEEK),
               UnvisitedRetailer(retailer="R2", manager="m02", reason="no_room_in_day", date=TUESDAY),
               UnvisitedRetailer(retailer="R3", manager="m02", reason="no_room_in_day")),
    shortfalls=(Shortfall(manager="m02", date=TUESDAY, area="town", required=3, planned=2, short=1,
                          message="short"),
                Shortfall(manager="m01", date=WEEK, area="town", required=5, planned=4, short=1,
                          message="short")),
    due_visits=12,
)


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch, wide_consoles: None) -> list[dict[str, Any]]:
    """The engine's arguments; it returns the week plan above whatever it is asked."""
    calls: list[dict[str, Any]] = []

    def engine(*args: Any, **kwargs: Any) -> RoutePlan:
        calls.append(kwargs)
        return WEEK_PLAN

    monkeypatch.setattr(routes_module, "plan_routes", engine)
    monkeypatch.setattr(routes_module, "week_timetable",
                        lambda *args: Timetable(department="d", policy="15-13-7", week_start=WEEK,
                                                status="feasible"))
    monkeypatch.setattr(routes_module, "check_routes",
                        lambda *args, **kwargs: RouteCheck(violations=(), visits=0, distance_km=0.0))
    return calls


def test_a_day_sheet_is_that_day_of_the_week_plan(tmp_path: Path, asked: list[dict[str, Any]]) -> None:
    folder = tmp_path / "dept"
    write_department(simple_department(2), folder)
    out = tmp_path / "tue.json"
    result = CliRunner().invoke(app, ["routes", str(folder), "--week", WEEK.isoformat(),
                                      "--day", TUESDAY.isoformat(), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert asked[0].get("day") is None  # the week planned as without --day
    sheet = json.loads(out.read_text("utf-8"))
    assert [(r["manager"], r["date"]) for r in sheet["routes"]] == [("m01", "2026-11-24"), ("m02", "2026-11-24")]
    assert [(u["retailer"], u["date"]) for u in sheet["unvisited"]] == [("R2", "2026-11-24"), ("R3", None)]
    assert [s["date"] for s in sheet["shortfalls"]] == ["2026-11-24"]
    assert sheet["scope"]["dates"] == ["2026-11-24"]
    assert (sheet["due_visits"], sheet["day_due_visits"]) == (12, 3 + 2 + 1)


def test_the_days_add_up_to_the_week() -> None:
    days = [routes_module.one_day(WEEK_PLAN, WEEK + dt.timedelta(days=n)) for n in range(5)]
    assert sum(r.visits for d in days for r in d.routes) == sum(r.visits for r in WEEK_PLAN.routes)
    assert sum(d.day_due_visits or 0 for d in days) + 1 == WEEK_PLAN.due_visits  # R3: no day took it
