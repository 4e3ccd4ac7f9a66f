"""A mark on the phone page erased the manager-day's stored records (an outside tester):
the phone posted only the cards marked in the current page load, and a posted day
replaces the stored one (the daily report's rule), so the day's blocks went back to 0
minutes and an earlier 'done' was lost. The phone now posts with `merge`: a visit row
replaces only the stored row of its retailer; and its page shows the marks stored.
No solver runs: the week is typed by hand into the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.settings import Settings
from tests.api.http.support import WEEK, hand_routes, store_department_and_week

DAY = WEEK.isoformat()
BLOCKS = [("meeting", "08:00", "08:40"), ("visit", "09:00", "12:00"), ("lunch", "12:00", "13:00"),
          ("maintenance", "14:00", "16:00")]


@pytest.fixture()
def week(tmp_path: Path) -> Iterator[tuple[TestClient, str, str, dict[str, Any]]]:
    """A client, the department id, the solved week's job id and its hand-typed routes."""
    with TestClient(create_app(Settings(database_url=f"sqlite:///{tmp_path / 'm.db'}"))) as client:
        store = client.app.state.service.store  # type: ignore[attr-defined]
        department, department_id, job_id = store_department_and_week(store)
        routes = hand_routes(department)
        store.add_route_plan(department_id, job_id, WEEK, None, None, routes)
        yield client, department_id, job_id, routes


def _post(client: TestClient, job_id: str, rows: list[dict[str, str]], **body: Any) -> dict[str, Any]:
    answer = client.post("/v1/actuals", json={"timetable": job_id, "rows": rows, **body})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _mark(retailer: str, status: str, reason: str = "") -> dict[str, str]:
    """A row as desk.js posts it."""
    return {"manager": "m01", "date": DAY, "record": "visit", "retailer": retailer, "status": status,
            "reason": reason}


def _stored(client: TestClient, department_id: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    days = client.app.state.service.store.actuals_of_week(department_id, WEEK)  # type: ignore[attr-defined]
    return ([b for d in days for b in d["blocks"]],
            {v["retailer"]: v["status"] for d in days for v in d["visits"]})


def test_the_phone_s_marks_merge_into_the_stored_day(
        week: tuple[TestClient, str, str, dict[str, Any]]) -> None:
    client, department_id, job_id, routes = week
    first, second = (s["retailer"] for s in routes["routes"][0]["stops"][:2])
    report = [{"manager": "m01", "date": DAY, "record": "block", "kind": k, "start": s, "end": e}
              for k, s, e in BLOCKS]
    _post(client, job_id, report)
    assert len(_stored(client, department_id)[0]) == 4

    _post(client, job_id, [_mark(first, "done")], merge=True)
    sheet = _post(client, job_id, [_mark(second, "missed", "closed")], merge=True)
    blocks, visits = _stored(client, department_id)
    assert len(blocks) == 4  # the daily report's blocks stay
    assert visits == {first: "done", second: "missed"}  # the earlier mark too
    assert sheet["stored_days"] == 1
    _post(client, job_id, [_mark(first, "missed", "no one there")], merge=True)
    assert _stored(client, department_id)[1] == {first: "missed", second: "missed"}  # its own row replaced

    # Without merge a day is a daily report: it replaces the stored day, as documented.
    _post(client, job_id, [_mark(second, "done")])
    assert _stored(client, department_id) == ([], {second: "done"})


def test_the_phone_page_shows_the_marks_stored(week: tuple[TestClient, str, str, dict[str, Any]]) -> None:
    client, department_id, job_id, routes = week
    first, second = (s["retailer"] for s in routes["routes"][0]["stops"][:2])
    _post(client, job_id, [_mark(first, "done"), _mark(second, "missed", "shut <early>")], merge=True)
    page = client.get(f"/v1/desk/my/{department_id}/m01/{DAY}", params={"lang": "en"}).text
    assert f'data-retailer="{first}" data-status="done"' in page
    assert f'data-retailer="{second}" data-status="missed" data-reason="shut &lt;early&gt;"' in page
    assert 'class="missed on"' in page and 'class="done on"' in page
    assert 'value="shut &lt;early&gt;"' in page


def test_desk_js_posts_only_the_card_marked_with_merge() -> None:
    script = (Path(__file__).parents[3] / "api/http/pages/static/desk.js").read_text(encoding="utf-8")
    marking = script[script.index("my day on the phone"):]
    assert "merge: true" in marking
    assert 'querySelectorAll(".stop-card[data-status]")' not in marking
