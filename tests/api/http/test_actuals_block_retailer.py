"""POST /v1/actuals dropped a block row's retailer without a word (an outside tester's
find through `fieldweek actuals import`; the endpoint reads rows the same way): an
unknown retailer, or one on an office block, is 422 naming the row and column; a field
block's retailer is stored with the block. No solver runs: the week is typed by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.settings import Settings
from tests.api.http.support import WEEK, store_department_and_week


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, str]]:
    folder: Path = tmp_path_factory.mktemp("actuals_block_retailer")
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 'a.db'}"))) as client:
        _, department_id, job_id = store_department_and_week(client.app.state.service.store)  # type: ignore[attr-defined]
        yield client, job_id, department_id


def block(kind: str, retailer: str) -> dict[str, str]:
    return {"manager": "m01", "date": WEEK.isoformat(), "record": "block", "kind": kind,
            "retailer": retailer, "start": "12:00", "end": "14:00"}


def post(service: tuple[TestClient, str, str], rows: list[dict[str, str]]) -> Any:
    client, job_id, _ = service
    return client.post("/v1/actuals", json={"timetable": job_id, "rows": rows})


@pytest.mark.parametrize(("kind", "retailer", "words"), [
    ("maintenance", "R09999", "retailer 'R09999' is not in retailers.csv"),
    ("phone", "R0101", "no retailer ('R0101')"),
])
def test_a_block_s_bad_retailer_is_422_naming_row_and_column(
    service: tuple[TestClient, str, str], kind: str, retailer: str, words: str
) -> None:
    response = post(service, [block(kind, retailer)])
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "rows", 0, "retailer"]
    assert words in problem["message"]


def test_a_field_block_s_retailer_is_stored_with_it(service: tuple[TestClient, str, str]) -> None:
    client, _, department_id = service
    response = post(service, [block("maintenance", "R0101")])
    assert response.status_code == 200, response.text
    store = client.app.state.service.store  # type: ignore[attr-defined]
    [day] = store.actuals_of_week(department_id, WEEK)
    assert [b["retailer"] for b in day["blocks"]] == ["R0101"]
