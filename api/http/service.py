"""What every request handler needs: the service's parts and the caller, as FastAPI dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials

from api.http.access import ApiKeys, Caller, authenticate, bearer_scheme
from api.http.jobs import Jobs
from api.http.quotas import RequestRates
from api.http.settings import Settings
from api.http.storage import DepartmentRecord, Store, TimetableJob


@dataclass(frozen=True)
class Service:
    """One running service: its settings, store, job queue, keys and request rates."""

    settings: Settings
    store: Store
    jobs: Jobs
    api_keys: ApiKeys | None
    rates: RequestRates


def get_service(request: Request) -> Service:
    return request.app.state.service


def get_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Caller:
    return authenticate(request, credentials)


ServiceDep = Annotated[Service, Depends(get_service)]
CallerDep = Annotated[Caller, Depends(get_caller)]


def visible_department(service: Service, caller: Caller, department_id: str) -> DepartmentRecord:
    """The department if it exists and the caller may see it; 404 otherwise (the same
    answer either way, so that a key cannot learn which ids exist)."""
    record = service.store.department(department_id)
    if record is None or not caller.can_see(record.id, record.owner):
        raise HTTPException(404, f"no department {department_id!r}")
    return record


def visible_job(
    service: Service, caller: Caller, job_id: str, kind: str | None = "timetable"
) -> tuple[TimetableJob, DepartmentRecord]:
    """The job (of `kind`; None: any kind) and its department if the caller may see them;
    404 otherwise."""
    job = service.store.job(job_id)
    record = service.store.department(job.department_id) if job is not None else None
    if (
        job is None
        or record is None
        or not caller.can_see(record.id, record.owner)
        or (kind is not None and job.job_kind != kind)
    ):
        raise HTTPException(404, f"no {kind or ''} job {job_id!r}".replace("  ", " "))
    return job, record


def site_url(request: Request) -> str:
    """The service's address for links people open later (QR codes): the configured
    `public_url`, else the request's own address."""
    public = request.app.state.service.settings.public_url
    return public if public is not None else str(request.base_url)
