"""Per-key quotas: how many jobs a key may have waiting or running, and how many route
plans and re-plans it may ask for per minute. Over a quota the answer is 429 with
`Retry-After` (seconds), so one key cannot starve the others.

The per-minute counts are kept in the service's memory: one service runs per database
(api/http/lease.py), and a restart forgets at most a minute of them.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections import deque
from typing import Any

from fastapi import HTTPException

from api.http.settings import Settings
from api.http.storage import JobLimits, JobQuotaFull, Store, TimetableJob

WINDOW_S = 60.0
PENDING_RETRY_AFTER_S = 30


def too_many(detail: str, retry_after_s: float) -> HTTPException:
    return HTTPException(
        429, detail, headers={"Retry-After": str(max(1, math.ceil(retry_after_s)))}
    )


class RequestRates:
    """Requests of each kind per key within the last minute (a sliding window)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._times: dict[tuple[str, str | None], deque[float]] = {}

    def admit(self, kind: str, owner: str | None, per_minute: int) -> None:
        """Count one request of `kind` for `owner`, or raise 429 when it is over `per_minute`."""
        now = time.monotonic()
        with self._lock:
            times = self._times.setdefault((kind, owner), deque())
            while times and now - times[0] >= WINDOW_S:
                times.popleft()
            if len(times) >= per_minute:
                raise too_many(
                    f"at most {per_minute} {kind} requests per minute for one key; "
                    "try again later",
                    WINDOW_S - (now - times[0]),
                )
            times.append(now)


def add_job_within_quota(
    settings: Settings,
    store: Store,
    department_id: str,
    week_start: dt.date,
    policy: dict[str, Any],
    time_limit_s: float,
    *,
    kind: str = "timetable",
    owner: str | None = None,
    request: dict[str, Any] | None = None,
) -> TimetableJob:
    """Queue a job, or raise 429 when the service or this key already has as many
    unfinished jobs as allowed. The store counts and adds in one locked transaction:
    a count here followed by a separate insert let concurrent requests all pass."""
    limits = JobLimits(per_owner=settings.max_pending_jobs_per_key, total=settings.max_pending_jobs)
    try:
        return store.add_job(
            department_id, week_start, policy, time_limit_s,
            kind=kind, owner=owner, request=request, limits=limits,
        )
    except JobQuotaFull as full:
        if full.of_owner:
            raise too_many(
                f"this key already has {full.count} jobs waiting or running (at most "
                f"{full.limit}); try again when some have finished, "
                "or cancel one with DELETE /v1/jobs/{id}",
                PENDING_RETRY_AFTER_S,
            ) from None
        raise too_many(
            f"{full.limit} jobs are already waiting or running; "
            "try again when some have finished",
            PENDING_RETRY_AFTER_S,
        ) from None
