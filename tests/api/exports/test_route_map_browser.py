"""The route map in headless Chromium, served by the API with every other host
unresolvable: the switchers show one manager-day at a time with exactly that route's
stops in order, over streets; no console error, no request leaves the machine."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.exports.street_basemap import STREETS_VARIABLE
from api.http.app import create_app
from api.http.settings import Settings
from engine.domain import Department
from tests.api.browser_support import CHROMIUM, Watch, chromium, serving
from tests.api.exports.route_map_week import CHENGDU_STREETS, week_of_routes
from tests.api.http.support import WEEK, department_body, store_solved_job

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or importlib.util.find_spec("playwright") is None or not CHENGDU_STREETS.is_file(),
    reason="needs Debian's chromium, the playwright package and the Chengdu extract beside the project",
)


DRIVER_PROBE_BLOCKED = "Blocked script execution in"


@pytest.fixture(scope="module")
def map_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    """The API serving a week of hand-typed routes with the Chengdu streets configured;
    yields the week's map URL and the routes JSON."""
    folder: Path = tmp_path_factory.mktemp("map-browser")
    before = os.environ.get(STREETS_VARIABLE)
    os.environ[STREETS_VARIABLE] = str(CHENGDU_STREETS)
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'map.db'}"))
    store = app.state.service.store
    department = Department.model_validate(department_body())
    record = store.add_department(department.model_dump(mode="json", by_alias=True), None, None)
    routes = week_of_routes(department)
    store_solved_job(store, record.id, department, "browser-test", routes)
    try:
        with serving(app) as base:
            yield f"{base}/v1/routes/map.html?department={record.id}&week_start={WEEK}", routes
    finally:
        if before is None:
            os.environ.pop(STREETS_VARIABLE, None)
        else:
            os.environ[STREETS_VARIABLE] = before


@pytest.mark.bench  # a second browser pass over the map (8 s; test_browser.py renders it): opt-in
def test_switchers_show_one_manager_day_over_streets(map_url: tuple[str, dict]) -> None:
    """Overview first; a click on a manager-day shows that route alone with its stops in
    order; the day and manager switchers move to the neighbours; at phone size too."""
    url, routes = map_url
    by_view = {("v0" if r["manager"] == "m01" else "v1") + "-" + r["date"]: r for r in routes["routes"]}
    with chromium() as browser:
        for width, height in ((1366, 768), (390, 844)):
            page = browser.new_page(viewport={"width": width, "height": height})
            watch = Watch()
            watch.attach(page)
            page.goto(url)
            assert page.locator("#overview").is_visible()
            assert page.locator("section.view:visible").count() == 0
            page.click('#overview a[href="#v1-2026-11-24"]')
            for view_id in ("v1-2026-11-24", "v1-2026-11-23", "v0-2026-11-23"):
                if not page.url.endswith(f"#{view_id}"):
                    page.click(f'section.view:visible nav.switch a[href="#{view_id}"]')
                assert not page.locator("#overview").is_visible()
                assert [s.get_attribute("id") for s in page.locator("section.view:visible").all()] == [view_id]
                shown = page.locator(f"#{view_id} g.stop")
                assert [s.get_attribute("data-retailer") for s in shown.all()] == [
                    stop["retailer"] for stop in by_view[view_id]["stops"]
                ]
                drawing = page.locator(f"#{view_id} svg.route-drawing")
                assert drawing.bounding_box()["width"] > 300
                # The streets are painted under the route: the shared group is used and has length.
                assert page.locator(f"#{view_id} use").bounding_box()["width"] > 300
            # The page holds no script (the exports' sandbox forbids it), so Chromium's notes that
            # it blocked script in this document are about the test driver's own probes.
            assert "<script" not in page.content()
            assert [e for e in watch.errors if not e.startswith(DRIVER_PROBE_BLOCKED)] == []
            assert watch.left_the_machine() == []
            page.close()
