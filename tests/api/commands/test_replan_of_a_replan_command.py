"""`fieldweek replan --plan FIRST_REPLAN.json`: a re-plan's JSON given as the plan carries
its events into the new re-plan, before the new ones (they were dropped: the first
re-plan's sick manager counted as at work again), and `now` before the first re-plan's
`now` exits 2 naming `now`. No solver runs: the re-planner is replaced by a spy."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from engine.domain import Department
from engine.load import write_department
from engine.replan import ManagerSick
from tests.api.commands.conftest import REPLANNED
from tests.api.http.support import WEEK, department_body, hand_routes, hand_timetable

TUESDAY = WEEK + dt.timedelta(days=1)
FIRST_NOW = dt.datetime.combine(WEEK, dt.time(12, 0))
FIRST_SICK = {"type": "manager_sick", "manager": "m02", "from": FIRST_NOW.isoformat(), "until": None}
NEW_SICK = {"type": "manager_sick", "manager": "m01", "from": f"{TUESDAY}T13:00"}

pytestmark = pytest.mark.usefixtures("wide_consoles")


def invoke_on_a_replan(tmp_path: Path, now: str) -> Any:
    """`fieldweek replan` on the JSON of a first re-plan (m02 off sick from Monday noon,
    his Monday maintenance gone) with a new sickness of m01."""
    department = Department.model_validate(department_body())
    write_department(department, tmp_path / "dept")
    week = hand_timetable(department)
    week = week.model_copy(update={"blocks": tuple(
        b.model_copy(update={"with_": ()}) if b.kind == "maintenance" else b
        for b in week.blocks if not (b.manager == "m02" and b.kind == "maintenance"))})
    first = {"week_start": str(WEEK), "now": FIRST_NOW.isoformat(), "status": "optimal", "events": [FIRST_SICK],
             "timetable": week.to_json_dict(), "routes": hand_routes(department)["routes"], "unplaced": []}
    (tmp_path / "first.json").write_text(json.dumps(first), "utf-8")
    (tmp_path / "events.json").write_text(json.dumps([NEW_SICK]), "utf-8")
    return CliRunner().invoke(app, ["replan", str(tmp_path / "dept"), "--plan", str(tmp_path / "first.json"),
                                    "--now", now, "--event", str(tmp_path / "events.json")])


def test_the_first_replans_events_are_carried_before_the_new_ones(
        tmp_path: Path, seen: list[tuple[Any, ...]]) -> None:
    result = invoke_on_a_replan(tmp_path, f"{TUESDAY}T12:00")
    assert result.exit_code == REPLANNED, result.output
    [(_, _, _, _, events, *_)] = seen
    assert [(e.manager, e.from_) for e in events if isinstance(e, ManagerSick)] == [
        ("m02", FIRST_NOW), ("m01", dt.datetime.combine(TUESDAY, dt.time(13, 0)))]
    assert "1 of its 1 event(s) carried into this re-plan" in result.output


def test_now_before_the_first_replans_now_exits_2_naming_now(
        tmp_path: Path, seen: list[tuple[Any, ...]]) -> None:
    result = invoke_on_a_replan(tmp_path, f"{WEEK}T11:00")
    assert result.exit_code == 2, result.output
    assert "before the now of the re-plan it re-plans" in result.output and not seen
