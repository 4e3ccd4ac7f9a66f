"""`fieldweek screenshots DIR`: pictures of the pages people look at (SPEC §1) — the desk,
a planned week, the route map (overview and one manager-day), the week grid and a
customer manager's day at phone size — taken in headless Chromium from a service run on
loopback for the occasion, over the department's week planned here first.

Needs Debian's `chromium` and the `playwright` package (a dev dependency, which drives
the system browser and downloads none). Nothing leaves the machine: Chromium resolves
loopback alone."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from api.commands.console import EXIT_NO_PLAN, console, errors, fail_on_input, parse_week
from api.exports.street_basemap import STREETS_VARIABLE
from api.headless import headless_chromium, loopback_service, system_chromium
from engine.budget import time_budget
from engine.errors import InputError
from engine.load import load_department_with_policy
from engine.routing.plan import plan_routes
from engine.timetable.solve import SolveParams, solve_timetable

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _store_week(app: Any, department: Any, policy: Any, week_start: dt.date,
                timetable: dict, routes: dict) -> tuple[str, str]:
    """The department, its solved week and its routes in the service's store."""
    store = app.state.service.store
    record = store.add_department(department.model_dump(mode="json", by_alias=True), None, None)
    job = store.add_job(record.id, week_start, policy.model_dump(mode="json"), 1.0)
    store.start_job(job.id, "screenshots")
    store.finish_job(job.id, "feasible", runner="screenshots", timetable=timetable)
    store.add_route_plan(record.id, job.id, week_start, None, None, routes)
    return record.id, job.id


def take_screenshots(base: str, department_id: str, job_id: str, week_start: dt.date,
                     routes: dict, out: Path, chromium: str) -> list[Path]:
    """Each page as a user reaches it, written to `out` as PNG files."""
    first = routes["routes"][0]
    written = []
    with headless_chromium(chromium) as browser:
        desk = browser.new_page(viewport=DESKTOP)
        desk.goto(f"{base}/")
        desk.wait_for_selector("#department-list li a")
        written.append(_shot(desk, out / "desk.png"))
        desk.goto(f"{base}/desk/departments/{department_id}")
        desk.fill("#open-form input[name=week_start]", week_start.isoformat())
        desk.click("#open-form button[type=submit]")
        desk.wait_for_selector("#verdict")
        written.append(_shot(desk, out / "week.png", full_page=True))
        desk.click("button[data-load-map]")
        desk.wait_for_selector("#map #overview")
        written.append(_shot(desk.locator("#map #overview"), out / "map-overview.png"))
        view = desk.locator('#map #overview a[href^="#v"]').first
        view_id = (view.get_attribute("href") or "").lstrip("#")
        view.click()
        written.append(_shot(desk.locator(f"#{view_id}"), out / "map-day.png"))
        desk.goto(f"{base}/v1/timetables/{job_id}.html")
        written.append(_shot(desk, out / "grid.png", full_page=True))
        phone = browser.new_page(viewport=PHONE, is_mobile=True, device_scale_factor=2)
        phone.goto(f"{base}/my/{department_id}/{first['manager']}/{first['date']}")
        phone.wait_for_selector("#my-day .day")
        written.append(_shot(phone, out / "my-day.png", full_page=True))
        browser.close()
    return written


def _shot(target: Any, path: Path, full_page: bool = False) -> Path:
    if full_page:
        target.screenshot(path=str(path), full_page=True)
    else:
        target.screenshot(path=str(path))
    return path


def screenshots_command(
    out: Annotated[Path, typer.Argument(help="folder for the PNG files")],
    department_dir: Annotated[Path, typer.Option("--department", help="department folder")] = Path("data/sample"),
    week: Annotated[str, typer.Option("--week", help="Monday of the week, YYYY-MM-DD")] = "2026-11-23",
    time_limit: Annotated[float, typer.Option(min=0.5, help="timetable solver seconds")] = 10.0,
    route_time_limit: Annotated[float, typer.Option(min=0.5, help="route solver seconds in all")] = 10.0,
    streets: Annotated[
        Path | None, typer.Option(help="street network under the map (GraphML / OSM extract)")
    ] = None,
) -> None:
    """Plan the department's week, serve it on loopback and photograph each page."""
    chromium = system_chromium()
    if chromium is None:
        errors.print("[red]no Chromium: apt-get install -y chromium[/red]")
        raise typer.Exit(EXIT_NO_PLAN)
    week_start = parse_week(week)
    try:
        department, policy = load_department_with_policy(department_dir, None)
    except InputError as error:
        raise fail_on_input(error) from None
    if streets is not None:
        os.environ[STREETS_VARIABLE] = str(streets.resolve())
    budget = time_budget(time_limit, route_time_limit)
    assert budget.routes is not None
    with console.status("planning the week …"):
        result = solve_timetable(department, policy, week_start, SolveParams.within(budget.timetable))
        if result.status not in ("optimal", "feasible"):
            errors.print(f"[red]no timetable ({result.status}): nothing to photograph[/red]")
            raise typer.Exit(EXIT_NO_PLAN)
        routes = plan_routes(department, policy, result.timetable, week_start,
                             time_limit_s=budget.routes.limit_s).to_json_dict()
    from api.http.app import create_app  # the service is built only for this command
    from api.http.settings import Settings

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(database_url=f"sqlite:///{Path(folder) / 'screens.db'}"))
        department_id, job_id = _store_week(app, department, policy, week_start,
                                            result.timetable.to_json_dict(), routes)
        with loopback_service(app) as base:
            written = take_screenshots(base, department_id, job_id, week_start, routes, out, chromium)
    for path in written:
        console.print(f"wrote {path}")


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add `fieldweek screenshots` to the app."""
    app.command("screenshots")(screenshots_command)
