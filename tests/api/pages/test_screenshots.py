"""`fieldweek screenshots DIR` photographs every page of a tiny department's week in
headless Chromium: the desk, the week, the map (overview and a day), the grid and a
phone's day, each a real picture of the page's size."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from api.cli import app
from engine.domain import Department
from engine.load import write_department
from tests.api.browser_support import CHROMIUM
from tests.api.http.support import WEEK, department_body

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or importlib.util.find_spec("playwright") is None,
    reason="needs Debian's chromium and the playwright package",
)


@pytest.mark.bench  # renders every page in Chromium for the README (8 s): opt-in
def test_screenshots_of_every_page(tmp_path: Path) -> None:
    """Six PNG files: desktop pages 1366 px wide (the map's parts narrower), the phone's day
    390 CSS px at twice the pixels, and longer than a screen."""
    folder = tmp_path / "department"
    write_department(Department.model_validate(department_body()), folder)
    result = CliRunner().invoke(app, ["screenshots", str(tmp_path / "shots"), "--department", str(folder),
                                      "--week", WEEK.isoformat(), "--time-limit", "2",
                                      "--route-time-limit", "1"])
    assert result.exit_code == 0, result.output
    sizes = {p.name: Image.open(p).size for p in (tmp_path / "shots").glob("*.png")}
    assert set(sizes) == {"desk.png", "week.png", "map-overview.png", "map-day.png", "grid.png", "my-day.png"}
    assert sizes["desk.png"] == (1366, 768) and sizes["week.png"][0] == 1366
    assert sizes["my-day.png"][0] == 780 and sizes["my-day.png"][1] > 844 * 2 - 1
    assert 300 < sizes["map-day.png"][0] <= 1366
