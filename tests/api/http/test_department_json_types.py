"""A JSON department's values are refused, not coerced, when their JSON type says
something their column cannot mean: true/false for a number (`years: true` was stored as
1.0), a list for a single value (`service_min: [10]` as 10, `manager: ["m01"]` as "m01").
Flags still take true/false, skills a list, and numbers as text ("10", as in a CSV)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.settings import Settings
from tests.api.http.support import department_body


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("json-types")
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 'types.db'}"))) as test_client:
        yield test_client


def test_booleans_for_numbers_and_lists_for_single_values_are_named(client: TestClient) -> None:
    body = department_body()
    body["managers"][0]["years"] = True
    body["retailers"][0]["visits_per_4_weeks"] = True
    body["retailers"][1]["service_min"] = [10]
    body["retailers"][2]["manager"] = ["m01"]
    response = client.post("/v1/departments", json=body)
    assert response.status_code == 422, response.text
    problems = {(p["file"], p["row"], p["column"]): p["message"] for p in response.json()["detail"]}
    assert "not true" in problems[("managers", 2, "years")]
    assert "not true" in problems[("retailers", 2, "visits_per_4_weeks")]
    assert "not a list" in problems[("retailers", 3, "service_min")]
    assert "not a list" in problems[("retailers", 4, "manager")]


def test_flags_skills_and_numbers_as_text_still_load(client: TestClient) -> None:
    body = department_body()
    body["managers"][0]["years"] = "10"
    body["retailers"][0]["service_min"] = "10"
    assert body["managers"][0]["skills"] == ["difficult"] and body["retailers"][0]["pos_target"] is True
    response = client.post("/v1/departments", json=body)
    assert response.status_code == 201, response.text
    stored = response.json()["department"]
    assert stored["managers"][0]["years"] == 10 and stored["managers"][0]["skills"] == ["difficult"]
    assert stored["retailers"][0]["service_min"] == 10 and stored["retailers"][0]["pos_target"] is True
