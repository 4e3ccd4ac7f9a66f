"""`fieldweek feedback` reads the week's actuals the service holds (SPEC §1, the Friday
sheet; SPEC §3, the daily report): a stop marked done on the phone page (posted to
/v1/actuals as the page's script posts it) is done in the sheet of that week, merged with
the folder's actuals per manager-day, the later report of a day standing whole."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app
from api.commands import console as console_module
from api.commands.service_actuals import ReportedDay, merged_actuals
from api.http.app import create_app
from api.http.settings import Settings
from engine.actuals import ActualBlock, Actuals, ActualVisit, load_actuals, store_actuals
from engine.domain import Department
from engine.load import load_department_with_policy, write_department
from tests.api.http.support import (
    WEEK,
    department_body,
    hand_routes,
    hand_timetable,
    store_solved_week,
)

MISSED_REASON = "店铺关门"


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console_module.console, "width", 300)
    monkeypatch.setattr(console_module.errors, "width", 300)


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A department folder with its week's plan, and the same department in a service
    database where the phone page marked m01's first stop done and its second missed."""
    root = tmp_path_factory.mktemp("feedback-service")
    department = Department.model_validate(department_body())
    folder = root / "dept"
    write_department(department, folder)
    (folder / "plans").mkdir()
    routes = hand_routes(department)
    (folder / "plans" / f"{WEEK}.json").write_text(json.dumps(
        {"timetable": hand_timetable(department).to_json_dict(), "routes": routes}), "utf-8")
    database = root / "service.db"
    service = create_app(Settings(database_url=f"sqlite:///{database}"))
    with TestClient(service) as client:
        department_id, job_id, _ = store_solved_week(client, service, department_body(), "feedback-test",
                                                     lambda _department: routes)
        # What the phone's page holds: the job and each stop's retailer, in visiting order.
        day = client.get(f"/v1/desk/my/{department_id}/m01/{WEEK}").text
        page_job = re.search(r'data-job="([^"]+)"', day)
        stops = re.findall(r'class="stop-card" data-retailer="([^"]+)"', day)
        assert page_job is not None and page_job.group(1) == job_id
        assert len(stops) == 4
        # The page's script posts every marked stop of the day at each tap.
        rows = [{"manager": "m01", "date": WEEK.isoformat(), "record": "visit", "retailer": stops[0],
                 "status": "done", "reason": ""},
                {"manager": "m01", "date": WEEK.isoformat(), "record": "visit", "retailer": stops[1],
                 "status": "missed", "reason": MISSED_REASON}]
        posted = client.post("/v1/actuals", json={"timetable": page_job.group(1), "rows": rows})
        assert posted.status_code == 200, posted.text
        assert posted.json()["visits"] == 2
    return {"folder": folder, "url": f"sqlite:///{database}", "id": department_id, "stops": stops,
            "root": root}


def feedback(folder: Path, out: Path, *options: str):
    return CliRunner().invoke(app, ["feedback", str(folder), "--week", WEEK.isoformat(), "--lang", "en",
                                    "--json", str(out), *options])


def m01_visits(sheet: dict[str, Any]) -> dict[str, Any]:
    return next(t for t in sheet["visits"] if t["manager"] == "m01")


def test_a_stop_marked_done_on_the_phone_is_done_in_the_weeks_feedback(marked: dict[str, Any]) -> None:
    """With the service's database the phone's done stop counts as done and its missed stop
    carries the reason typed on the phone; the folder alone knows neither."""
    out = marked["root"] / "with-service.json"
    result = feedback(marked["folder"], out, "--db", marked["url"], "--service-department", marked["id"])
    assert result.exit_code == 0, result.output
    sheet = json.loads(out.read_text("utf-8"))
    assert m01_visits(sheet)["done"] == 1
    assert sheet["reported_days"] >= 1
    missed = {m["retailer"]: m for m in sheet["missed"]}
    assert marked["stops"][0] not in missed
    assert missed[marked["stops"][1]]["reason"] == MISSED_REASON
    assert missed[marked["stops"][1]]["source"] == "reported"
    assert "1 manager-day(s) of actuals from the service" in result.stdout

    alone = marked["root"] / "folder-only.json"
    result = feedback(marked["folder"], alone)
    assert result.exit_code == 0, result.output
    assert m01_visits(json.loads(alone.read_text("utf-8")))["done"] == 0


def test_the_service_department_defaults_to_the_folders_name(marked: dict[str, Any]) -> None:
    """Without --service-department the department is found by the folder's name; the
    database URL may come from FIELDWEEK_DB as for `fieldweek serve`."""
    out = marked["root"] / "by-name.json"
    result = CliRunner().invoke(
        app, ["feedback", str(marked["folder"]), "--week", WEEK.isoformat(), "--json", str(out)],
        env={**os.environ, "FIELDWEEK_DB": marked["url"]},
    )
    assert result.exit_code == 0, result.output
    assert m01_visits(json.loads(out.read_text("utf-8")))["done"] == 0  # no --db: folder only
    result = CliRunner().invoke(
        app, ["feedback", str(marked["folder"]), "--week", WEEK.isoformat(), "--json", str(out),
              "--service-department", "测试市场部"],
        env={**os.environ, "FIELDWEEK_DB": marked["url"]},
    )
    assert result.exit_code == 0, result.output
    assert m01_visits(json.loads(out.read_text("utf-8")))["done"] == 1


def test_a_missing_database_or_department_is_named_not_created(marked: dict[str, Any]) -> None:
    """Exit 2 naming the option; no empty database file appears where none was."""
    absent = marked["root"] / "nowhere.db"
    result = feedback(marked["folder"], marked["root"] / "x.json", "--db", f"sqlite:///{absent}")
    assert result.exit_code == 2
    assert "there is no service database" in result.output and "--db" in result.output
    assert not absent.exists()
    result = feedback(marked["folder"], marked["root"] / "x.json", "--db", marked["url"],
                      "--service-department", "d-nonesuch")
    assert result.exit_code == 2
    assert "no department with the id or name 'd-nonesuch'" in result.output


def test_the_later_report_of_a_day_stands_whole(tmp_path: Path) -> None:
    """A day both reported: the folder's file written after the service's record keeps its
    day, one written before gives way; days only one side reported are all kept."""
    department = Department.model_validate(department_body())
    write_department(department, tmp_path / "dept")
    department, policy = load_department_with_policy(tmp_path / "dept")
    tuesday = WEEK + dt.timedelta(days=1)
    store_actuals(tmp_path / "dept", Actuals(
        blocks=(ActualBlock(manager="m01", date=WEEK, kind="visit", start=540, end=700),
                ActualBlock(manager="m02", date=WEEK, kind="visit", start=540, end=700)),
        visits=(ActualVisit(manager="m01", date=WEEK, retailer="R0100", status="done"),),
    ), department, policy)
    folder_week = load_actuals(tmp_path / "dept", department, policy, WEEK)
    written = dt.datetime.fromtimestamp(
        (tmp_path / "dept" / "actuals" / f"{WEEK}.csv").stat().st_mtime, dt.UTC)
    phone_day = Actuals(visits=(ActualVisit(manager="m01", date=WEEK, retailer="R0101", status="done"),))
    other_day = Actuals(visits=(ActualVisit(manager="m01", date=tuesday, retailer="R0102", status="done"),))

    def service(at: dt.datetime) -> list[ReportedDay]:
        return [ReportedDay("m01", WEEK, at, phone_day), ReportedDay("m01", tuesday, at, other_day)]

    later = merged_actuals(tmp_path / "dept", folder_week, service(written + dt.timedelta(minutes=5)), WEEK)
    assert {(v.date, v.retailer) for v in later.visits} == {(WEEK, "R0101"), (tuesday, "R0102")}
    assert {b.manager for b in later.blocks} == {"m02"}  # m01's Monday is the service's, whole

    earlier = merged_actuals(tmp_path / "dept", folder_week, service(written - dt.timedelta(hours=1)), WEEK)
    assert {(v.date, v.retailer) for v in earlier.visits} == {(WEEK, "R0100"), (tuesday, "R0102")}
    assert {b.manager for b in earlier.blocks} == {"m01", "m02"}
