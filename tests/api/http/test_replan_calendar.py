"""GET /v1/timetables/{job}.ics serves a finished re-plan job's calendar too (it answered 404:
a re-plan is a job's result, not a timetable): the plan's event UIDs with a higher SEQUENCE,
and the blocks the re-plan dropped as STATUS:CANCELLED, so a phone that imported the plan
updates it. A re-plan still running, failed or without a week answers 409.
No solver runs: the plan and the re-plan's result are typed by hand into the store."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from api.http.app import create_app
from api.http.settings import Settings
from engine.domain import Department
from engine.replan.result import BlockChange, ManagerDiff, ReplanResult
from tests.api.http.support import WEEK, department_body, hand_timetable, store_department_and_week

TUESDAY = WEEK + dt.timedelta(days=1)
NOW = dt.datetime.combine(WEEK, dt.time(12, 0))


def replan_result(department: Department, status: str = "optimal") -> dict[str, Any]:
    """The hand-typed plan re-planned: m01's Tuesday phone hour moved later, his POS hour dropped."""
    plan = hand_timetable(department)
    phone = next(b for b in plan.blocks if b.kind == "phone")
    pos = next(b for b in plan.blocks if b.kind == "pos_project")
    later = phone.model_copy(update={"start": 900, "end": 930})
    blocks = tuple(later if b == phone else b for b in plan.blocks if b != pos)
    diff = ManagerDiff(manager=phone.manager, blocks=(
        BlockChange(change="moved", kind="phone", before=phone, after=later),
        BlockChange(change="cancelled", kind="pos_project", before=pos),
    ))
    result = ReplanResult(week_start=WEEK, now=NOW, status=status,  # type: ignore[arg-type]
                          timetable=plan.model_copy(update={"blocks": blocks}), diff=(diff,))
    return {**result.to_json_dict(), "check": None}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Any, str, str]]:
    """A client, its store, a hand-typed solved week's job id and its finished re-plan's."""
    folder: Path = tmp_path_factory.mktemp("replan_calendar")
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 'c.db'}"))) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        service.jobs.submit = lambda _job_id: None  # nothing is solved here
        store = service.store
        department, _, plan_id = store_department_and_week(store)
        replan = replan_job(store, plan_id, "done", result=replan_result(department))
        yield client, store, plan_id, replan


def replan_job(store: Any, plan_id: str, status: str | None, **finished: Any) -> str:
    """A re-plan job of the plan left `status` (None: queued)."""
    plan = store.job(plan_id)
    job = store.add_job(plan.department_id, WEEK, plan.policy, 1.0, kind="replan",
                        request={"timetable_id": plan_id, "replan": {"now": NOW.isoformat()}})
    if status is not None:
        store.start_job(job.id, "test")
        if status != "running":
            store.finish_job(job.id, status, runner="test", **finished)
    return job.id


def events(content: bytes) -> dict[str, Any]:
    return {str(e["uid"]): e for e in Calendar.from_ical(content).walk("VEVENT")}


def test_a_replan_calendar_updates_the_plans_events_and_cancels_the_dropped_block(
    service: tuple[TestClient, Any, str, str],
) -> None:
    client, _store, plan_id, replan_id = service
    plan = events(client.get(f"/v1/timetables/{plan_id}.ics", params={"manager": "m01"}).content)
    response = client.get(f"/v1/timetables/{replan_id}.ics", params={"manager": "m01"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    assert f'filename="m01-{WEEK}-replan-{NOW:%Y%m%dT%H%M}.ics"' in (
        response.headers["content-disposition"]
    )
    replanned = events(response.content)
    phone = next(uid for uid, e in plan.items() if e["categories"].cats == ["phone"])
    pos = next(uid for uid, e in plan.items() if e["categories"].cats == ["pos_project"])
    assert replanned.keys() == plan.keys()  # the same events, updated in place
    assert replanned[phone].decoded("dtstart").time() == dt.time(15, 0)
    assert replanned[pos]["status"] == "CANCELLED"
    assert all(e["sequence"] > plan[uid]["sequence"] for uid, e in replanned.items())


def test_a_replan_calendar_without_a_manager_is_a_zip_of_every_managers(
    service: tuple[TestClient, Any, str, str],
) -> None:
    client, _store, _plan_id, replan_id = service
    response = client.get(f"/v1/timetables/{replan_id}.ics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    stem = f"{WEEK}-replan-{NOW:%Y%m%dT%H%M}"
    assert sorted(zipfile.ZipFile(io.BytesIO(response.content)).namelist()) == [
        f"m01-{stem}.ics", f"m02-{stem}.ics"
    ]
    assert client.get(f"/v1/timetables/{replan_id}.ics",
                      params={"manager": "m99"}).status_code == 422


@pytest.mark.parametrize(("status", "found", "says"), [
    (None, None, "still waiting to be re-planned"),
    ("running", None, "still being re-planned"),
    ("failed", None, "failed"),
    ("done", "infeasible", "found no re-planned week"),
])
def test_a_replan_without_a_week_is_409(
    service: tuple[TestClient, Any, str, str], status: str | None, found: str | None, says: str,
) -> None:
    client, store, plan_id, _replan_id = service
    department = Department.model_validate(department_body())
    finished = {} if found is None else {"result": replan_result(department, status=found)}
    job_id = replan_job(store, plan_id, status, **finished)
    response = client.get(f"/v1/timetables/{job_id}.ics")
    assert response.status_code == 409
    assert says in response.json()["detail"]


def test_an_unknown_job_is_404(service: tuple[TestClient, Any, str, str]) -> None:
    client, *_ = service
    assert client.get("/v1/timetables/j-none.ics").status_code == 404


def test_a_replan_job_links_its_calendar(service) -> None:
    """GET /v1/jobs/{id} of a re-plan names its calendar, as a client needs to find it."""
    client, _store, _plan, replan = service
    answer = client.get(f"/v1/jobs/{replan}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["links"]["ics"] == f"/v1/timetables/{replan}.ics"
