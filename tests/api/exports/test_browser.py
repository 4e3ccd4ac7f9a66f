"""The timetable page and the route map in headless Chromium, served by the API over
loopback with every other host unresolvable (no tiles, no CDN): the grid's blocks and
the route's stops must be in the rendered page and visibly painted."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from api.exports.route_map import ROUTE_COLOURS
from api.exports.week import KIND_COLOURS
from api.http.app import create_app
from api.http.settings import Settings
from engine.domain import Department
from tests.api.browser_support import CHROMIUM, OFFLINE, serving
from tests.api.http.support import (
    MANAGER_PAYLOAD,
    MARKING_PAYLOAD,
    RETAILER_PAYLOAD,
    WEEK,
    department_body,
    hand_routes,
    hand_timetable,
    store_solved_job,
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (Debian: apt-get install -y chromium); "
    "the browser test needs it to render the pages",
)


def _hostile_body() -> dict:
    """The test department with a manager and their retailers named to run script."""
    body = department_body()
    body["managers"][0]["name"] = MANAGER_PAYLOAD
    body["managers"][1]["name"] = MARKING_PAYLOAD
    for number, retailer in enumerate(body["retailers"]):
        if retailer["manager"] == "m01":
            retailer["name"] = RETAILER_PAYLOAD if number % 2 else MARKING_PAYLOAD
    return body


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The API on a loopback port (uvicorn in a thread) holding a hand-typed solved week and
    its route plan; yields the base URL and the ids."""
    folder = tmp_path_factory.mktemp("browser")
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'browser.db'}"))
    store = app.state.service.store
    department = Department.model_validate(department_body())
    record = store.add_department(department.model_dump(mode="json", by_alias=True), None, None)
    job_id = store_solved_job(store, record.id, department, "browser-test", hand_routes(department))
    hostile = Department.model_validate(_hostile_body())
    hostile_record = store.add_department(
        hostile.model_dump(mode="json", by_alias=True), None, None
    )
    hostile_job_id = store_solved_job(store, hostile_record.id, hostile, "browser-test", hand_routes(hostile))

    with serving(app) as base:
        yield {
            "base": base,
            "department": record.id,
            "job": job_id,
            "hostile_department": hostile_record.id,
            "hostile_job": hostile_job_id,
        }


def _chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            f"--host-resolver-rules={OFFLINE}",  # only loopback resolves: no tile server, no CDN
            f"--user-data-dir={profile}",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def _painted(image: Path, colour: str, tolerance: int = 6) -> int:
    """How many pixels of the screenshot have (about) this colour."""
    target = np.array([int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)])
    pixels = np.asarray(Image.open(image).convert("RGB"), dtype=int)
    return int((np.abs(pixels - target) <= tolerance).all(axis=-1).sum())


def test_timetable_page_renders_the_week_grid(served: dict[str, str], tmp_path: Path) -> None:
    """Every block of the week is in the rendered DOM, and the visit blocks are painted in their colour."""
    url = f"{served['base']}/v1/timetables/{served['job']}.html"
    dom = _chromium(url, tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    blocks = len(hand_timetable(Department.model_validate(department_body())).blocks)
    assert dom.stdout.count('class="block kind-') == blocks
    assert dom.stdout.count('class="manager"') == 2

    shot = tmp_path / "timetable.png"
    result = _chromium(url, tmp_path / "profile", "--window-size=1400,1600", f"--screenshot={shot}")
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    # Two 3-hour visit blocks (one per manager) of a fifth of the page width each.
    assert _painted(shot, KIND_COLOURS["visit"]) > 20_000


def test_route_map_shows_stops_and_path_without_tiles(
    served: dict[str, str], tmp_path: Path
) -> None:
    """With no tile server or CDN reachable, the map page still shows the numbered stops and the path."""
    url = (
        f"{served['base']}/v1/routes/map.html?department={served['department']}"
        f"&week_start={WEEK}&day={WEEK}&manager=m01"
    )
    dom = _chromium(url, tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count('class="stop"') == 4
    assert '<polyline class="path"' in dom.stdout

    shot = tmp_path / "map.png"
    result = _chromium(url, tmp_path / "profile", "--window-size=1200,900", f"--screenshot={shot}")
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    assert _painted(shot, ROUTE_COLOURS[0], tolerance=30) > 400  # the path and the stop rings

    empty_day = url.replace(f"&day={WEEK}", f"&day={WEEK + dt.timedelta(days=2)}")
    blank = tmp_path / "blank.png"
    _chromium(empty_day, tmp_path / "profile", "--window-size=1200,900", f"--screenshot={blank}")
    assert _painted(blank, ROUTE_COLOURS[0], tolerance=30) < 50  # that paint came from the route


def test_names_that_carry_script_run_nothing(served: dict[str, str], tmp_path: Path) -> None:
    """Rendered with script-bearing names, the route map and the week grid show the names as
    text: no element comes from a name, no handler ran (the title is the page's own)."""
    pages = [
        f"{served['base']}/v1/routes/map.html?department={served['hostile_department']}"
        f"&week_start={WEEK}&day={WEEK}",
        f"{served['base']}/v1/timetables/{served['hostile_job']}.html",
    ]
    for url in pages:
        dom = _chromium(url, tmp_path / "profile", "--dump-dom")
        assert dom.returncode == 0, dom.stderr[-2000:]
        assert "<img" not in dom.stdout and "<script" not in dom.stdout
        assert "<title>ran</title>" not in dom.stdout
        assert "onerror=alert(1)&gt;" in dom.stdout  # the name is there, as text


def test_docs_render_without_the_network(served: dict[str, str], tmp_path: Path) -> None:
    """/docs renders Swagger UI's list of operations from the service's own files, under its
    Content-Security-Policy, with every other host unresolvable."""
    dom = _chromium(
        f"{served['base']}/docs", tmp_path / "profile", "--virtual-time-budget=10000", "--dump-dom"
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count('class="opblock ') >= 10  # one per operation of the API
    assert "/v1/routes/map.html" in dom.stdout
