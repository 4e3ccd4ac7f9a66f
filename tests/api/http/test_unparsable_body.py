"""A body FastAPI cannot parse at all (invalid UTF-8, 100000-deep nesting) was answered
400 {"detail": "There was an error parsing the body"} where `{bad` gets the documented
422 problem list (outside tester D4, F2). Both now get the 422 shape; other HTTP errors
(a 404) keep theirs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.api.http.support import idle_service

JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from idle_service(tmp_path_factory, "unparsable_body")


def _problem(client: TestClient, body: bytes) -> dict:
    answer = client.post("/v1/departments/nosuch/timetables", content=body, headers=JSON)
    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["detail"]
    assert set(problem) == {"file", "row", "column", "message", "loc"} and problem["loc"][0] == "body"
    assert problem["message"].startswith("not valid JSON")
    return problem


def test_invalid_utf8_is_a_422_problem(client: TestClient) -> None:
    assert "UTF-8" in _problem(client, b'{"week_start":"\xff\xfe"}')["message"]


def test_deep_nesting_is_a_422_problem(client: TestClient) -> None:
    assert "deep" in _problem(client, b"[" * 100000 + b"]" * 100000)["message"]


def test_bad_json_and_other_http_errors_keep_their_answers(client: TestClient) -> None:
    assert _problem(client, b"{bad")["loc"] == ["body", 1]
    missing = client.get("/v1/timetables/nosuch")
    assert missing.status_code == 404 and isinstance(missing.json()["detail"], str)
