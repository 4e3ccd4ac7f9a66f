"""`fieldweek score` does not take a plan's own word for what it leaves out: a routes file
that covers part of the week says so (console and JSON), a weekly shortfall declared for a
reason no planner gives is a fault, and routes that name a strange retailer, stop kind or
week are refused as bad input (tester's scope_trick, declared_short_tt, unvisited_unknown,
stop_kind_bad, route_week_mismatch: each scored exit 0 or 102 lines of "due")."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.commands.console import EXIT_NO_PLAN
from benchmarks.departments import generate_department
from engine.baseline import baseline_timetable
from engine.load import write_department
from engine.policy import load_policy

WEEK = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, str]:
    """A generated department of four, its hand-made week, and one of m01's retailers."""
    department = generate_department(4, 0)
    folder = tmp_path_factory.mktemp("score_scope") / "dept"
    write_department(department, folder)
    retailer = next(r.id for r in department.retailers if r.manager == "m01")
    return folder, baseline_timetable(department, load_policy("15-13-7"), WEEK).to_json_dict(), retailer


def _routes(retailer: str, managers: list[str], **changes) -> dict:
    """m01's Monday route with no stop; `changes` overrides the document's fields."""
    route = {"manager": "m01", "date": WEEK.isoformat(), "stops": [], "visits": 0,
             "visit_start": "08:30", "visit_end": "11:30", "start_from": "office"}
    return {"week_start": WEEK.isoformat(), "scope": {"managers": managers, "dates": []}, "routes": [route],
            "unvisited": [], **changes}


def _score(folder: Path, plan: dict, tmp_path: Path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), "utf-8")
    result = CliRunner().invoke(app, ["score", str(path), "--department", str(folder),
                                      "--json", str(tmp_path / "report.json")])
    report = tmp_path / "report.json"
    # Words as read, wrapped table cells joined (the box's rules dropped).
    return result, " ".join(result.output.replace("│", " ").split()), json.loads(report.read_text("utf-8")) if report.exists() else None


def test_routes_of_part_of_the_week_say_so_in_the_console_and_the_json(week, tmp_path):
    folder, _, retailer = week
    _, words, report = _score(folder, _routes(retailer, ["m01"]), tmp_path)
    assert "the routes cover only managers m01 (every date)" in words
    assert "the rest of the week's routes is not judged" in words
    assert report["partial"] is True and report["scope"] == {"managers": ["m01"], "dates": []}


def test_routes_of_the_whole_week_say_nothing_of_a_part(week, tmp_path):
    folder, _, retailer = week
    _, words, report = _score(folder, _routes(retailer, []), tmp_path)
    assert "cover only" not in words
    assert report["partial"] is False and report["scope"] is None


def test_a_weekly_shortfall_declared_for_no_reason_a_planner_gives_is_a_fault(week, tmp_path):
    folder, plan, _ = week
    held = [b for b in plan["blocks"] if b["manager"] == "m01" and b["kind"] == "pos_project"]
    minutes = sum(int(b["end"][:2]) * 60 + int(b["end"][3:]) - int(b["start"][:2]) * 60 - int(b["start"][3:])
                  for b in held)
    assert held and minutes > 0

    def declared(reason: str) -> dict:
        return {**plan, "blocks": [b for b in plan["blocks"] if b not in held],
                "shortfalls": [*plan.get("shortfalls", []), {
                    "manager": "m01", "kind": "pos_project", "minutes_short": minutes,
                    "sessions_short": len(held), "reason": reason}]}

    result, _, report = _score(folder, declared("did not feel like it"), tmp_path)
    assert result.exit_code == EXIT_NO_PLAN, result.output
    (fault,) = [v for v in report["violations"] if "did not feel like it" in v["message"]]
    assert fault["manager"] == "m01" and f"{minutes} min" in fault["message"]
    _, _, report = _score(folder, declared("not kept in the week found within the time limit (it is not proven "
                                           "that the rides leave no room for it: more time may find a week "
                                           "that keeps it)"), tmp_path)
    assert not [v for v in report["violations"] if "none the planner gives" in v["message"]]


@pytest.mark.parametrize(("changes", "said"), [
    ({"unvisited": [{"retailer": "RZZZ", "manager": "m01", "reason": "too_far"}]},
     "unvisited retailer 'RZZZ' is not in the department"),
    ({"week_start": (WEEK + dt.timedelta(days=7)).isoformat()},
     "the routes are of the week of 2026-11-30, the timetable of the week of 2026-11-23"),
])
def test_strange_routes_are_refused_naming_what_is_strange(week, tmp_path, changes, said):
    folder, plan, retailer = week
    result, words, report = _score(folder, {"timetable": plan, "routes": _routes(retailer, [], **changes)}, tmp_path)
    assert result.exit_code not in (0, EXIT_NO_PLAN) and said in words and report is None, result.output


def test_a_stop_of_no_known_kind_is_refused_with_the_kinds_allowed(week, tmp_path):
    folder, _, retailer = week
    routes = _routes(retailer, [])
    routes["routes"][0]["stops"] = [{"retailer": retailer, "kind": "coffee", "arrive": "09:00", "start": "09:00",
                                     "end": "09:10", "from": "office"}]
    result, words, _ = _score(folder, routes, tmp_path)
    assert result.exit_code not in (0, EXIT_NO_PLAN)
    assert "stop kind 'coffee' is none of visit," in words and "maintenance" in words, result.output
