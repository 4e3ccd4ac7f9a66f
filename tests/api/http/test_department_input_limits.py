"""What the service refuses to import whatever the way in (a JSON body, the CSV files of a
folder, a workbook): manager ids no address can hold, and tables wider than its column limit."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.settings import Settings
from tests.api.http.support import department_body

MAX_COLUMNS = 40
FORM = {"name": "测试市场部", "office_lat": "30.6921", "office_lon": "104.0874", "policy": "15-13-7",
        "market_manager": "李建国"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("department-input")
    settings = Settings(database_url=f"sqlite:///{folder / 'input.db'}", max_columns=MAX_COLUMNS)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    """Rows of a JSON body as the CSV file a folder holds (lists joined with ';')."""
    columns = list(dict.fromkeys(column for row in rows for column in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([";".join(v) if isinstance(v, list) else v for v in (row.get(c, "") for c in columns)])
    return buffer.getvalue().encode("utf-8")


def folder_upload(body: dict[str, Any]) -> list[tuple[str, tuple[str, bytes]]]:
    return [("files", (f"{table}.csv", csv_bytes(body[table]))) for table in ("managers", "retailers")]


def stored_count(client: TestClient) -> int:
    response = client.get("/v1/departments")
    assert response.status_code == 200, response.text
    return len(response.json())


def renamed_manager(manager_id: str) -> dict[str, Any]:
    """The small department with manager m01 (and his retailers) under `manager_id`."""
    body = department_body()
    body["managers"][0]["id"] = manager_id
    for retailer in body["retailers"]:
        if retailer["manager"] == "m01":
            retailer["manager"] = manager_id
    return body


@pytest.mark.parametrize("manager_id", ["../../etc/x", "..", "east\\m01"])
def test_a_manager_id_no_address_can_hold_is_refused_by_json_and_csv(client: TestClient, manager_id: str) -> None:
    """The id becomes /my/{department}/{manager}/{date}: refused (422, managers row 2, id)
    through the JSON body and the folder's CSV files alike, and nothing is stored."""
    before = stored_count(client)
    body = renamed_manager(manager_id)
    by_json = client.post("/v1/departments", json=body)
    by_csv = client.post("/v1/departments/import", data=FORM, files=folder_upload(body))
    for response, file in ((by_json, "managers"), (by_csv, "managers.csv")):
        assert response.status_code == 422, response.text
        [problem] = response.json()["detail"]
        assert (problem["file"], problem["row"], problem["column"]) == (file, 2, "id")
        assert problem["message"].startswith(f"id '{manager_id}' ")
    assert stored_count(client) == before
    fine = client.post("/v1/departments/import", data=FORM, files=folder_upload(renamed_manager("华东.01")))
    assert fine.status_code == 201, fine.text


def test_a_csv_upload_wider_than_the_column_limit_is_refused(client: TestClient) -> None:
    """135 columns in retailers.csv are refused as a workbook's sheet is: 422 naming the file,
    row and the last column; within the limit the same extra columns are kept."""
    before = stored_count(client)
    body = department_body()
    wide = {f"note{i}": "x" for i in range(135 - len(body["retailers"][0]))}
    body["retailers"] = [{**row, **wide} for row in body["retailers"]]
    response = client.post("/v1/departments/import", data=FORM, files=folder_upload(body))
    assert response.status_code == 422, response.text
    assert [(p["file"], p["row"], p["column"], p["message"]) for p in response.json()["detail"]] == [
        ("retailers.csv", 1, "EE", f"the file has more than {MAX_COLUMNS} columns, this service's limit")]
    assert stored_count(client) == before
    body["retailers"] = [{**row, "note": "x"} for row in department_body()["retailers"]]
    kept = client.post("/v1/departments/import", data=FORM, files=folder_upload(body))
    assert kept.status_code == 201, kept.text
    assert kept.json()["department"]["retailers"][0]["extra"] == {"note": "x"}


def test_a_json_body_wider_than_the_column_limit_is_refused(client: TestClient) -> None:
    """166 fields per retailer (extra ones included) are refused with 422 at the first row
    that goes beyond the limit, and nothing is stored."""
    before = stored_count(client)
    body = department_body()
    wide = {f"note{i}": "x" for i in range(166 - len(body["retailers"][0]))}
    body["retailers"][0]["extra"] = wide
    response = client.post("/v1/departments", json=body)
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert (problem["file"], problem["row"], problem["loc"]) == ("retailers", 2, ["body", "retailers", 0])
    assert problem["message"] == f"the rows of retailers have more than {MAX_COLUMNS} columns between them, " \
        "this service's limit"
    # Columns count across rows: each row under the limit, together over it.
    spread = department_body()
    for index, row in enumerate(spread["retailers"]):
        row.update({f"note{index}-{i}": "x" for i in range(10)})
    answer = client.post("/v1/departments", json=spread)
    assert answer.status_code == 422 and answer.json()["detail"][0]["row"] > 2
    assert stored_count(client) == before


def test_a_csv_upload_with_a_blank_header_cell_says_which_column_is_missing(client: TestClient) -> None:
    """A blank header cell over lat is one problem at its column letter, not one per row, and
    the upload is told that lat is missing."""
    body = department_body()
    files = folder_upload(body)
    header, rest = files[1][1][1].decode("utf-8").split("\n", 1)
    files[1] = ("files", ("retailers.csv", (header.replace(",lat,", ",,") + "\n" + rest).encode("utf-8")))
    response = client.post("/v1/departments/import", data=FORM, files=files)
    assert response.status_code == 422, response.text
    assert [(p["file"], p["row"], p["column"]) for p in response.json()["detail"]] == [
        ("retailers.csv", 1, "C"), ("retailers.csv", 1, "lat")]
    assert response.json()["detail"][1]["message"] == "column 'lat' is missing"
