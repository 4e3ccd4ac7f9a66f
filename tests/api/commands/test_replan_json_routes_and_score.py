"""A re-plan's routes are whole routes, and `score` does not judge a re-plan as a week.

Tester C2: under a lunch-on-the-road policy (seed-003) the re-plan's routes carried only
manager, date and stops — no lunch_start / lunch_end, no rides, no visit block — while the
week's routes carry them, so a reader of the re-plan did not learn when lunch is taken;
and `fieldweek score` on a re-plan's JSON read it as a week and gave 16 or 33 false
violations (sickness read as hours owed, hand-overs as visits of the wrong manager, the
lunch as missing), exit 1, while its solver figures went unjudged. Now the re-plan's
routes carry the week's per-route fields, and `score` refuses a re-plan's JSON (exit 2)
saying why and what gives its verdict."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.commands.console import EXIT_INPUT_ERROR
from engine.load import write_department
from engine.policy import load_policy
from engine.routing.plan import plan_routes
from engine.timetable.solve import SolveParams, solve_timetable
from tests.strategies import WEEK, simple_department

WEDNESDAY = WEEK + dt.timedelta(days=2)
NOW = dt.datetime.combine(WEDNESDAY, dt.time(10, 0))
DAY_FIELDS = ("depart", "return", "distance_km", "travel_minutes", "visits", "visit_start", "visit_end",
              "start_from", "lunch_start", "lunch_end", "waiting_minutes", "idle_minutes", "office_returns",
              "required_stops")


@pytest.fixture(scope="module")
def replanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    """A four-manager department's week under seed-003 (lunch on the road), its routes,
    and its re-plan's JSON after m02 falls ill on Wednesday 10:00 until Thursday."""
    folder = tmp_path_factory.mktemp("replan_routes")
    department, policy = simple_department(4), load_policy("seed-003")
    assert policy.lunch.during_visit
    write_department(department, folder / "dept")
    solved = solve_timetable(department, policy, WEEK, SolveParams(time_limit_s=2, workers=2))
    assert solved.status in ("optimal", "feasible")
    routes = plan_routes(department, policy, solved.timetable, WEEK, time_limit_s=1).to_json_dict()
    plan = {"timetable": solved.timetable.to_json_dict(), "routes": routes}
    (folder / "plan.json").write_text(json.dumps(plan), "utf-8")
    (folder / "events.json").write_text(json.dumps([{"type": "manager_sick", "manager": "m02",
                                                     "from": NOW.isoformat(), "until": "2026-11-26"}]), "utf-8")
    result = CliRunner().invoke(app, ["replan", str(folder / "dept"), "--plan", str(folder / "plan.json"),
                                      "--policy", "seed-003", "--now", NOW.isoformat(),
                                      "--event", str(folder / "events.json"), "--time-limit", "2",
                                      "--workers", "2", "--json", str(folder / "replan.json")])
    assert result.exit_code == 0, result.output
    return folder, routes, json.loads((folder / "replan.json").read_text("utf-8"))


def test_the_replans_routes_carry_the_weeks_fields_and_the_lunch_on_the_road(replanned) -> None:
    _, week, after = replanned
    routes = after["routes"]
    assert routes
    for route in routes:
        missing = [key for key in DAY_FIELDS if key not in route]
        assert not missing, f"{route['manager']} {route['date']} lacks {missing}"
    # Every day with visits on the road states its lunch, save the sick manager's from his sickness on.
    sick = {("m02", WEDNESDAY.isoformat()), ("m02", (WEDNESDAY + dt.timedelta(days=1)).isoformat())}
    lunchless = [(r["manager"], r["date"]) for r in routes
                 if r["visits"] and (r["lunch_start"] is None or r["lunch_end"] is None)]
    assert not [key for key in lunchless if key not in sick]
    assert ("m02", WEDNESDAY.isoformat()) in {(r["manager"], r["date"]) for r in routes}
    # A day no event touched is the week's day, field by field (stops' rides too).
    before = {(r["manager"], r["date"]): r for r in week["routes"]}
    unchanged = [r for r in routes if r["manager"] != "m02" and r["date"] < WEDNESDAY.isoformat()]
    assert unchanged
    for route in unchanged:
        old = before[(route["manager"], route["date"])]
        assert {k: route[k] for k in DAY_FIELDS} == {k: old[k] for k in DAY_FIELDS}
        assert [(s["retailer"], s["from"], s["ride_km"], s["ride_min"]) for s in route["stops"]] == \
            [(s["retailer"], s["from"], s["ride_km"], s["ride_min"]) for s in old["stops"]]
    # m02 falls ill at 10:00 on Wednesday: no lunch of his is stated after that.
    wednesday = next(r for r in routes if (r["manager"], r["date"]) == ("m02", WEDNESDAY.isoformat()))
    assert wednesday["lunch_start"] is None and wednesday["visit_end"] == "10:00"


def test_score_refuses_a_replans_json_saying_why_and_what_judges_it(replanned, monkeypatch) -> None:
    folder, _, _ = replanned
    monkeypatch.setenv("COLUMNS", "400")
    result = CliRunner().invoke(app, ["score", str(folder / "replan.json"), "--department", str(folder / "dept"),
                                      "--policy", "seed-003"])
    assert result.exit_code == EXIT_INPUT_ERROR, result.output
    words = " ".join(result.output.split())
    assert "re-plan's result" in words and "`check`" in words and "fieldweek replan" in words
    assert "violation" not in words.lower() and "NOT executable" not in words


def test_score_still_judges_the_weeks_plan(replanned) -> None:
    folder, _, _ = replanned
    result = CliRunner().invoke(app, ["score", str(folder / "plan.json"), "--department", str(folder / "dept"),
                                      "--policy", "seed-003"])
    assert result.exit_code in (0, 1), result.output
    assert "re-plan's result" not in result.output
