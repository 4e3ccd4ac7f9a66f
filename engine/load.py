"""Department folder or workbook -> `Department`, with every bad value reported at once.

A department is a folder users edit in Excel (data/README.md describes the format):
`department.toml`, `managers.csv`, `retailers.csv` and, optionally, `leave.csv`,
`history.csv` and `holidays.csv` (its own holidays and make-up working days, over
the public calendar its policy names). A department folder inside a region folder (one
holding region.toml) also gets the region's shared holidays, however it is planned. The
same tables can come from a workbook (one sheet per table) or a JSON body;
`department_from_tables` checks them all the same way.

Every problem is collected with its file, row (as Excel numbers it: the header is
row 1, the first data row is row 2) and column, and raised together as one
`InputError`, so a user fixes a whole file in one go instead of one value per run.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import re
import tomllib
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import BaseModel, ValidationError

from engine.domain import CalendarDay, Department, GeoPoint, Leave, Manager, PairHistory, Retailer
from engine.errors import InputError, Problem
from engine.month import HOLIDAYS_FILE, read_holidays
from engine.policy import Policy, builtin_policy_names, format_clock, load_policy, parse_clock
from engine.public_calendar import known_calendars
from engine.routing.matrix import great_circle_km

Row = dict[str, str]
Tables = dict[str, list[Row]]

META_FILE = "department.toml"
REGION_FILE = "region.toml"
"""A folder holding region.toml is a region (SPEC §1): its sub-folders are its departments."""
META_KEYS: tuple[str, ...] = ("name", "office", "policy", "market_manager")
FOLDER_META_KEYS: tuple[str, ...] = ("street_network",)
"""Settings of department.toml that name a file beside it, so only a folder (or its upload) gives them."""
TRUE_WORDS = frozenset({"1", "true", "yes"})
FALSE_WORDS = frozenset({"", "0", "false", "no"})
EXCEL_LAST_ROW = 1_048_576
SKILL_SEPARATORS = re.compile(r"[;；]")  # Chinese input methods type the full-width ；


@dataclass(frozen=True)
class TableFormat:
    """The columns of one table: required ones must be present, optional ones may be left out."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    must_exist: bool = True

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


TABLE_FORMATS: dict[str, TableFormat] = {
    table.name: table
    for table in (
        TableFormat("managers", ("id", "name", "years"), ("skills",)),
        TableFormat(
            "retailers",
            ("id", "name", "lat", "lon", "manager", "class", "visits_per_4_weeks", "area",
             "opens", "closes", "service_min"),
            ("pos_target", "promo_store", "volatile", "enterprise"),
        ),
        TableFormat("leave", ("manager", "date"), ("start", "end"), must_exist=False),
        TableFormat("history", ("week_start", "manager", "partner", "kind"), must_exist=False),
        TableFormat("holidays", ("date",), ("kind", "name"), must_exist=False),
    )
}
FOLDER_FILES: tuple[str, ...] = (META_FILE, *(f"{table}.csv" for table in TABLE_FORMATS))
"""The files of a department folder fieldweek reads."""
DAY_KINDS: tuple[str, ...] = ("holiday", "workday")
AREAS: tuple[str, ...] = ("town", "country")
FLAGS: tuple[str, ...] = ("pos_target", "promo_store", "volatile", "enterprise")


# ---------------------------------------------------------------------------
# Public API


def load_department(folder: Path | str) -> Department:
    """Load and check a department folder; raise `InputError` listing every bad value."""
    department, _ = load_department_with_policy(folder)
    return department


def load_department_with_policy(
    folder: Path | str, policy_override: str | None = None
) -> tuple[Department, Policy]:
    """Load a department folder and its policy.

    The policy is the one `department.toml` names (a built-in name or a path relative
    to the folder) unless `policy_override` (a built-in name or a path) replaces it;
    the department keeps the name its file gives either way. Retailers are checked
    against the policy that will be used (e.g. its minimum service minutes). A
    department of a region gets the region's holidays too (`load_department_in_region`).
    """
    department, policy, _ = load_department_in_region(folder, policy_override)
    return department, policy


@dataclass(frozen=True)
class RegionHolidays:
    """The holidays a region shares with each of its departments (SPEC §1)."""

    region: str
    """The region's name (region.toml `name`, else its folder's): it names the days in the calendar."""
    file: str
    """The file they were read from, as seen from the department folder (../holidays.csv)."""
    dates: frozenset[dt.date]


def load_department_in_region(
    folder: Path | str, policy_override: str | None = None
) -> tuple[Department, Policy, RegionHolidays | None]:
    """`load_department_with_policy`, also saying which region holidays were added.

    A department folder whose parent folder holds region.toml is one of that region's
    departments, planned alone: it gets the region's shared holidays as the region run
    gives them (its own holidays.csv wins on a date both name), so a plan of one
    department never puts work on a holiday its region declared. A bad region file is
    reported with the department's own problems, named as seen from its folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([Problem(f"there is no department folder at {folder}", file=str(folder))])
    problems: list[Problem] = []
    region = _region_holidays_of(folder, problems)
    meta = _read_meta(folder / META_FILE, problems)
    tables: Tables = {}
    for name in TABLE_FORMATS:
        path = folder / f"{name}.csv"
        if path.is_file():
            rows = _read_csv_table(path, problems)
            if rows is not None:
                tables[name] = rows
    problems.extend(_misnamed_files(folder))
    department, policy = _department_and_policy(
        meta,
        tables,
        _Sources("{table}.csv", META_FILE),
        problems,
        policy_override=policy_override,
        policy_folder=folder,
    )
    if region is not None:
        department = with_shared_holidays(department, region.dates, region.region)
    return department, policy, region


def misnamed_file(name: str, expected: Sequence[str] = FOLDER_FILES) -> str | None:
    """The file of `expected` whose name `name` looks like a slip of (its case, a letter,
    a plural: Leave.csv, leaves.csv, retailer.csv); None when it looks like none."""
    if name in expected:
        return None
    close = difflib.get_close_matches(name.lower(), expected, n=1, cutoff=0.8)
    return close[0] if close else None


def _misnamed_files(folder: Path) -> list[Problem]:
    """A file of the folder named almost as a file fieldweek reads that is absent: it would
    be left out in silence (a leaves.csv: a week without its leave). Other files (a README,
    the plans written beside the tables) are not the department's and stay allowed."""
    absent = [name for name in FOLDER_FILES if not (folder / name).is_file()]
    problems = []
    for path in sorted(folder.iterdir()) if absent else ():
        expected = misnamed_file(path.name, absent) if path.is_file() else None
        if expected is not None:
            problems.append(Problem(f"fieldweek does not read {path.name}: the file must be called "
                                    f"{expected}; rename it", file=path.name))
    return problems


def read_region_settings(root: Path) -> dict[str, Any]:
    """The settings of the region folder `root` (its region.toml); an InputError naming
    region.toml when it is missing or not readable TOML."""
    path = root / REGION_FILE
    if not path.is_file():
        raise InputError([Problem(f"there is no {REGION_FILE} in {root}", file=REGION_FILE)])
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError([Problem(f"not a readable TOML file: {error}", file=REGION_FILE)]) from None


def shared_holidays(root: Path, name: object) -> set[dt.date]:
    """The region's holidays: the file region.toml's `holidays` names (`name`, relative to
    the region folder `root`), else holidays.csv in the region folder if present. The one
    reading of them, for a region run and for one of its departments planned alone."""
    if name is None:
        return read_holidays(root)
    if not isinstance(name, str) or not name.strip():
        raise InputError([Problem("holidays must be a non-empty text", file=REGION_FILE, column="holidays")])
    if not (root / name).is_file():
        raise InputError([Problem(f"no holidays file at {name}", file=REGION_FILE, column="holidays")])
    if (root / name).name != HOLIDAYS_FILE:
        raise InputError([Problem(f"the shared holidays file must be called {HOLIDAYS_FILE}",
                                  file=REGION_FILE, column="holidays")])
    return read_holidays((root / name).parent)


def with_shared_holidays(department: Department, dates: Iterable[dt.date], region: str) -> Department:
    """The department with the region's holidays added to its calendar, named after the
    region; a date the department's own calendar sets (a holiday or a workday) keeps its own."""
    own = {day.date for day in department.calendar_days}
    shared = tuple(CalendarDay(date=d, kind="holiday", name=region) for d in sorted(set(dates)) if d not in own)
    if not shared:
        return department
    return department.model_copy(update={"calendar_days": department.calendar_days + shared})


def _region_holidays_of(folder: Path, problems: list[Problem]) -> RegionHolidays | None:
    """The holidays of the region the department folder is in (its parent holds
    region.toml), or None; a bad region file goes to `problems`, named from the folder."""
    root = folder.resolve().parent  # resolved: `fieldweek plan .` run inside the department
    if not (root / REGION_FILE).is_file():
        return None
    try:
        settings = read_region_settings(root)
    except InputError as error:
        problems.extend(_seen_from_department(error, ""))
        return None
    holidays = settings.get("holidays")
    file = holidays.strip() if isinstance(holidays, str) and holidays.strip() else HOLIDAYS_FILE
    try:
        dates = shared_holidays(root, holidays)
    except InputError as error:
        problems.extend(_seen_from_department(error, file))
        return None
    name = settings.get("name")
    region = name.strip() if isinstance(name, str) and name.strip() else root.name
    return RegionHolidays(region=region, file=f"../{file}", dates=frozenset(dates))


def _seen_from_department(error: InputError, holidays_file: str) -> list[Problem]:
    """The region's problems with their files named from the department folder: its
    region.toml and holidays file are one folder up, not the department's own."""
    def named(file: str | None) -> str | None:
        if file == REGION_FILE:
            return f"../{REGION_FILE}"
        return f"../{holidays_file}" if file == HOLIDAYS_FILE and holidays_file else file

    return [replace(p, file=named(p.file)) for p in error.problems]


def department_from_tables(
    meta: Mapping[str, object],
    tables: Mapping[str, Sequence[Mapping[str, str]]],
    where: str,
    *,
    meta_where: str = META_FILE,
    policy: Policy | None = None,
) -> Department:
    """Check a department given as plain data and build it; raise `InputError` with every problem.

    `meta` holds the keys of department.toml (name, office = {lat, lon}, policy,
    market_manager, optionally street_network: kept as text, opened only by a folder's
    loader); `tables` maps managers / retailers / leave / history to rows of
    text cells keyed by column name, the first row being row 2 of its sheet.
    `where` names the tables in problems: either a template with `{table}`
    ("{table}.csv" gives "retailers.csv") or a workbook name ("dept.xlsx" gives
    "dept.xlsx, sheet retailers"); `meta_where` names the source of `meta`.
    The retailers are checked against `policy`, or else against the policy `meta`
    names (a built-in name or a path from the working directory).
    """
    department, _ = _department_and_policy(
        meta or {}, tables, _Sources(where, meta_where), [], policy=policy
    )
    return department


def load_workbook_tables(
    path: Path | str, *, max_rows: int | None = None, max_columns: int | None = None
) -> Tables:
    """Read a workbook's sheets as tables of text cells: sheet name (lower case) -> rows.

    The first row of each sheet names the columns. Numbers, dates and times that
    Excel stores as such come back as the text the CSV format expects ("3",
    "2026-11-25", "08:00"). Pass the result to `department_from_tables`.

    The dimension a sheet declares is ignored: openpyxl would pad every row to it, so
    a few kilobytes declaring A1:XFD1048576 would take gigabytes. Rows are read one at
    a time, up to `max_rows` (header included) and `max_columns`; a sheet with a value
    beyond either is refused, naming the sheet and the limit.
    """
    path = Path(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise InputError([Problem(f"cannot open the workbook: {exc}", file=path.name)]) from None
    problems: list[Problem] = []
    tables: Tables = {}
    try:
        for sheet in workbook.worksheets:
            file = f"{path.name}, sheet {sheet.title}"
            records = _sheet_records(sheet, file, max_rows, max_columns, problems)
            if records is not None:
                name = sheet.title.strip().lower()
                tables[name] = _rows_from_records(records, file, problems, TABLE_FORMATS.get(name))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise InputError([Problem(f"cannot read the workbook: {exc}", file=path.name)]) from None
    finally:
        workbook.close()
    if problems:
        raise InputError(problems)
    return tables


def write_department(department: Department, folder: Path | str) -> None:
    """Write a department as a folder (department.toml and the CSV files) that loads back equal.

    CSV files are written as UTF-8 with a byte-order mark, so Excel shows the Chinese
    names correctly; extra columns are written after the known ones.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / META_FILE).write_text(_meta_toml(department), encoding="utf-8")
    _write_csv(
        folder / "managers.csv",
        TABLE_FORMATS["managers"].columns,
        [
            ({"id": m.id, "name": m.name, "years": _number_text(m.years), "skills": ";".join(m.skills)},
             m.extra)
            for m in department.managers
        ],
    )
    _write_csv(
        folder / "retailers.csv",
        TABLE_FORMATS["retailers"].columns,
        [(_retailer_cells(r), r.extra) for r in department.retailers],
    )
    _write_csv(
        folder / "leave.csv",
        TABLE_FORMATS["leave"].columns,
        [
            ({"manager": leave.manager, "date": leave.date.isoformat(),
              "start": _clock_text(leave.start), "end": _clock_text(leave.end)}, {})
            for leave in department.leave
        ],
    )
    _write_csv(
        folder / "history.csv",
        TABLE_FORMATS["history"].columns,
        [
            ({"week_start": pair.week_start.isoformat(), "manager": pair.manager,
              "partner": pair.partner, "kind": pair.kind}, {})
            for pair in department.history
        ],
    )
    if department.calendar_days:
        _write_csv(
            folder / "holidays.csv",
            TABLE_FORMATS["holidays"].columns,
            [({"date": day.date.isoformat(), "kind": day.kind, "name": day.name}, {})
             for day in department.calendar_days],
        )


# ---------------------------------------------------------------------------
# Reading files


def department_files(files: Mapping[str, bytes], *, max_columns: int | None = None) -> tuple[dict | None, Tables]:
    """The settings of `department.toml` (None when it is not among `files`) and the
    tables of the CSV files among `files` (file name -> content, as in a department
    folder); raise `InputError` naming every unreadable file, and every file with a
    value beyond `max_columns` columns (as `load_workbook_tables` refuses a sheet)."""
    problems: list[Problem] = []
    meta = _parse_meta(files[META_FILE], problems) if META_FILE in files else None
    tables: Tables = {}
    for name in TABLE_FORMATS:
        if f"{name}.csv" in files:
            rows = _parse_csv_table(files[f"{name}.csv"], f"{name}.csv", problems, TABLE_FORMATS[name],
                                    max_columns=max_columns)
            if rows is not None:
                tables[name] = rows
    if problems:
        raise InputError(problems)
    return meta, tables


def _read_meta(path: Path, problems: list[Problem]) -> dict | None:
    if not path.is_file():
        problems.append(Problem(f"{META_FILE} is missing", file=META_FILE))
        return None
    return _parse_meta(path.read_bytes(), problems)


def _parse_meta(data: bytes, problems: list[Problem]) -> dict | None:
    try:
        return tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        problems.append(Problem("is not UTF-8 text", file=META_FILE))
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"at line (\d+)", str(exc))
        problems.append(
            Problem(f"not valid TOML: {exc}", file=META_FILE, row=int(line.group(1)) if line else None)
        )
    return None


def _decode(data: bytes) -> str | None:
    """UTF-8 (with or without Excel's BOM); else GB18030, which Excel's plain "CSV" uses on Chinese Windows."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _read_csv_table(path: Path, problems: list[Problem]) -> list[Row] | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(f"cannot be read: {exc.strerror}", file=path.name))
        return None
    return _parse_csv_table(data, path.name, problems, TABLE_FORMATS[path.stem])


def _parse_csv_table(data: bytes, file: str, problems: list[Problem], table: TableFormat | None = None,
                     *, max_columns: int | None = None) -> list[Row] | None:
    text = _decode(data)
    if text is None:
        problems.append(
            Problem("is neither UTF-8 nor GB18030 text; save it from Excel as \"CSV UTF-8\"", file=file)
        )
        return None
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        problems.append(Problem(f"is not a readable CSV file: {exc}", file=file))
        return None
    swallowed = _unclosed_quote(records, file, ends_quoted=text.rstrip().endswith('"'))
    if swallowed is not None:  # the rows read into one cell would each be a misleading problem
        problems.append(swallowed)
        return []
    if max_columns is not None:
        for row_number, record in enumerate(records, start=1):
            width = len(record)
            while width and not record[width - 1].strip():  # Excel ends rows with empty cells
                width -= 1
            if width > max_columns:
                problems.append(Problem(f"the file has more than {max_columns} columns, this service's limit",
                                        file=file, row=row_number, column=get_column_letter(width)))
                return None
    return _rows_from_records(records, file, problems, table)


LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _unclosed_quote(records: list[list[str]], file: str, *, ends_quoted: bool) -> Problem | None:
    """The cell a quote left open swallowed the lines after it (a `"` typed at the start of
    a name): one problem at the row and column where it opens, or None. A cell holding a
    line break is such a cell when it runs to the end of a file that does not end with a
    quote (`ends_quoted`), or when it holds a comma too, as the rows it swallowed do; a line
    break typed inside a name is left to the check of characters."""
    header = [cell.strip() for cell in records[0]] if records else []
    for index, record in enumerate(records):
        for position, cell in enumerate(record):
            lines = LINE_BREAK.split(cell)
            to_the_end = index == len(records) - 1 and position == len(record) - 1 and not ends_quoted
            if len(lines) < 2 or not (to_the_end or "," in cell):
                continue
            column = header[position] if position < len(header) and header[position] and index \
                else get_column_letter(position + 1)
            start = lines[0] if len(lines[0]) <= 20 else lines[0][:20] + "…"
            closed = ("is never closed, so every row after it was" if to_the_end else
                      f"is closed only {len(lines) - 1} line{'s' if len(lines) > 2 else ''} further down, "
                      "so the rows in between were")
            return Problem(f"the quote (\") that opens this cell ('{start}') {closed} read into this one "
                           "cell: close the quote or remove it", file=file, row=index + 1, column=column)
    return None


def _rows_from_records(records: list[list[str]], file: str, problems: list[Problem],
                       table: TableFormat | None = None) -> list[Row]:
    """Turn a header record and data records into rows keyed by column name; `table`, the
    format the file should have, names its missing columns when the header has a gap.

    Blank records stay in the list (as rows of empty cells) so that a row's position
    keeps matching its row number in Excel.
    """
    if not records:
        problems.append(Problem("the file is empty: its first row must name the columns", file=file, row=1))
        return []
    if not any(cell.strip() for cell in records[0]):
        problems.append(Problem("the first row must name the columns", file=file, row=1))
        return []
    header = [cell.strip() for cell in records[0]]
    first_seen: dict[str, int] = {}
    for index, name in enumerate(header):
        if name and name in first_seen:
            problems.append(
                Problem(f"column '{name}' appears twice (columns {get_column_letter(first_seen[name] + 1)} "
                        f"and {get_column_letter(index + 1)})", file=file, row=1, column=name)
            )
        first_seen.setdefault(name, index)
    rows: list[Row] = []
    nameless: dict[int, tuple[int, str, int]] = {}  # column index -> its first value's row, the value, count
    for row_number, record in enumerate(records[1:], start=2):
        row: Row = {name: "" for name in first_seen if name}
        for index, cell in enumerate(record):
            name = header[index] if index < len(header) else ""
            if name and first_seen[name] == index:
                row[name] = cell
            elif not name and cell.strip():
                first_row, first_value, count = nameless.get(index, (row_number, cell.strip(), 0))
                nameless[index] = (first_row, first_value, count + 1)
        rows.append(row)
    if nameless:
        _report_nameless_columns(nameless, header, file, table, problems)
    return rows


def _report_nameless_columns(nameless: Mapping[int, tuple[int, str, int]], header: Sequence[str], file: str,
                             table: TableFormat | None, problems: list[Problem]) -> None:
    """One problem per column holding values under an empty header cell, and then the
    required columns row 1 does not name: a blank header cell or a title row above the
    header shows as one line per column, not one per cell, and says what is missing.

    The missing columns are named here because a table with a nameless column is refused
    before its columns are checked (`_table_rows` names them again only if not yet named)."""
    for index, (first_row, first_value, count) in nameless.items():
        hint = ""
        if table is not None and first_value.lower() in table.columns:
            hint = f"; '{first_value}' is a column name: if row 1 is a title above the header, delete it"
        problems.append(Problem(
            f"column {get_column_letter(index + 1)} has no name in row 1 but holds {count} "
            f"value{'s' if count != 1 else ''} (the first, '{first_value}', in row {first_row}): "
            f"name the column in row 1 or delete it{hint}",
            file=file, row=1, column=get_column_letter(index + 1)))
    if table is not None:
        named = {name.lower() for name in header}
        problems.extend(_missing_column(column, file) for column in table.required if column not in named)


def _missing_column(column: str, file: str) -> Problem:
    return Problem(f"column '{column}' is missing", file=file, row=1, column=column)


def _sheet_records(
    sheet: object, file: str, max_rows: int | None, max_columns: int | None, problems: list[Problem]
) -> list[list[str]] | None:
    """A sheet's rows as text cells, each without its trailing empty cells; None (with a
    problem) when a value lies beyond `max_rows` or `max_columns`.

    Empty rows are counted, not kept, until a row with a value follows them, so a sheet
    whose only far cell lies beyond the limit costs a count, not a million rows."""
    sheet.reset_dimensions()  # type: ignore[attr-defined]  # never pad to the declared size
    # Without a declared size each row is as long as its own last cell (at most Excel's
    # 16,384 columns), and one row at a time is held.
    rows = sheet.iter_rows(values_only=True)  # type: ignore[attr-defined]
    records: list[list[str]] = []
    empty_rows = 0
    for row_number, row in enumerate(rows, start=1):
        cells = [] if row.count(None) == len(row) else [_cell_text(value) for value in row]
        while cells and not cells[-1].strip():
            cells.pop()
        if not cells:
            if row_number > EXCEL_LAST_ROW:
                problems.append(Problem(f"the sheet has rows beyond row {EXCEL_LAST_ROW}, Excel's last",
                                        file=file))
                return None
            empty_rows += 1
            continue
        if max_rows is not None and row_number > max_rows:
            problems.append(Problem(f"the sheet has more than {max_rows} rows, this service's limit",
                                    file=file, row=row_number))
            return None
        if max_columns is not None and len(cells) > max_columns:
            problems.append(Problem(f"the sheet has more than {max_columns} columns, this service's limit",
                                    file=file, row=row_number, column=get_column_letter(len(cells))))
            return None
        records.extend([] for _ in range(empty_rows))
        empty_rows = 0
        records.append(cells)
    return records


def _cell_text(value: object) -> str:
    """A workbook cell as the text the CSV format expects."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int
        return "1" if value else "0"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return f"{value.hour:02d}:{value.minute:02d}"
    return str(value)


# ---------------------------------------------------------------------------
# Checking


@dataclass(frozen=True)
class _Sources:
    """How problems name the tables and the department's own settings."""

    tables: str
    meta: str

    def file(self, table: str) -> str:
        if "{table}" in self.tables:
            return self.tables.replace("{table}", table)
        return f"{self.tables}, sheet {table}"


class _Cells:
    """One row's cells, read column by column; every bad value becomes a Problem."""

    def __init__(self, row: Mapping[str, str], file: str, row_number: int, problems: list[Problem]):
        self.row = row
        self.file = file
        self.row_number = row_number
        self.problems = problems
        self.failed = False

    def bad(self, column: str | None, message: str) -> None:
        self.problems.append(Problem(message, file=self.file, row=self.row_number, column=column))
        self.failed = True

    def raw(self, column: str) -> str:
        return self.row.get(column, "").strip()

    def text(self, column: str) -> str | None:
        value = self.raw(column)
        if not value:
            self.bad(column, f"{column} must not be empty")
            return None
        return value

    def number(self, column: str, bounds: tuple[float | None, float | None]) -> float | None:
        value = self.text(column)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            self.bad(column, f"{column} '{value}' is not a number")
            return None
        if not math.isfinite(number):
            self.bad(column, f"{column} '{value}' is not a number")
            return None
        return number if self._within(column, value, number, bounds) else None

    def whole_number(self, column: str, bounds: tuple[float | None, float | None]) -> int | None:
        value = self.text(column)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not math.isfinite(number) or not number.is_integer():
            self.bad(column, f"{column} '{value}' is not a whole number")
            return None
        return int(number) if self._within(column, value, number, bounds) else None

    def _within(self, column: str, value: str, number: float,
                bounds: tuple[float | None, float | None]) -> bool:
        lower, upper = bounds
        if (lower is not None and number < lower) or (upper is not None and number > upper):
            if lower is not None and upper is not None:
                self.bad(column, f"{column} ({value}) must be between {lower:g} and {upper:g}")
            elif lower is not None:
                self.bad(column, f"{column} ({value}) must be at least {lower:g}")
            else:
                self.bad(column, f"{column} ({value}) must be at most {upper:g}")
            return False
        return True

    def clock(self, column: str, *, required: bool = True) -> int | None:
        value = self.raw(column)
        if not value:
            if required:
                self.bad(column, f"{column} must not be empty")
            return None
        try:
            return parse_clock(value)
        except ValueError:
            self.bad(column, f"{column} '{value}' is not a time of day (HH:MM)")
            return None

    def date(self, column: str) -> dt.date | None:
        value = self.text(column)
        if value is None:
            return None
        # Excel on Chinese Windows writes dates as 2026/11/25.
        parts = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", value)
        try:
            if parts is None:
                raise ValueError(value)
            return dt.date(*(int(part) for part in parts.groups()))
        except ValueError:
            self.bad(column, f"{column} '{value}' is not a date (YYYY-MM-DD)")
            return None

    def flag(self, column: str) -> bool | None:
        value = self.raw(column).lower()
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        self.bad(column, f"{column} must be 0 or 1, not '{self.raw(column)}'")
        return None

    def one_of(self, column: str, choices: Sequence[str]) -> str | None:
        value = self.text(column)
        if value is None:
            return None
        if value.lower() not in choices:
            self.bad(column, f"{column} must be {' or '.join(choices)}, not '{value}'")
            return None
        return value.lower()


def _bounds(model: type[BaseModel], field: str) -> tuple[float | None, float | None]:
    """The ge/le bounds the domain model puts on a field, so they are stated only once."""
    lower = upper = None
    for constraint in model.model_fields[field].metadata:
        lower = getattr(constraint, "ge", lower)
        upper = getattr(constraint, "le", upper)
    return lower, upper


def _department_and_policy(
    meta: Mapping[str, object] | None,
    tables: Mapping[str, Sequence[Mapping[str, str]]],
    sources: _Sources,
    problems: list[Problem],
    *,
    policy: Policy | None = None,
    policy_override: str | None = None,
    policy_folder: Path | None = None,
) -> tuple[Department, Policy]:
    settings = _check_meta(meta, sources.meta, problems) if meta is not None else {}
    if policy is None:
        if policy_override is not None:
            policy = _resolve_policy(policy_override, None, None, None, problems)
        elif "policy" in settings:
            policy = _resolve_policy(str(settings["policy"]), policy_folder, sources.meta, "policy", problems)
    if policy_folder is not None and "street_network" in settings:
        network = policy_folder / str(settings["street_network"])
        if not network.is_file():
            problems.append(Problem(f"street_network: there is no file {network} (a path relative to the "
                                    "department folder)", file=sources.meta, column="street_network"))
    rows = {name: _table_rows(name, tables, sources, problems) for name in TABLE_FORMATS}
    for name, table_rows in rows.items():
        _check_characters(table_rows, sources.file(name), problems)
    # Ids of manager rows with a bad value still count as known, so that their retailers
    # are not reported as orphans on top of the one real problem.
    manager_ids = {
        cells.raw("id") for cells in _each_row(rows["managers"], sources.file("managers"), problems)
    } - {""}
    managers = _check_managers(rows["managers"], sources.file("managers"), problems, policy)
    known = _KnownManagers(manager_ids, sources.file("managers"))
    retailers = _check_retailers(rows["retailers"], sources.file("retailers"), known, policy, problems,
                                 office=settings.get("office"), office_where=sources.meta)  # type: ignore[arg-type]
    leave = _check_leave(rows["leave"], sources.file("leave"), known, problems)
    history = _check_history(rows["history"], sources.file("history"), known, policy, problems)
    calendar_days = _check_holidays(rows["holidays"], sources.file("holidays"), problems)
    if policy is not None and policy.calendar is not None and policy.calendar not in known_calendars():
        problems.append(Problem(f"calendar '{policy.calendar}' is not a country the holidays package knows "
                                "(e.g. CN)", file=f"policy {policy.name}", column="calendar"))
    if ("managers" in tables and not managers and not manager_ids
            and not any(p.file == sources.file("managers") for p in problems)):
        problems.append(Problem("there are no managers: a department needs at least one",
                                file=sources.file("managers")))
    if problems:
        raise InputError(problems)
    assert policy is not None  # no problems means the policy was found and read
    try:
        department = Department.model_validate(dict(
            name=settings["name"], office=settings["office"], policy=settings["policy"],
            market_manager=settings["market_manager"], managers=tuple(managers),
            retailers=tuple(retailers), leave=tuple(leave), history=tuple(history),
            public_calendar=policy.calendar, calendar_days=tuple(calendar_days),
            street_network=settings.get("street_network"),
        ))
    except ValidationError as exc:  # a safety net: the checks above should catch everything first
        raise InputError(
            [Problem(err["msg"].removeprefix("Value error, "), file=sources.meta,
                     column=".".join(str(p) for p in err["loc"]) or None) for err in exc.errors()]
        ) from None
    return department, policy


def _check_meta(meta: Mapping[str, object], where: str, problems: list[Problem]) -> dict[str, object]:
    """The department's own settings; returns the good ones."""
    settings: dict[str, object] = {}
    for key in meta:
        if key not in META_KEYS and key not in FOLDER_META_KEYS:
            problems.append(Problem(f"unknown setting '{key}' (known settings: {', '.join(META_KEYS)})",
                                    file=where, column=key))
    network = meta.get("street_network")
    if network is not None:
        if isinstance(network, str) and network.strip():
            settings["street_network"] = network.strip()
        else:
            problems.append(Problem(f"street_network must be the path of a GraphML or OSM file, not {network!r}",
                                    file=where, column="street_network"))
    for key in ("name", "policy", "market_manager"):
        value = meta.get(key)
        if value is None:
            problems.append(Problem(f"{key} is missing", file=where, column=key))
        elif not isinstance(value, str):
            problems.append(Problem(f"{key} must be text, not {value!r}", file=where, column=key))
        elif not value.strip():
            problems.append(Problem(f"{key} must not be empty", file=where, column=key))
        elif (found := unprintable_character(value.strip())) is not None:
            problems.append(Problem(f"{key} contains {found}; remove it", file=where, column=key))
        else:
            settings[key] = value.strip()
    office = meta.get("office")
    if office is None:
        problems.append(Problem("office is missing: give office = { lat = ..., lon = ... }",
                                file=where, column="office"))
    elif not isinstance(office, Mapping):
        problems.append(Problem("office must be { lat = ..., lon = ... }", file=where, column="office"))
    else:
        coordinates = {}
        for axis in ("lat", "lon"):
            column = f"office.{axis}"
            value = office.get(axis)
            number = _meta_number(value)
            lower, upper = _bounds(GeoPoint, axis)
            assert lower is not None and upper is not None  # GeoPoint bounds both axes
            if value is None:
                problems.append(Problem(f"{column} is missing", file=where, column=column))
            elif number is None:
                problems.append(Problem(f"{column} {value!r} is not a number", file=where, column=column))
            elif not lower <= number <= upper:
                problems.append(Problem(f"{column} ({value}) must be between {lower:g} and {upper:g}",
                                        file=where, column=column))
            else:
                coordinates[axis] = number
        if len(coordinates) == 2:
            settings["office"] = GeoPoint(**coordinates)
    return settings


def _meta_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _policy_exists(name: str, folder: Path | None) -> bool:
    """Whether `load_policy` will find the policy, so an unknown name can be reported at its cell."""
    candidate = Path(name)
    paths = [candidate] + ([folder / candidate] if folder is not None and not candidate.is_absolute() else [])
    if any(path.suffix == ".toml" and path.is_file() for path in paths):
        return True
    return name.removesuffix(".toml") in builtin_policy_names()


def _resolve_policy(name: str, folder: Path | None, where: str | None, column: str | None,
                    problems: list[Problem]) -> Policy | None:
    if not _policy_exists(name, folder):
        problems.append(
            Problem(f"no policy named '{name}': built-in policies are {', '.join(builtin_policy_names())}, "
                    "or give a path to a .toml file", file=where, column=column)
        )
        return None
    try:
        return load_policy(name, relative_to=folder)
    except InputError as exc:  # the policy file itself is broken: its own problems say where
        problems.extend(exc.problems)
        return None


def _table_rows(name: str, tables: Mapping[str, Sequence[Mapping[str, str]]], sources: _Sources,
                problems: list[Problem]) -> list[Row]:
    """A table's rows with known column names in canonical spelling; reports missing tables and columns."""
    table_format = TABLE_FORMATS[name]
    file = sources.file(name)
    if name not in tables:
        # A file that could not be read (not UTF-8, not CSV) is there: its problem is named.
        if table_format.must_exist and not any(p.file == file for p in problems):
            problems.append(Problem(f"{file} is missing", file=file))
        return []
    rows = tables[name]
    if not rows:
        return []
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    # Excel users retype headers: match known columns whatever their case or spaces.
    spelling = {column: column.strip().lower() if column.strip().lower() in table_format.columns
                else column for column in columns}
    present = set(spelling.values())
    missing = [column for column in table_format.required if column not in present]
    for column in missing:
        if (problem := _missing_column(column, file)) not in problems:  # named with a nameless column
            problems.append(problem)
    if missing:
        return []  # each row would repeat the missing column's problem
    return [{spelling[column]: "" if value is None else str(value) for column, value in row.items()}
            for row in rows]


def unprintable_character(text: str) -> str | None:
    """The first character of `text` that no name or cell may hold, described; None if none.

    Control characters (line breaks and tabs included) would break the calendar and
    workbook exports built from names (a line break in a calendar header starts a new
    header); a lone surrogate cannot be encoded at all, so nothing could store it.
    """
    for char in text:
        code = ord(char)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            return f"a control character (U+{code:04X})"
        if 0xD800 <= code <= 0xDFFF:
            return f"a lone surrogate (U+{code:04X}), which is not text"
    return None


def invisible_character(text: str) -> str | None:
    """The first invisible format character of `text` (Unicode category Cf: a right-to-left
    override U+202E, a zero-width space U+200B, ...), described; None if none.

    An id is matched, and shown in file names and links, exactly as it is written: an
    invisible character makes two ids that look the same differ, and a right-to-left
    override shows the manager's calendar file name reversed. (Control characters, Cc,
    are refused in every cell already: `unprintable_character`.)
    """
    for char in text:
        if unicodedata.category(char) == "Cf":
            name = unicodedata.name(char, "")
            return f"an invisible format character (U+{ord(char):04X}{' ' + name if name else ''})"
    return None


def _check_characters(rows: Sequence[Row], file: str, problems: list[Problem]) -> None:
    """Every column name and cell of a table holds printable text only, and an id
    (managers' and retailers' `id`) no invisible format character."""
    named: set[str] = set()
    for row_number, row in enumerate(rows, start=2):
        for column, value in row.items():
            if column not in named:
                named.add(column)
                found = unprintable_character(column)
                if found is not None:
                    problems.append(Problem(f"the column name {column!r} contains {found}; remove it",
                                            file=file, row=1, column=column))
            found = unprintable_character(value.strip())
            if found is None and column == "id":
                found = invisible_character(value.strip())
            if found is not None:
                problems.append(Problem(f"{column} contains {found}; remove it",
                                        file=file, row=row_number, column=column))


def _each_row(rows: Iterable[Row], file: str, problems: list[Problem]) -> Iterable[_Cells]:
    """Rows with their Excel row numbers, skipping rows left entirely empty."""
    for row_number, row in enumerate(rows, start=2):
        if any(value.strip() for value in row.values()):
            yield _Cells(row, file, row_number, problems)


def _extra(row: Mapping[str, str], table: str) -> dict[str, str]:
    known = TABLE_FORMATS[table].columns
    return {column: value.strip() for column, value in row.items() if column not in known and column}


class _DuplicateIds:
    """Remembers the row of each id so that a repeat names the row of the first one."""

    def __init__(self) -> None:
        self.first_row: dict[str, int] = {}

    def check(self, cells: _Cells, value: str | None) -> None:
        if value is None:
            return
        if value in self.first_row:
            cells.bad("id", f"id '{value}' is already used on row {self.first_row[value]}")
        else:
            self.first_row[value] = cells.row_number


@dataclass(frozen=True)
class _KnownManagers:
    ids: set[str]
    file: str

    def check(self, cells: _Cells, column: str) -> str | None:
        value = cells.text(column)
        # No id known (managers.csv absent, empty or missing a column, already reported):
        # every manager named elsewhere would be reported as unknown on top of that one problem.
        if value is not None and self.ids and value not in self.ids:
            cells.bad(column, f"{column} '{value}' is not in {self.file}")
            return None
        return value


def _path_segment_problem(value: str) -> str | None:
    """Why `value` cannot be one segment of an address or a file name; None if it can.

    A manager's id is both: the address of his day on the phone (`/my/{department}/{manager}/{date}`,
    where a '/' or '\\' splits the segment and '.' or '..' climbs out of it, so the QR code
    on the printed week answers 404) and the name of his calendar file. Control characters
    are refused in every cell already (`unprintable_character`)."""
    if value in (".", ".."):
        return f"means {'this' if value == '.' else 'the parent'} folder in an address"
    for char in ("/", "\\"):
        if char in value:
            return f"contains '{char}'"
    return None


def _check_managers(rows: list[Row], file: str, problems: list[Problem],
                    policy: Policy | None = None) -> list[Manager]:
    managers = []
    ids = _DuplicateIds()
    for cells in _each_row(rows, file, problems):
        manager_id = cells.text("id")
        ids.check(cells, manager_id)
        unusable = None if manager_id is None else _path_segment_problem(manager_id)
        if unusable is not None:
            cells.bad("id", f"id '{manager_id}' {unusable}: a manager's id is one part of the address of "
                      "his day on the phone (/my/...) and of his file names; use letters, digits, '-' or '_'")
        name = cells.text("name")
        years = cells.number("years", _bounds(Manager, "years"))
        skills = tuple(dict.fromkeys(s.strip() for s in SKILL_SEPARATORS.split(cells.raw("skills")) if s.strip()))
        if policy is not None and policy.duties:
            _check_skills(cells, skills, policy)
        if not cells.failed:
            managers.append(
                Manager.model_validate(dict(id=manager_id, name=name, years=years, skills=skills,
                                            extra=_extra(cells.row, "managers")))
            )
    return managers


def _check_skills(cells: _Cells, skills: Sequence[str], policy: Policy) -> None:
    """Each skill is one a duty of the policy asks for: a typo would leave a duty unfilled
    in silence ("no manager has the skill ..."). A policy without duties uses no skill."""
    known = list(dict.fromkeys(duty.skill for duty in policy.duties))
    for skill in skills:
        if skill in known:
            continue
        hint = ""
        if "," in skill or "，" in skill:
            hint = "; skills are separated by ';', not ','"
        elif (same := [k for k in known if k.casefold() == skill.casefold()]):
            hint = f"; did you mean '{same[0]}'? (skills are matched exactly, case included)"
        cells.bad("skills", f"skill '{skill}' is not one the duties of policy '{policy.name}' ask for "
                  f"(known skills: {', '.join(known)}){hint}")


def _check_retailers(rows: list[Row], file: str, known: _KnownManagers, policy: Policy | None,
                     problems: list[Problem], office: GeoPoint | None = None,
                     office_where: str = "department.toml") -> list[Retailer]:
    placed: list[tuple[_Cells, Retailer]] = []
    ids = _DuplicateIds()
    for cells in _each_row(rows, file, problems):
        retailer_id = cells.text("id")
        ids.check(cells, retailer_id)
        opens, closes = cells.clock("opens"), cells.clock("closes")
        service = cells.whole_number("service_min", _service_bounds(policy))
        values: dict[str, object] = {
            "id": retailer_id,
            "name": cells.text("name"),
            "lat": cells.number("lat", _bounds(Retailer, "lat")),
            "lon": cells.number("lon", _bounds(Retailer, "lon")),
            "manager": known.check(cells, "manager"),
            "class": _retailer_class(cells, policy),
            "visits_per_4_weeks": cells.whole_number("visits_per_4_weeks", _bounds(Retailer, "visits_per_4_weeks")),
            "area": cells.one_of("area", AREAS),
            "opens": opens,
            "closes": closes,
            "service_min": service,
        }
        values.update({flag: cells.flag(flag) for flag in FLAGS})
        if opens is not None and closes is not None and closes <= opens:
            cells.bad("closes", f"closes ({cells.raw('closes')}) must be after opens ({cells.raw('opens')})")
        if policy is not None and service is not None and service < policy.route.min_service_min:
            cells.bad("service_min", f"service_min ({cells.raw('service_min')}) must be at least "
                      f"{policy.route.min_service_min}, the minimum service of policy '{policy.name}'")
        if opens is not None and closes is not None and service is not None and opens < closes < opens + service:
            cells.bad("opens/closes/service_min", f"service_min ({cells.raw('service_min')}) is longer than the "
                      f"{closes - opens} min between opens ({cells.raw('opens')}) and closes "
                      f"({cells.raw('closes')}): the visit cannot be made while the retailer is open")
        longest = _longest_visit_block(policy) if policy is not None else None
        if policy is not None and longest is not None and service is not None and service > longest:
            cells.bad("service_min", f"service_min ({cells.raw('service_min')}) is longer than the longest visit "
                      f"block of policy '{policy.name}' ({longest} min, kinds.visit): no route can hold the visit")
        if not cells.failed:
            placed.append((cells, Retailer.model_validate({**values, "extra": _extra(cells.row, "retailers")})))
    if office is not None and policy is not None and policy.travel.territory_max_km is not None and placed:
        _check_reach(placed, office, policy, policy.travel.territory_max_km, office_where, problems)
    return [r for cells, r in placed if not cells.failed]


def _service_bounds(policy: Policy | None) -> tuple[float | None, float | None]:
    """The bounds `service_min` is read within: the domain's, less those the policy makes
    stricter (its minimum service, its longest visit block), which `_check_retailers` then
    names with their reason; a visit of 500 min was "must be between 1 and 480" when the
    policy's limits are 8 and 180."""
    lower, upper = _bounds(Retailer, "service_min")
    if policy is None:
        return lower, upper
    longest = _longest_visit_block(policy)
    return (None if lower is not None and policy.route.min_service_min >= lower else lower,
            None if upper is not None and longest is not None and longest <= upper else upper)


def _longest_visit_block(policy: Policy) -> int | None:
    """The longest visit block the policy schedules on any day (None without a visit
    kind): a retailer's visit must fit inside one."""
    rule = policy.kinds.get("visit")
    if rule is None:
        return None
    if rule.per_day_minutes is not None:
        return max(rule.per_day_minutes.values(), default=None)
    return rule.session_minutes[1] if rule.session_minutes is not None else None


def _retailer_class(cells: _Cells, policy: Policy | None) -> str | None:
    """The class cell, read case-insensitively; a class the policy's [visit_value] does not
    value is refused (a typo would silently count as other_classes) unless it accepts others."""
    value = cells.text("class")
    if value is None:
        return None
    if policy is None or policy.visit_value is None:
        return value.upper()
    known = policy.visit_value.known_class(value)
    if known is None:
        cells.bad("class", f"class must be one of {', '.join(policy.visit_value.by_class)} (the classes "
                  f"policy '{policy.name}' values in visit_value.by_class), not '{value}'")
    return known


def _check_reach(placed: list[tuple[_Cells, Retailer]], office: GeoPoint, policy: Policy, reach: float,
                 office_where: str, problems: list[Problem]) -> None:
    """Retailers farther from the office than the policy lets a territory reach are
    coordinate mistakes, each named at its row; when most are that far, the office is."""
    away = great_circle_km([r.lat for _, r in placed], [r.lon for _, r in placed], [office.lat], [office.lon])[:, 0]
    far = [(cells, float(km)) for (cells, _), km in zip(placed, away, strict=True) if km > reach]
    limit = f"policy '{policy.name}' lets a territory reach {reach:g} km (travel.territory_max_km)"
    if 2 * len(far) > len(placed):
        problems.append(Problem(
            f"the office ({office.lat}, {office.lon}) is more than {reach:g} km from {len(far)} of the "
            f"{len(placed)} retailers (nearest {min(away):,.0f} km); {limit}: check the office's lat and lon",
            file=office_where, column="office"))
        for cells, _ in far:
            cells.failed = True
        return
    for cells, km in far:
        # One decimal, at least: 5.04 km read "5 km" against a 5-km reach (a tester's terr5).
        said = f"{km:,.0f}" if km >= 10 * reach or km - reach >= 1 else f"{km:,.2f}"
        cells.bad("lat/lon", f"({cells.raw('lat')}, {cells.raw('lon')}) is {said} km from the office "
                  f"({office.lat}, {office.lon}); {limit}: check the retailer's lat and lon (swapped, "
                  f"a typo, another city's point) and the office in {office_where}")


def _check_leave(rows: list[Row], file: str, known: _KnownManagers, problems: list[Problem]) -> list[Leave]:
    leave = []
    for cells in _each_row(rows, file, problems):
        manager = known.check(cells, "manager")
        date = cells.date("date")
        start = cells.clock("start", required=False)
        end = cells.clock("end", required=False)
        if bool(cells.raw("start")) != bool(cells.raw("end")):
            empty = "end" if cells.raw("start") else "start"
            cells.bad(empty, "give both start and end, or neither for a whole day")
        elif start is not None and end is not None and end <= start:
            cells.bad("end", f"end ({cells.raw('end')}) must be after start ({cells.raw('start')})")
        if not cells.failed:
            leave.append(Leave.model_validate(dict(manager=manager, date=date, start=start, end=end)))
    return leave


def _check_history(rows: list[Row], file: str, known: _KnownManagers, policy: Policy | None,
                   problems: list[Problem]) -> list[PairHistory]:
    pair_kinds = [] if policy is None else [k for k, rule in policy.kinds.items() if rule.group == "pair"]
    history = []
    for cells in _each_row(rows, file, problems):
        week_start = cells.date("week_start")
        if week_start is not None and week_start.weekday() != 0:
            cells.bad("week_start", f"week_start ({cells.raw('week_start')}) must be a Monday")
        manager = known.check(cells, "manager")
        partner = known.check(cells, "partner")
        if manager is not None and manager == partner:
            cells.bad("partner", f"partner '{partner}' is the same as manager")
        kind = cells.text("kind")
        if kind is not None and pair_kinds and kind not in pair_kinds:
            cells.bad("kind", f"kind '{kind}' must be one of the policy's pair kinds: {', '.join(pair_kinds)}")
        if not cells.failed:
            history.append(PairHistory.model_validate(
                dict(week_start=week_start, manager=manager, partner=partner, kind=kind)))
    return history


def _check_holidays(rows: list[Row], file: str, problems: list[Problem]) -> list[CalendarDay]:
    """The department's own calendar days (SPEC §5): `date`, `kind` holiday (the default)
    or workday (a make-up working day, 调休), `name`; one row per date."""
    days: list[CalendarDay] = []
    first_row: dict[dt.date, int] = {}
    for cells in _each_row(rows, file, problems):
        date = cells.date("date")
        kind = cells.one_of("kind", DAY_KINDS) if cells.raw("kind") else "holiday"
        if date is not None and date in first_row:
            cells.bad("date", f"date {date} is already listed on row {first_row[date]}")
        elif date is not None:
            first_row[date] = cells.row_number
        if not cells.failed:
            days.append(CalendarDay.model_validate(dict(date=date, kind=kind, name=cells.raw("name"))))
    return days


# ---------------------------------------------------------------------------
# Writing


def _number_text(value: float) -> str:
    """Shortest text that reads back as the same number; whole numbers without '.0'."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _clock_text(minutes: int | None) -> str:
    return "" if minutes is None else format_clock(minutes)


def _toml_string(text: str) -> str:
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04X}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _meta_toml(department: Department) -> str:
    office = department.office
    return (
        f"name = {_toml_string(department.name)}\n"
        f"office = {{ lat = {float(office.lat)!r}, lon = {float(office.lon)!r} }}\n"
        f"policy = {_toml_string(department.policy)}\n"
        f"market_manager = {_toml_string(department.market_manager)}\n"
        + (f"street_network = {_toml_string(department.street_network)}\n" if department.street_network else "")
    )


def _retailer_cells(retailer: Retailer) -> dict[str, str]:
    return {
        "id": retailer.id,
        "name": retailer.name,
        "lat": _number_text(retailer.lat),
        "lon": _number_text(retailer.lon),
        "manager": retailer.manager,
        "class": retailer.retailer_class,
        "visits_per_4_weeks": str(retailer.visits_per_4_weeks),
        "area": retailer.area,
        "opens": format_clock(retailer.opens),
        "closes": format_clock(retailer.closes),
        "service_min": str(retailer.service_min),
        **{flag: "1" if getattr(retailer, flag) else "0" for flag in FLAGS},
    }


def _write_csv(path: Path, columns: Sequence[str], rows: list[tuple[dict[str, str], dict[str, str]]]) -> None:
    extra_columns = list(dict.fromkeys(column for _, extra in rows for column in extra))
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*columns, *extra_columns])
        for cells, extra in rows:
            writer.writerow([*(cells[c] for c in columns), *(extra.get(c, "") for c in extra_columns)])
