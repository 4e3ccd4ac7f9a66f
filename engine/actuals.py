"""Planned vs actual (issue 6; seed 000's 《工作时间实行情况反馈表》, seed 003's daily report).

What happened is recorded per manager and day — the blocks done with their real
times, the visits done, the visits missed with a reason — as rows of one CSV
file (or the same rows as JSON through the API):

    manager,date,record,kind,retailer,start,end,status,reason
    m01,2026-11-23,block,visit,,08:10,11:05,,
    m01,2026-11-23,visit,,R00001,08:30,08:41,done,
    m01,2026-11-23,visit,,R00002,,,missed,shop closed

`record` is `block` (needs `kind`, `start`, `end`) or `visit` (needs `retailer`
and `status` done/missed; a missed visit needs a `reason`; times are optional).
A department keeps them in its folder, one file per week: `actuals/<monday>.csv`.
Importing a file again replaces the rows of every manager and day it holds (a
corrected daily report replaces the first one) and keeps the others.

The Friday feedback sheet (`feedback_sheet`) compares them with the week's plan:
per manager and kind planned hours, actual hours and the deviation, flagged when
it passes the policy's `[feedback]` thresholds; per manager the visits due,
planned and done; every due visit not done, with its reason. A due visit not done
rolls into the next week's due list (`carried_into`, `due_with_carry_over`): the
missed visits of a week are `due + carried in - done`, retailer by retailer, so a
visit missed twice keeps rolling until it is done.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from engine.domain import BlockKind, Department, Timetable
from engine.errors import InputError, Problem
from engine.policy import Clock, FeedbackRules, Policy, format_clock, parse_clock
from engine.routing.due import DueRetailer, due_retailers, week_monday

ACTUALS_FOLDER = "actuals"
COLUMNS: tuple[str, ...] = ("manager", "date", "record", "kind", "retailer", "start", "end", "status", "reason")
RECORDS = ("block", "visit")
STATUSES = ("done", "missed")
NOT_REPORTED = "not reported in the daily report"
NO_DAILY_REPORT = "no daily report for the day it was planned"


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class ActualBlock(_Out):
    """A block as it was really done: its kind and real times."""

    manager: str
    date: dt.date
    kind: BlockKind
    start: Clock
    end: Clock


class ActualVisit(_Out):
    """A visit done (with its times when known) or missed (with the reason)."""

    manager: str
    date: dt.date
    retailer: str
    status: Literal["done", "missed"]
    start: Clock | None = None
    end: Clock | None = None
    reason: str = ""


class Actuals(_Out):
    """What happened, as recorded: blocks and visits of any number of days."""

    blocks: tuple[ActualBlock, ...] = ()
    visits: tuple[ActualVisit, ...] = ()

    def days(self) -> set[tuple[str, dt.date]]:
        """Every (manager, date) the records report on."""
        return {(b.manager, b.date) for b in self.blocks} | {(v.manager, v.date) for v in self.visits}

    def in_week(self, week_start: dt.date) -> Actuals:
        """Only the records of the ISO week starting `week_start`."""
        monday = week_monday(week_start)
        return Actuals(
            blocks=tuple(b for b in self.blocks if week_monday(b.date) == monday),
            visits=tuple(v for v in self.visits if week_monday(v.date) == monday),
        )


def feedback_rules(policy: Policy) -> FeedbackRules:
    """The policy's `[feedback]` table; an error naming the missing keys when it has none."""
    if policy.feedback is None:
        raise InputError([Problem(
            f"policy '{policy.name}' has no [feedback] table: add deviation_flag_percent and "
            "deviation_flag_minutes (see data/policies/15-13-7.toml)", file=policy.name, column="feedback")])
    return policy.feedback


# -- reading and storing ----------------------------------------------------------------------


def read_actuals_csv(path: Path | str, department: Department, policy: Policy) -> Actuals:
    """Read an actuals CSV (UTF-8, Excel's BOM or GB18030); every bad value is reported
    at once with its file, row (header = row 1) and column."""
    path = Path(path)
    data = path.read_bytes()
    text = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise InputError([Problem('is neither UTF-8 nor GB18030 text; save it as "CSV UTF-8"', file=path.name)])
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [c for c in ("manager", "date", "record") if c not in header]
    if missing:
        raise InputError([Problem(f"missing column(s) {', '.join(missing)}; the columns are "
                                  f"{', '.join(COLUMNS)}", file=path.name, row=1)])
    rows = [{(k or "").strip().lower(): (v or "") for k, v in row.items()} for row in reader]
    return actuals_from_rows(rows, department, policy, file=path.name, first_row=2)


def actuals_from_rows(
    rows: Iterable[Mapping[str, Any]],
    department: Department,
    policy: Policy,
    *,
    file: str = "actuals",
    first_row: int = 2,
) -> Actuals:
    """Check rows of the actuals table (CSV cells or JSON values) against the department
    and policy; raise `InputError` with every problem found."""
    problems: list[Problem] = []
    managers = {m.id for m in department.managers}
    retailers = {r.id for r in department.retailers}
    kinds = set(policy.kinds) | {"lunch"}
    blocks: list[ActualBlock] = []
    visits: list[ActualVisit] = []
    for number, row in enumerate(rows, start=first_row):
        cells = {k: str(v).strip() if v is not None else "" for k, v in row.items()}
        if not any(cells.values()):
            continue

        def bad(column: str, message: str, _n: int = number) -> None:
            problems.append(Problem(message, file=file, row=_n, column=column))

        manager = cells.get("manager", "")
        if manager not in managers:
            bad("manager", f"manager '{manager}' is not in managers.csv" if manager else "manager is empty")
        date = None
        try:
            date = dt.date.fromisoformat(cells.get("date", ""))
        except ValueError:
            bad("date", f"'{cells.get('date', '')}' is not a date YYYY-MM-DD")
        times: dict[str, int | None] = {}
        for column in ("start", "end"):
            text = cells.get(column, "")
            times[column] = None
            if text:
                try:
                    times[column] = parse_clock(text)
                except ValueError as exc:
                    bad(column, str(exc))
        start, end = times["start"], times["end"]
        if start is not None and end is not None and end <= start:
            bad("end", f"end ({format_clock(end)}) must be after start ({format_clock(start)})")
        record = cells.get("record", "").lower()
        if record == "block":
            kind = cells.get("kind", "")
            if kind not in kinds:
                bad("kind", f"kind '{kind}' is not a block kind of policy '{policy.name}': "
                            f"{', '.join(sorted(kinds))}")
            for column in ("start", "end"):
                if not cells.get(column):
                    bad(column, f"a block needs its real {column} time")
            if not problems_for(problems, file, number) and date is not None:
                assert start is not None and end is not None
                blocks.append(ActualBlock(manager=manager, date=date, kind=kind, start=start, end=end))  # type: ignore[arg-type]
        elif record == "visit":
            retailer = cells.get("retailer", "")
            if retailer not in retailers:
                bad("retailer", f"retailer '{retailer}' is not in retailers.csv" if retailer
                    else "a visit needs its retailer")
            status = cells.get("status", "").lower()
            if status not in STATUSES:
                bad("status", f"status must be done or missed, not '{cells.get('status', '')}'")
            reason = cells.get("reason", "")
            if status == "missed" and not reason:
                bad("reason", "a missed visit needs its reason")
            if (start is None) != (end is None) and not problems_for(problems, file, number):
                bad("end" if end is None else "start", "give both start and end of the visit, or neither")
            if not problems_for(problems, file, number) and date is not None:
                visits.append(ActualVisit(manager=manager, date=date, retailer=retailer,
                                          status=status, start=start, end=end, reason=reason))  # type: ignore[arg-type]
        else:
            bad("record", f"record must be block or visit, not '{cells.get('record', '')}'")
    if problems:
        raise InputError(problems)
    return Actuals(blocks=tuple(blocks), visits=tuple(visits))


def problems_for(problems: Sequence[Problem], file: str, row: int) -> bool:
    """True when a problem was already found in this row of this file."""
    return any(p.file == file and p.row == row for p in problems)


def actuals_path(folder: Path | str, week_start: dt.date) -> Path:
    """Where a department folder keeps the actuals of a week: actuals/<monday>.csv."""
    return Path(folder) / ACTUALS_FOLDER / f"{week_monday(week_start).isoformat()}.csv"


def store_actuals(folder: Path | str, actuals: Actuals, department: Department, policy: Policy) -> list[Path]:
    """Merge `actuals` into the department folder, one file per week. The imported
    rows replace the stored rows of the same manager and day; other rows stay.
    Returns the files written."""
    weeks = sorted({week_monday(d) for _, d in actuals.days()})
    written = []
    for monday in weeks:
        path = actuals_path(folder, monday)
        new = actuals.in_week(monday)
        replaced = new.days()
        old = load_actuals(folder, department, policy, monday)
        merged = Actuals(
            blocks=tuple(b for b in old.blocks if (b.manager, b.date) not in replaced) + new.blocks,
            visits=tuple(v for v in old.visits if (v.manager, v.date) not in replaced) + new.visits,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actuals_csv_text(merged), encoding="utf-8")
        written.append(path)
    return written


def actuals_csv_text(actuals: Actuals) -> str:
    """The actuals as CSV text in the import format (sorted by manager, date, time)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    rows: list[tuple] = []
    for b in actuals.blocks:
        rows.append((b.manager, b.date.isoformat(), "block", b.kind, "", format_clock(b.start),
                     format_clock(b.end), "", ""))
    for v in actuals.visits:
        rows.append((v.manager, v.date.isoformat(), "visit", "", v.retailer,
                     format_clock(v.start) if v.start is not None else "",
                     format_clock(v.end) if v.end is not None else "", v.status, v.reason))
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[5], r[4]))
    writer.writerows(rows)
    return out.getvalue()


def load_actuals(folder: Path | str, department: Department, policy: Policy, week_start: dt.date) -> Actuals:
    """The stored actuals of a week (empty when none were imported)."""
    path = actuals_path(folder, week_start)
    if not path.is_file():
        return Actuals()
    return read_actuals_csv(path, department, policy).in_week(week_start)


def stored_weeks(folder: Path | str) -> list[dt.date]:
    """The Mondays of the weeks a department folder holds actuals for, earliest first."""
    found = []
    for path in (Path(folder) / ACTUALS_FOLDER).glob("*.csv"):
        try:
            found.append(dt.date.fromisoformat(path.stem))
        except ValueError:
            continue
    return sorted(found)


# -- missed visits roll over ------------------------------------------------------------------


def missed_in_week(
    department: Department, week_start: dt.date, actuals: Actuals, carried_in: Mapping[str, int]
) -> dict[str, int]:
    """Per retailer, due visits of the week (its own due plus `carried_in`) not done."""
    monday = week_monday(week_start)
    owed: Counter[str] = Counter({item.retailer.id: item.visits for item in due_retailers(department, monday)})
    owed.update(carried_in)
    done = Counter(v.retailer for v in actuals.in_week(monday).visits if v.status == "done")
    return {r: owed[r] - done[r] for r in owed if owed[r] > done[r]}


def carried_into(folder: Path | str, department: Department, policy: Policy, week_start: dt.date) -> dict[str, int]:
    """Visits carried into the week starting `week_start`: what was due and not done in
    the week before, which itself includes what was carried into it. The chain starts
    at the earliest week the folder holds actuals for and breaks at a week without
    any (nothing is known about it, so nothing is carried out of it)."""
    monday = week_monday(week_start)
    weeks = [w for w in stored_weeks(folder) if w < monday]
    if not weeks:
        return {}
    carried: dict[str, int] = {}
    week = weeks[0]
    while week < monday:
        actuals = load_actuals(folder, department, policy, week)
        if not actuals.blocks and not actuals.visits:
            carried = {}
        else:
            carried = missed_in_week(department, week, actuals, carried)
        week += dt.timedelta(weeks=1)
    return carried


def due_with_carry_over(
    department: Department, week_start: dt.date, carried: Mapping[str, int], manager: str | None = None
) -> list[DueRetailer]:
    """The week's due list with the visits carried over from the week before added:
    a retailer already due gets more visits, one not due this week joins the list."""
    due = {item.retailer.id: item for item in due_retailers(department, week_start, manager)}
    retailers = {r.id: r for r in department.retailers}
    merged: dict[str, DueRetailer] = {}
    for retailer in department.retailers:
        if manager is not None and retailer.manager != manager:
            continue
        visits = (due[retailer.id].visits if retailer.id in due else 0) + carried.get(retailer.id, 0)
        if visits:
            merged[retailer.id] = DueRetailer(retailers[retailer.id], visits)
    return list(merged.values())


# -- the Friday feedback sheet ----------------------------------------------------------------


class KindHours(_Out):
    """One manager's planned and actual minutes of one block kind."""

    manager: str
    kind: str
    planned_min: int
    actual_min: int
    deviation_min: int
    deviation_percent: float | None
    flagged: bool


class VisitTally(_Out):
    """One manager's visits of the week: due (carried-over included), planned, done, missed."""

    manager: str
    due: int
    planned: int | None
    done: int
    missed: int
    done_not_due: int
    flagged: bool


class MissedVisit(_Out):
    """A due visit not done in the week, with the reason and where the reason comes from."""

    manager: str
    retailer: str
    name: str
    visits: int
    planned_date: dt.date | None
    reason: str
    source: Literal["reported", "plan", "not_reported"]


class Flag(_Out):
    """A deviation the market manager should look at, in words."""

    manager: str
    kind: str | None
    message: str


class FeedbackSheet(_Out):
    """《工作时间实行情况反馈表》: the week's plan against what happened."""

    department: str
    policy: str
    week_start: dt.date
    reported_days: int
    hours: tuple[KindHours, ...]
    visits: tuple[VisitTally, ...]
    missed: tuple[MissedVisit, ...]
    flags: tuple[Flag, ...]
    carried_in: dict[str, int]
    carried_out: dict[str, int]

    def to_json_dict(self) -> dict:
        """The sheet as JSON-ready data."""
        return self.model_dump(mode="json")


def _deviation_flagged(planned: int, actual: int, rules: FeedbackRules) -> bool:
    deviation = abs(actual - planned)
    if deviation < rules.deviation_flag_minutes or deviation == 0:
        return False
    if planned == 0:
        return True
    return deviation * 100 > rules.deviation_flag_percent * planned


def _percent(planned: int, actual: int) -> float | None:
    return None if planned == 0 else round((actual - planned) * 100 / planned, 1)


def _hours_text(minutes: int) -> str:
    return f"{minutes / 60:.1f} h"


def _planned_stops(routes: Mapping[str, Any] | None) -> dict[str, list[tuple[str, dt.date]]]:
    """Per manager, the planned visit stops (retailer, date) of a route plan."""
    stops: dict[str, list[tuple[str, dt.date]]] = defaultdict(list)
    for route in (routes or {}).get("routes", []):
        date = dt.date.fromisoformat(str(route["date"]))
        for stop in route.get("stops", []):
            if stop.get("kind", "visit") == "visit":
                stops[route["manager"]].append((stop["retailer"], date))
    return stops


def feedback_sheet(
    department: Department,
    policy: Policy,
    timetable: Timetable,
    actuals: Actuals,
    routes: Mapping[str, Any] | None = None,
    carried_in: Mapping[str, int] | None = None,
) -> FeedbackSheet:
    """The Friday sheet for the timetable's week: hours per manager and kind (lunch not
    counted), visits due/planned/done, every missed visit with its reason, flags for
    deviations past the policy's thresholds, and the visits carried into next week.

    `routes` is the week's route plan (JSON contract of `fieldweek routes --json`);
    without it visits are judged against the due list only. `carried_in` are the
    visits carried into this week (`carried_into`)."""
    rules = feedback_rules(policy)
    monday = week_monday(timetable.week_start)
    week = actuals.in_week(monday)
    carried_in = dict(carried_in or {})
    retailers = {r.id: r for r in department.retailers}

    planned_min: dict[tuple[str, str], int] = Counter()
    for block in timetable.blocks:
        if block.kind != "lunch":
            planned_min[(block.manager, block.kind)] += block.end - block.start
    actual_min: dict[tuple[str, str], int] = Counter()
    for done_block in week.blocks:
        if done_block.kind != "lunch":
            actual_min[(done_block.manager, done_block.kind)] += done_block.end - done_block.start

    hours: list[KindHours] = []
    flags: list[Flag] = []
    for manager in department.managers:
        for kind in policy.kinds:
            planned, actual = planned_min[(manager.id, kind)], actual_min[(manager.id, kind)]
            if not planned and not actual:
                continue
            flagged = _deviation_flagged(planned, actual, rules)
            hours.append(KindHours(manager=manager.id, kind=kind, planned_min=planned, actual_min=actual,
                                   deviation_min=actual - planned, deviation_percent=_percent(planned, actual),
                                   flagged=flagged))
            if flagged:
                flags.append(Flag(manager=manager.id, kind=kind, message=(
                    f"{manager.id} {policy.kind_label(kind, 'en')}: planned {_hours_text(planned)}, "
                    f"actual {_hours_text(actual)} ({(actual - planned) / 60:+.1f} h"
                    + (f", {_percent(planned, actual):+.0f} %)" if planned else ")"))))

    missed_count = missed_in_week(department, monday, week, carried_in)
    owed = Counter({item.retailer.id: item.visits for item in due_retailers(department, monday)})
    owed.update(carried_in)
    done = Counter(v.retailer for v in week.visits if v.status == "done")
    reported_reason: dict[str, str] = {}
    for visit in sorted(week.visits, key=lambda v: v.date):
        if visit.status == "missed":
            reported_reason[visit.retailer] = visit.reason
    planned_stops = _planned_stops(routes)
    planned_date = {r: d for stops in planned_stops.values() for r, d in stops}
    plan_reason = {u["retailer"]: f"not in the plan: {u.get('detail') or u.get('reason')}"
                   for u in (routes or {}).get("unvisited", [])}
    reported_days = week.days()

    missed: list[MissedVisit] = []
    source: Literal["reported", "plan", "not_reported"]
    for retailer_id, count in sorted(missed_count.items(), key=lambda kv: (retailers[kv[0]].manager, kv[0])):
        retailer = retailers[retailer_id]
        date = planned_date.get(retailer_id)
        if retailer_id in reported_reason:
            reason, source = reported_reason[retailer_id], "reported"
        elif retailer_id in plan_reason:
            reason, source = plan_reason[retailer_id], "plan"
        elif date is not None and (retailer.manager, date) not in reported_days:
            reason, source = NO_DAILY_REPORT, "not_reported"
        else:
            reason, source = NOT_REPORTED, "not_reported"
        missed.append(MissedVisit(manager=retailer.manager, retailer=retailer_id, name=retailer.name,
                                  visits=count, planned_date=date, reason=reason, source=source))

    visits: list[VisitTally] = []
    for manager in department.managers:
        mine = [r.id for r in department.territory(manager.id)]
        due_count = sum(owed[r] for r in mine)
        done_count = sum(min(done[r], owed[r]) for r in mine)
        missed_total = sum(missed_count.get(r, 0) for r in mine)
        extra = sum(max(done[r] - owed[r], 0) for r in mine)
        planned_visits = len(planned_stops.get(manager.id, [])) if routes is not None else None
        # Visits are counted, not timed: only the percentage threshold applies to them.
        flagged = bool(due_count) and (due_count - done_count) * 100 > rules.deviation_flag_percent * due_count
        visits.append(VisitTally(manager=manager.id, due=due_count, planned=planned_visits, done=done_count,
                                 missed=missed_total, done_not_due=extra, flagged=flagged))
        if flagged:
            flags.append(Flag(manager=manager.id, kind=None, message=(
                f"{manager.id}: {done_count} of {due_count} due visits done, {missed_total} missed "
                f"({(done_count - due_count) * 100 / due_count:+.0f} %)")))

    return FeedbackSheet(
        department=department.name, policy=policy.name, week_start=monday,
        reported_days=len(reported_days), hours=tuple(hours), visits=tuple(visits), missed=tuple(missed),
        flags=tuple(flags), carried_in=carried_in, carried_out=missed_count,
    )

