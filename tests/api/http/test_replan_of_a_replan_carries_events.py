"""POST /v1/timetables/{re-plan job}/replan re-plans the re-planned week with that
re-plan's events carried before the new ones: the worker re-planned it without them,
and the first re-plan's sick manager counted as at work again. `now` before the first
re-plan's `now` is 422 naming `now`. No solver runs: queued jobs are never started and
the worker's re-planner is replaced by a spy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import api.replan_verdict
import engine.replan
from api.http.app import create_app
from api.http.settings import Settings
from api.http.workers import _replan
from engine.replan import ManagerSick, ReplanResult, ReplanRoute, ReplanStop, read_events
from tests.api.http.support import WEEK, hand_timetable, store_department_and_week
from tests.api.http.test_replan_calendar import replan_job

FIRST_NOW = dt.datetime.combine(WEEK, dt.time(12, 0))
FIRST_SICK = {"type": "manager_sick", "manager": "m02", "from": FIRST_NOW.isoformat()}
TUESDAY_NOON = dt.datetime.combine(WEEK + dt.timedelta(days=1), dt.time(12, 0))
NEW_SICK = {"type": "manager_sick", "manager": "m01", "from": TUESDAY_NOON.isoformat()}


class Replanned(Exception):
    """Raised by the spy in place of the re-planner: the events got through."""


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Any, Any, str]]:
    """A client, its store, the department and a finished re-plan (m02 off sick from Monday noon)."""
    folder: Path = tmp_path_factory.mktemp("replan_carries")
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 'r.db'}"))) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        service.jobs.submit = lambda _job_id: None  # nothing is solved here
        department, _department_id, plan_id = store_department_and_week(service.store)
        visit = ReplanStop(retailer="R0101", arrive=600, start=600, end=610)
        result = ReplanResult(week_start=WEEK, now=FIRST_NOW, status="optimal", events=read_events([FIRST_SICK]),
                              timetable=hand_timetable(department),
                              routes=(ReplanRoute(manager="m01", date=TUESDAY_NOON.date(), stops=(visit,)),))
        first = replan_job(service.store, plan_id, "done", result={**result.to_json_dict(), "check": None})
        yield client, service.store, department, first


def test_the_worker_carries_the_first_replans_events(service: tuple[TestClient, Any, Any, str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    client, store, department, first = service
    response = client.post(f"/v1/timetables/{first}/replan",
                           json={"now": TUESDAY_NOON.isoformat(), "events": [NEW_SICK]})
    assert response.status_code == 202, response.text
    seen: list[tuple[Any, ...]] = []

    def spy(*args: Any) -> None:
        seen.append(args)
        raise Replanned

    monkeypatch.setattr(engine.replan, "replan", spy)
    with pytest.raises(Replanned):
        _replan(store, store.job(response.json()["id"]), "test", department, 1, 1.0)
    [(_, _, _, _, events, *_)] = seen
    assert [(e.manager, e.from_) for e in events if isinstance(e, ManagerSick)] == [
        ("m02", FIRST_NOW), ("m01", TUESDAY_NOON)]


def test_now_before_the_first_replans_now_is_422_naming_now(service: tuple[TestClient, Any, Any, str]) -> None:
    client, _store, _department, first = service
    earlier = (FIRST_NOW - dt.timedelta(hours=1)).isoformat()
    response = client.post(f"/v1/timetables/{first}/replan", json={"now": earlier, "events": []})
    assert response.status_code == 422, response.text
    assert '"now"' in response.text and "before the now of the re-plan" in response.text


def test_sent_without_routes_it_re_plans_the_replans_routes(service: tuple[TestClient, Any, Any, str]) -> None:
    """An urgent visit needs routes: sent without any, the re-plan job's own are used
    (it was 422 'none were given', and the week's first routes were the only others)."""
    client, store, _department, first = service
    urgent = {"type": "urgent_visit", "retailer": "R0102"}
    response = client.post(f"/v1/timetables/{first}/replan",
                           json={"now": TUESDAY_NOON.isoformat(), "events": [urgent]})
    assert response.status_code == 202, response.text
    routes = store.job(response.json()["id"]).request["replan"]["routes"]
    assert routes["routes"] == store.job(first).result["routes"]


def test_the_worker_judges_the_routes_as_the_command_does(service: tuple[TestClient, Any, Any, str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The service's re-plans were checked without their routes: a first stop after its
    time, or a visit dropped from a day nothing changed, passed as executable."""
    client, store, department, first = service
    response = client.post(f"/v1/timetables/{first}/replan", json={"now": TUESDAY_NOON.isoformat(), "events": []})
    assert response.status_code == 202, response.text
    stop = ReplanStop(retailer="R0101", arrive=600, start=600, end=610)
    replanned = ReplanResult(week_start=WEEK, now=TUESDAY_NOON, status="optimal", events=(),
                             timetable=hand_timetable(department),
                             routes=(ReplanRoute(manager="m01", date=TUESDAY_NOON.date(), stops=(stop,)),))
    monkeypatch.setattr(engine.replan, "replan", lambda *args: replanned)
    judged: list[Any] = []
    monkeypatch.setattr(api.replan_verdict, "check_replan_routes", lambda *args: judged.append(args[-2:]) or [])
    _replan(store, store.job(response.json()["id"]), "test", department, 1, 1.0)
    [(before, after)] = judged
    assert before["routes"] == store.job(first).result["routes"]
    assert after == replanned.to_json_dict()["routes"]
