"""The fieldweek HTTP API: `create_app(settings)` builds a FastAPI app.

Thin on purpose: it validates (through engine.load), stores, queues solving onto
worker processes and renders exports; all planning stays in engine/.

One service per database: at start it takes over every unfinished job in the store
(see `create_app`), so two services must not share one database.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.http import actuals, departments, replan, route_plans, timetables
from api.http.access import ApiKeys
from api.http.jobs import Jobs
from api.http.problems import BodySizeLimit, InternalErrors, install_problem_handlers
from api.http.service import Service
from api.http.settings import Settings
from api.http.storage import Store

log = logging.getLogger("fieldweek.api")

DESCRIPTION = """Weekly timetables and visit routes for a field sales department.

1. `POST /v1/departments` (JSON) or `/v1/departments/import` (workbook or CSV files) stores a department.
2. `POST /v1/departments/{id}/timetables` queues its week for solving; `GET /v1/timetables/{job}`
   shows progress and, when done, the timetable.
3. Exports: `/v1/timetables/{job}.xlsx` (周工作时间安排表), `.ics`, `.html`;
   routes: `POST /v1/departments/{id}/routes`, `GET /v1/routes/map.html`.

Bad input answers 422 with every problem's file (table), row, column and reason; a bug
answers 500 with an `error_id` to report.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API over the store `settings.database_url` names. Jobs a previous run left
    running are marked failed and jobs it left queued are queued again, here, so that
    no job stays stuck whatever the server does with the app's lifespan."""
    settings = settings or Settings.from_env()
    api_keys = ApiKeys.load(settings.api_keys_file) if settings.api_keys_file is not None else None
    store = Store(settings.database_url)
    store.create_tables()
    jobs = Jobs(settings, store)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()
        store.close()

    app = FastAPI(title="fieldweek", version="1", description=DESCRIPTION, lifespan=lifespan)
    app.state.service = Service(settings=settings, store=store, jobs=jobs, api_keys=api_keys)
    app.state.api_keys = api_keys
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(InternalErrors)
    app.include_router(departments.router)
    app.include_router(timetables.router)
    app.include_router(route_plans.router)
    app.include_router(replan.router)
    app.include_router(actuals.router)

    @app.get(
        "/healthz",
        tags=["service"],
        responses={503: {"description": "the database is unreachable"}},
    )
    def healthz() -> Any:
        """Liveness and storage check (needs no API key)."""
        try:
            with store.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # any database failure means "not healthy"
            return JSONResponse({"status": "unavailable", "database": str(exc)}, status_code=503)
        return {
            "status": "ok",
            "database": store.engine.dialect.name,
            "authentication": api_keys is not None,
        }

    jobs.recover()
    return app
