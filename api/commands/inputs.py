"""What the commands read besides their options: a department folder with its policy,
and a plan file. Bad input prints its table of problems and exits with the input code.

Every command that reads a plan JSON (a timetable, a route plan, or both) reads it here,
so a missing file, a file that is not JSON, a JSON whose top level is not an object, a
document that is not a timetable, and a plan of another department or week are all
reported the same way: the file and what is wrong, exit 2."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from api.commands.console import console, fail_on_input, parse_week
from engine.domain import Department, Timetable
from engine.errors import InputError, Problem
from engine.load import RegionHolidays, load_department_in_region
from engine.policy import Policy
from engine.replan.situation import EarlierReplan, earlier_replan
from engine.work_calendar import date_range_problem

M = TypeVar("M", bound=BaseModel)


def load_department(department_dir: Path, policy: str | None = None) -> tuple[Department, Policy]:
    """The department folder and the policy it names (or `policy`, a built-in name or TOML path);
    a department of a region gets the region's holidays too, and the command says so."""
    try:
        department, pol, region = load_department_in_region(department_dir, policy)
    except InputError as error:
        raise fail_on_input(error) from None
    if region is not None:
        console.print(region_holidays_line(region), markup=False, highlight=False)
    return department, pol


def region_holidays_line(region: RegionHolidays) -> str:
    """One line saying a department planned alone got its region's holidays: a plan that
    differs from the folder's own holidays.csv must say why."""
    return f"holidays: {len(region.dates)} from the region {region.region} ({region.file})"


def checked_dates(first: dt.date, last: dt.date | None = None, option: str = "--week") -> None:
    """A date option's date (or span: a week, a month) refused as a usage error (exit 2)
    when it is outside the dates fieldweek plans, the service's range: "26-12" is not
    planned as the year 26, nor 9999-12 left to overflow the calendar."""
    if why := date_range_problem(first, last):
        raise typer.BadParameter(why, param_hint=option)


def week_option(text: str) -> dt.date:
    """`--week`: a Monday YYYY-MM-DD within the dates fieldweek plans (`checked_dates`)."""
    week = parse_week(text)
    checked_dates(week)
    return week


_JSON_TYPES = {list: "a list ([…])", str: "a string", int: "a number", float: "a number",
               bool: "true or false", type(None): "null"}


def json_document(path: Path, what: str = "plan") -> dict[str, Any]:
    """The JSON object in `path`; InputError naming the file when it is missing, not
    readable, not JSON, or its top level is not an object ({…})."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise InputError([Problem(f"the {what} file does not exist", file=str(path))]) from None
    except IsADirectoryError:
        raise InputError([Problem(f"the {what} is a folder, not a JSON file", file=str(path))]) from None
    except UnicodeDecodeError:
        raise InputError([Problem(f"the {what} is not UTF-8 text (not a JSON file?)", file=str(path))]) from None
    except OSError as error:
        raise InputError([Problem(f"cannot read the {what}: {error.strerror or error}",
                                  file=str(path))]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        cut = " (the file is empty)" if not text.strip() else (
            " (the file ends too early: truncated?)"
            if error.msg.startswith("Unterminated") or error.pos >= len(text.rstrip()) - 1 else "")
        raise InputError([Problem(f"not valid JSON: {error.msg} at line {error.lineno}, column "
                                  f"{error.colno}{cut}", file=str(path))]) from None
    if not isinstance(data, dict):
        kind = _JSON_TYPES.get(type(data), type(data).__name__)
        raise InputError([Problem(f"the {what} must be a JSON object ({{…}}) as `fieldweek` writes it; "
                                  f"its top level is {kind}", file=str(path))])
    return data


def model_problems(error: ValidationError, path: Path, prefix: str = "") -> list[Problem]:
    """One problem per bad field of a JSON document, the field named by its path."""
    return [Problem(err["msg"].removeprefix("Value error, "), file=str(path),
                    column=".".join(str(p) for p in (prefix, *err["loc"]) if p != "") or None)
            for err in error.errors()]


def _validated(model: type[M], data: Mapping[str, Any], path: Path, prefix: str = "") -> M:
    try:
        return model.model_validate(dict(data))
    except ValidationError as error:
        raise InputError(model_problems(error, path, prefix)) from None


def timetable_document(path: Path, what: str = "timetable") -> Timetable:
    """A timetable JSON file (`fieldweek timetable --json`); InputError naming the file."""
    return _validated(Timetable, json_document(path, what), path)


def plan_document(path: Path, what: str = "plan") -> tuple[Timetable, dict | None]:
    """A plan file: a timetable (`fieldweek timetable --json`), `{"timetable", "routes"}`
    with a route plan (`fieldweek routes --json`), or a re-plan (`fieldweek replan --json`);
    InputError naming the file."""
    data = json_document(path, what)
    if isinstance(data.get("timetable"), Mapping):
        timetable = _validated(Timetable, data["timetable"], path, "timetable")
        routes = data.get("routes")
        if isinstance(routes, list):
            routes = {"week_start": data.get("week_start"), "routes": routes,
                      "unvisited": data.get("unplaced", data.get("unvisited", []))}
        return timetable, routes
    return _validated(Timetable, data, path), None


def read_plan(path: Path, department: Department | None = None, week_start: dt.date | None = None,
              every_manager: bool = True, what: str = "plan") -> tuple[Timetable, dict | None]:
    """`plan_document`, refused (exit 2) when it cannot be read or, given `department`
    and `week_start`, is another department's or week's plan (`mismatch_problems`)."""
    try:
        timetable, routes = plan_document(path, what)
        refuse_mismatch(timetable, path, department, week_start, every_manager)
    except InputError as error:
        raise fail_on_input(error) from None
    return timetable, routes


def read_earlier_replan(path: Path, what: str = "plan") -> EarlierReplan | None:
    """The re-plan a plan file is the result of (`fieldweek replan --json`: its `now`,
    events and routes), None for a timetable or a route plan; refused (exit 2) when its
    `now` or events cannot be read. `plan_document` reads its week; a re-plan of it
    carries these events."""
    try:
        return earlier_replan(json_document(path, what), where=str(path))
    except InputError as error:
        raise fail_on_input(error) from None


def read_timetable(path: Path, department: Department | None = None,
                   week_start: dt.date | None = None, what: str = "timetable") -> Timetable:
    """`timetable_document`, refused (exit 2) when it cannot be read or, given
    `department` and `week_start`, is another department's or week's timetable."""
    try:
        timetable = timetable_document(path, what)
        refuse_mismatch(timetable, path, department, week_start)
    except InputError as error:
        raise fail_on_input(error) from None
    return timetable


def mismatch_problems(timetable: Timetable, path: Path | str, department: Department | None = None,
                      week_start: dt.date | None = None, every_manager: bool = True) -> list[Problem]:
    """Why the timetable in `path` is not this department's (its name, or a manager it
    has that the department lacks or names otherwise, or — with `every_manager` — a
    department manager it leaves out) or not the week of `week_start`."""
    file = str(path)
    problems: list[Problem] = []
    if week_start is not None and timetable.week_start != week_start:
        problems.append(Problem(f"the plan is the week of {timetable.week_start}, not {week_start} "
                                f"(--week)", file=file, column="week_start"))
    if department is None:
        return problems
    if timetable.department != department.name:
        problems.append(Problem(f"the plan is of department {timetable.department!r}, not "
                                f"{department.name!r}: give the plan of this department",
                                file=file, column="department"))
    names = {m.id: m.name for m in department.managers}
    unknown = [f"{ref.id} ({ref.name})" for ref in timetable.managers if ref.id not in names]
    renamed = [f"{ref.id} is {ref.name} in the plan, {names[ref.id]} here" for ref in timetable.managers
               if ref.id in names and names[ref.id] != ref.name]
    if unknown:
        problems.append(Problem(f"manager(s) {', '.join(unknown)} of the plan are not in "
                                f"{department.name}'s managers.csv", file=file, column="managers"))
    if renamed:
        problems.append(Problem(f"the plan's managers are other people than {department.name}'s: "
                                f"{'; '.join(renamed[:3])}{' …' if len(renamed) > 3 else ''}", file=file, column="managers"))
    if every_manager:
        # A plan written by hand may leave out its managers list: its blocks say who is in it.
        planned = {ref.id for ref in timetable.managers} | {block.manager for block in timetable.blocks}
        missing = [m for m in names if m not in planned]
        if missing:
            problems.append(Problem(f"the plan has no week for manager(s) {', '.join(missing)} of "
                                    f"{department.name}", file=file, column="managers"))
    return problems


def refuse_mismatch(timetable: Timetable, path: Path | str, department: Department | None = None,
                    week_start: dt.date | None = None, every_manager: bool = True) -> None:
    """InputError with every `mismatch_problems`, if any."""
    problems = mismatch_problems(timetable, path, department, week_start, every_manager)
    if problems:
        raise InputError(problems)
