"""Schemathesis over the API's OpenAPI schema: generated requests (a bounded number per
operation) never get a 500, whatever they contain."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.http.app import create_app
from api.http.settings import Settings
from engine.domain import Department
from engine.policy import load_policy
from tests.api.http.support import WEEK, department_body, hand_routes, hand_timetable

EXAMPLES_PER_OPERATION = 2


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory):
    """The OpenAPI schema of an app holding one department, a solved week and a route plan.
    A full job queue (max_pending_jobs=1) keeps generated requests from starting solvers."""
    folder: Path = tmp_path_factory.mktemp("schema")
    app = create_app(
        Settings(
            database_url=f"sqlite:///{folder / 'schema.db'}",
            max_pending_jobs=1,
            max_body_bytes=200_000,
            max_time_limit_s=5,
            default_time_limit_s=1,
            max_route_time_limit_s=1,
            default_route_time_limit_s=1,
        )
    )
    store = app.state.service.store
    department = Department.model_validate(department_body())
    record = store.add_department(department.model_dump(mode="json", by_alias=True), None, None)
    policy = load_policy("15-13-7").model_dump(mode="json")
    job = store.add_job(record.id, WEEK, policy, 1.0)
    store.start_job(job.id, "schema-test")
    store.finish_job(
        job.id, "optimal", runner="schema-test", timetable=hand_timetable(department).to_json_dict()
    )
    store.add_route_plan(record.id, job.id, WEEK, None, None, hand_routes(department))
    # Fill the queue so generated timetable requests are refused (429) instead of starting solvers.
    store.add_job(record.id, WEEK, policy, 1.0)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    app.state.service.jobs.shutdown()


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors(case) -> None:
    """Any request the schema allows (and many it does not) answers below 500."""
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:500]}"
