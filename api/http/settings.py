"""The service's configuration: where it stores data, who may call it, and its limits.

Every limit lives here so that an operator can raise or lower it without touching
code; `Settings.from_env()` reads `FIELDWEEK_*` environment variables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

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
    max_pending_jobs: int = 50
    """Queued and running jobs allowed at once; more are refused with 429."""
    timezone: str = "Asia/Shanghai"
    """Time zone of the clock times in timetables, written into calendar exports."""

    def __post_init__(self) -> None:
        positive = (
            "max_body_bytes",
            "max_managers",
            "max_retailers",
            "default_time_limit_s",
            "max_time_limit_s",
            "explain_time_limit_s",
            "default_route_time_limit_s",
            "max_route_time_limit_s",
            "solver_threads",
            "job_processes",
            "max_pending_jobs",
        )
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(f"setting {name} must be positive, not {getattr(self, name)!r}")
        if self.default_time_limit_s > self.max_time_limit_s:
            raise ValueError("default_time_limit_s must not exceed max_time_limit_s")
        if self.default_route_time_limit_s > self.max_route_time_limit_s:
            raise ValueError("default_route_time_limit_s must not exceed max_route_time_limit_s")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from `FIELDWEEK_DB`, `FIELDWEEK_API_KEYS` and `FIELDWEEK_<SETTING>`
        (for example `FIELDWEEK_MAX_TIME_LIMIT_S=60`); keyword overrides win."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        if environ.get("FIELDWEEK_DB"):
            values["database_url"] = environ["FIELDWEEK_DB"]
        if environ.get("FIELDWEEK_API_KEYS"):
            values["api_keys_file"] = Path(environ["FIELDWEEK_API_KEYS"])
        for field in fields(cls):
            if field.name in ("database_url", "api_keys_file"):
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
