"""The desk's pages and parts over HTTP (SPEC §1): shells that hold no department data
and load only the service's own files, Chinese by default and English on request, parts
that need the same department key as the API, names that stay text on every part, the
week's verdict and charts, and a manager's day with navigation links in GCJ-02 / BD-09."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterator
from typing import Any

import prcoords
import pytest
import segno
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.settings import Settings
from tests.api.exports.route_map_week import week_of_routes
from tests.api.http.support import MANAGER_PAYLOAD, WEEK, hostile_body, store_solved_week

ADMIN_KEY = "desk-admin-key-0123"
OTHER_KEY = "desk-other-key-0123"


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The service with keys (an admin and one seeing no department) holding the hostile
    department, a hand-typed solved week of it and a week of routes."""
    folder = tmp_path_factory.mktemp("desk")
    keys = folder / "keys"
    keys.write_text(f"{ADMIN_KEY} = *\n{OTHER_KEY} = d-none\n", encoding="utf-8")
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'desk.db'}", api_keys_file=keys))
    auth = {"Authorization": f"Bearer {ADMIN_KEY}"}
    with TestClient(app) as client:
        department_id, job_id, department = store_solved_week(client, app, hostile_body(), "desk-test",
                                                               week_of_routes, auth)
        yield {"client": client, "auth": auth, "department": department_id, "job": job_id,
               "model": department}


def _parts(desk: dict[str, Any]) -> list[str]:
    return [
        f"/v1/desk/week?department={desk['department']}&week_start={WEEK}",
        f"/v1/desk/map/{desk['job']}",
        f"/v1/desk/my/{desk['department']}/m01/{WEEK}",
        f"/v1/desk/routes/{desk['job']}.json",
        f"/v1/desk/feedback/{desk['job']}",
        f"/v1/desk/feedback/{desk['job']}.xlsx",
    ]


def test_shells_load_only_the_services_files_in_chinese_or_english(desk: dict[str, Any]) -> None:
    """`/`, a department's page and the phone page answer without a key, hold no department
    data, and every script and style they name is the service's own; under a policy that
    allows scripts from this service alone and requests to it alone."""
    client = desk["client"]
    for path in ("/", f"/desk/departments/{desk['department']}", f"/my/{desk['department']}/m01/{WEEK}"):
        response = client.get(path)
        assert response.status_code == 200
        page = response.text
        assert "http://" not in page and "https://" not in page
        assert "onerror" not in page and "便利店" not in page  # no department data in a shell
        for asset in re.findall(r'(?:src|href)="(/desk/[^"]+)"', page):
            assert client.get(asset).status_code == 200, asset
        assert re.findall(r"<script(?![^>]*(?:src=\"/desk/|type=\"application/json\"))", page) == []
        policy = response.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "connect-src 'self'" in policy
        assert "unsafe-eval" not in policy and "frame-ancestors 'none'" in policy
        assert not re.search(r"https?:", policy)
    assert "市场经理工作台" in client.get("/").text and 'lang="zh-CN"' in client.get("/").text
    english = client.get("/?lang=en").text
    assert "Import a department" in english and 'lang="en"' in english


def test_parts_need_the_departments_key(desk: dict[str, Any]) -> None:
    """Without a key the parts answer 401, with a key that does not see the department 404,
    with the department's key 200: the same rule as the API."""
    client = desk["client"]
    for path in _parts(desk):
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers={"Authorization": f"Bearer {OTHER_KEY}"}).status_code == 404, path
        assert client.get(path, headers=desk["auth"]).status_code == 200, path
    assert client.get(_parts(desk)[5], headers=desk["auth"]).content[:2] == b"PK"
    sheet = client.get(_parts(desk)[4], headers=desk["auth"]).text
    assert sheet.count("<tr data-manager=") == 2 and "onerror=alert(1)&gt;" in sheet
    keyless_upload = client.post("/v1/desk/import", files={"files": ("managers.csv", b"id,name\n")})
    assert keyless_upload.status_code == 401  # refused from its headers, as every /v1 upload


def test_names_that_carry_script_stay_text_on_every_part(desk: dict[str, Any]) -> None:
    """The week, the map and the day show the hostile names escaped; no part holds a tag
    from a name or any script."""
    for path in _parts(desk)[:3]:
        page = desk["client"].get(path, headers=desk["auth"]).text
        assert "<img" not in page and "</script><img" not in page and "<script" not in page, path
        assert "onerror=alert(1)&gt;" in page, path


def test_week_part_gives_the_verdict_charts_and_downloads(desk: dict[str, Any]) -> None:
    """The hand-typed week breaks the policy's hours, so the verdict says it cannot be carried
    out and lists the faults; the coverage table counts visits made against due by manager
    and class; grid, map and downloads are offered."""
    page = desk["client"].get(_parts(desk)[0] + "&lang=en", headers=desk["auth"]).text
    assert 'data-executable="no"' in page and "cannot be carried out" in page
    assert page.count("<li><code>") > 5
    coverage = page[page.index('data-chart="coverage"') : page.index("</figure>", page.index('data-chart="coverage"'))]
    rows = re.findall(r"<tr><th>([^<]*)</th>(.*?)</tr>", coverage)
    cells = {name: re.findall(r'<td class="cover ([a-z]*)">(\d+/\d+)</td>', body) for name, body in rows}
    # Classes A, B: m01's class-A shop is an appointment (no visit due); R0105 and R0205 missed.
    assert cells[html.escape(MANAGER_PAYLOAD)] == [("none", "0/0"), ("short", "5/6")]
    assert cells["经理2"] == [("full", "1/1"), ("short", "5/6")]
    for chart in ("coverage", "km", "riding", "idle", "late"):
        assert f'data-chart="{chart}"' in page
    for link in (f"/v1/timetables/{desk['job']}.xlsx", f"/v1/timetables/{desk['job']}.ics",
                 f"/v1/desk/map/{desk['job']}", f"/v1/timetables/{desk['job']}.html"):
        assert link in page
    assert f"/my/{desk['department']}/m02/{WEEK}" in page
    qr_sheet = page[page.index('class="qr-sheet"') :]
    assert qr_sheet.count('<svg width=') == 2 * 2  # two managers, two days with routes
    expected = segno.make(f"http://testserver/my/{desk['department']}/m02/{WEEK}?lang=en", error="m")
    assert expected.svg_inline(scale=2, border=2) in qr_sheet  # the code holds that day's address


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat = math.radians((a[0] + b[0]) / 2)
    return math.hypot((a[0] - b[0]) * 110_574, (a[1] - b[1]) * 111_320 * math.cos(lat))


def test_my_day_lists_the_stops_with_navigation_in_chinese_datums(desk: dict[str, Any]) -> None:
    """m01's Monday: the three stops in visiting order with hours, service minutes and what
    to do; each carries Amap (GCJ-02) and Baidu (BD-09) links within 1 m of prcoords'
    conversion; visits have the done / missed control, the appointment not."""
    page = desk["client"].get(_parts(desk)[2], headers=desk["auth"]).text
    cards = re.findall(r'<li class="stop-card" data-retailer="([^"]+)" data-order="(\d)"(.*?)</li>', page, flags=re.DOTALL)
    planned = week_of_routes(desk["model"])["routes"][0]["stops"]
    assert [(r, int(n)) for r, n, _ in cards] == [(s["retailer"], i) for i, s in enumerate(planned, start=1)]
    retailers = {r.id: r for r in desk["model"].retailers}
    for retailer_id, _, body in cards:
        where = (retailers[retailer_id].lat, retailers[retailer_id].lon)
        gcj = re.search(r'class="amap" href="([^"]+)" rel="noreferrer" data-lat="([^"]+)" data-lon="([^"]+)"', body)
        bd = re.search(r'class="baidu" href="([^"]+)" rel="noreferrer" data-lat="([^"]+)" data-lon="([^"]+)"', body)
        assert gcj and bd
        assert _metres((float(gcj.group(2)), float(gcj.group(3))), tuple(prcoords.wgs_gcj(where))) < 1.0
        assert _metres((float(bd.group(2)), float(bd.group(3))), tuple(prcoords.wgs_bd(where))) < 1.0
        assert f"to={float(gcj.group(3)):.6f},{float(gcj.group(2)):.6f}" in html.unescape(gcj.group(1))
        assert f"latlng:{float(bd.group(2)):.6f},{float(bd.group(3)):.6f}" in html.unescape(bd.group(1))
        assert "08:00–21:00" in body and "10" in body
    assert 'class="done"' not in cards[0][2] and "POS" in cards[0][2]  # the appointment
    assert all('class="done"' in body and 'class="missed"' in body for _, _, body in cards[1:])


def test_week_against_the_hand_made_baseline(desk: dict[str, Any]) -> None:
    """Asked for, each per-manager chart carries the hand-made week's figure beside this
    plan's (a thin grey bar and `plan / baseline` in words)."""
    page = desk["client"].get(_parts(desk)[0] + "&baseline=true&lang=en", headers=desk["auth"]).text
    idle = page[page.index('data-chart="idle"') : page.index("</figure>", page.index('data-chart="idle"'))]
    assert idle.count('class="bar baseline"') == 2  # one per manager
    assert re.search(r">\d+ / \d+</text>", idle)
    assert "Hand-made week (baseline)" in page
    plain = desk["client"].get(_parts(desk)[0], headers=desk["auth"]).text
    assert 'class="bar baseline"' not in plain


def test_tile_server_of_ones_own_brings_leaflet_from_the_service(
    desk: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With FIELDWEEK_TILES set, the department page loads Leaflet from the service's own
    files, its policy lets images come from that tile server alone, and the map part
    carries the routes as inert JSON for Leaflet."""
    monkeypatch.setenv("FIELDWEEK_TILES", "http://tiles.internal:8080/{z}/{x}/{y}.png")
    client = desk["client"]
    response = client.get(f"/desk/departments/{desk['department']}")
    assert '<script src="/desk/leaflet/leaflet.js">' in response.text
    assert client.get("/desk/leaflet/leaflet.js").status_code == 200
    policy = response.headers["content-security-policy"]
    assert "img-src 'self' data: blob: http://tiles.internal:8080;" in policy
    assert "script-src 'self';" in policy
    part = client.get(_parts(desk)[1], headers=desk["auth"]).text
    data = re.search(r'<script type="application/json" class="map-data">(.*?)</script>', part, re.DOTALL)
    assert data is not None and "<" not in data.group(1)
    monkeypatch.delenv("FIELDWEEK_TILES")
    assert "leaflet" not in client.get(f"/desk/departments/{desk['department']}").text


def test_the_time_limit_field_allows_what_the_service_allows(desk: dict[str, Any]) -> None:
    """The field let a user type 600 s where the service answers 422 over its 120-s limit."""
    page = desk["client"].get(f"/desk/departments/{desk['department']}").text
    ceiling = desk["client"].app.state.service.settings.max_time_limit_s
    assert re.search(rf'name="time_limit" min="1" max="{int(ceiling)}"', page)
