"""Per-key quotas: how many jobs a key may have waiting or running, and how many route
plans and re-plans it may ask for per minute. Over a quota the answer is 429 with
`Retry-After` (seconds), so one key cannot starve the others.

The per-minute counts are kept in the service's memory: one service runs per database
(api/http/lease.py), and a restart forgets at most a minute of them.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from fastapi import HTTPException

from api.http.settings import Settings
from api.http.storage import UNFINISHED_STATES, Store

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


def admit_job(settings: Settings, store: Store, owner: str | None) -> None:
    """Raise 429 when the service or this key already has as many unfinished jobs as allowed."""
    mine = store.count_jobs_in(UNFINISHED_STATES, owner, of_owner=True)
    if mine >= settings.max_pending_jobs_per_key:
        raise too_many(
            f"this key already has {mine} jobs waiting or running (at most "
            f"{settings.max_pending_jobs_per_key}); try again when some have finished, "
            "or cancel one with DELETE /v1/jobs/{id}",
            PENDING_RETRY_AFTER_S,
        )
    if store.count_jobs_in(UNFINISHED_STATES) >= settings.max_pending_jobs:
        raise too_many(
            f"{settings.max_pending_jobs} jobs are already waiting or running; "
            "try again when some have finished",
            PENDING_RETRY_AFTER_S,
        )
