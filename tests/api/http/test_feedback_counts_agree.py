"""The Friday sheet's missed visits read differently in each output (an outside tester):
after m01's Monday was reported, the desk's sheet showed 未完成 = 1 for m01 while its
workbook (未访) and the JSON's `missed` said 13: the page left out the visits no report
speaks of. All three now count the same: missed = the due visits not done, the
unreported included and shown beside it as a column of their own, and both headers say
so. No solver runs: the week and its routes are typed by hand into the store."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.api.http.support import WEEK, hand_routes, idle_service, store_department_and_week


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from idle_service(tmp_path_factory, "feedback_counts")


def _page_row(page: str, manager: str) -> dict[str, int]:
    row = re.search(rf'<tr data-manager="{manager}">(.*?)</tr>', page, flags=re.DOTALL)
    assert row, page
    return {name: int(value) for name, value in
            re.findall(r'<td class="(done|missed|not-reported)">(\d+)</td>', row.group(1))}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_workbook_and_json_count_the_missed_alike(client: TestClient, lang: str) -> None:
    store = client.app.state.service.store  # type: ignore[attr-defined]
    department, department_id, job_id = store_department_and_week(store)
    routes = hand_routes(department)
    store.add_route_plan(department_id, job_id, WEEK, None, None, routes)
    first, second = (s["retailer"] for s in routes["routes"][0]["stops"][:2])
    rows = [{"manager": "m01", "date": WEEK.isoformat(), "record": "visit", "retailer": first, "status": "done"},
            {"manager": "m01", "date": WEEK.isoformat(), "record": "visit", "retailer": second,
             "status": "missed", "reason": "shop closed"}]
    answer = client.post("/v1/actuals", json={"timetable": job_id, "rows": rows, "routes": routes})
    assert answer.status_code == 200, answer.text
    tally = next(t for t in answer.json()["feedback"]["visits"] if t["manager"] == "m01")
    # The case the tester met: one reported missed, more never reported, all of them not done.
    assert tally["missed"] > tally["not_reported"] > 0
    assert tally["done"] + tally["missed"] == tally["due"]

    page = client.get(f"/v1/desk/feedback/{job_id}", params={"lang": lang}).text
    assert _page_row(page, "m01") == {"done": tally["done"], "missed": tally["missed"],
                                      "not-reported": tally["not_reported"]}
    heads = re.findall(r"<th>([^<]*)</th>", page[page.index("<thead>"):page.index("</thead>")])
    says_included, says_unreported = ("unreported included", "not reported") if lang == "en" else ("含未上报", "未上报")
    assert says_included in heads[4] and says_unreported in heads[5]

    workbook = client.get(f"/v1/desk/feedback/{job_id}.xlsx", params={"lang": lang})
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).worksheets[1]
    header = [str(c.value) for c in sheet[1]]
    missed_column = next(i for i, h in enumerate(header) if says_included in h)
    unreported_column = next(i for i, h in enumerate(header) if h != header[missed_column] and says_unreported in h)
    row = next([c.value for c in r] for r in sheet.iter_rows(min_row=2) if r[0].value == "m01")
    assert (row[missed_column], row[unreported_column]) == (tally["missed"], tally["not_reported"])
