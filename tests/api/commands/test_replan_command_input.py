"""`fieldweek replan` reads its input as POST /v1/timetables/{id}/replan does, by the
same code: a moment with an offset (`Z`) is turned into the department's clock time (it
used to be dropped: 02:30Z was read as 02:30 Beijing time and cancelled work a sick
manager had done), `now` must lie near the week, routes of another week are refused,
and a bad event is named "event 1 (manager_sick), field from". No solver runs: the week
is typed by hand and the re-planner is replaced by a spy."""

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
from tests.api.commands.conftest import REPLANNED
from tests.api.http.support import WEEK, department_body, hand_routes, hand_timetable

WEDNESDAY = WEEK + dt.timedelta(days=2)

pytestmark = pytest.mark.usefixtures("wide_consoles")




def invoke(tmp_path: Path, now: str, events: list[dict[str, Any]],
           routes: dict[str, Any] | None = None, *extra: str) -> Any:
    department = Department.model_validate(department_body())
    write_department(department, tmp_path / "dept")
    plan = {"timetable": hand_timetable(department).to_json_dict(), "routes": routes or hand_routes(department)}
    (tmp_path / "plan.json").write_text(json.dumps(plan), "utf-8")
    (tmp_path / "events.json").write_text(json.dumps(events), "utf-8")
    return CliRunner().invoke(app, ["replan", str(tmp_path / "dept"), "--plan", str(tmp_path / "plan.json"),
                                    "--now", now, "--event", str(tmp_path / "events.json"), *extra])


def test_moments_with_an_offset_are_read_in_the_department_s_time_zone(
        tmp_path: Path, seen: list[tuple[Any, ...]]) -> None:
    sick = {"type": "manager_sick", "manager": "m02", "from": f"{WEDNESDAY}T02:00:00Z", "until": str(WEDNESDAY)}
    result = invoke(tmp_path, f"{WEDNESDAY}T02:30Z", [sick])
    assert result.exit_code == REPLANNED, result.output
    [(_, _, _, now, events, *_)] = seen
    assert now == dt.datetime.combine(WEDNESDAY, dt.time(10, 30))  # Asia/Shanghai, naive
    assert events[0].from_ == dt.datetime.combine(WEDNESDAY, dt.time(10, 0))


def test_another_time_zone_can_be_named(tmp_path: Path, seen: list[tuple[Any, ...]]) -> None:
    result = invoke(tmp_path, f"{WEDNESDAY}T02:30Z", [], None, "--timezone", "Europe/Berlin")
    assert result.exit_code == REPLANNED, result.output
    assert seen[0][3] == dt.datetime.combine(WEDNESDAY, dt.time(3, 30))


def test_now_far_after_the_week_is_refused_as_the_api_refuses_it(
        tmp_path: Path, seen: list[tuple[Any, ...]]) -> None:
    result = invoke(tmp_path, "2027-01-05T09:00", [])
    assert result.exit_code == 2, result.output
    assert "is not near the timetable's week" in result.output and not seen


@pytest.mark.parametrize(("shift", "dates_too", "named"), [
    (7, True, "routes.week_start (2026-11-30)"),  # next week's routes
    (7, False, "routes.week_start (2026-11-30)"),  # this week's dates, another week_start
    (0, True, "routes.0.date (2026-11-30)"),  # this week_start, another week's dates
])
def test_routes_of_another_week_are_refused(tmp_path: Path, seen: list[tuple[Any, ...]],
                                            shift: int, dates_too: bool, named: str) -> None:
    routes = hand_routes(Department.model_validate(department_body()))
    routes["week_start"] = str(WEEK + dt.timedelta(days=shift))
    if dates_too:
        for route in routes["routes"]:
            route["date"] = str(dt.date.fromisoformat(route["date"]) + dt.timedelta(days=7))
    result = invoke(tmp_path, f"{WEDNESDAY}T12:00", [], routes)
    assert result.exit_code == 2, result.output
    assert named in result.output and not seen


def test_a_bad_event_is_named_by_its_number_type_and_field(tmp_path: Path, seen: list[tuple[Any, ...]]) -> None:
    result = invoke(tmp_path, f"{WEDNESDAY}T12:00", [{"type": "manager_sick", "manager": "m02", "from": "soon"}])
    assert result.exit_code == 2, result.output
    assert "event 1 (manager_sick), field from:" in result.output and not seen


def test_an_event_that_does_not_fit_the_week_is_named_by_the_file_it_is_in(
        tmp_path: Path, seen: list[tuple[Any, ...]]) -> None:
    """The engine names the events' list "events" (the service's word); the command names
    the file given (tester: `replan` errors said "events" beside `--event ev.json`)."""
    unknown = {"type": "manager_sick", "manager": "m99", "from": f"{WEDNESDAY}T09:00", "until": str(WEDNESDAY)}
    result = invoke(tmp_path, f"{WEDNESDAY}T08:00", [unknown])
    assert result.exit_code == 2, result.output
    [row] = [line for line in result.output.splitlines() if "m99" in line]
    assert "events.json" in row and "│ 1 " in row and not seen
