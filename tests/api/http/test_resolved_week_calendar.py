"""A week solved again (POST /v1/departments/{id}/timetables twice for one week) is a new
revision of the week: its calendar keeps the UIDs, carries a SEQUENCE above every earlier
timetable's and re-plan's of the week, and cancels the earlier revision's events it no
longer has. It came at SEQUENCE 0, so a phone that had imported the first solve kept the
old times. No solver runs: the weeks are typed by hand into the store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.domain import Department
from engine.policy import load_policy
from tests.api.http.support import WEEK, hand_timetable, idle_service, store_department_and_week
from tests.api.http.test_replan_calendar import events, replan_job, replan_result


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from idle_service(tmp_path_factory, "resolved_week_calendar")


def solve_again(store: Any, department_id: str, department: Department) -> str:
    """The week solved a second time: m01's Tuesday phone hour later, his POS hour gone."""
    plan = hand_timetable(department)
    phone = next(b for b in plan.blocks if b.kind == "phone")
    blocks = tuple(phone.model_copy(update={"start": 900, "end": 930}) if b == phone else b
                   for b in plan.blocks if b.kind != "pos_project")
    job = store.add_job(department_id, WEEK, load_policy("15-13-7").model_dump(mode="json"), 1.0)
    store.start_job(job.id, "test")
    store.finish_job(job.id, "optimal", runner="test",
                     timetable=plan.model_copy(update={"blocks": blocks}).to_json_dict())
    return job.id


def calendar(client: TestClient, job_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/timetables/{job_id}.ics", params={"manager": "m01"})
    assert response.status_code == 200, response.text
    return events(response.content)


def test_a_week_solved_again_updates_the_first_solves_events(client: TestClient) -> None:
    store = client.app.state.service.store  # type: ignore[attr-defined]
    department, department_id, first_id = store_department_and_week(store)
    first = calendar(client, first_id)
    second = calendar(client, solve_again(store, department_id, department))
    phone = next(uid for uid, e in first.items() if e["categories"].cats == ["phone"])
    pos = next(uid for uid, e in first.items() if e["categories"].cats == ["pos_project"])
    assert second.keys() == first.keys()  # the same events, updated in place
    assert second[phone].decoded("dtstart").time().hour == 15
    assert second[pos]["status"] == "CANCELLED"
    assert {e["sequence"] for e in first.values()} == {0}  # the week's first solve
    assert all(e["sequence"] > 0 for e in second.values())
    # the first solve's calendar stays the week's first: a later solve does not lift it
    assert {e["sequence"] for e in calendar(client, first_id).values()} == {0}


def test_a_week_solved_after_a_replan_is_above_the_replan(client: TestClient) -> None:
    store = client.app.state.service.store  # type: ignore[attr-defined]
    department, department_id, first_id = store_department_and_week(store)
    replan_id = replan_job(store, first_id, "done", result=replan_result(department))
    replanned = calendar(client, replan_id)
    second = calendar(client, solve_again(store, department_id, department))
    highest = max(e["sequence"] for e in replanned.values())
    assert all(e["sequence"] > highest for e in second.values())
