"""An uploaded file that is none of a department's is refused, naming the files expected
(a leaves.csv would leave the department without its leave, in silence)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.settings import Settings
from tests.locations import POLICIES, SAMPLE


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("names")
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 'names.db'}"))) as test_client:
        yield test_client


def sample_files(rename: dict[str, str]) -> list[tuple[str, tuple[str, bytes]]]:
    return [("files", (rename.get(path.name, path.name), path.read_bytes()))
            for path in sorted(SAMPLE.iterdir()) if path.is_file()]


def test_a_misnamed_file_is_refused_naming_the_expected_ones(client: TestClient) -> None:
    response = client.post("/v1/departments/import", files=sample_files({"leave.csv": "leaves.csv"}))
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["file"] == "leaves.csv"
    assert "did you mean leave.csv?" in problem["message"]
    assert "department.toml, managers.csv, retailers.csv, leave.csv, history.csv, holidays.csv" in problem["message"]


def test_an_unrelated_file_in_a_zip_is_refused_too(client: TestClient) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for path in SAMPLE.iterdir():
            bundle.writestr(f"sample/{path.name}", path.read_bytes())
        bundle.writestr("sample/notes.txt", b"x")
    response = client.post("/v1/departments/import", files={"folder": ("d.zip", buffer.getvalue())})
    assert response.status_code == 422, response.text
    assert [p["file"] for p in response.json()["detail"]] == ["notes.txt"]


def test_an_own_policy_file_named_by_department_toml_is_no_unknown_file(client: TestClient, tmp_path: Path) -> None:
    toml = (SAMPLE / "department.toml").read_text("utf-8").replace('"15-13-7"', '"west.toml"')
    policy = (POLICIES / "15-13-7.toml").read_text("utf-8").replace(
        'name = "15-13-7"', 'name = "west"')
    files = [entry for entry in sample_files({}) if entry[1][0] != "department.toml"]
    files += [("files", ("department.toml", toml.encode())), ("files", ("west.toml", policy.encode()))]
    response = client.post("/v1/departments/import", files=files)
    assert response.status_code == 201, response.text
