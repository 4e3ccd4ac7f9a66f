"""A week's route plan sent back by a user (the JSON contract of `fieldweek routes --json`,
SPEC §1.2) checked before anything reads it: the Friday sheet (SPEC §1) and the re-plan
(SPEC §3) index it by manager, retailer, date and clock time, so a malformed plan must be
refused with where it is wrong, not fail half way through."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from engine.domain import Department
from engine.errors import Problem
from engine.policy import parse_clock
from engine.routing.plan import RoutePlan

ROUTE_PLAN_KEYS = frozenset(field.alias or name for name, field in RoutePlan.model_fields.items())
"""The keys of a route plan's JSON; any other key is a mistake (a misspelt `routes`)."""

Check = Callable[[Any], str | None]


def route_plan_problems(routes: Any, department: Department, file: str = "routes") -> list[Problem]:
    """Every way `routes` differs from a route plan of `department`: its shape, the
    managers and retailers it names, its dates and clock times. Each problem's column
    is the path inside the plan (`routes.0.stops.2.start`)."""
    problems: list[Problem] = []
    if not isinstance(routes, Mapping):
        return [Problem("routes must be a route plan object (with routes and unvisited)", file=file)]
    problems.extend(_shape_problems(routes, file))
    managers = {m.id for m in department.managers}
    retailers = {r.id for r in department.retailers}

    def need(value: Any, path: str, check: Check) -> None:
        message = check(value)
        if message is not None:
            problems.append(Problem(f"{path} {message}", file=file, column=path))

    for index, route in enumerate(_items(routes, "routes", file, problems)):
        path = f"routes.{index}"
        need(route.get("manager"), f"{path}.manager", _one_of(managers, "manager"))
        need(route.get("date"), f"{path}.date", _date)
        need(route.get("lunch_start"), f"{path}.lunch_start", _optional(_clock))
        for number, stop in enumerate(_items(route, "stops", file, problems, path)):
            where = f"{path}.stops.{number}"
            need(stop.get("kind", "visit"), f"{where}.kind", _text)
            if stop.get("kind", "visit") != "visit":
                continue
            need(stop.get("retailer"), f"{where}.retailer", _one_of(retailers, "retailer"))
            for moment in ("arrive", "start", "end"):
                need(stop.get(moment), f"{where}.{moment}", _clock)
    for index, item in enumerate(_items(routes, "unvisited", file, problems)):
        path = f"unvisited.{index}"
        need(item.get("retailer"), f"{path}.retailer", _one_of(retailers, "retailer"))
        need(item.get("manager"), f"{path}.manager", _optional(_one_of(managers, "manager")))
        need(item.get("date"), f"{path}.date", _optional(_date))
        for words in ("reason", "detail"):
            need(item.get(words), f"{path}.{words}", _optional(_text))
    return problems


def _shape_problems(routes: Mapping[str, Any], file: str) -> list[Problem]:
    """A plan without its `routes` list, or with keys a route plan does not have, would
    otherwise be read as a plan of no routes and pass unnoticed."""
    problems = [
        Problem(f"'{key}' is not a field of a route plan (its fields: {', '.join(sorted(ROUTE_PLAN_KEYS))})",
                file=file, column=str(key))
        for key in routes if key not in ROUTE_PLAN_KEYS
    ]
    if "routes" not in routes:
        problems.append(Problem("routes is missing: a route plan lists its day routes under 'routes'",
                                file=file, column="routes"))
    return problems


def _items(
    parent: Mapping[str, Any], key: str, file: str, problems: list[Problem], path: str = ""
) -> list[Mapping[str, Any]]:
    """The objects of the list `parent[key]` (none when absent); problems for the rest."""
    where = f"{path}.{key}" if path else key
    value = parent.get(key, [])
    if not isinstance(value, list):
        problems.append(Problem(f"{where} must be a list", file=file, column=where))
        return []
    objects = []
    for index, item in enumerate(value):
        if isinstance(item, Mapping):
            objects.append(item)
        else:
            problems.append(Problem(f"{where}.{index} must be an object", file=file, column=f"{where}.{index}"))
    return objects


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be text"


def _optional(check: Check) -> Check:
    return lambda value: None if value is None else check(value)


def _one_of(known: set[str], what: str) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return f"must be a {what} id"
        return None if value in known else f"'{value}' is not a {what} of the department"
    return check


def _date(value: Any) -> str | None:
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return "must be a date (YYYY-MM-DD)"
    return None


def _clock(value: Any) -> str | None:
    try:
        parse_clock(value)
    except (TypeError, ValueError, AttributeError):
        return "must be a time of day (HH:MM)"
    return None
