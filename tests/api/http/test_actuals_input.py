"""POST /v1/actuals refuses what it used to take without a word: a carried_in count that
is no small whole number (1e21 was shown as due), a row dated outside the timetable's
week (it was stored and left out of the sheet); times outside the working day are taken
with a warning naming the row. No solver runs: the week is typed by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.settings import Settings
from tests.api.http.support import WEEK, store_department_and_week


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    """A client and the id of a hand-typed solved week."""
    folder: Path = tmp_path_factory.mktemp("actuals_input")
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 'a.db'}"))) as client:
        _, _, job_id = store_department_and_week(client.app.state.service.store)  # type: ignore[attr-defined]
        yield client, job_id


def visit(date: dt.date = WEEK, **cells: str) -> dict[str, str]:
    return {"manager": "m01", "date": date.isoformat(), "record": "visit", "retailer": "R0101",
            "status": "done", **cells}


def post(service: tuple[TestClient, str], rows: list[dict[str, str]], **body: Any) -> Any:
    client, job_id = service
    return client.post("/v1/actuals", json={"timetable": job_id, "rows": rows, **body})


@pytest.mark.parametrize("count", [1e21, 10**21, 2.5, -1, "3"])
def test_carried_in_must_be_a_small_whole_number_naming_the_retailer(
    service: tuple[TestClient, str], count: Any
) -> None:
    response = post(service, [visit()], carried_in={"R0100": count})
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "carried_in", "R0100"]


@pytest.mark.parametrize("date", [dt.date(1, 1, 1), WEEK - dt.timedelta(days=1), WEEK + dt.timedelta(days=7)])
def test_a_row_outside_the_timetable_s_week_is_422_naming_row_and_date(
    service: tuple[TestClient, str], date: dt.date
) -> None:
    response = post(service, [visit(), visit(date, retailer="R0102")])
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert (problem["row"], problem["column"]) == (2, "date")  # rows count from 1, as events do
    assert problem["loc"] == ["body", "rows", 1, "date"]
    assert f"the timetable's week of {WEEK}" in problem["message"]


def test_times_outside_the_working_day_are_taken_and_warned_of(service: tuple[TestClient, str]) -> None:
    response = post(service, [visit(start="23:50", end="24:00")], carried_in={"R0100": 2})
    assert response.status_code == 200, response.text
    [warning] = response.json()["warnings"]
    assert warning["loc"] == ["body", "rows", 0, "end"] and "working day" in warning["message"]


def test_rows_are_numbered_from_1_as_the_replan_s_events_are(service: tuple[TestClient, str]) -> None:
    """A bad row is named by its number counted from 1 (it was counted from 0 here and from
    1 in a re-plan's events and in `fieldweek service actuals`), also where a message names
    another row; `loc` is its place in the body's list."""
    first = visit(start="09:00", end="09:30")
    again = visit(start="09:00", end="09:30", status="missed", reason="closed")
    response = post(service, [{**visit(), "manager": "m99"}, first, again])
    assert response.status_code == 422, response.text
    problems = response.json()["detail"]
    unknown = next(p for p in problems if p["column"] == "manager")
    assert (unknown["row"], unknown["loc"]) == (1, ["body", "rows", 0, "manager"])
    twice = next(p for p in problems if p["row"] == 3)
    assert "row 2" in twice["message"] and twice["loc"][:3] == ["body", "rows", 2]
