"""The desk and the phone page used in headless Chromium as a market manager and a
customer manager would (SPEC §1): the key entered once, a department folder imported
(named to run script; first with a bad value, shown at its file, row and column), a week planned with live
progress and then its verdict, the map switched to one manager-day, and on a phone-sized
page a stop marked done, which the week's actuals then hold. No console error, no
request leaving the machine."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.http.app import create_app
from api.http.settings import Settings
from engine.domain import Department
from engine.load import write_department
from tests.api.browser_support import CHROMIUM, Watch, chromium, serving
from tests.api.http.support import MARKING_PAYLOAD, WEEK, hostile_body

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or importlib.util.find_spec("playwright") is None,
    reason="needs Debian's chromium and the playwright package",
)
KEY = "desk-browser-key-01"


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The service with one admin key and short solver limits, and a tiny department
    folder on disk (plus a copy whose retailers.csv has a latitude that is no number)."""
    folder: Path = tmp_path_factory.mktemp("desk-browser")
    keys = folder / "keys"
    keys.write_text(f"{KEY} = *\n", encoding="utf-8")
    good, bad = folder / "good", folder / "bad"
    write_department(Department.model_validate(hostile_body(MARKING_PAYLOAD)), good)
    write_department(Department.model_validate(hostile_body(MARKING_PAYLOAD)), bad)
    rows = (bad / "retailers.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    cells = rows[2].split(",")
    cells[header.index("lat")] = "north"
    rows[2] = ",".join(cells)
    (bad / "retailers.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'desk.db'}", api_keys_file=keys,
                              default_route_time_limit_s=1.0))
    with serving(app) as base:
        yield {"base": base, "good": good, "bad": bad, "store": app.state.service.store}


def _files(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.iterdir() if p.suffix in (".csv", ".toml"))


def _m01_with_stops(page: Any, view_id: str) -> bool:
    view = page.locator(f"#{view_id}")
    return view.get_attribute("data-manager") == "m01" and view.locator("g.stop").count() > 0


def test_import_plan_map_and_my_day(desk: dict[str, Any]) -> None:
    """The whole path through the pages, as a user clicks it."""
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        watch = Watch()
        watch.attach(page)
        page.goto(f"{desk['base']}/")
        assert page.locator("h1").inner_text() == "部门"
        page.fill("#key", KEY)
        page.click("#key-form button[type=submit]")
        page.wait_for_selector("#department-list li")

        page.set_input_files("#import-form input[type=file]", _files(desk["bad"]))
        page.click("#import-form button[type=submit]")
        problem = page.wait_for_selector("table.problems tbody tr")
        assert [c.inner_text() for c in problem.query_selector_all("td")][:3] == ["retailers.csv", "3", "lat"]

        page.set_input_files("#import-form input[type=file]", _files(desk["good"]))
        page.click("#import-form button[type=submit]")
        page.click("#import-result a")
        page.wait_for_url("**/desk/departments/**")
        page.fill("#plan-form input[name=week_start]", WEEK.isoformat())
        page.fill("#plan-form input[name=time_limit]", "2")
        page.click("#plan-form button[type=submit]")
        page.wait_for_selector("#verdict", timeout=90_000)
        assert page.locator('[data-field="status"]').inner_text() in ("done", "optimal", "feasible")
        assert page.locator("figure.chart").count() >= 4

        page.click("button[data-load-map]")
        page.wait_for_selector("#map table.week-grid a")
        # A day of the hostile-named manager (m01) with stops: his retailers' names then show
        # on the desk whichever of his days a short solve under load leaves without a visit.
        links = page.locator("#map table.week-grid a").all()
        chosen = next((link for link in links if _m01_with_stops(page, link.get_attribute("href").lstrip("#"))),
                      links[0])
        view_id = chosen.get_attribute("href").lstrip("#")
        chosen.click()
        assert [v.get_attribute("id") for v in page.locator("section.view:visible").all()] == [view_id]
        job = page.locator(".week-part").get_attribute("data-job")
        routes = httpx.get(f"{desk['base']}/v1/desk/routes/{job}.json", headers={"Authorization": f"Bearer {KEY}"}).json()
        view = page.locator(f"#{view_id}")
        route = next(r for r in routes["routes"]
                     if r["manager"] == view.get_attribute("data-manager") and r["date"] == view.get_attribute("data-date"))
        assert [s.get_attribute("data-retailer") for s in view.locator("g.stop").all()] == [
            stop["retailer"] for stop in route["stops"]
        ]  # exactly that route's stops, in visiting order

        with context.expect_page() as opened:
            page.click("button[data-open-page]")
        grid = opened.value
        grid.wait_for_url("blob:**")
        assert grid.locator(".block").count() > 0  # the printable week grid, fetched with the key
        watch.attach(grid)
        grid.close()
        with page.expect_download() as downloaded:
            page.click('button[data-download$=".xlsx?lang=zh"]')
        assert Path(downloaded.value.path()).read_bytes()[:2] == b"PK"  # an xlsx (zip) file
        # The hostile-named manager's days first: the phone page then shows his name (as text)
        # whichever manager's days the week's routes give visits (it took the first row's).
        rows = sorted(page.locator("table.my-days tbody tr").all(),
                      key=lambda row: "onerror=alert(1)" not in row.locator("th").inner_text())
        days = [a.get_attribute("href") for row in rows for a in row.locator("a").all()]

        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
        watch.attach(phone)
        phone.goto(f"{desk['base']}{days[0]}")
        phone.fill("#key", KEY)
        phone.click("#key-form button[type=submit]")
        phone.wait_for_selector("#my-day .day")
        for my_day in days[1:]:  # the first day whose route has a visit (not appointments only)
            if phone.locator('li.stop-card[data-kind="visit"]').count():
                break
            phone.goto(f"{desk['base']}{my_day}")
            phone.wait_for_selector("#my-day .day")
        card = phone.wait_for_selector('li.stop-card[data-kind="visit"]', timeout=5_000)
        retailer = card.get_attribute("data-retailer")
        button = card.query_selector("button.done")
        assert button.bounding_box()["height"] >= 44  # a thumb's target
        button.click()
        phone.wait_for_selector("p.sent-note:not([hidden])")
        stored = desk["store"].actuals_of_week(phone.url.split("/")[4], WEEK)
        visits = [v for day in stored for v in day.get("visits", [])]
        assert any(v["retailer"] == retailer and v["status"] == "done" for v in visits)
        manager = phone.locator("#my-day .day").get_attribute("data-manager")

        page.click("button[data-load-part]")  # back on the desk: the Friday sheet has filled itself
        done = page.wait_for_selector(f'#feedback tr[data-manager="{manager}"] td.done')
        assert int(done.inner_text()) >= 1
        for seen in (page, phone):  # every page showed the names, as text
            assert "<img" not in seen.content() and seen.title() != "ran"
            assert "onerror=alert(1)" in seen.inner_text("body")

    assert watch.errors == []
    assert watch.left_the_machine() == []
