"""The fieldweek HTTP API: `create_app(settings)` builds a FastAPI app.

Thin on purpose: it validates (through engine.load), stores, queues solving onto
worker processes and renders exports; all planning stays in engine/.

One service per database: at start it takes the database's service lease (a second
service on the same database refuses to start, api/http/lease.py) and then takes over
every unfinished job in the store (see `create_app`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.http import actuals, departments, job_endpoints, replan, route_plans, timetables
from api.http.access import ApiKeys, KeyBeforeBody
from api.http.jobs import Jobs
from api.http.lease import ServiceLease
from api.http.pages.desk import install_pages
from api.http.problems import BodySizeLimit, InternalErrors, install_problem_handlers
from api.http.quotas import RequestRates
from api.http.service import Service
from api.http.settings import Settings
from api.http.storage import Store
from api.http.web_safety import SecurityHeaders, install_docs

log = logging.getLogger("fieldweek.api")

DESCRIPTION = """Weekly timetables and visit routes for a field sales department.

1. `POST /v1/departments` (JSON) or `/v1/departments/import` (workbook or CSV files) stores a department.
2. `POST /v1/departments/{id}/timetables` queues its week for solving; `GET /v1/timetables/{job}`
   shows progress and, when done, the timetable.
3. Exports: `/v1/timetables/{job}.xlsx` (周工作时间安排表), `.ics`, `.html`;
   routes: `POST /v1/departments/{id}/routes` (a job), `GET /v1/routes/map.html`.
4. Routes and re-plans (`POST /v1/timetables/{job}/replan`) are jobs too: 202 with the job's
   id; `GET /v1/jobs/{id}` shows its `result` when done; `DELETE /v1/jobs/{id}` cancels it.
   Each key has quotas (jobs waiting and running, route and re-plan requests per minute):
   over one, 429 with `Retry-After`.

Bad input answers 422 with every problem's file (table), row, column and reason; a bug
answers 500 with an `error_id` to report.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API over the store `settings.database_url` names. Takes the database's service
    lease (`AnotherServiceRunning` when a live service holds it); then jobs a previous
    run left running are marked failed and jobs it left queued are queued again, here,
    so that no job stays stuck whatever the server does with the app's lifespan."""
    settings = settings or Settings.from_env()
    api_keys = ApiKeys.load(settings.api_keys_file) if settings.api_keys_file is not None else None
    store = Store(settings.database_url)
    store.create_tables()
    lease = ServiceLease(store, settings.lease_heartbeat_s, settings.lease_ttl_s)
    lease.acquire()
    try:
        jobs = Jobs(settings, store)
    except Exception:  # a Dask scheduler that does not answer: a retry may start at once
        lease.release()
        raise

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()
        lease.release()
        store.close()

    # /docs is served from the installed package (install_docs), never from a CDN; no ReDoc.
    app = FastAPI(
        title="fieldweek",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = Service(
        settings=settings, store=store, jobs=jobs, api_keys=api_keys, rates=RequestRates()
    )
    app.state.lease = lease
    app.state.api_keys = api_keys
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(KeyBeforeBody, keys=api_keys)  # outside BodySizeLimit: before any body
    app.add_middleware(InternalErrors)
    app.add_middleware(SecurityHeaders)
    install_docs(app)
    app.include_router(departments.router)
    app.include_router(timetables.router)
    app.include_router(route_plans.router)
    app.include_router(replan.router)
    app.include_router(actuals.router)
    app.include_router(job_endpoints.router)
    install_pages(app)  # the desk at / and the phone page (api/http/pages)

    @app.get(
        "/healthz",
        tags=["service"],
        responses={503: {"description": "the database is unreachable"}},
    )
    def healthz(request: Request) -> Any:
        """Liveness and storage check. Without a key it says only ok or unavailable; the
        database kind and whether keys are required are shown to a key holder (or to anyone
        when the service runs without keys, on loopback). Error text is only logged."""
        try:
            with store.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:  # any database failure means "not healthy"
            log.exception("health check: the database did not answer")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        if not _holds_a_key(request, api_keys):
            return {"status": "ok"}
        return {
            "status": "ok",
            "database": store.engine.dialect.name,
            "authentication": api_keys is not None,
        }

    jobs.recover()
    return app


def _holds_a_key(request: Request, api_keys: ApiKeys | None) -> bool:
    """Whether the request may see the service's details: no keys are configured, or it
    carries a known one."""
    if api_keys is None:
        return True
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and api_keys.caller(key.strip()) is not None
