"""The printed week grid carries, per manager and working day, a QR code opening that
day on the phone, `/my/{department}/{manager}/{date}` (SPEC §1, §3): from the service's
own address on the API's grid, from `--site-url` on `fieldweek plan`'s; without an
address a note says why there are none. The codes are inline SVG without script."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app
from api.exports.html import timetable_page
from api.exports.my_day_link import MyDaySite, qr_svg_text
from api.http.app import create_app
from api.http.settings import Settings
from engine.domain import Department
from engine.load import write_department
from engine.policy import load_policy
from tests.api.http.support import WEEK, department_body, hand_timetable, store_solved_week

HOSTILE_ID = 'm"01</script><svg onload=alert(1)>'


def _figures(page: str) -> list[tuple[str, str, str]]:
    """(manager section, date, url) of every QR figure, in page order."""
    found = []
    for section in re.finditer(r'<section class="manager"[^>]*data-manager="([^"]*)"(.*?)</section>', page, re.S):
        for figure in re.finditer(r'<figure class="qr"[^>]*data-date="([^"]+)" data-url="([^"]+)">(.*?)</figure>',
                                  section.group(2), re.S):
            url = html.unescape(figure.group(2))
            assert qr_svg_text(url) in figure.group(3)  # the code drawn is the code of that address
            found.append((html.unescape(section.group(1)), figure.group(1), url))
    return found


def test_grid_has_a_code_per_manager_and_working_day_opening_that_day() -> None:
    body = department_body()
    body["managers"][0]["id"] = HOSTILE_ID
    for retailer in body["retailers"]:
        if retailer["manager"] == "m01":
            retailer["manager"] = HOSTILE_ID
    department = Department.model_validate(body)
    policy = load_policy("15-13-7")
    timetable = hand_timetable(department)
    page = timetable_page(timetable, department, policy, "zh",
                          site=MyDaySite("https://desk.example:8443/", "d-1a2b"))
    figures = _figures(page)
    worked = {(b.manager, b.date.isoformat()) for b in timetable.blocks}
    assert {(manager, date) for manager, date, _ in figures} == worked
    quoted = "m%2201%3C%2Fscript%3E%3Csvg%20onload%3Dalert%281%29%3E"
    assert f"https://desk.example:8443/my/d-1a2b/{quoted}/{WEEK}?lang=zh" in {url for *_, url in figures}
    assert "<script" not in page and "<svg onload" not in page and " onload=" not in page.replace("&lt;svg onload=", "")
    assert page.count("<svg") == len(figures)  # every SVG on the page is a QR code
    assert "手机扫码打开当天行程" in page and 'class="qr-note"' not in page

    bare = timetable_page(timetable, department, policy, "en")
    assert _figures(bare) == [] and 'class="qr-note"' in bare and "--site-url" in bare


def test_the_apis_grid_points_at_the_service_itself(tmp_path: Path) -> None:
    service = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'grid.db'}"))
    with TestClient(service) as client:
        department_id, job_id, department = store_solved_week(client, service, department_body(), "grid-test")
        answer = client.get(f"/v1/timetables/{job_id}.html?lang=en")
    assert answer.status_code == 200
    assert "script-src" not in answer.headers["content-security-policy"]
    urls = {url for *_, url in _figures(answer.text)}
    assert f"http://testserver/my/{department_id}/m01/{WEEK}?lang=en" in urls
    assert len(urls) == len({(b.manager, b.date) for b in hand_timetable(department).blocks})


def test_plan_wants_both_site_options_and_a_web_address(tmp_path: Path) -> None:
    """Refused before any solving: exit 2 naming the option."""
    write_department(Department.model_validate(department_body()), tmp_path / "dept")
    base = ["plan", str(tmp_path / "dept"), "--week", WEEK.isoformat(), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, [*base, "--site-url", "http://desk.example:8000"])
    assert result.exit_code == 2 and "--site-department" in result.output
    result = CliRunner().invoke(app, [*base, "--site-url", "desk.example", "--site-department", "d-1"])
    assert result.exit_code == 2 and "http://" in result.output
    assert not (tmp_path / "out").exists()
