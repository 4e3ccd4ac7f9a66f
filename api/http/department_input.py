"""A department sent to the API (a JSON body, a workbook or CSV files) -> the loader's input.

All checking is the loader's (`engine.load`), so a bad value gets the same message
through the API as from `fieldweek` on a folder. This module only reshapes what
arrives over HTTP into the loader's tables of text cells, and keeps the service to
its built-in policies or a policy sent inline (never a path on the server's disk).
"""

from __future__ import annotations

import io
import re
import stat
import tempfile
import tomllib
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from api.http.problems import InputProblems, LimitExceeded, problem_dict
from api.http.schemas import DepartmentDocument
from api.http.settings import Settings
from engine.domain import Department
from engine.errors import InputError, Problem
from engine.load import (
    FLAGS,
    FOLDER_FILES,
    FOLDER_META_KEYS,
    META_FILE,
    META_KEYS,
    TABLE_FORMATS,
    department_files,
    department_from_tables,
    load_workbook_tables,
    misnamed_file,
)
from engine.policy import Policy, builtin_policy_names, load_policy, policy_from_mapping
from engine.public_calendar import known_calendars

BODY_FIELDS: tuple[str, ...] = tuple(DepartmentDocument.model_fields)
"""A JSON department's fields: its OpenAPI schema's, which the error for an unknown field names."""
SENT_AS = {"calendar_days": "holidays"}
"""The schema's fields the loader knows by another name (its file's, holidays.csv): a body may
send either name."""
JSON_META_SOURCE = "department"
"""How problems name the department's own settings (name, office, ...) in a JSON body."""
FORM_SOURCE = "form"
"""How problems name the form fields of an upload."""
FORM_OFFICE_FIELDS = {"office.lat": "office_lat", "office.lon": "office_lon"}
SAFE_FILE_NAME = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True)
class CheckedDepartment:
    """A department the loader accepted, with the policy its retailers were checked against."""

    department: Department
    policy: Policy
    own_policy: dict[str, Any] | None
    """The department's own policy as sent (None when it names a built-in one)."""

    def document(self) -> dict[str, Any]:
        """The department as JSON, with its own policy inline where it has one."""
        document = self.department.model_dump(mode="json", by_alias=True)
        if self.own_policy is not None:
            document["policy"] = self.own_policy
        return document


def stored_policy(document: Mapping[str, Any]) -> Policy:
    """The policy of a stored department document (a built-in name or an inline policy)."""
    policy = document["policy"]
    return policy_from_mapping(policy) if isinstance(policy, dict) else load_policy(policy)


def department_from_document(document: Mapping[str, Any], policy: Policy | None = None) -> Department:
    """A stored department document back as a `Department`; with `policy` (the policy a job
    was planned with, sent with its request), under that policy's public calendar, as
    `fieldweek timetable --policy` loads the folder (engine/load.py: the department's
    `public_calendar` is its policy's `calendar`). Without it a US policy sent for a week
    still planned Thanksgiving under the stored policy's calendar."""
    stored = document["policy"]
    name = stored["name"] if isinstance(stored, dict) else stored
    department = Department.model_validate({**document, "policy": name})
    if policy is not None and department.public_calendar != policy.calendar:
        department = department.model_copy(update={"public_calendar": policy.calendar})
    return department


def job_department(document: Mapping[str, Any], job_policy: Mapping[str, Any]) -> tuple[Department, Policy]:
    """A job's department and policy: the stored department under the policy the job was
    planned with (`job.policy`), its public calendar included (`department_from_document`)."""
    policy = policy_from_mapping(dict(job_policy))
    return department_from_document(document, policy), policy


def unknown_calendar_problem(policy: Policy, *loc: str) -> dict[str, Any] | None:
    """A policy sent with a request naming a calendar the holidays package does not know,
    as the department loader refuses it (engine/load.py); None when it is known or none."""
    if policy.calendar is None or policy.calendar in known_calendars():
        return None
    return problem_dict(
        Problem(f"calendar '{policy.calendar}' is not a country the holidays package knows (e.g. CN)",
                file=f"policy {policy.name}", column="calendar"),
        list(loc))


# ---------------------------------------------------------------------------
# JSON body


def department_from_json(body: Any, settings: Settings) -> CheckedDepartment:
    """Check a JSON department (the folder's department.toml keys plus one list of rows
    per table); raise `InputProblems` listing every bad value, `LimitExceeded` when too big."""
    if not isinstance(body, dict):
        raise InputProblems(
            [
                problem_dict(
                    Problem(
                        "the body must be a JSON object with name, office, policy, market_manager, "
                        "managers, retailers, leave and history",
                        file=JSON_META_SOURCE,
                    ),
                    ["body"],
                )
            ]
        )
    check_table_sizes({name: len(_as_list(body.get(_sent_name(name, body)))) for name in TABLE_FORMATS}, settings)
    problems: list[dict[str, Any]] = []
    sent = body
    body = _as_sent(body, problems)
    known = (*META_KEYS, *FOLDER_META_KEYS, *TABLE_FORMATS)
    for key in body:
        if key not in known:
            problems.append(
                problem_dict(
                    Problem(
                        f"unknown field '{key}' (known fields: {', '.join(BODY_FIELDS)}; "
                        f"{SENT_AS['calendar_days']} is calendar_days by the name of its file)",
                        file=JSON_META_SOURCE,
                        column=str(key),
                    ),
                    ["body", str(key)],
                )
            )
    policy, own_policy = _policy_from_json(body.get("policy"), "policy" in body, problems)
    if "public_calendar" in sent:
        problems.extend(_public_calendar_problems(sent["public_calendar"], policy))
    meta = {key: body[key] for key in ("name", "office", "market_manager", *FOLDER_META_KEYS) if key in body}
    if policy is not None:
        meta["policy"] = policy.name
    tables = _tables_from_json(body, problems)
    _check_table_columns(tables, settings)
    if problems and policy is None and "policy" in body:
        raise InputProblems(problems)  # without a policy the retailers cannot be checked
    try:
        department = department_from_tables(
            meta, tables, "{table}", meta_where=JSON_META_SOURCE, policy=policy
        )
    except InputError as exc:
        raise InputProblems(
            problems + [problem_dict(p, _json_loc(p, sent)) for p in exc.problems]
        ) from None
    if problems:
        raise InputProblems(problems)
    assert policy is not None  # the loader reports a missing policy
    return CheckedDepartment(department, policy, own_policy)


def _as_sent(body: dict[str, Any], problems: list[dict[str, Any]]) -> dict[str, Any]:
    """The body with the loader's names (`DepartmentDocument`'s calendar_days is the
    holidays table, also taken by that name), without the public calendar (the policy's,
    checked apart: `_public_calendar_problems`) and without a street network it does not
    name. A stored department's document is a body too."""
    if SENT_AS["calendar_days"] in body and "calendar_days" in body:
        problems.append(problem_dict(
            Problem(f"{SENT_AS['calendar_days']} and calendar_days are the same table (the department's own "
                    "days): send one of them", file=JSON_META_SOURCE, column=SENT_AS["calendar_days"]),
            ["body", SENT_AS["calendar_days"]]))
    sent = {key: value for key, value in body.items()
            if key not in ("calendar_days", "public_calendar") and not (key == "street_network" and value is None)}
    if "calendar_days" in body and SENT_AS["calendar_days"] not in body:
        sent[SENT_AS["calendar_days"]] = body["calendar_days"]
    return sent


def _sent_name(table: str, body: Mapping[str, Any]) -> str:
    """The name a table has in the body: the schema's, or the loader's (holidays)."""
    return next((field for field, name in SENT_AS.items() if name == table and field in body), table)


def _public_calendar_problems(calendar: Any, policy: Policy | None) -> list[dict[str, Any]]:
    """A department's public calendar is its policy's `calendar` (SPEC §5: a policy names
    its calendar), so a body's `public_calendar` is the policy's or refused: "US" or "XX"
    were taken and stored as the policy's "CN" without a word. An unknown one is told
    the calendars there are (the holidays package's, engine/public_calendar.py)."""
    known = known_calendars()
    if calendar is not None and (not isinstance(calendar, str) or calendar not in known):
        message = (f"public_calendar {calendar!r} is not a calendar the holidays package knows; "
                   f"the calendars there are: {', '.join(sorted(known))}")
    elif policy is None or calendar == policy.calendar:
        return []  # without a policy, the loader says why
    else:
        message = (f"public_calendar is the policy's calendar: policy {policy.name} has calendar "
                   f"{policy.calendar!r}, not {calendar!r}; leave public_calendar out, or send a policy "
                   f"object whose calendar is {calendar!r}")
    return [problem_dict(Problem(message, file=JSON_META_SOURCE, column="public_calendar"),
                         ["body", "public_calendar"])]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def table_limits(settings: Settings) -> dict[str, int]:
    """The most rows each table may hold in this service."""
    return {
        "managers": settings.max_managers,
        "retailers": settings.max_retailers,
        "leave": settings.max_leave_rows,
        "history": settings.max_history_rows,
        "holidays": settings.max_holiday_rows,
    }


def check_table_sizes(rows: Mapping[str, int], settings: Settings) -> None:
    """Raise `LimitExceeded` (413) for a table over its limit (`rows`: table -> row count)."""
    for table, limit in table_limits(settings).items():
        count = rows.get(table, 0)
        if count > limit:
            what = f"the number of {table}" if table in ("managers", "retailers") else f"the rows of {table}"
            raise LimitExceeded(what, count, limit)


def _check_table_columns(tables: Mapping[str, Sequence[Mapping[str, str]]], settings: Settings) -> None:
    """Raise `InputProblems` (422) for a JSON table whose rows name more than `max_columns`
    columns between them, at the row that goes beyond: the limit a workbook's sheet and a
    CSV file have, so no way in stores a department with more."""
    for table, rows in tables.items():
        columns: set[str] = set()
        for index, row in enumerate(rows):
            columns.update(row)
            if len(columns) > settings.max_columns:
                raise InputProblems([problem_dict(
                    Problem(f"the rows of {table} have more than {settings.max_columns} columns between them, "
                            "this service's limit", file=table, row=index + 2),
                    ["body", table, index])])


def _policy_from_json(
    value: Any, given: bool, problems: list[dict[str, Any]]
) -> tuple[Policy | None, dict[str, Any] | None]:
    """A built-in policy by name, or the department's own policy sent as an object."""
    if not given:
        return None, None
    if isinstance(value, dict):
        try:
            policy = policy_from_mapping(value, where="policy")
        except InputError as exc:
            problems.extend(
                problem_dict(p, ["body", "policy", *(p.column or "").split(".")])
                for p in exc.problems
            )
            return None, None
        return policy, policy.model_dump(mode="json")
    if isinstance(value, str) and value.strip() in builtin_policy_names():
        return load_policy(value.strip()), None
    problems.append(
        problem_dict(builtin_policy_problem(value, JSON_META_SOURCE, "policy"), ["body", "policy"])
    )
    return None, None


def builtin_policy_problem(value: Any, file: str, column: str) -> Problem:
    """The service reads no policy files from its own disk: only built-in names or a policy sent along."""
    return Problem(
        f"no built-in policy named {value!r}: built-in policies are {', '.join(builtin_policy_names())}; "
        "to use your own, send the policy itself (as an object, or a policy_file upload)",
        file=file,
        column=column,
    )


def _tables_from_json(
    body: Mapping[str, Any], problems: list[dict[str, Any]]
) -> dict[str, list[dict[str, str]]]:
    tables: dict[str, list[dict[str, str]]] = {}
    for name in TABLE_FORMATS:
        if name not in body:
            continue
        rows = body[name]
        if not isinstance(rows, list):
            problems.append(
                problem_dict(
                    Problem(f"{name} must be a list of rows (objects)", file=name), ["body", name]
                )
            )
            continue
        tables[name] = []
        for index, row in enumerate(rows):
            tables[name].append(_row_cells(name, index, row, problems))
    return tables


def _row_cells(table: str, index: int, row: Any, problems: list[dict[str, Any]]) -> dict[str, str]:
    """One JSON row as text cells, as they would read in the CSV file."""
    row_number = index + 2  # numbered as in a sheet: row 1 is the header
    if not isinstance(row, dict):
        problems.append(
            problem_dict(
                Problem("each row must be an object of column: value", file=table, row=row_number),
                ["body", table, index],
            )
        )
        return {}
    cells: dict[str, str] = {}
    for column, value in row.items():
        if column == "extra" and isinstance(value, dict):
            for extra_column, extra_value in value.items():
                text = _cell_text(extra_value)
                if text is not None and extra_column not in row:
                    cells[str(extra_column)] = text
            continue
        if why := _json_type_problem(table, str(column), value):
            # Refused, yet read as its cell too: the loader names its other faults, not a blank.
            problems.append(problem_dict(Problem(why, file=table, row=row_number, column=str(column)),
                                         ["body", table, index, str(column)]))
        text = _cell_text(value)
        if text is None:
            problems.append(
                problem_dict(
                    Problem(
                        f"{column} must be text, a number or a list, not an object",
                        file=table,
                        row=row_number,
                        column=str(column),
                    ),
                    ["body", table, index, str(column)],
                )
            )
            continue
        cells[str(column)] = text
    return cells


LIST_COLUMNS: frozenset[tuple[str, str]] = frozenset({("managers", "skills")})
"""The columns a JSON row may send as a list (its cell: the values joined by ';')."""


def _json_type_problem(table: str, column: str, value: Any) -> str | None:
    """Why a JSON value of one of the table's columns is refused although a cell could
    hold it: true/false outside the flags, a list outside `LIST_COLUMNS`. Read as a cell
    they would pass for another value (`years: true` as 1, `service_min: [10]` as 10)."""
    name = column.strip().lower()
    if name not in TABLE_FORMATS[table].columns:
        return None  # an extra column: kept as text, read by nobody
    if isinstance(value, bool) and name not in FLAGS:
        return (f"{column} must be a value as in {table}.csv, not {str(value).lower()} "
                f"(true/false is for the flags {', '.join(FLAGS)})")
    if isinstance(value, list) and (table, name) not in LIST_COLUMNS:
        return f"{column} must be one value, not a list ({len(value)} item(s))"
    return None


def _cell_text(value: Any) -> str | None:
    """A JSON value as the text of a CSV cell; None for values no cell can hold."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(not isinstance(v, (list, dict)) for v in value):
        return ";".join(_cell_text(v) or "" for v in value)  # skills: a;b
    return None


def _json_loc(problem: Problem, body: Mapping[str, Any]) -> list[str | int]:
    """Where a loader problem lies in the JSON `body` (rows are numbered as in a sheet)."""
    if problem.file in TABLE_FORMATS:
        loc: list[str | int] = ["body", _sent_name(problem.file, body)]
        if problem.row is not None and problem.row >= 2:
            loc.append(problem.row - 2)
        if problem.column:
            loc.append(problem.column)
        return loc
    return ["body", *(problem.column or "").split(".")] if problem.column else ["body"]


# ---------------------------------------------------------------------------
# Uploads: a department folder as it is (department.toml and the CSV files, or a zip
# of the folder), or a workbook; the form fields override department.toml's settings


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as sent and its bytes."""

    filename: str
    content: bytes


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def department_from_upload(
    fields: Mapping[str, str | None],
    files: Sequence[Upload],
    policy_file: Upload | None,
    settings: Settings,
) -> CheckedDepartment:
    """Check a department uploaded as the files of its folder (department.toml,
    managers.csv, retailers.csv and optionally leave.csv, history.csv, holidays.csv, a
    policy file it names), as one .zip of that folder, or as a workbook (sheets
    managers, retailers, leave, history, holidays). Files are told apart by their
    names; name / office_lat / office_lon / policy / market_manager form fields
    override department.toml. Raise `InputProblems` listing every bad value."""
    by_name = _files_by_name(files, settings)
    workbooks = [name for name in by_name if name.lower().endswith(WORKBOOK_SUFFIXES)]
    tables_sent = [name for name in by_name if name.endswith(".csv") and name in FOLDER_FILES]
    if (workbooks and tables_sent) or len(workbooks) > 1:
        raise _form_refusal("send either one workbook or the CSV files, not both")
    if not workbooks and not tables_sent:
        raise _form_refusal(
            "send the department folder: department.toml with managers.csv, retailers.csv "
            "(and optionally leave.csv, history.csv, holidays.csv), or one .zip of the folder, "
            "or a workbook (.xlsx with sheets managers, retailers, leave, history)"
        )
    problems: list[Problem] = []
    try:
        toml_meta, tables = department_files(
            {name: by_name[name].content for name in FOLDER_FILES if name in by_name},
            max_columns=settings.max_columns,
        )
    except InputError as exc:
        problems.extend(exc.problems)
        toml_meta, tables = None, {}
    problems.extend(_unknown_files(by_name, toml_meta, read=not problems))
    if problems:
        raise InputProblems([problem_dict(p) for p in problems])
    from_form = {key for key, value in fields.items() if value is not None}
    meta = _merged_meta(toml_meta or {}, fields)
    # Every problem at once: a bad policy or workbook is reported with the settings missing.
    found: list[dict[str, Any]] = []
    policy: Policy | None = None
    own_policy: dict[str, Any] | None = None
    try:
        policy, own_policy = _upload_policy(fields.get("policy"), policy_file, toml_meta, by_name)
    except InputProblems as exc:
        found.extend(exc.problems)
    where = "{table}.csv"
    read: dict[str, list[dict[str, str]]] | None = tables
    if workbooks:
        where = _safe_name(workbooks[0], "department.xlsx")
        try:
            read = _workbook_tables(by_name[workbooks[0]], where, settings)
        except InputProblems as exc:
            found.extend(exc.problems)
            read = None
    if read is not None:
        check_table_sizes({name: len(rows) for name, rows in read.items()}, settings)
    if policy is not None:
        meta["policy"] = policy.name
    else:  # already reported; the loader must not look for it on the server's disk
        meta.pop("policy", None)
    meta_where = META_FILE if toml_meta is not None else FORM_SOURCE
    try:
        department = department_from_tables(meta, read or {}, where, meta_where=meta_where, policy=policy)
    except InputError as exc:
        found.extend(
            problem_dict(_form_problem(p, from_form, meta_where)) for p in exc.problems
            if (read is not None or p.file == meta_where)  # no tables read: only the settings' problems
            and (policy is not None or (p.file, p.column) != (meta_where, "policy"))
        )
    if found:
        raise InputProblems(found)
    assert policy is not None  # no problem means the policy was read
    return CheckedDepartment(department, policy, own_policy)


def _unknown_files(by_name: Mapping[str, Upload], toml_meta: Mapping[str, Any] | None, *,
                   read: bool) -> list[Problem]:
    """A problem for each file sent that is none of a department's: it would be left out in
    silence (a leaves.csv: a department without its leave). A .toml file is the policy
    file department.toml names; while department.toml is unread (`read` False) any is."""
    named = toml_meta.get("policy") if toml_meta is not None else None
    policy_file = (PurePosixPath(named.strip().replace("\\", "/")).name
                   if isinstance(named, str) and named.strip().endswith(".toml") else None)
    problems = []
    for name in by_name:
        if (name in FOLDER_FILES or name.lower().endswith(WORKBOOK_SUFFIXES) or name == policy_file
                or (not read and name.lower().endswith(".toml"))):
            continue
        close = misnamed_file(name)
        hint = f" (did you mean {close}?)" if close is not None else ""
        problems.append(Problem(
            f"{name} is not a file of a department{hint}. Send {', '.join(FOLDER_FILES)}, or one workbook "
            "(.xlsx), or one .zip of the folder, and the policy file department.toml names if it is your own",
            file=_safe_name(name, "upload")))
    return problems


def _form_refusal(message: str) -> InputProblems:
    return InputProblems([problem_dict(Problem(message, file=FORM_SOURCE))])


def _files_by_name(files: Sequence[Upload], settings: Settings) -> dict[str, Upload]:
    """The uploaded files by their plain name; a .zip is unpacked into its files."""
    by_name: dict[str, Upload] = {}
    for upload in files:
        name = _safe_name(upload.filename, "")
        if name.lower().endswith(".zip"):
            unpacked = unpack_folder(upload, settings)
        else:
            unpacked = [Upload(name, upload.content)]
        for file in unpacked:
            key = file.filename.lower() if file.filename.lower() in FOLDER_FILES else file.filename
            if key in by_name:
                raise _form_refusal(f"{file.filename} is sent twice")
            by_name[key] = file
    return by_name


def unpack_folder(archive: Upload, settings: Settings) -> list[Upload]:
    """The files of a zipped department folder, refusing what a folder cannot hold: more
    than `max_archive_entries` entries, more than `max_unpacked_bytes` unpacked, paths
    that are absolute or climb with '..', links, and files in nested folders."""
    where = _safe_name(archive.filename, "department.zip")
    try:
        with zipfile.ZipFile(io.BytesIO(archive.content)) as bundle:
            entries = [info for info in bundle.infolist() if not info.is_dir()]
            if len(bundle.infolist()) > settings.max_archive_entries:
                raise LimitExceeded(f"the number of entries in {where}", len(bundle.infolist()),
                                    settings.max_archive_entries)
            declared = sum(info.file_size for info in entries)
            if declared > settings.max_unpacked_bytes:
                raise LimitExceeded(f"the unpacked size of {where}", declared,
                                    settings.max_unpacked_bytes, " bytes")
            problems = [problem for info in entries if (problem := _entry_problem(info, where))]
            if problems:
                raise InputProblems([problem_dict(p) for p in problems])
            files = []
            for info in entries:
                with bundle.open(info) as member:
                    content = member.read(info.file_size + 1)  # never more than it declares
                if len(content) > info.file_size:
                    raise InputProblems([problem_dict(Problem(
                        f"{info.filename} holds more than its declared size", file=where))])
                if not _ignored_entry(info.filename):
                    files.append(Upload(PurePosixPath(info.filename).name, content))
            return files
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError) as exc:
        raise InputProblems([problem_dict(Problem(f"is not a readable zip file: {exc}", file=where))]) from None


def _entry_problem(info: zipfile.ZipInfo, where: str) -> Problem | None:
    path = PurePosixPath(info.filename.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or ":" in info.filename:
        return Problem(f"{info.filename!r} is outside the folder", file=where)
    if stat.S_ISLNK(info.external_attr >> 16):
        return Problem(f"{info.filename!r} is a link; send the file itself", file=where)
    if len(path.parts) > 2 and not _ignored_entry(info.filename):
        return Problem(f"{info.filename!r} is in a nested folder; zip the department folder itself",
                       file=where)
    return None


def _ignored_entry(filename: str) -> bool:
    """Files a zipped folder carries that are not the department's (macOS metadata)."""
    path = PurePosixPath(filename)
    return path.parts[0] == "__MACOSX" or path.name.startswith("._") or path.name == ".DS_Store"


def _merged_meta(toml_meta: Mapping[str, Any], fields: Mapping[str, str | None]) -> dict[str, Any]:
    """department.toml's settings with the form fields given over them."""
    meta = dict(toml_meta)
    for key in ("name", "market_manager"):
        if fields.get(key) is not None:
            meta[key] = fields[key]
    for axis in ("lat", "lon"):
        value = fields.get(f"office_{axis}")
        if value is not None:
            office = meta.get("office")
            meta["office"] = {**(office if isinstance(office, dict) else {}), axis: value}
    return meta


def _upload_policy(
    form_policy: str | None,
    policy_file: Upload | None,
    toml_meta: Mapping[str, Any] | None,
    by_name: Mapping[str, Upload],
) -> tuple[Policy, dict[str, Any] | None]:
    """The policy: an uploaded policy_file, else the built-in one the form names, else
    the one department.toml names (a built-in name, or a policy file sent with the
    folder: the service never reads a path on its own disk)."""
    if policy_file is not None or (form_policy is not None and form_policy.strip()):
        return _policy_from_form(form_policy, policy_file)
    named = toml_meta.get("policy") if toml_meta is not None else None
    if not isinstance(named, str) or not named.strip():
        return _policy_from_form(None, None)  # reports the missing policy
    named = named.strip()
    if named.removesuffix(".toml") in builtin_policy_names():
        return load_policy(named.removesuffix(".toml")), None
    sent = by_name.get(PurePosixPath(named.replace("\\", "/")).name)
    if sent is None or not named.endswith(".toml"):
        raise InputProblems([problem_dict(Problem(
            f"no built-in policy named {named!r}: built-in policies are "
            f"{', '.join(builtin_policy_names())}; to use your own, send its file with the folder",
            file=META_FILE, column="policy"))])
    return _policy_from_form(None, sent)


def _policy_from_form(
    name: str | None, policy_file: Upload | None
) -> tuple[Policy, dict[str, Any] | None]:
    """The built-in policy named in the form, or the department's own uploaded policy file."""
    if policy_file is not None:
        where = _safe_name(policy_file.filename, "policy.toml")
        try:
            data = tomllib.loads(policy_file.content.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise InputProblems([problem_dict(Problem("is not UTF-8 text", file=where))]) from None
        except tomllib.TOMLDecodeError as exc:
            raise InputProblems(
                [problem_dict(Problem(f"not valid TOML: {exc}", file=where))]
            ) from None
        try:
            policy = policy_from_mapping(data, where=where)
        except InputError as exc:
            raise InputProblems([problem_dict(p) for p in exc.problems]) from None
        return policy, policy.model_dump(mode="json")
    if name is None or not name.strip():
        raise InputProblems(
            [
                problem_dict(
                    Problem(
                        "policy is missing: name a built-in policy (in department.toml or the "
                        "policy field) or upload a policy_file",
                        file=FORM_SOURCE,
                        column="policy",
                    )
                )
            ]
        )
    if name.strip() not in builtin_policy_names():
        raise InputProblems([problem_dict(builtin_policy_problem(name, FORM_SOURCE, "policy"))])
    return load_policy(name.strip()), None


def _workbook_tables(workbook: Upload, where: str, settings: Settings) -> dict[str, list[dict[str, str]]]:
    """The workbook's sheets, its unpacked size checked before openpyxl opens it."""
    try:
        with zipfile.ZipFile(io.BytesIO(workbook.content)) as bundle:
            unpacked = sum(info.file_size for info in bundle.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        unpacked = 0  # not a zip at all: the loader says it cannot open the workbook
    if unpacked > settings.max_unpacked_bytes:
        raise LimitExceeded(f"the unpacked size of {where}", unpacked, settings.max_unpacked_bytes,
                            " bytes")
    with tempfile.TemporaryDirectory(prefix="fieldweek-upload-") as folder:
        path = Path(folder) / where
        path.write_bytes(workbook.content)
        try:
            return load_workbook_tables(
                path, max_rows=max(table_limits(settings).values()) + 1, max_columns=settings.max_columns
            )
        except InputError as exc:
            raise InputProblems([problem_dict(p) for p in exc.problems]) from None


def _form_problem(problem: Problem, from_form: set[str], meta_where: str) -> Problem:
    """Loader problems about a setting the form gave are about the form field."""
    if problem.file != meta_where:
        return problem
    key = (problem.column or "").split(".")[0]
    given = {"office" if field.startswith("office_") else field for field in from_form}
    if meta_where == META_FILE and key not in given:
        return problem
    column = FORM_OFFICE_FIELDS.get(problem.column or "", problem.column)
    message = problem.message
    for setting, field in FORM_OFFICE_FIELDS.items():
        message = message.replace(setting, field)
    if problem.column == "office":
        column, message = "office_lat", "office_lat and office_lon are missing"
    return Problem(message, file=FORM_SOURCE, row=None, column=column)


def _safe_name(filename: str | None, fallback: str) -> str:
    name = SAFE_FILE_NAME.sub("_", Path(filename or "").name).strip("._")
    return name or fallback
