"""The service's configuration: where it stores data, who may call it, and its limits.

Every limit lives here so that an operator can raise or lower it without touching
code; `Settings.from_env()` reads `FIELDWEEK_*` environment variables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.budget import EXPLAIN_S

DEFAULT_DATABASE_URL = "sqlite:///fieldweek.db"


@dataclass(frozen=True)
class Settings:
    """Storage, access and limits of one service instance."""

    database_url: str = DEFAULT_DATABASE_URL
    api_keys_file: Path | None = None
    """File of `KEY = dept1, dept2` lines (`*` for every department); None: no authentication."""
    max_body_bytes: int = 20 * 1024 * 1024
    max_managers: int = 60
    max_retailers: int = 10_000
    max_leave_rows: int = 20_000
    max_history_rows: int = 20_000
    max_holiday_rows: int = 1_000
    max_columns: int = 100
    """Columns of one table (the known ones plus extra columns), in a workbook's sheet, a CSV
    file or a JSON body alike."""
    max_unpacked_bytes: int = 100 * 1024 * 1024
    """Unpacked size of an uploaded workbook or zip of a department folder."""
    max_archive_entries: int = 20
    """Files in an uploaded zip of a department folder."""
    default_time_limit_s: float = 10.0
    max_time_limit_s: float = 120.0
    explain_time_limit_s: float = EXPLAIN_S
    """How long an infeasible week may spend finding the rules that conflict."""
    default_route_time_limit_s: float = 10.0
    max_route_time_limit_s: float = 60.0
    """Route solver time limits (seconds); a route request waits for the solver plus a grace period."""
    solver_threads: int = 2
    """CP-SAT workers per timetable job."""
    job_processes: int = 1
    """Timetables solved at the same time, each in its own worker process."""
    scheduler: str | None = None
    """Address of a Dask scheduler (tcp://HOST:8786): jobs run on its cluster, as many at
    once as it has worker threads, instead of in `job_processes` local processes."""
    max_pending_jobs: int = 50
    """Queued and running jobs (of every key) allowed at once; more are refused with 429."""
    max_pending_jobs_per_key: int = 10
    """Queued and running jobs one key may have at once; more are refused with 429."""
    max_running_jobs_per_key: int = 1
    """Workers one key may occupy at once; its other jobs wait while other keys' jobs run."""
    route_requests_per_minute: int = 10
    """Route plans one key may ask for per minute; more are refused with 429."""
    replan_requests_per_minute: int = 10
    """Re-plans one key may ask for per minute; more are refused with 429."""
    lease_heartbeat_s: float = 2.0
    """How often the service renews its lease on the database."""
    lease_ttl_s: float = 6.0
    """A lease not renewed for this long belongs to a dead service; a new one may take it.
    A service restarted after a crash waits this long before it starts."""
    timezone: str = "Asia/Shanghai"
    """Time zone of the clock times in timetables, written into calendar exports."""
    public_url: str | None = None
    """The address people open the service at (https://plan.example.com/), for the links the
    printed QR codes carry; None: the address of the request, whose Host header a client
    chooses (behind a proxy that passes it through, a forged Host printed its QR codes)."""

    def __post_init__(self) -> None:
        positive = (
            "max_body_bytes",
            "max_managers",
            "max_retailers",
            "max_leave_rows",
            "max_history_rows",
            "max_holiday_rows",
            "max_columns",
            "max_unpacked_bytes",
            "max_archive_entries",
            "default_time_limit_s",
            "max_time_limit_s",
            "explain_time_limit_s",
            "default_route_time_limit_s",
            "max_route_time_limit_s",
            "solver_threads",
            "job_processes",
            "max_pending_jobs",
            "max_pending_jobs_per_key",
            "max_running_jobs_per_key",
            "route_requests_per_minute",
            "replan_requests_per_minute",
            "lease_heartbeat_s",
            "lease_ttl_s",
        )
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(f"setting {name} must be positive, not {getattr(self, name)!r}")
        if self.default_time_limit_s > self.max_time_limit_s:
            raise ValueError("default_time_limit_s must not exceed max_time_limit_s")
        if self.default_route_time_limit_s > self.max_route_time_limit_s:
            raise ValueError("default_route_time_limit_s must not exceed max_route_time_limit_s")
        if self.lease_ttl_s <= self.lease_heartbeat_s:
            raise ValueError("lease_ttl_s must be longer than lease_heartbeat_s")
        if self.public_url is not None and not self.public_url.startswith(("http://", "https://")):
            raise ValueError(f"FIELDWEEK_PUBLIC_URL (setting public_url) {self.public_url!r} must start with "
                             "http:// or https://")
        try:  # checked here, not at the first calendar download (a 500 for every one)
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"FIELDWEEK_TIMEZONE (setting timezone) {self.timezone!r} is not a time zone: "
                "give an IANA name such as Asia/Shanghai"
            ) from None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from `FIELDWEEK_DB`, `FIELDWEEK_API_KEYS`, `FIELDWEEK_SCHEDULER` and
        `FIELDWEEK_<SETTING>` (for example `FIELDWEEK_MAX_TIME_LIMIT_S=60`); keyword
        overrides win."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        if environ.get("FIELDWEEK_DB"):
            values["database_url"] = environ["FIELDWEEK_DB"]
        if environ.get("FIELDWEEK_API_KEYS"):
            values["api_keys_file"] = Path(environ["FIELDWEEK_API_KEYS"])
        if environ.get("FIELDWEEK_SCHEDULER"):
            values["scheduler"] = environ["FIELDWEEK_SCHEDULER"]
        if environ.get("FIELDWEEK_PUBLIC_URL"):
            values["public_url"] = environ["FIELDWEEK_PUBLIC_URL"]
        for field in fields(cls):
            if field.name in ("database_url", "api_keys_file", "scheduler", "public_url"):
                continue
            text = environ.get(f"FIELDWEEK_{field.name.upper()}")
            if text:
                kind = type(getattr(cls, field.name))
                try:
                    values[field.name] = kind(text)
                except ValueError:
                    raise ValueError(
                        f"FIELDWEEK_{field.name.upper()}={text!r} is not a {kind.__name__}"
                    ) from None
        values.update({key: value for key, value in overrides.items() if value is not None})
        return replace(cls(), **values)
