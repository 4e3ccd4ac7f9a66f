"""A department sent to the API (a JSON body, a workbook or CSV files) -> the loader's input.

All checking is the loader's (`engine.load`), so a bad value gets the same message
through the API as from `fieldweek` on a folder. This module only reshapes what
arrives over HTTP into the loader's tables of text cells, and keeps the service to
its built-in policies or a policy sent inline (never a path on the server's disk).
"""

from __future__ import annotations

import json
import math
import re
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.http.problems import InputProblems, LimitExceeded, problem_dict
from api.http.settings import Settings
from engine.domain import Department
from engine.errors import InputError, Problem
from engine.load import (
    META_FILE,
    META_KEYS,
    TABLE_FORMATS,
    department_from_tables,
    load_department_with_policy,
    load_workbook_tables,
)
from engine.policy import Policy, builtin_policy_names, load_policy, policy_from_mapping

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


def department_from_document(document: Mapping[str, Any]) -> Department:
    """A stored department document back as a `Department`."""
    policy = document["policy"]
    name = policy["name"] if isinstance(policy, dict) else policy
    return Department.model_validate({**document, "policy": name})


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
    _check_size(len(_as_list(body.get("managers"))), len(_as_list(body.get("retailers"))), settings)
    problems: list[dict[str, Any]] = []
    known = (*META_KEYS, *TABLE_FORMATS)
    for key in body:
        if key not in known:
            problems.append(
                problem_dict(
                    Problem(
                        f"unknown field '{key}' (known fields: {', '.join(known)})",
                        file=JSON_META_SOURCE,
                        column=str(key),
                    ),
                    ["body", str(key)],
                )
            )
    policy, own_policy = _policy_from_json(body.get("policy"), "policy" in body, problems)
    meta = {key: body[key] for key in ("name", "office", "market_manager") if key in body}
    if policy is not None:
        meta["policy"] = policy.name
    tables = _tables_from_json(body, problems)
    if problems and policy is None and "policy" in body:
        raise InputProblems(problems)  # without a policy the retailers cannot be checked
    try:
        department = department_from_tables(
            meta, tables, "{table}", meta_where=JSON_META_SOURCE, policy=policy
        )
    except InputError as exc:
        raise InputProblems(
            problems + [problem_dict(p, _json_loc(p)) for p in exc.problems]
        ) from None
    if problems:
        raise InputProblems(problems)
    assert policy is not None  # the loader reports a missing policy
    return CheckedDepartment(department, policy, own_policy)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _check_size(managers: int, retailers: int, settings: Settings) -> None:
    if managers > settings.max_managers:
        raise LimitExceeded("the number of managers", managers, settings.max_managers)
    if retailers > settings.max_retailers:
        raise LimitExceeded("the number of retailers", retailers, settings.max_retailers)


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


def _json_loc(problem: Problem) -> list[str | int]:
    """Where a loader problem lies in the JSON body (rows are numbered as in a sheet)."""
    if problem.file in TABLE_FORMATS:
        loc: list[str | int] = ["body", problem.file]
        if problem.row is not None and problem.row >= 2:
            loc.append(problem.row - 2)
        if problem.column:
            loc.append(problem.column)
        return loc
    return ["body", *(problem.column or "").split(".")] if problem.column else ["body"]


# ---------------------------------------------------------------------------
# Uploads: a workbook or the CSV files, with the department's settings as form fields


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as sent and its bytes."""

    filename: str
    content: bytes


def department_from_upload(
    fields: Mapping[str, str | None],
    workbook: Upload | None,
    csv_files: Mapping[str, Upload],
    policy_file: Upload | None,
    settings: Settings,
) -> CheckedDepartment:
    """Check a department uploaded as a workbook (sheets managers, retailers, leave,
    history) or as the CSV files, with name / office_lat / office_lon / policy /
    market_manager as form fields; raise `InputProblems` listing every bad value."""
    if workbook is not None and csv_files:
        raise InputProblems(
            [
                problem_dict(
                    Problem("send either a workbook or the CSV files, not both", file=FORM_SOURCE)
                )
            ]
        )
    if workbook is None and not csv_files:
        raise InputProblems(
            [
                problem_dict(
                    Problem(
                        "send a workbook (.xlsx with sheets managers, retailers, leave, history) "
                        "or the CSV files (managers, retailers, and optionally leave, history)",
                        file=FORM_SOURCE,
                    )
                )
            ]
        )
    policy, own_policy = _policy_from_form(fields.get("policy"), policy_file)
    with tempfile.TemporaryDirectory(prefix="fieldweek-upload-") as folder:
        try:
            if workbook is not None:
                department = _department_from_workbook(
                    Path(folder), fields, workbook, policy, settings
                )
            else:
                department = _department_from_csv(
                    Path(folder), fields, csv_files, policy, own_policy
                )
        except InputError as exc:
            raise InputProblems([problem_dict(_form_problem(p)) for p in exc.problems]) from None
    _check_size(len(department.managers), len(department.retailers), settings)
    return CheckedDepartment(
        department.model_copy(update={"policy": policy.name}), policy, own_policy
    )


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
                        "policy is missing: name a built-in policy or upload a policy_file",
                        file=FORM_SOURCE,
                        column="policy",
                    )
                )
            ]
        )
    if name.strip() not in builtin_policy_names():
        raise InputProblems([problem_dict(builtin_policy_problem(name, FORM_SOURCE, "policy"))])
    return load_policy(name.strip()), None


def _form_meta(fields: Mapping[str, str | None], policy_name: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        key: fields[key] for key in ("name", "market_manager") if fields.get(key) is not None
    }
    office = {
        axis: fields[f"office_{axis}"]
        for axis in ("lat", "lon")
        if fields.get(f"office_{axis}") is not None
    }
    if office:
        meta["office"] = office
    meta["policy"] = policy_name
    return meta


def _department_from_workbook(
    folder: Path,
    fields: Mapping[str, str | None],
    workbook: Upload,
    policy: Policy,
    settings: Settings,
) -> Department:
    path = folder / _safe_name(workbook.filename, "department.xlsx")
    path.write_bytes(workbook.content)
    tables = load_workbook_tables(path)
    _check_size(len(tables.get("managers", ())), len(tables.get("retailers", ())), settings)
    return department_from_tables(
        _form_meta(fields, policy.name), tables, path.name, meta_where=FORM_SOURCE, policy=policy
    )


def _department_from_csv(
    folder: Path,
    fields: Mapping[str, str | None],
    csv_files: Mapping[str, Upload],
    policy: Policy,
    own_policy: dict[str, Any] | None,
) -> Department:
    for table, upload in csv_files.items():
        (folder / f"{table}.csv").write_bytes(upload.content)
    policy_name = policy.name
    if own_policy is not None:
        # The loader finds a policy file next to the tables; the name keeps it off the built-in ones.
        policy_name = "department-policy.toml"
        (folder / policy_name).write_text(_policy_toml(own_policy), encoding="utf-8")
    (folder / META_FILE).write_text(_meta_toml(_form_meta(fields, policy_name)), encoding="utf-8")
    department, _ = load_department_with_policy(folder)
    return department


def _policy_toml(policy: dict[str, Any]) -> str:
    """A policy mapping as TOML: JSON values are TOML values, nested objects become inline tables."""
    return "".join(
        f"{json.dumps(key)} = {_toml_value(value)}\n"
        for key, value in policy.items()
        if value is not None
    )


def _toml_value(value: Any) -> str:
    if isinstance(value, dict):
        items = ", ".join(
            f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None
        )
        return "{ " + items + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)  # a JSON string or number is also TOML


def _meta_toml(meta: Mapping[str, Any]) -> str:
    """The form fields as department.toml; a value that is not a number stays text so the
    loader reports it ("office.lat 'abc' is not a number")."""
    lines = []
    for key, value in meta.items():
        if isinstance(value, dict):
            lines.append(
                f"{key} = " + _toml_value({k: _number_or_text(v) for k, v in value.items()})
            )
        else:
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _number_or_text(value: str) -> float | str:
    try:
        number = float(value)
    except ValueError:
        return value
    return number if math.isfinite(number) else value


def _form_problem(problem: Problem) -> Problem:
    """Loader problems about department.toml are about the form fields here."""
    if problem.file not in (META_FILE, FORM_SOURCE):
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
