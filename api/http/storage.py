"""Persistence: departments, jobs (timetables, routes, re-plans), route plans and the
service lease, through SQLAlchemy 2.0.

SQLite (one file, WAL mode) is the default; a `postgresql://` URL works the same.
Worker processes open their own engine on the same URL and write progress and
results themselves, so a finished plan is on disk before the request side hears of it.
The `service_lease` row names the one service that may run the jobs of the database
(api/http/lease.py).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    create_engine,
    delete,
    event,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

JOB_STATES = (
    "queued", "running", "optimal", "feasible", "infeasible", "failed", "done", "cancelled"
)
"""`done`: a route or re-plan job with its result; the timetable states are the solver's."""
UNFINISHED_STATES = ("queued", "running")
SOLVED_STATES = ("optimal", "feasible")
JOB_KINDS = ("timetable", "routes", "replan")
RESTART_REASON = "service restarted"
STOPPED_REASON = "the service stopped while this job ran; queued again"
CANCELLED_REASON = "cancelled by the caller"
JOB_ADMISSION_LOCK_KEY = 0x6677_6B6A
"""PostgreSQL advisory lock that makes counting unfinished jobs and adding one a single step."""


@dataclass(frozen=True)
class JobLimits:
    """How many unfinished (queued or running) jobs a new job may join."""

    per_owner: int
    total: int


class JobQuotaFull(Exception):
    """A job was not added: its owner (`of_owner`) or the service already has `count`
    unfinished jobs, `limit` at most."""

    def __init__(self, count: int, limit: int, *, of_owner: bool):
        super().__init__(f"{count} unfinished jobs (at most {limit})")
        self.count = count
        self.limit = limit
        self.of_owner = of_owner


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id(prefix: str) -> str:
    """A short random id; the prefix tells departments (d), jobs (t) and route plans (r) apart."""
    return f"{prefix}{uuid.uuid4().hex[:16]}"


class UtcDateTime(TypeDecorator):
    """A UTC timestamp that comes back timezone-aware from every database (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, _dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)

    def process_result_value(self, value: dt.datetime | None, _dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {dict[str, Any]: JSON, dt.datetime: UtcDateTime}


class DepartmentRecord(Base):
    """A department as checked by the loader, with the policy it was checked against."""

    __tablename__ = "departments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    owner: Mapped[str | None] = mapped_column(String(64), index=True)
    """Fingerprint of the API key that created it (None: admin or no authentication)."""
    department: Mapped[dict[str, Any]]
    """`Department.model_dump(mode="json", by_alias=True)`."""
    policy: Mapped[dict[str, Any] | None]
    """A department's own policy (sent inline); None: the built-in one it names."""


class TimetableJob(Base):
    """One job on the workers, from queued to its final status and result: a week to
    solve (`kind` timetable), routes to plan from a solved week, or a re-plan."""

    __tablename__ = "timetable_jobs"
    __table_args__ = (Index("ix_jobs_department_week", "department_id", "week_start"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"))
    week_start: Mapped[dt.date] = mapped_column(Date)
    policy: Mapped[dict[str, Any]]
    """The policy solved with, as a mapping, so the job can be re-read without the department."""
    time_limit_s: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    runner: Mapped[str | None] = mapped_column(String(40))
    """Token of the worker that owns a running job; a late write from an old worker is ignored."""
    progress_seconds: Mapped[float | None] = mapped_column(Float)
    objective: Mapped[float | None] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    timetable: Mapped[dict[str, Any] | None]
    """The CLI's timetable JSON once the job is done."""
    kind: Mapped[str | None] = mapped_column(String(16))
    """timetable (also when None: rows stored before route and re-plan jobs), routes, replan."""
    owner: Mapped[str | None] = mapped_column(String(64), index=True)
    """Fingerprint of the key that submitted it (None: admin or no authentication)."""
    request: Mapped[dict[str, Any] | None]
    """A route or re-plan job's parameters; `timetable_id` names the solved job it starts from.
    A timetable job's: how long its worker searches on (`extend_to_s`, `first_week_by_s`)."""
    result: Mapped[dict[str, Any] | None]
    """A route or re-plan job's answer: the JSON the synchronous endpoints used to return."""

    @property
    def job_kind(self) -> str:
        return self.kind or "timetable"

    @property
    def searches_on_to_s(self) -> float | None:
        """How long a timetable job may search in all when its limit ends short (the CLI's
        rule: no limit named is extended, a named one searches on for a first week); None:
        its limit is all it takes."""
        request = self.request or {}
        return request.get("extend_to_s") or request.get("first_week_by_s")


class ServiceLease(Base):
    """The one service that runs this database's jobs, renewed by its heartbeat."""

    __tablename__ = "service_lease"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    holder: Mapped[str] = mapped_column(String(40))
    host: Mapped[str] = mapped_column(Text)
    """Host name and process id of the holder, for the message a second service shows."""
    beat: Mapped[int] = mapped_column(Integer)
    heartbeat_at: Mapped[dt.datetime]


class RoutePlanRecord(Base):
    """Routes planned from a finished timetable (all of the week, or one day / manager)."""

    __tablename__ = "route_plans"
    __table_args__ = (Index("ix_routes_department_week", "department_id", "week_start"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"))
    job_id: Mapped[str] = mapped_column(ForeignKey("timetable_jobs.id"))
    week_start: Mapped[dt.date] = mapped_column(Date)
    day: Mapped[dt.date | None] = mapped_column(Date)
    manager: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime]
    routes: Mapped[dict[str, Any]]
    """The CLI's routes JSON."""


class ActualsRecord(Base):
    """What happened on one manager-day (blocks and visits), as last reported."""

    __tablename__ = "actuals"
    __table_args__ = (Index("ix_actuals_department_week", "department_id", "week_start"),)

    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"), primary_key=True)
    manager: Mapped[str] = mapped_column(String(100), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    week_start: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime]
    records: Mapped[dict[str, Any]]
    """`engine.actuals.Actuals` of that manager-day as JSON."""


def sqlalchemy_url(url: str) -> str:
    """Pick an installed driver for a plain `postgresql://` URL (psycopg 3 or psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        try:
            import psycopg2  # noqa: F401
        except ImportError:
            return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get WAL mode (readers never block the writer)
    and a busy timeout, since worker processes write to the same file."""
    url = sqlalchemy_url(url)
    is_sqlite = make_url(url).get_backend_name() == "sqlite"
    engine = create_engine(
        url,
        connect_args={"timeout": 30, "check_same_thread": False} if is_sqlite else {},
        pool_pre_ping=not is_sqlite,
    )
    if is_sqlite:

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    return engine


class Store:
    """The service's tables behind one engine; every method is one short transaction."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._admission = threading.Lock()
        """Held while counting a key's jobs and adding one (with the database's own lock)."""

    def create_tables(self) -> None:
        """Create missing tables and add missing nullable columns (the schema is additive:
        a database from an older fieldweek gains the new columns, empty)."""
        Base.metadata.create_all(self.engine)
        inspector = inspect(self.engine)
        with self.engine.begin() as connection:
            for table in Base.metadata.sorted_tables:
                present = {column["name"] for column in inspector.get_columns(table.name)}
                for column in table.columns:
                    if column.name not in present and column.nullable:
                        kind = column.type.compile(dialect=self.engine.dialect)
                        connection.exec_driver_sql(
                            f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'
                        )

    def close(self) -> None:
        self.engine.dispose()

    # Departments

    def add_department(
        self, department: dict[str, Any], policy: dict[str, Any] | None, owner: str | None
    ) -> DepartmentRecord:
        record = DepartmentRecord(
            id=new_id("d"),
            name=department["name"],
            created_at=utc_now(),
            owner=owner,
            department=department,
            policy=policy,
        )
        with self.sessions.begin() as session:
            session.add(record)
        return record

    def department(self, department_id: str) -> DepartmentRecord | None:
        with self.sessions() as session:
            return session.get(DepartmentRecord, department_id)

    def department_summaries(self) -> list[tuple[str, str, dt.datetime, str | None]]:
        """(id, name, created_at, owner) of every department, oldest first, without the documents."""
        with self.sessions() as session:
            query = select(
                DepartmentRecord.id,
                DepartmentRecord.name,
                DepartmentRecord.created_at,
                DepartmentRecord.owner,
            ).order_by(DepartmentRecord.created_at)
            return [tuple(row) for row in session.execute(query)]

    # Timetable jobs

    def add_job(
        self,
        department_id: str,
        week_start: dt.date,
        policy: dict[str, Any],
        time_limit_s: float,
        *,
        kind: str = "timetable",
        owner: str | None = None,
        request: dict[str, Any] | None = None,
        limits: JobLimits | None = None,
    ) -> TimetableJob:
        """Queue a job. With `limits`, the unfinished jobs are counted and the job added in
        one locked transaction, so concurrent requests cannot all pass the count
        (raises JobQuotaFull)."""
        assert kind in JOB_KINDS
        job = TimetableJob(
            id=new_id({"timetable": "t", "routes": "j", "replan": "j"}[kind]),
            department_id=department_id,
            week_start=week_start,
            policy=policy,
            time_limit_s=time_limit_s,
            status="queued",
            created_at=utc_now(),
            kind=kind,
            owner=owner,
            request=request,
        )
        if limits is None:
            with self.sessions.begin() as session:
                session.add(job)
            return job
        with self._admission, self.sessions.begin() as session:
            self._lock_job_admission(session)
            mine = self._count_unfinished(session, owner, of_owner=True)
            if mine >= limits.per_owner:
                raise JobQuotaFull(mine, limits.per_owner, of_owner=True)
            everyone = self._count_unfinished(session)
            if everyone >= limits.total:
                raise JobQuotaFull(everyone, limits.total, of_owner=False)
            session.add(job)
        return job

    def _lock_job_admission(self, session: Session) -> None:
        """Take the database's lock for counting and adding jobs until the transaction
        ends; the in-process lock alone would not hold off a worker process or a second
        engine on the same database."""
        backend = self.engine.dialect.name
        if backend == "sqlite":
            # SQLite's deferred transaction would let two writers count before either inserts.
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        elif backend == "postgresql":
            session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": JOB_ADMISSION_LOCK_KEY}
            )

    @staticmethod
    def _count_unfinished(session: Session, owner: str | None = None, *, of_owner: bool = False) -> int:
        query = (
            select(func.count())
            .select_from(TimetableJob)
            .where(TimetableJob.status.in_(UNFINISHED_STATES))
        )
        if of_owner:
            query = query.where(
                TimetableJob.owner.is_(None) if owner is None else TimetableJob.owner == owner
            )
        return int(session.scalar(query) or 0)

    def job(self, job_id: str) -> TimetableJob | None:
        with self.sessions() as session:
            return session.get(TimetableJob, job_id)

    def jobs_in(self, states: tuple[str, ...]) -> list[TimetableJob]:
        with self.sessions() as session:
            query = select(TimetableJob).where(TimetableJob.status.in_(states))
            return list(session.scalars(query.order_by(TimetableJob.created_at)))

    def count_jobs_in(
        self, states: tuple[str, ...], owner: str | None = None, *, of_owner: bool = False
    ) -> int:
        """Jobs in `states`; with `of_owner`, only those `owner` submitted."""
        with self.sessions() as session:
            query = (
                select(func.count())
                .select_from(TimetableJob)
                .where(TimetableJob.status.in_(states))
            )
            if of_owner:
                query = query.where(
                    TimetableJob.owner.is_(None) if owner is None else TimetableJob.owner == owner
                )
            return int(session.scalar(query) or 0)

    def queued_jobs(self) -> list[tuple[str, str | None]]:
        """(id, owner) of every queued job, oldest first."""
        with self.sessions() as session:
            query = (
                select(TimetableJob.id, TimetableJob.owner)
                .where(TimetableJob.status == "queued")
                .order_by(TimetableJob.created_at)
            )
            return [(row[0], row[1]) for row in session.execute(query)]

    def cancel_job(self, job_id: str) -> bool:
        """End a queued or running job as `cancelled`; False when it had already ended."""
        return self.finish_job(job_id, "cancelled", reason=CANCELLED_REASON)

    def requeue_running_jobs(self, ids: list[str], reason: str = STOPPED_REASON) -> list[str]:
        """Put the jobs `ids` that are running back in the queue (the service stopped their
        workers itself); returns those it put back."""
        with self.sessions.begin() as session:
            ids = list(session.scalars(select(TimetableJob.id).where(
                TimetableJob.id.in_(ids), TimetableJob.status == "running"
            )))
            if ids:
                session.execute(
                    update(TimetableJob)
                    .where(TimetableJob.id.in_(ids), TimetableJob.status == "running")
                    .values(
                        status="queued", reason=reason, runner=None, started_at=None,
                        progress_seconds=None, objective=None, bound=None,
                    )
                )
            return ids

    def _week_jobs_newest_first(self, department_id: str, week_start: dt.date, *conditions: Any,
                                limit: int | None = None) -> list[TimetableJob]:
        """The week's jobs meeting `conditions`, the last finished first."""
        with self.sessions() as session:
            query = (
                select(TimetableJob)
                .where(TimetableJob.department_id == department_id, TimetableJob.week_start == week_start,
                       *conditions)
                .order_by(TimetableJob.finished_at.desc())
                .limit(limit)
            )
            return list(session.scalars(query))

    def latest_solved_job(self, department_id: str, week_start: dt.date) -> TimetableJob | None:
        found = self._week_jobs_newest_first(department_id, week_start,
                                             TimetableJob.status.in_(SOLVED_STATES), limit=1)
        return found[0] if found else None

    def finished_replans(self, department_id: str, week_start: dt.date) -> list[TimetableJob]:
        """The week's re-plan jobs that ended `done`, newest first."""
        return self._week_jobs_newest_first(department_id, week_start, TimetableJob.kind == "replan",
                                            TimetableJob.status == "done")

    def start_job(self, job_id: str, runner: str) -> TimetableJob | None:
        """Mark a queued job running for `runner`; None when it is no longer queued."""
        with self.sessions.begin() as session:
            claimed = session.execute(
                update(TimetableJob)
                .where(TimetableJob.id == job_id, TimetableJob.status == "queued")
                .values(status="running", runner=runner, started_at=utc_now())
            ).rowcount
            return session.get(TimetableJob, job_id) if claimed else None

    def record_progress(
        self, job_id: str, runner: str, seconds: float, objective: float | None, bound: float | None
    ) -> None:
        """A running job's seconds so far, with its best week and bound (None: none yet)."""
        with self.sessions.begin() as session:
            session.execute(
                update(TimetableJob)
                .where(
                    TimetableJob.id == job_id,
                    TimetableJob.runner == runner,
                    TimetableJob.status == "running",
                )
                .values(progress_seconds=seconds, objective=objective, bound=bound)
            )

    def finish_job(
        self,
        job_id: str,
        status: str,
        *,
        runner: str | None = None,
        reason: str | None = None,
        timetable: dict[str, Any] | None = None,
        objective: float | None = None,
        bound: float | None = None,
        result: dict[str, Any] | None = None,
    ) -> bool:
        """Record a job's final status; with `runner`, only if that worker still owns it.
        Returns whether the job was updated (a finished job is never overwritten)."""
        assert status in JOB_STATES and status not in UNFINISHED_STATES
        conditions = [TimetableJob.id == job_id, TimetableJob.status.in_(UNFINISHED_STATES)]
        if runner is not None:
            conditions.append(TimetableJob.runner == runner)
        values: dict[str, Any] = {"status": status, "reason": reason, "finished_at": utc_now()}
        if timetable is not None:
            values["timetable"] = timetable
        if result is not None:
            values["result"] = result
        if objective is not None:
            values["objective"] = objective
        if bound is not None:
            values["bound"] = bound
        with self.sessions.begin() as session:
            return bool(
                session.execute(update(TimetableJob).where(*conditions).values(**values)).rowcount
            )

    def fail_running_jobs(self, reason: str = RESTART_REASON) -> list[str]:
        """Mark jobs that a previous run of the service left running as failed; returns their ids."""
        with self.sessions.begin() as session:
            ids = list(
                session.scalars(select(TimetableJob.id).where(TimetableJob.status == "running"))
            )
            if ids:
                session.execute(
                    update(TimetableJob)
                    .where(TimetableJob.id.in_(ids), TimetableJob.status == "running")
                    .values(status="failed", reason=reason, finished_at=utc_now())
                )
            return ids

    # The service lease

    def lease(self) -> ServiceLease | None:
        with self.sessions() as session:
            return session.get(ServiceLease, "service")

    def take_lease(self, holder: str, host: str, seen_beat: int | None) -> bool:
        """Take the lease: create it when `seen_beat` is None, else only if its beat is still
        `seen_beat` (its holder has not renewed it since). Whether it is now `holder`'s."""
        now = utc_now()
        try:
            with self.sessions.begin() as session:
                if seen_beat is None:
                    session.add(ServiceLease(
                        name="service", holder=holder, host=host, beat=0, heartbeat_at=now
                    ))
                    return True
                return bool(session.execute(
                    update(ServiceLease)
                    .where(ServiceLease.name == "service", ServiceLease.beat == seen_beat)
                    .values(holder=holder, host=host, beat=seen_beat + 1, heartbeat_at=now)
                ).rowcount)
        except IntegrityError:
            return False  # another service created it first

    def renew_lease(self, holder: str) -> bool:
        """One heartbeat; False when the lease is no longer `holder`'s."""
        with self.sessions.begin() as session:
            return bool(session.execute(
                update(ServiceLease)
                .where(ServiceLease.name == "service", ServiceLease.holder == holder)
                .values(beat=ServiceLease.beat + 1, heartbeat_at=utc_now())
            ).rowcount)

    def release_lease(self, holder: str) -> None:
        with self.sessions.begin() as session:
            session.execute(
                delete(ServiceLease).where(
                    ServiceLease.name == "service", ServiceLease.holder == holder
                )
            )

    # Actuals

    def put_actuals(self, department_id: str, days: dict[tuple[str, dt.date], dict[str, Any]]) -> None:
        """Store each manager-day's records, replacing what that manager-day had before
        (a day reported again is reported anew, as `fieldweek actuals import` does)."""
        with self.sessions.begin() as session:
            for (manager, date), records in days.items():
                session.merge(ActualsRecord(
                    department_id=department_id, manager=manager, date=date,
                    week_start=date - dt.timedelta(days=date.weekday()),
                    recorded_at=utc_now(), records=records,
                ))

    def actuals_of_week(self, department_id: str, week_start: dt.date) -> list[dict[str, Any]]:
        """Every stored manager-day of the week, oldest day first."""
        with self.sessions() as session:
            rows = session.scalars(
                select(ActualsRecord)
                .where(ActualsRecord.department_id == department_id,
                       ActualsRecord.week_start == week_start)
                .order_by(ActualsRecord.date, ActualsRecord.manager)
            ).all()
            return [row.records for row in rows]

    # Route plans

    def add_route_plan(
        self,
        department_id: str,
        job_id: str,
        week_start: dt.date,
        day: dt.date | None,
        manager: str | None,
        routes: dict[str, Any],
    ) -> RoutePlanRecord:
        record = RoutePlanRecord(
            id=new_id("r"),
            department_id=department_id,
            job_id=job_id,
            week_start=week_start,
            day=day,
            manager=manager,
            created_at=utc_now(),
            routes=routes,
        )
        with self.sessions.begin() as session:
            session.add(record)
        return record

    def latest_route_plan(
        self, department_id: str, week_start: dt.date, day: dt.date | None, manager: str | None
    ) -> RoutePlanRecord | None:
        """The newest stored plan that covers `day` and `manager` (a whole-week or
        whole-department plan covers every day or manager)."""
        with self.sessions() as session:
            query = select(RoutePlanRecord).where(
                RoutePlanRecord.department_id == department_id,
                RoutePlanRecord.week_start == week_start,
            )
            if day is not None:
                query = query.where((RoutePlanRecord.day.is_(None)) | (RoutePlanRecord.day == day))
            else:
                query = query.where(RoutePlanRecord.day.is_(None))
            if manager is not None:
                query = query.where(
                    (RoutePlanRecord.manager.is_(None)) | (RoutePlanRecord.manager == manager)
                )
            else:
                query = query.where(RoutePlanRecord.manager.is_(None))
            return session.scalars(
                query.order_by(RoutePlanRecord.created_at.desc()).limit(1)
            ).first()
