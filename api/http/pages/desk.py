"""The desk's pages (SPEC §1): `/` the departments a key sees and the import, one
department's page (plan a week with live progress, then the verdict, quality, grid, map
and downloads), and a manager's day on the phone. The pages are shells without any
department data; their script fetches it with the key (see api/http/pages/__init__.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from xstatic.pkg import leaflet

from api.exports.street_basemap import configured_tiles
from api.http.pages import feedback, importing, my_day, parts
from api.http.pages.templating import LEAFLET_PATH, STATIC_PATH, page
from api.http.pages.texts import page_lang

router = APIRouter(include_in_schema=False)
LangQuery = Annotated[str | None, Query()]


def _next_monday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)


@router.get("/", response_class=HTMLResponse)
def desk(request: Request, lang: LangQuery = None) -> HTMLResponse:
    """The departments the key sees, and the import of another."""
    return page("desk.html", page_lang(lang), needs_key=_needs_key(request))


@router.get("/desk/departments/{department_id}", response_class=HTMLResponse)
def department_page(request: Request, department_id: str, lang: LangQuery = None) -> HTMLResponse:
    """One department: plan or open a week."""
    return page("department.html", page_lang(lang), department_id=department_id,
                needs_key=_needs_key(request), max_time_limit=request.app.state.service.settings.max_time_limit_s,
                monday=_next_monday(dt.date.today()).isoformat(), tiles=configured_tiles())


@router.get("/my/{department_id}/{manager_id}/{date}", response_class=HTMLResponse)
def my_day_page(request: Request, department_id: str, manager_id: str, date: dt.date,
           lang: LangQuery = None) -> HTMLResponse:
    """A manager's day, made for the phone."""
    return page("my_day.html", page_lang(lang), department_id=department_id,
                needs_key=_needs_key(request),
                manager_id=manager_id, date=date.isoformat())


def _needs_key(request: Request) -> bool:
    # Any /v1 request answers 401 without a key anyway; saying so lets the page ask first
    # instead of failing a request.
    return request.app.state.api_keys is not None


def install_pages(app: FastAPI) -> None:
    """Mount the desk: its pages, its key-checked parts, its script and styles, and
    Leaflet's files (from the xstatic-leaflet package) for a tile server one runs oneself."""
    app.include_router(router)
    app.include_router(parts.router)
    app.include_router(importing.router)
    app.include_router(feedback.router)
    app.include_router(my_day.router)
    app.mount(STATIC_PATH, StaticFiles(packages=[("api.http.pages", "static")]), name="desk-static")
    app.mount(LEAFLET_PATH, StaticFiles(directory=leaflet.BASE_DIR), name="desk-leaflet")
