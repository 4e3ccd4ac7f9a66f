"""What the service shows a browser and a log: names that carry script are shown as
text (escaped, no script, a Content-Security-Policy with no other host, sandboxed);
/docs comes from the installed package; /healthz tells a keyless caller only ok or
unavailable; `fieldweek serve` prints its database URL without the password."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from api.exports.route_map import route_map_page
from api.http.app import create_app
from api.http.settings import Settings
from engine.domain import Department
from engine.policy import load_policy
from tests.api.http.support import (
    MANAGER_PAYLOAD,
    RETAILER_PAYLOAD,
    WEEK,
    hand_routes,
    hostile_body,
    store_solved_week,
)

ADMIN_KEY = "admin-key-0123456789"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The API with a keys file, holding the hostile department (sent through the API), a
    hand-typed solved week of it and its route plan."""
    folder = tmp_path_factory.mktemp("web")
    keys = folder / "keys"
    keys.write_text(f"{ADMIN_KEY} = *\n", encoding="utf-8")
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'web.db'}", api_keys_file=keys))
    auth = {"Authorization": f"Bearer {ADMIN_KEY}"}
    with TestClient(app) as client:
        department_id, job_id, _ = store_solved_week(client, app, hostile_body(), "web-test", hand_routes, auth)
        yield {"client": client, "auth": auth, "department": department_id, "job": job_id}


def _assert_no_script_from_names(page: str) -> None:
    """The payloads appear only as escaped text: no tag they carry, no script at all."""
    assert "<img" not in page
    assert "</script><img" not in page
    assert "<script" not in page
    assert "onerror=alert(1)&gt;" in page  # the name is shown, as text


def _assert_strict_page_headers(headers: Any) -> None:
    policy = headers["content-security-policy"]
    directives = dict(
        [*part.split(" ", 1), ""][:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    assert directives["default-src"] == "'none'"
    assert "script-src" not in directives  # falls back to 'none': no script runs at all
    assert directives["frame-ancestors"] == "'none'"
    assert "sandbox" in directives
    assert not re.search(r"https?:|//|\*", policy)  # no other host
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


def test_route_map_shows_script_bearing_names_as_text(served: dict[str, Any]) -> None:
    """A retailer and a manager named to run script are escaped on the route map; the page runs
    no script, loads nothing from another host, and is sandboxed by its policy."""
    response = served["client"].get(
        "/v1/routes/map.html",
        params={"department": served["department"], "week_start": str(WEEK), "day": str(WEEK)},
        headers=served["auth"],
    )
    assert response.status_code == 200, response.text
    page = response.text
    _assert_no_script_from_names(page)
    assert html.escape(RETAILER_PAYLOAD) in page and html.escape(MANAGER_PAYLOAD) in page
    loaded = page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # a namespace name, not a load
    assert "<iframe" not in page and "http://" not in loaded and "https://" not in loaded
    _assert_strict_page_headers(response.headers)


def test_week_grid_shows_script_bearing_names_as_text(served: dict[str, Any]) -> None:
    """The same names on the printable week grid are escaped, under the same policy."""
    response = served["client"].get(f"/v1/timetables/{served['job']}.html", headers=served["auth"])
    assert response.status_code == 200, response.text
    _assert_no_script_from_names(response.text)
    assert html.escape(MANAGER_PAYLOAD) in response.text
    _assert_strict_page_headers(response.headers)


def test_background_map_escapes_names_for_its_script_and_is_sandboxed() -> None:
    """When the Leaflet map is asked for (files, not the API), its tooltips hold the names as
    inert text inside the script, and its frame may run scripts but not as the page's origin."""
    department = Department.model_validate(hostile_body())
    page = route_map_page(
        hand_routes(department), department, load_policy("15-13-7"), background_map=True
    )
    frame = re.search(r'<iframe([^>]*)srcdoc="([^"]*)"', page)
    assert frame is not None
    sandbox = re.search(r'sandbox="([^"]*)"', frame.group(1))
    assert sandbox is not None and sandbox.group(1).split() == ["allow-scripts"]
    inner = html.unescape(frame.group(2))
    assert "<img" not in inner and "</script><img" not in inner
    assert "${alert" not in inner  # no template-literal substitution either
    assert "&#36;{alert(document.domain)}&lt;img" in inner
    outside = page[: frame.start()] + page[frame.end() :]
    _assert_no_script_from_names(outside)
    assert "<iframe" not in route_map_page(
        hand_routes(department), department, load_policy("15-13-7")
    )


def test_docs_load_nothing_from_other_hosts(served: dict[str, Any]) -> None:
    """/docs references only this service's files, which answer; its inline start-up script is
    allowed by hash, every other source is this service; ReDoc (CDN only) is not served."""
    client = served["client"]
    response = client.get("/docs")
    assert response.status_code == 200
    page = response.text
    assert not re.search(r"https?://|//[a-z]", page)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert {a.rsplit("/", 1)[-1] for a in assets} >= {"swagger-ui-bundle.js", "swagger-ui.css"}
    for asset in assets:
        fetched = client.get(asset)
        assert fetched.status_code == 200 and len(fetched.content) > 0, asset
        assert fetched.headers["x-content-type-options"] == "nosniff"
    policy = response.headers["content-security-policy"]
    assert "'sha256-" in policy and "script-src 'self' 'sha256-" in policy
    assert "unsafe-eval" not in policy and not re.search(r"https?:|\*", policy)
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/redoc").status_code == 404


def test_healthz_tells_a_keyless_caller_only_the_status(served: dict[str, Any]) -> None:
    """Without a key /healthz is {"status": "ok"}; with one it also names the database kind."""
    client = served["client"]
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/healthz", headers={"Authorization": "Bearer wrong"}).json() == {
        "status": "ok"
    }
    detailed = client.get("/healthz", headers=served["auth"]).json()
    assert detailed == {"status": "ok", "database": "sqlite", "authentication": True}


def test_healthz_hides_the_database_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database that fails answers 503 "unavailable", with no error text or URL in the body,
    to a keyless caller as to anyone."""
    url = f"sqlite:///{tmp_path / 'web.db'}"
    app = create_app(Settings(database_url=url))
    engine = app.state.service.store.engine

    def unreachable() -> Any:
        raise OperationalError("SELECT 1", {}, Exception(f"cannot open {url}: password=hunter2"))

    with TestClient(app) as client:
        monkeypatch.setattr(engine, "connect", unreachable)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert "hunter2" not in response.text and "web.db" not in response.text


def test_serve_prints_the_database_url_without_its_password(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`fieldweek serve --db postgresql://user:secret@host/db` prints the URL with the password
    masked, whether it starts or fails to reach the database."""
    import uvicorn

    import api.http.app
    from api.cli import app as cli

    started: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **options: started.append(options))
    monkeypatch.setattr(api.http.app, "create_app", lambda settings: object())
    url = "postgresql://planner:s3cret-Pa55@db.example.internal:5432/fieldweek"
    result = CliRunner().invoke(cli, ["serve", "--db", url])
    assert result.exit_code == 0, result.output
    assert started and started[0]["host"] == "127.0.0.1"
    assert "s3cret-Pa55" not in result.output
    assert "postgresql://planner:***@db.example.internal:5432/fieldweek" in result.output

    def refuse(settings: Settings) -> Any:
        raise OSError(f"could not connect to {settings.database_url}")

    monkeypatch.setattr(api.http.app, "create_app", refuse)
    failed = CliRunner().invoke(cli, ["serve", "--db", url])
    assert failed.exit_code == 2
    assert "s3cret-Pa55" not in failed.output and "cannot start" in failed.output
