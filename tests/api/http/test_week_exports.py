"""A finished re-plan's week prints as the plan's does: GET /v1/timetables/{re-plan}.xlsx
and .html answered 404 (only the calendar took a re-plan). A job's links are the same in
its 202 answer and in GET /v1/jobs/{id} (a timetable's left out the workbook and the grid
there), and a routes job links its map. No solver runs: the plan and the re-plan's
result are typed by hand into the store and queued jobs are never started."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.http.app import create_app
from api.http.settings import Settings
from tests.api.http.support import WEEK, store_department_and_week
from tests.api.http.test_replan_calendar import NOW, replan_job, replan_result

EXPORTS = ("xlsx", "ics", "html")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Any, str, str, str]]:
    """A client, its store, its department's id, a solved week's job id and its re-plan's."""
    folder: Path = tmp_path_factory.mktemp("week_exports")
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 'e.db'}"))) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        service.jobs.submit = lambda _job_id: None  # nothing is solved here
        store = service.store
        department, department_id, plan_id = store_department_and_week(store)
        replan = replan_job(store, plan_id, "done", result=replan_result(department))
        yield client, store, department_id, plan_id, replan


def test_a_replan_s_week_downloads_as_the_weekly_sheet_and_the_printable_grid(
    service: tuple[TestClient, Any, str, str, str],
) -> None:
    client, _store, _department_id, _plan_id, replan_id = service
    sheet = client.get(f"/v1/timetables/{replan_id}.xlsx", params={"lang": "en"})
    assert sheet.status_code == 200, sheet.text
    assert f"timetable-{WEEK}-replan-{NOW:%Y%m%dT%H%M}.xlsx" in sheet.headers["content-disposition"]
    assert len(load_workbook(io.BytesIO(sheet.content)).sheetnames) > 1  # overview + managers
    grid = client.get(f"/v1/timetables/{replan_id}.html")
    assert grid.status_code == 200, grid.text
    assert "<html" in grid.text.lower()


def test_a_routes_job_has_no_week_to_download(service: tuple[TestClient, Any, str, str, str]) -> None:
    client, store, department_id, plan_id, _replan_id = service
    routes = store.add_job(department_id, WEEK, store.job(plan_id).policy, 1.0, kind="routes",
                           request={"timetable_id": plan_id, "day": None, "manager": "m01"})
    for suffix in EXPORTS:
        assert client.get(f"/v1/timetables/{routes.id}.{suffix}").status_code == 404
    links = client.get(f"/v1/jobs/{routes.id}").json()["links"]
    assert links["map"] == (f"/v1/routes/map.html?department={department_id}"
                            f"&week_start={WEEK}&manager=m01&timetable={plan_id}")


def test_a_job_s_links_are_the_same_in_its_202_and_in_get_jobs(
    service: tuple[TestClient, Any, str, str, str],
) -> None:
    client, _store, department_id, _plan_id, replan_id = service
    accepted = client.post(f"/v1/departments/{department_id}/timetables",
                           json={"week_start": WEEK.isoformat()})
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["id"]
    followed = client.get(f"/v1/jobs/{job_id}").json()["links"]
    for suffix in EXPORTS:
        assert accepted.json()["links"][suffix] == followed[suffix] == f"/v1/timetables/{job_id}.{suffix}"
    assert accepted.json()["links"]["job"] == followed["self"]
    replan_links = client.get(f"/v1/jobs/{replan_id}").json()["links"]
    assert {suffix: replan_links[suffix] for suffix in EXPORTS} == {
        suffix: f"/v1/timetables/{replan_id}.{suffix}" for suffix in EXPORTS}
