"""A week planned with a policy of its own (a timetable request carrying its policy, the
15-13-7 with Saturday worked, or seed-003) was routed and mapped under the department's
stored policy (an outside tester): POST /v1/departments/{id}/routes and the map refused
the week's Saturday as "not a working day under policy '15-13-7'", and the map's header
named 15+13+7 for a seed-003 week. Both now take the policy of the timetable job they
route or show (`job.policy`). No solver runs: the weeks are typed by hand into the store."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.domain import Department
from engine.policy import load_policy
from tests.api.http.support import WEEK, department_body, hand_routes, hand_timetable, idle_service

SATURDAY = WEEK + dt.timedelta(days=5)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from idle_service(tmp_path_factory, "routes_jobs_policy")


def _week_planned_with(client: TestClient, policy: dict[str, Any]) -> tuple[str, str]:
    """A department stored with 15-13-7, its week solved (by hand) under `policy` and routed,
    m01's Monday route repeated on Saturday: (department id, job id)."""
    store = client.app.state.service.store  # type: ignore[attr-defined]
    department = Department.model_validate(department_body())
    department_id = store.add_department(department.model_dump(mode="json", by_alias=True), None, None).id
    job = store.add_job(department_id, WEEK, policy, 1.0)
    store.start_job(job.id, "test")
    store.finish_job(job.id, "optimal", runner="test", timetable=hand_timetable(department).to_json_dict())
    routes = hand_routes(department)
    saturday = copy.deepcopy(routes["routes"][0]) | {"date": SATURDAY.isoformat()}
    routes["routes"].append(saturday)
    store.add_route_plan(department_id, job.id, WEEK, None, None, routes)
    return department_id, job.id


def _six_days() -> dict[str, Any]:
    policy = load_policy("15-13-7").model_dump(mode="json")
    policy["working_days"] = [*policy["working_days"], "sat"]
    return policy


def test_a_saturday_of_a_six_day_week_is_routed_and_mapped(client: TestClient) -> None:
    department_id, job_id = _week_planned_with(client, _six_days())
    asked = client.post(f"/v1/departments/{department_id}/routes",
                        json={"week_start": str(WEEK), "day": str(SATURDAY)})
    assert asked.status_code == 202, asked.text
    queued = client.app.state.service.store.job(asked.json()["id"])  # type: ignore[attr-defined]
    assert queued.job_kind == "routes" and queued.request["timetable_id"] == job_id
    page = client.get("/v1/routes/map.html", params={"department": department_id, "week_start": str(WEEK),
                                                     "day": str(SATURDAY), "lang": "en"})
    assert page.status_code == 200, page.text
    svg = page.text[page.text.index("<svg"):page.text.index("</svg>")]
    assert svg.count('class="stop"') == 4  # Saturday's four stops
    # Sunday is still no working day of that week, and says under which policy.
    sunday = client.post(f"/v1/departments/{department_id}/routes",
                         json={"week_start": str(WEEK), "day": str(SATURDAY + dt.timedelta(days=1))})
    assert sunday.status_code == 422 and "Sat 2026-11-28" in sunday.json()["detail"][0]["message"]


def test_the_maps_header_names_the_policy_the_week_was_planned_with(client: TestClient) -> None:
    department_id, _ = _week_planned_with(client, load_policy("seed-003").model_dump(mode="json"))
    page = client.get("/v1/routes/map.html", params={"department": department_id, "week_start": str(WEEK),
                                                     "lang": "en"})
    assert page.status_code == 200, page.text
    assert "Customer manager&#x27;s daily workflow" in page.text or "Customer manager's daily workflow" in page.text
    assert "15+13+7" not in page.text
    chinese = client.get("/v1/routes/map.html", params={"department": department_id, "week_start": str(WEEK)})
    assert "客户经理一日工作流程" in chinese.text and "15+13+7" not in chinese.text
