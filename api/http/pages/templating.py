"""Rendering a page of the desk: Jinja2 templates from the package, escaped always, and
the policy every page of the desk is served under (scripts and styles from this service
only; requests to this service only; never framed)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader

from api.exports.street_basemap import configured_tiles
from api.http.pages.texts import TEXTS, PageLang

STATIC_PATH = "/desk/static"
LEAFLET_PATH = "/desk/leaflet"

templates = Environment(
    loader=PackageLoader("api.http.pages", "templates"),
    autoescape=True,  # every value placed in a page is HTML-escaped, whatever the file name
    trim_blocks=True,
    lstrip_blocks=True,
)


def desk_policy() -> str:
    """The Content-Security-Policy of the desk's pages. Inline styles are allowed for the
    route map's drawing (its own `<style>` and colours); inline script never is. A tile
    server one runs oneself (`FIELDWEEK_TILES`) may serve images."""
    tiles = configured_tiles()
    tile_origin = ""
    if tiles:
        parts = urlsplit(tiles.replace("{s}", "a"))
        tile_origin = f" {parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob:{tile_origin}; connect-src 'self'; font-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


def render(template: str, lang: PageLang, **context: Any) -> str:
    """A template filled in with the page's words and `context`."""
    return templates.get_template(template).render(
        lang=lang, t=TEXTS[lang], static=STATIC_PATH, leaflet=LEAFLET_PATH, **context
    )


def page(template: str, lang: PageLang, **context: Any) -> HTMLResponse:
    """A whole page under the desk's policy."""
    return HTMLResponse(
        render(template, lang, **context),
        headers={"Content-Security-Policy": desk_policy(), "Cache-Control": "no-store"},
    )


def part(html: str) -> HTMLResponse:
    """A piece of a page that the desk's script places (it holds department data: never cached)."""
    return HTMLResponse(
        html, headers={"Content-Security-Policy": desk_policy(), "Cache-Control": "no-store"}
    )
