"""`fieldweek score` on plans an outside tester broke by hand: each bad value is an input
error naming the file and field (exit 2) or a rule the plan breaks (exit 1), never a bug
(exit 3). A stop at an unknown retailer failed the key-customer judge (KeyError), a stop's
"25:00" the route judge (ValueError); a block's "9:5" was read as 09:05; a route stating 9
visits over 4 stops was scored as agreeing."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.commands.console import EXIT_INPUT_ERROR, EXIT_NO_PLAN
from benchmarks.departments import generate_department
from engine.baseline import baseline_plan
from engine.load import write_department
from engine.policy import load_policy

WEEK = dt.date(2026, 11, 23)
pytestmark = pytest.mark.usefixtures("wide_consoles")


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A generated department of four and its hand-made week (timetable and routes)."""
    department = generate_department(4, 0)
    folder = tmp_path_factory.mktemp("score_bad") / "dept"
    write_department(department, folder)
    return folder, baseline_plan(department, load_policy("15-13-7"), WEEK)


def _score(folder: Path, plan: dict, tmp_path: Path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), "utf-8")
    return CliRunner().invoke(app, ["score", str(path), "--department", str(folder)])


def _words(result) -> str:
    return " ".join(result.output.split())


def _first_visit_route(plan: dict) -> int:
    return next(n for n, r in enumerate(plan["routes"]["routes"])
                if sum(s["kind"] == "visit" for s in r["stops"]) >= 2)


def test_the_hand_made_week_writes_every_clock_hh_mm_and_is_read(week, tmp_path):
    folder, plan = week
    clocks = [b[k] for b in plan["timetable"]["blocks"] for k in ("start", "end")]
    clocks += [s[k] for r in plan["routes"]["routes"] for s in r["stops"] for k in ("arrive", "start", "end")]
    assert clocks and all(re.fullmatch(r"\d{2}:\d{2}", c) for c in clocks)
    result = _score(folder, plan, tmp_path)
    assert result.exit_code == 0, result.output


def test_a_stop_at_an_unknown_retailer_is_an_unknown_reference(week, tmp_path):
    folder, plan = week
    broken = copy.deepcopy(plan)
    number = _first_visit_route(broken)
    broken["routes"]["routes"][number]["stops"][0]["retailer"] = "RX0000"
    result = _score(folder, broken, tmp_path)
    assert result.exit_code == EXIT_NO_PLAN, result.output
    assert "unknown_reference" in result.output and "RX0000" in result.output


def test_a_stop_arriving_at_25_00_names_the_file_and_field(week, tmp_path):
    folder, plan = week
    broken = copy.deepcopy(plan)
    number = _first_visit_route(broken)
    broken["routes"]["routes"][number]["stops"][0]["arrive"] = "25:00"
    result = _score(folder, broken, tmp_path)
    assert result.exit_code == EXIT_INPUT_ERROR, result.output
    words = _words(result)
    assert "plan.json" in words and f"routes.{number}.stops.0.arrive" in words
    assert "'25:00' is not a time of day" in words


@pytest.mark.parametrize("loose", ["9:5", "09:5", "9:05", "09:05:00", 545])
def test_a_block_clock_not_written_hh_mm_is_refused(week, tmp_path, loose):
    folder, plan = week
    broken = copy.deepcopy(plan)
    broken["timetable"]["blocks"][3]["start"] = loose
    result = _score(folder, broken, tmp_path)
    assert result.exit_code == EXIT_INPUT_ERROR, result.output
    words = _words(result)
    assert "blocks.3.start" in words and "not a time written HH:MM" in words


def test_a_route_stating_more_visits_than_its_stops_breaks_a_rule(week, tmp_path):
    folder, plan = week
    broken = copy.deepcopy(plan)
    number = _first_visit_route(broken)
    route = broken["routes"]["routes"][number]
    visits = sum(s["kind"] == "visit" for s in route["stops"])
    assert route["visits"] == visits
    route["visits"] = visits + 5
    result = _score(folder, broken, tmp_path)
    assert result.exit_code == EXIT_NO_PLAN, result.output
    words = _words(result)
    assert "visit_count" in words and f"visits {visits + 5} is not the number of its visit stops ({visits})" in words
