"""POST /v1/departments against its OpenAPI schema (`DepartmentDocument`): the schema
listed `street_network` but the body refused it as an "unknown field", whose list of
known fields named `holidays` where the schema says `calendar_days`; and a
`public_calendar` of "US" or "XX" was taken with 201 and stored as the policy's "CN"
without a word. Every field of the schema is now taken, the list names the schema's
fields, and a public calendar that is unknown, or not the policy's, is refused (422)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.settings import Settings
from engine.policy import load_policy
from tests.api.http.support import department_body

HOLIDAY = {"date": "2026-11-25", "kind": "holiday", "name": "厂庆"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder: Path = tmp_path_factory.mktemp("department_schema")
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 's.db'}"))) as client:
        yield client


def _schema_fields(client: TestClient) -> list[str]:
    return list(client.get("/openapi.json").json()["components"]["schemas"]["DepartmentDocument"]["properties"])


def _refused(client: TestClient, body: dict[str, Any]) -> list[dict[str, Any]]:
    answer = client.post("/v1/departments", json=body)
    assert answer.status_code == 422, answer.text
    return answer.json()["detail"]


def test_every_field_of_the_schema_is_taken(client: TestClient) -> None:
    body = department_body(public_calendar="CN", calendar_days=[HOLIDAY], street_network="streets.osm.bz2")
    assert sorted(body) == sorted(_schema_fields(client))
    answer = client.post("/v1/departments", json=body)
    assert answer.status_code == 201, answer.text
    stored = answer.json()["department"]
    assert stored["street_network"] == "streets.osm.bz2"
    assert stored["calendar_days"] == [HOLIDAY] and stored["public_calendar"] == "CN"
    again = client.post("/v1/departments", json=stored)  # a stored document is a body too
    assert again.status_code == 201, again.text
    assert again.json()["department"] == stored


def test_an_unknown_field_is_told_the_schemas_fields(client: TestClient) -> None:
    [problem] = _refused(client, department_body(holiday=[HOLIDAY]))
    assert problem["loc"] == ["body", "holiday"]
    known = problem["message"].split("known fields: ")[1].split(";")[0].rstrip(")")
    assert known.split(", ") == _schema_fields(client)


def test_holidays_is_calendar_days_by_its_files_name_but_not_both(client: TestClient) -> None:
    answer = client.post("/v1/departments", json=department_body(holidays=[HOLIDAY]))
    assert answer.status_code == 201, answer.text
    assert answer.json()["department"]["calendar_days"] == [HOLIDAY]
    [problem] = _refused(client, department_body(holidays=[HOLIDAY], calendar_days=[HOLIDAY]))
    assert problem["loc"] == ["body", "holidays"] and "calendar_days" in problem["message"]


def test_an_unknown_public_calendar_is_refused_with_the_calendars_that_exist(client: TestClient) -> None:
    [problem] = _refused(client, department_body(public_calendar="XX"))
    assert problem["loc"] == ["body", "public_calendar"] and problem["column"] == "public_calendar"
    assert "'XX'" in problem["message"] and "CN, " in problem["message"] and "US" in problem["message"]


def test_a_public_calendar_other_than_the_policys_is_refused(client: TestClient) -> None:
    [problem] = _refused(client, department_body(public_calendar="US"))
    assert problem["loc"] == ["body", "public_calendar"]
    assert "'CN'" in problem["message"] and "'US'" in problem["message"] and "15-13-7" in problem["message"]
    [problem] = _refused(client, department_body(public_calendar=None))
    assert problem["loc"] == ["body", "public_calendar"]


def test_a_policy_naming_the_calendar_gives_it(client: TestClient) -> None:
    policy = {**load_policy("15-13-7").model_dump(mode="json"), "name": "us-week", "calendar": "US"}
    answer = client.post("/v1/departments", json=department_body(policy=policy, public_calendar="US"))
    assert answer.status_code == 201, answer.text
    assert answer.json()["department"]["public_calendar"] == "US"
