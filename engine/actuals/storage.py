"""Actuals as files: the CSV import format and the department folder's
`actuals/<monday>.csv`, one file per week (SPEC §3, the daily report).

    manager,date,record,kind,retailer,start,end,status,reason
    m01,2026-11-23,block,visit,,08:10,11:05,,
    m01,2026-11-23,visit,,R00001,08:30,08:41,done,
    m01,2026-11-23,visit,,R00002,,,missed,shop closed

`record` is `block` (needs `kind`, `start`, `end`) or `visit` (needs `retailer`
and `status` done/missed; a missed visit needs a `reason`; times are optional).
A block row records a block done, as it was done: its `status` is empty or done, and
it has no `reason`; a block not done is left out (it counts 0 minutes). A field block
done at a retailer (maintenance, promotion, POS project, site study) may name it in
`retailer` (optional; a retailer of retailers.csv, kept with the block); an office block
(phone, meeting, admin), lunch and the visit block name none (the visit block's
retailers are its visit rows), and a retailer given there is refused, never dropped. One manager's
blocks of a day do not overlap, nor do his timed visits, and he reports a retailer once
a day; a record on a day the department does not work is taken with a warning.
Importing a file again replaces the rows of every manager and day it holds (a
corrected daily report replaces the first one) and keeps the others. Every bad
value is reported at once with its file, row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.actuals.records import ActualBlock, Actuals, ActualVisit
from engine.domain import Department
from engine.errors import InputError, Problem
from engine.policy import Policy, format_clock, parse_clock
from engine.routing.due import week_monday
from engine.work_calendar import WorkCalendar

ACTUALS_FOLDER = "actuals"
COLUMNS: tuple[str, ...] = ("manager", "date", "record", "kind", "retailer", "start", "end", "status", "reason")
RECORDS = ("block", "visit")
STATUSES = ("done", "missed")


@dataclass(frozen=True)
class DateWindow:
    """The dates rows may carry, both ends included; `what` says in a message what the
    window is ("the timetable's week")."""

    first: dt.date
    last: dt.date
    what: str

    def problem(self, date: dt.date) -> str | None:
        if self.first <= date <= self.last:
            return None
        return f"{date} is outside {self.what} ({self.first} – {self.last})"


def read_actuals_csv(
    path: Path | str,
    department: Department,
    policy: Policy,
    *,
    dates: DateWindow | None = None,
    warnings: list[Problem] | None = None,
) -> Actuals:
    """Read an actuals CSV (UTF-8, Excel's BOM or GB18030); every bad value is reported
    at once with its file, row (header = row 1) and column (see `actuals_from_rows` for
    `dates` and `warnings`)."""
    path = Path(path)
    return actuals_from_rows(_csv_rows(path), department, policy, file=path.name, first_row=2, dates=dates,
                             warnings=warnings)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    """The rows of an actuals CSV as cells by lower-case column name; InputError for a file
    that is no text or lacks a needed column."""
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
    return [{(k or "").strip().lower(): (v or "") for k, v in row.items()} for row in reader]


def actuals_from_rows(
    rows: Iterable[Mapping[str, Any]],
    department: Department,
    policy: Policy,
    *,
    file: str = "actuals",
    first_row: int = 2,
    dates: DateWindow | None = None,
    warnings: list[Problem] | None = None,
) -> Actuals:
    """Check rows of the actuals table (CSV cells or JSON values) against the department
    and policy; raise `InputError` with every problem found. With `dates`, a row dated
    outside the window is a problem. Times outside the policy's working day are no
    error (overtime is what the sheet measures) but are appended to `warnings`."""
    problems: list[Problem] = []
    managers = {m.id for m in department.managers}
    retailers = {r.id for r in department.retailers}
    kinds = set(policy.kinds) | {"lunch"}
    blocks: list[ActualBlock] = []
    block_rows: list[int] = []
    visits: list[ActualVisit] = []
    visit_rows: list[int] = []
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
        if date is not None and dates is not None and (outside := dates.problem(date)):
            bad("date", outside)
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
        elif warnings is not None and (late := _outside_working_day(start, end, policy)):
            warnings.append(Problem(late[1], file=file, row=number, column=late[0]))
        record = cells.get("record", "").lower()
        if record == "block":
            kind = cells.get("kind", "")
            if kind not in kinds:
                bad("kind", f"kind '{kind}' is not a block kind of policy '{policy.name}': "
                            f"{', '.join(sorted(kinds))}")
            for column in ("start", "end"):
                if not cells.get(column):
                    bad(column, f"a block needs its real {column} time")
            for column, problem in _block_status_problems(cells):
                bad(column, problem)
            retailer = cells.get("retailer", "")
            if retailer and kind in kinds and (wrong := _block_retailer_problem(kind, retailer, retailers, policy)):
                bad("retailer", wrong)
            if not problems_for(problems, file, number) and date is not None:
                assert start is not None and end is not None
                blocks.append(ActualBlock(manager=manager, date=date, kind=kind, start=start, end=end,  # type: ignore[arg-type]
                                          retailer=retailer or None))
                block_rows.append(number)
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
                visit_rows.append(number)
        else:
            bad("record", f"record must be block or visit, not '{cells.get('record', '')}'")
    problems += overlap_problems(blocks, block_rows, file)
    problems += done_and_missed_problems(visits, visit_rows, file)
    problems += visit_overlap_problems(visits, visit_rows, file)
    problems += same_visit_twice_problems(visits, visit_rows, file)
    if warnings is not None:
        warnings += days_off_warnings([*zip(blocks, block_rows, strict=True), *zip(visits, visit_rows, strict=True)],
                                      department, policy, file)
    if problems:
        raise InputError(problems)
    return Actuals(blocks=tuple(blocks), visits=tuple(visits))


def _block_status_problems(cells: Mapping[str, str]) -> list[tuple[str, str]]:
    """A block row's `status` and `reason` (a block records what was done, as it was
    done): a block marked missed was counted as hours worked and its reason dropped."""
    status, reason = cells.get("status", ""), cells.get("reason", "")
    if status.lower() in ("", "done") and not reason:
        return []
    leave_out = ("a block row records a block done with its real times: leave a block not done out of "
                 "the daily report (it counts 0 minutes), and give the reason on the visits it missed")
    if status.lower() not in ("", "done"):
        return [("status", f"a block takes no status '{status}' ({leave_out})")]
    return [("reason", f"a block takes no reason ('{reason}'): {leave_out}")]


def _block_retailer_problem(kind: str, retailer: str, retailers: set[str], policy: Policy) -> str | None:
    """What is wrong with the retailer a block row names (None: it is kept with the
    block). A field block other than the visit block may be done at a retailer; the
    office kinds, lunch and the visit block are at none (the retailer was dropped
    without a word)."""
    rule = policy.kinds.get(kind)
    if kind == "visit":
        return (f"the visit block takes no retailer ('{retailer}'): give each retailer visited as a visit "
                f"row (record visit) with its status")
    if rule is None or rule.place != "field":
        what = "lunch" if kind == "lunch" else f"a {kind} block is office work and"
        return (f"{what} takes no retailer ('{retailer}'): leave the retailer empty, or record a visit to the "
                f"retailer as a visit row")
    if retailer not in retailers:
        return f"retailer '{retailer}' is not in retailers.csv"
    return None


def overlap_problems(blocks: Sequence[ActualBlock], rows: Sequence[int], file: str) -> list[Problem]:
    """Blocks of one manager and day whose times overlap (one person does one block at a
    time; the feedback sheet would count the shared minutes twice): each pair named by
    both rows, reported at the later one. Blocks that only touch (11:40-12:00 after
    08:40-11:40) are fine."""
    problems = []
    by_day: dict[tuple[str, dt.date], list[tuple[ActualBlock, int]]] = {}
    for block, row in zip(blocks, rows, strict=True):
        by_day.setdefault((block.manager, block.date), []).append((block, row))
    for (manager, date), day in by_day.items():
        day.sort(key=lambda item: (item[0].start, item[1]))
        for i, (later, later_row) in enumerate(day):
            for earlier, earlier_row in day[:i]:
                if earlier.end > later.start:
                    first, second = sorted(((earlier, earlier_row), (later, later_row)), key=lambda item: item[1])
                    problems.append(Problem(
                        f"{manager}'s {second[0].kind} block {_span(second[0])} on {date} overlaps the "
                        f"{first[0].kind} block {_span(first[0])} of row {first[1]}: one manager does one "
                        f"block at a time; correct the times or drop the duplicate row",
                        file=file, row=second[1], column="start"))
    return problems


def done_and_missed_problems(visits: Sequence[ActualVisit], rows: Sequence[int], file: str) -> list[Problem]:
    """A retailer reported both done and missed on one day: one of the rows is wrong, and
    the sheet would count the visit as done and carry it over as missed at once. Named
    by both rows, reported at the later one."""
    first_of: dict[tuple[str, dt.date, str], int] = {}
    problems = []
    for visit, row in zip(visits, rows, strict=True):
        other = "missed" if visit.status == "done" else "done"
        earlier = first_of.get((visit.retailer, visit.date, other))
        if earlier is not None:
            problems.append(Problem(
                f"retailer {visit.retailer} is {visit.status} on {visit.date} here but {other} in row "
                f"{earlier}: a visit is either done or missed; drop the wrong row",
                file=file, row=row, column="status"))
        first_of.setdefault((visit.retailer, visit.date, visit.status), row)
    return problems


def visit_overlap_problems(visits: Sequence[ActualVisit], rows: Sequence[int], file: str) -> list[Problem]:
    """Timed visits of one manager and day whose times overlap (one person is at one
    retailer at a time; three visits at 09:00-09:10 were taken without a word): each pair
    named by both rows, reported at the later one. Visits that only touch are fine;
    visits without times are not compared."""
    problems = []
    by_day: dict[tuple[str, dt.date], list[tuple[ActualVisit, int]]] = {}
    for visit, row in zip(visits, rows, strict=True):
        if visit.start is not None and visit.end is not None:
            by_day.setdefault((visit.manager, visit.date), []).append((visit, row))
    for (manager, date), day in by_day.items():
        for i, (later, later_row) in enumerate(day):
            for earlier, earlier_row in day[:i]:
                assert later.start is not None and later.end is not None
                assert earlier.start is not None and earlier.end is not None
                if earlier.start < later.end and later.start < earlier.end:
                    problems.append(Problem(
                        f"{manager}'s visit to {later.retailer} {_clock_span(later.start, later.end)} on {date} "
                        f"overlaps his visit to {earlier.retailer} {_clock_span(earlier.start, earlier.end)} of "
                        f"row {earlier_row}: one manager makes one visit at a time; correct the times or drop "
                        f"the wrong row", file=file, row=later_row, column="start"))
    return problems


def same_visit_twice_problems(visits: Sequence[ActualVisit], rows: Sequence[int], file: str) -> list[Problem]:
    """A retailer reported visited twice on one day by one manager, both done or both
    missed: a duplicate row (the sheet would count the visit twice, or carry it over
    twice). Named by both rows, reported at the later one; done and missed on one day
    is `done_and_missed_problems`'s."""
    first_of: dict[tuple[str, dt.date, str, str], int] = {}
    problems = []
    for visit, row in zip(visits, rows, strict=True):
        key = (visit.manager, visit.date, visit.retailer, visit.status)
        earlier = first_of.setdefault(key, row)
        if earlier != row:
            problems.append(Problem(
                f"{visit.manager} reports retailer {visit.retailer} {visit.status} on {visit.date} here and in "
                f"row {earlier}: a retailer is visited once a day (the sheet would count it twice); drop the "
                f"duplicate row or correct its retailer or date", file=file, row=row, column="retailer"))
    return problems


def days_off_warnings(records: Sequence[tuple[ActualBlock | ActualVisit, int]], department: Department,
                      policy: Policy, file: str) -> list[Problem]:
    """A warning per manager-day the records put on a day that is no working day of the
    department's calendar (a weekend, a holiday): most likely a typo in the date, but
    work on a day off happens and the feedback sheet counts it (and flags it), so it is
    taken; said at the day's first row, with its other rows, when it is imported (it was
    said only by the feedback, later)."""
    calendar = WorkCalendar(department, policy)
    rows_of: dict[tuple[str, dt.date], list[int]] = {}
    for record, row in records:
        rows_of.setdefault((record.manager, record.date), []).append(row)
    warnings = []
    for (manager, date), day_rows in rows_of.items():
        if calendar.is_working_day(date):
            continue
        rows = sorted(day_rows)
        others = f" (rows {', '.join(map(str, rows))})" if len(rows) > 1 else ""
        warnings.append(Problem(
            f"{manager}'s records{others} are dated {date:%A} {date}, no working day of the department "
            f"(a weekend or holiday of its calendar under policy '{policy.name}'): recorded as given; "
            f"check the date", file=file, row=rows[0], column="date"))
    return warnings


def _clock_span(start: int, end: int) -> str:
    return f"{format_clock(start)}–{format_clock(end)}"


def _outside_working_day(start: int | None, end: int | None, policy: Policy) -> tuple[str, str] | None:
    """(column, message) when a record's times fall outside the policy's working day."""
    day = policy.day
    window = f"the working day of policy '{policy.name}' ({format_clock(day.start)}–{format_clock(day.end)})"
    if start is not None and start < day.start:
        return "start", f"start {format_clock(start)} is before {window}: check the time"
    if end is not None and end > day.end:
        return "end", f"end {format_clock(end)} is after {window}: check the time"
    return None


def _span(block: ActualBlock) -> str:
    return f"{format_clock(block.start)}–{format_clock(block.end)}"


def problems_for(problems: Sequence[Problem], file: str, row: int) -> bool:
    """True when a problem was already found in this row of this file."""
    return any(p.file == file and p.row == row for p in problems)


def actuals_path(folder: Path | str, week_start: dt.date) -> Path:
    """Where a department folder keeps the actuals of a week: actuals/<monday>.csv."""
    return Path(folder) / ACTUALS_FOLDER / f"{week_monday(week_start).isoformat()}.csv"


def store_actuals(folder: Path | str, actuals: Actuals, department: Department, policy: Policy) -> list[Path]:
    """Merge `actuals` into the department folder, one file per week. The imported
    rows replace the stored rows of the same manager and day; other rows stay.
    Returns the files written. The stored rows replaced are not checked again: a
    manager-day stored before a check was added (overlapping visits) is corrected by
    importing it again, not refused for the rows being replaced."""
    weeks = sorted({week_monday(d) for _, d in actuals.days()})
    written = []
    for monday in weeks:
        path = actuals_path(folder, monday)
        new = actuals.in_week(monday)
        replaced = new.days()
        old = _kept_rows(path, replaced, department, policy).in_week(monday)
        merged = Actuals(
            blocks=tuple(b for b in old.blocks if (b.manager, b.date) not in replaced) + new.blocks,
            visits=tuple(v for v in old.visits if (v.manager, v.date) not in replaced) + new.visits,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actuals_csv_text(merged), encoding="utf-8")
        written.append(path)
    return written


def _kept_rows(path: Path, replaced: set[tuple[str, dt.date]], department: Department,
               policy: Policy) -> Actuals:
    """The stored rows of a week file but those of the manager-days `replaced`, checked."""
    if not path.is_file():
        return Actuals()
    gone = {(manager, date.isoformat()) for manager, date in replaced}
    kept = [row if (row.get("manager", "").strip(), row.get("date", "").strip()) not in gone else {}
            for row in _csv_rows(path)]  # {}: a blank row, so the rows kept keep their numbers
    return actuals_from_rows(kept, department, policy, file=path.name, first_row=2)


def actuals_csv_text(actuals: Actuals) -> str:
    """The actuals as CSV text in the import format (sorted by manager, date, time)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    rows: list[tuple] = []
    for b in actuals.blocks:
        rows.append((b.manager, b.date.isoformat(), "block", b.kind, b.retailer or "", format_clock(b.start),
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
