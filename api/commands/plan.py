"""`fieldweek plan`: the main job in one step — the week's timetable, the visit days and
routes, both judged by the independent checkers, and the files people use."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.live import Live
from rich.text import Text

from api.commands.console import (
    EXIT_NO_PLAN,
    console,
    errors,
    fail_on_input,
    parse_week,
    write_json,
)
from api.commands.routes import carried_over
from api.commands.routes import render_summary as render_route_summary
from api.commands.timetable import render_summary as render_timetable_summary
from api.exports.html import timetable_page
from api.exports.route_map import route_map_page
from api.exports.xlsx import timetable_workbook
from engine.budget import time_budget
from engine.check.routes import check_routes
from engine.check.timetable import check_timetable
from engine.errors import InputError
from engine.load import load_department_with_policy
from engine.routing.plan import plan_routes
from engine.timetable.solve import Progress, SolveParams, solve_timetable


def plan_command(
    department_dir: Annotated[Path, typer.Argument(help="department folder (department.toml + CSV files)")],
    week: Annotated[str, typer.Option("--week", help="Monday of the week, YYYY-MM-DD")],
    policy: Annotated[str | None, typer.Option(help="built-in policy name or TOML path")] = None,
    time_limit: Annotated[float, typer.Option(min=0.5, help="timetable solver seconds")] = 10.0,
    route_time_limit: Annotated[float, typer.Option(min=0.5, help="route solver seconds in all")] = 30.0,
    out: Annotated[Path, typer.Option(help="folder for the JSON, Excel and HTML files")] = Path("out"),
    lang: Annotated[str, typer.Option(help="labels in the exports: zh or en")] = "zh",
) -> None:
    """Plan the department's week: timetable, visit days and routes, checked and exported."""
    week_start = parse_week(week)
    if lang not in ("zh", "en"):
        raise typer.BadParameter("zh or en", param_hint="--lang")
    try:
        department, pol = load_department_with_policy(department_dir, policy)
    except InputError as error:
        raise fail_on_input(error) from None
    budget = time_budget(time_limit, route_time_limit)
    assert budget.routes is not None

    with Live(console=errors, transient=True, refresh_per_second=4) as live:
        live.update(Text(f"timetable of {len(department.managers)} managers, up to {time_limit:g} s …"))

        def show(progress: Progress) -> None:
            live.update(Text(f"timetable … {progress.seconds:.1f} s, best {progress.objective:g}, "
                             f"bound {progress.bound:g}"))

        result = solve_timetable(department, pol, week_start, SolveParams.within(budget.timetable),
                                 on_progress=show)
    render_timetable_summary(result)
    timetable = result.timetable
    if result.status not in ("optimal", "feasible"):
        raise typer.Exit(EXIT_NO_PLAN)
    violations = check_timetable(department, pol, timetable)
    if violations:
        errors.print(f"[red]the independent timetable checker found {len(violations)} problem(s)[/red]")
        for v in violations:
            errors.print(f"  [{v.rule}] {v.message}")
    else:
        console.print("[green]the independent timetable checker found no problem[/green]")

    carried = carried_over(department_dir, department, pol, week_start)
    with console.status(f"visit days and routes, up to {route_time_limit:g} s …"):
        routes = plan_routes(department, pol, timetable, week_start,
                             time_limit_s=budget.routes.limit_s, carried=carried)
    render_route_summary(routes, check_routes(routes, department, pol, timetable, carried=carried))

    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "timetable.json", timetable.to_json_dict())
    write_json(out / "routes.json", routes.to_json_dict())
    (out / "timetable.xlsx").write_bytes(timetable_workbook(timetable, department, pol, lang))  # type: ignore[arg-type]
    (out / "timetable.html").write_text(timetable_page(timetable, department, pol, lang), "utf-8")  # type: ignore[arg-type]
    (out / "routes.html").write_text(
        route_map_page(routes.to_json_dict(), department, pol, lang=lang), "utf-8")  # type: ignore[arg-type]
    console.print(f"[dim]wrote {out}/timetable.xlsx, timetable.html, routes.html[/dim]")
    if violations:
        raise typer.Exit(EXIT_NO_PLAN)


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add `plan` to the app."""
    app.command("plan")(plan_command)
