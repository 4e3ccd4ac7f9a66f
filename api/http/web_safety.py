"""What a browser is told about the service's pages: every response is
`nosniff`; every HTML page gets a Content-Security-Policy that loads nothing from any
other host and may not be framed. The exports (week grid, route map) run no script at
all and are sandboxed by their policy; the API documentation at /docs runs Swagger UI
from files of the installed `fastapi-offline` package, served here, so it works on a
network without internet access.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The exports are static documents: styles of their own, nothing else, no script, no frame.
PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"
)
DOCS_PATH = "/docs"
DOCS_ASSETS_PATH = "/docs-assets"
DOCS_ASSETS = ("fastapi_offline", "static")  # (package, folder) holding swagger-ui-bundle.js


class SecurityHeaders:
    """Adds `X-Content-Type-Options: nosniff` to every response, and to HTML responses
    that set no policy of their own the exports' Content-Security-Policy and
    `X-Frame-Options: DENY`."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", PAGE_POLICY)
                    headers.setdefault("X-Frame-Options", "DENY")
                    headers.setdefault("Referrer-Policy", "no-referrer")
            await send(message)

        await self.app(scope, receive, with_headers)


def install_docs(app: FastAPI) -> None:
    """Serve Swagger UI at /docs with its script and styles from the installed package
    (the app must be built with `docs_url=None, redoc_url=None`)."""
    app.mount(DOCS_ASSETS_PATH, StaticFiles(packages=[DOCS_ASSETS]), name="docs-assets")

    @app.get(DOCS_PATH, include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - API",
            swagger_js_url=f"{root}{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS_PATH}/favicon.png",
            oauth2_redirect_url=None,
            # The validator badge would send the schema to an outside validator.
            swagger_ui_parameters={"validatorUrl": None},
        )
        html = bytes(page.body).decode("utf-8")
        return HTMLResponse(html, headers={"Content-Security-Policy": docs_policy(html)})


def docs_policy(html: str) -> str:
    """The policy of the docs page: scripts and styles from this service only, its inline
    start-up script allowed by hash, requests to this service only."""
    hashes = " ".join(
        "'sha256-"
        + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
        + "'"
        for script in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    )
    return (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
