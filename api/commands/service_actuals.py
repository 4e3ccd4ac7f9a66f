"""The week's actuals the service holds (SPEC §3, the daily report; SPEC §1, the Friday
sheet): what the phone's done / missed marks and `POST /v1/actuals` stored in the
database of `fieldweek serve`, read for `fieldweek feedback` beside the department
folder's `actuals/<monday>.csv`.

The two are merged as the engine merges a daily report imported again: records come per
manager-day, and of a day reported in both places the later report stands whole (the
service's record time against the time the folder's week file was written)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from api.commands.serve import masked_url
from api.http.settings import DEFAULT_DATABASE_URL
from api.http.storage import ActualsRecord, DepartmentRecord, Store
from engine.actuals import Actuals, actuals_from_rows, actuals_path
from engine.domain import Department
from engine.errors import InputError, Problem
from engine.policy import Policy, format_clock


@dataclass(frozen=True)
class ReportedDay:
    """One manager-day as the service last stored it."""

    manager: str
    date: dt.date
    recorded_at: dt.datetime
    actuals: Actuals


def database_url(option: str | None) -> str:
    """The database `fieldweek serve` uses: `--db`, else FIELDWEEK_DB, else its default file."""
    return option or os.environ.get("FIELDWEEK_DB") or DEFAULT_DATABASE_URL


def service_days(url: str, department_ref: str, department: Department, policy: Policy,
                 week_start: dt.date) -> tuple[str, list[ReportedDay]]:
    """The service department's id (`department_ref` is its id or its name) and every
    manager-day of the week stored for it, each checked against the folder's department
    (its managers and retailers) as an imported file is."""
    where = f"database {masked_url(url)}"
    _check_database_exists(url, where)
    store = Store(url)
    try:
        with store.sessions() as session:
            record = session.get(DepartmentRecord, department_ref)
            if record is None:
                named = session.scalars(select(DepartmentRecord).where(DepartmentRecord.name == department_ref)).all()
                record = _one_department(named, department_ref, where)
            rows = session.scalars(
                select(ActualsRecord)
                .where(ActualsRecord.department_id == record.id, ActualsRecord.week_start == week_start)
                .order_by(ActualsRecord.date, ActualsRecord.manager)
            ).all()
            stored = [(r.manager, r.date, r.recorded_at, r.records) for r in rows]
            department_id = record.id
    except SQLAlchemyError as error:
        raise InputError([Problem(f"cannot read the service's actuals: {type(error).__name__}: "
                                  f"{str(error).splitlines()[0]}", file=where)]) from None
    finally:
        store.close()
    days = []
    problems: list[Problem] = []
    for manager, date, recorded_at, records in stored:
        try:
            checked = _checked(Actuals.model_validate(records), department, policy,
                               f"{where}, actuals of {manager} on {date}")
        except InputError as error:
            problems += error.problems
            continue
        days.append(ReportedDay(manager, date, recorded_at, checked))
    if problems:
        raise InputError(problems)
    return department_id, days


def merged_actuals(folder: Path, folder_week: Actuals, service: Sequence[ReportedDay],
                   week_start: dt.date) -> Actuals:
    """The folder's actuals with the service's manager-days laid over them: a day only
    the service reported is added, a day both reported is taken whole from the later one."""
    path = actuals_path(folder, week_start)
    written = (dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC) if path.is_file() else None)
    folder_days = folder_week.days()
    taken = {
        (day.manager, day.date) for day in service
        if (day.manager, day.date) not in folder_days or written is None
        or _aware(day.recorded_at) >= written
    }
    kept = Actuals(
        blocks=tuple(b for b in folder_week.blocks if (b.manager, b.date) not in taken),
        visits=tuple(v for v in folder_week.visits if (v.manager, v.date) not in taken),
    )
    chosen = [day.actuals for day in service if (day.manager, day.date) in taken]
    return Actuals(
        blocks=kept.blocks + tuple(b for day in chosen for b in day.blocks),
        visits=kept.visits + tuple(v for day in chosen for v in day.visits),
    ).in_week(week_start)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _check_database_exists(url: str, where: str) -> None:
    """A SQLite file that is not there is named, not created empty by opening it."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError([Problem(f"'{masked_url(url)}' is not a database URL (sqlite:///path/to/file.db "
                                  "or postgresql://user@host/name)", column="--db")]) from None
    in_file = parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")
    if in_file and not Path(str(parsed.database)).is_file():
        raise InputError([Problem(f"there is no service database at {parsed.database} (give "
                                  "`fieldweek serve`'s --db)", file=where, column="--db")])


def _one_department(named: Sequence[DepartmentRecord], ref: str, where: str) -> DepartmentRecord:
    if len(named) == 1:
        return named[0]
    if named:
        ids = ", ".join(r.id for r in named)
        message = f"{len(named)} departments are named '{ref}' ({ids}): give the id with --service-department"
    else:
        message = f"no department with the id or name '{ref}' (the desk's address shows its id)"
    raise InputError([Problem(message, file=where, column="--service-department")])


def _checked(day: Actuals, department: Department, policy: Policy, where: str) -> Actuals:
    """The stored records checked against the folder's department, as rows of the import format."""
    rows = [
        {"manager": b.manager, "date": b.date.isoformat(), "record": "block", "kind": b.kind, "retailer": b.retailer or "",
         "start": format_clock(b.start), "end": format_clock(b.end)}
        for b in day.blocks
    ] + [
        {"manager": v.manager, "date": v.date.isoformat(), "record": "visit", "retailer": v.retailer,
         "start": format_clock(v.start) if v.start is not None else "",
         "end": format_clock(v.end) if v.end is not None else "", "status": v.status, "reason": v.reason}
        for v in day.visits
    ]
    return actuals_from_rows(rows, department, policy, file=where, first_row=1)
