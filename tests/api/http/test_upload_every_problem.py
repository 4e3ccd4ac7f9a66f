"""An upload's problems come all at once: a workbook that cannot be opened is reported
together with the form fields missing, not after they are sent."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.settings import Settings
from tests.locations import SAMPLE


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("every")
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 'every.db'}"))) as test_client:
        yield test_client


def test_a_corrupt_workbook_without_fields_lists_every_problem(client: TestClient) -> None:
    response = client.post("/v1/departments/import", files={"workbook": ("d.xlsx", b"hello")})
    assert response.status_code == 422, response.text
    found = {(p["file"], p["column"]): p["message"] for p in response.json()["detail"]}
    assert found[("d.xlsx", None)].startswith("cannot open the workbook")
    assert found[("form", "policy")].startswith("policy is missing")
    assert found[("form", "name")] == "name is missing"
    assert found[("form", "market_manager")] == "market_manager is missing"
    assert ("form", "office_lat") in found
    assert len(found) == len(response.json()["detail"]) == 5  # the policy once, no missing sheets


def test_an_unknown_policy_is_reported_with_the_tables_problems(client: TestClient) -> None:
    managers = (SAMPLE / "managers.csv").read_bytes()
    retailers = (SAMPLE / "retailers.csv").read_text("utf-8-sig").splitlines()
    retailers[1] = retailers[1].replace(",town,", ",suburb,", 1).replace(",country,", ",suburb,", 1)
    response = client.post(
        "/v1/departments/import",
        data={"policy": "16-12-7", "name": "x", "market_manager": "y", "office_lat": "30.69", "office_lon": "104.08"},
        files={"managers": ("managers.csv", managers),
               "retailers": ("retailers.csv", "\n".join(retailers).encode("utf-8"))},
    )
    assert response.status_code == 422, response.text
    where = {(p["file"], p["row"], p["column"]) for p in response.json()["detail"]}
    assert where == {("form", None, "policy"), ("retailers.csv", 2, "area")}
