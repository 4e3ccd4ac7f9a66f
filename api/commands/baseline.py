"""`fieldweek baseline`: the week a market manager makes by hand today, scored.
Thin: engine.baseline builds it, engine.quality scores it; this module renders and writes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from api.commands.console import EXIT_NO_PLAN, errors, parse_week, write_json
from api.commands.inputs import load_department
from api.commands.quality_tables import render_report
from engine.baseline import BaselineImpossible, baseline_routes, baseline_timetable
from engine.quality import score_plan


def baseline_command(
    department_dir: Annotated[Path, typer.Argument(help="department folder")],
    week: Annotated[str, typer.Option("--week", help="Monday of the week, YYYY-MM-DD")],
    policy: Annotated[str | None, typer.Option("--policy", help="built-in policy or TOML path")] = None,
    routes: Annotated[bool, typer.Option("--routes/--no-routes", help="also the visit routes")] = True,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the plan JSON here")] = None,
) -> None:
    """Build the week a market manager makes by hand today: a fixed template, pairs by
    list order, nearest-neighbour routes in territory order."""
    week_start = parse_week(week)
    department, pol = load_department(department_dir, policy)
    try:
        timetable = baseline_timetable(department, pol, week_start)
    except BaselineImpossible as impossible:
        errors.print("[red]the hand-made template cannot give a valid week:[/red]")
        for reason in impossible.reasons:
            errors.print(f"  {reason}")
        raise typer.Exit(EXIT_NO_PLAN) from None
    plan: dict[str, Any] = {"timetable": timetable.to_json_dict()}
    if routes:
        plan["routes"] = baseline_routes(department, pol, timetable)
    report = score_plan(plan, department, pol)
    render_report(report)
    if json_out is not None:
        write_json(json_out, plan if routes else plan["timetable"])


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add `baseline` to the app."""
    app.command("baseline")(baseline_command)
