"""What the commands read besides their options: a department folder with its policy,
and a plan file. Bad input prints its table of problems and exits with the input code."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import typer
from pydantic import ValidationError

from api.commands.console import EXIT_INPUT_ERROR, errors, fail_on_input
from engine.domain import Department, Timetable
from engine.errors import InputError
from engine.load import load_department_with_policy
from engine.policy import Policy


def load_department(department_dir: Path, policy: str | None = None) -> tuple[Department, Policy]:
    """The department folder and the policy it names (or `policy`, a built-in name or TOML path)."""
    try:
        return load_department_with_policy(department_dir, policy)
    except InputError as error:
        raise fail_on_input(error) from None


def read_plan(path: Path) -> tuple[Timetable, dict | None]:
    """A plan file: a timetable (`fieldweek timetable --json`), `{"timetable", "routes"}`
    with a route plan (`fieldweek routes --json`), or a re-plan (`fieldweek replan --json`)."""
    try:
        data = json.loads(path.read_text("utf-8"))
        if "timetable" in data and isinstance(data["timetable"], Mapping):
            timetable = Timetable.model_validate(data["timetable"])
            routes = data.get("routes")
            if isinstance(routes, list):
                routes = {"week_start": data.get("week_start"), "routes": routes,
                          "unvisited": data.get("unplaced", data.get("unvisited", []))}
            return timetable, routes
        return Timetable.model_validate(data), None
    except (OSError, ValueError, ValidationError) as error:
        errors.print(f"[red]cannot read the plan {path}:[/red] {error}")
        raise typer.Exit(EXIT_INPUT_ERROR) from None
