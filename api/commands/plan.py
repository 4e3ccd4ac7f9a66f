"""`fieldweek plan`: the main job in one step — the week's timetable, the visit days and
routes, both judged by the independent checkers, and the files people use.

One plan, one verdict: every fault the checkers find and every note the plan carries is
printed (the weekly hours the timetable declares short with their amounts, each route's
notes, the days short of stops, the due visits left out and why), and the last line says
whether the week can be carried out as written. The exit code follows that line: 1 when
an independent checker (timetable or routes) finds a fault, 0 otherwise — declared
shortfalls and unvisited retailers with their reasons are information, not faults."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer
from rich.live import Live
from rich.markup import escape
from rich.text import Text

from api.commands.console import (
    EXIT_NO_PLAN,
    checked_lang,
    console,
    errors,
    parse_week,
    write_json,
)
from api.commands.inputs import load_department
from api.commands.routes import carried_over
from api.commands.timetable import TIME_LIMIT_HELP, first_week_by, timetable_limits
from api.commands.timetable import render_summary as render_timetable_summary
from api.exports.html import timetable_page
from api.exports.my_day_link import MyDaySite
from api.exports.route_map import route_map_page
from api.exports.street_basemap import department_network
from api.exports.xlsx import timetable_workbook
from engine.budget import time_budget
from engine.check.routes import RouteCheck, check_routes
from engine.check.timetable import TimetableVerdict, judge_timetable
from engine.domain import Department, Timetable
from engine.policy import Policy
from engine.processes import start_pool_server
from engine.routing.neighbours import away_all_week, away_most_of_the_week, hand_over_lines
from engine.routing.plan import RoutePlan, plan_routes
from engine.timetable.solve import Progress, SolveParams, solve_timetable
from engine.work_calendar import WorkCalendar


def plan_command(
    department_dir: Annotated[Path, typer.Argument(help="department folder (department.toml + CSV files)")],
    week: Annotated[str, typer.Option("--week", help="Monday of the week, YYYY-MM-DD")],
    policy: Annotated[str | None, typer.Option(help="built-in policy name or TOML path")] = None,
    time_limit: Annotated[float | None, typer.Option(min=0.5, help=TIME_LIMIT_HELP)] = None,
    route_time_limit: Annotated[float, typer.Option(min=0.5, help="route solver seconds in all")] = 30.0,
    out: Annotated[Path, typer.Option(help="folder for the JSON, Excel and HTML files")] = Path("out"),
    lang: Annotated[str, typer.Option(help="labels in the exports: zh or en", callback=checked_lang)] = "zh",
    site_url: Annotated[str | None, typer.Option(
        help="the service's address (e.g. http://desk.example:8000): the printed grid gets a QR code "
             "per manager and day that opens the day on the phone; with --site-department")] = None,
    site_department: Annotated[str | None, typer.Option(
        help="the department's id on that service (its desk page shows it)")] = None,
) -> None:
    """Plan the department's week: timetable, visit days and routes, checked and exported."""
    week_start = parse_week(week)
    if lang not in ("zh", "en"):
        raise typer.BadParameter("zh or en", param_hint="--lang")
    site = my_day_site(site_url, site_department)
    department, pol = load_department(department_dir, policy)
    limit, extend_to = timetable_limits(time_limit)
    budget = time_budget(limit, route_time_limit)
    assert budget.routes is not None

    # The routes' process pool opens after the timetable: its server starts meanwhile.
    start_pool_server()
    with Live(console=errors, transient=True, refresh_per_second=4) as live:
        live.update(Text(f"timetable of {len(department.managers)} managers, up to {limit:g} s …"))

        def show(progress: Progress) -> None:
            live.update(Text(f"timetable … {progress.seconds:.1f} s, best {progress.objective:g}, "
                             f"bound {progress.bound:g}"))

        result = solve_timetable(department, pol, week_start,
                                 SolveParams.within(budget.timetable, extend_to_s=extend_to,
                                                    first_week_by_s=first_week_by(time_limit)), on_progress=show)
    render_timetable_summary(result, pol)
    timetable = result.timetable
    if result.status not in ("optimal", "feasible"):
        raise typer.Exit(EXIT_NO_PLAN)
    verdict = judge_timetable(department, pol, timetable)
    render_timetable_verdict(verdict)

    carried = carried_over(department_dir, department, pol, week_start)
    with console.status(f"visit days and routes, up to {route_time_limit:g} s …"):
        routes = plan_routes(department, pol, timetable, week_start,
                             time_limit_s=budget.routes.limit_s, carried=carried)
    route_check = check_routes(routes, department, pol, timetable, carried=carried)
    render_routes(routes, route_check, department, pol)

    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "timetable.json", timetable.to_json_dict())
    write_json(out / "routes.json", routes.to_json_dict())
    (out / "timetable.xlsx").write_bytes(timetable_workbook(timetable, department, pol, lang))  # type: ignore[arg-type]
    (out / "timetable.html").write_text(timetable_page(timetable, department, pol, lang, site=site), "utf-8")  # type: ignore[arg-type]
    (out / "routes.html").write_text(
        route_map_page(routes.to_json_dict(), department, pol, lang=lang,  # type: ignore[arg-type]
                       network=department_network(department, department_dir)), "utf-8")
    console.print(f"[dim]wrote {out}/timetable.xlsx, timetable.html, routes.html[/dim]")
    render_hours_short_reminder(timetable)
    if not render_week_verdict(verdict, route_check):
        raise typer.Exit(EXIT_NO_PLAN)


def my_day_site(site_url: str | None, site_department: str | None) -> MyDaySite | None:
    """Where the printed grid's QR codes point: both options or neither."""
    if site_url is None and site_department is None:
        return None
    if site_url is None or site_department is None:
        missing = "--site-department" if site_department is None else "--site-url"
        raise typer.BadParameter(f"the QR codes need {missing} too", param_hint=missing)
    try:
        return MyDaySite(site_url, site_department)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--site-url") from None


def render_timetable_verdict(verdict: TimetableVerdict) -> None:
    """The timetable checker's faults, then the weekly hours the plan declares short."""
    if verdict.violations:
        errors.print(f"[red]the independent timetable checker found {len(verdict.violations)} fault(s):[/red]")
        for v in verdict.violations:
            errors.print(f"  [red]fault[/red] {v.rule}: {escape(v.message)}")
    else:
        console.print("[green]the independent timetable checker found no problem[/green]")
    for d in verdict.deviations:
        console.print(f"  [yellow]short[/yellow] {escape(d.message)}")


def render_routes(plan: RoutePlan, check: RouteCheck, department: Department | None = None,
                  policy: Policy | None = None) -> None:
    """One line of totals; each route's notes, the days short of stops, who took the due
    visits of each manager away all week (given the department and policy), the due
    visits left out and why; then every fault the independent route checker finds."""
    visits = sum(r.visits for r in plan.routes)
    km = sum(r.distance_km for r in plan.routes)
    console.print(
        f"[bold]{plan.department}[/bold] week of {plan.week_start} · policy {plan.policy} · "
        f"{len(plan.routes)} routes · {visits} visits ({plan.due_visits} due this week) · "
        f"{len(plan.unvisited)} unvisited · {km:.1f} km · {plan.solve_seconds:.1f} s"
    )
    for route in plan.routes:
        for note in route.notes:
            console.print(f"  [yellow]note[/yellow] {route.manager} {route.date:%a %Y-%m-%d}: {escape(note)}")
    for shortfall in plan.shortfalls:
        console.print(f"  [yellow]short[/yellow] {shortfall.manager} {shortfall.date:%a %Y-%m-%d}: "
                      f"{escape(shortfall.message)}")
    if department is not None and policy is not None:
        working = dict(WorkCalendar(department, policy).working_days(plan.week_start))
        made = ((route.manager, stop.retailer) for route in plan.routes for stop in route.stops if stop.kind == "visit")
        away = away_all_week(department, working) + away_most_of_the_week(
            department, working, (policy.day.start, policy.day.end), policy.pairs.exempt_below_presence)
        for line in hand_over_lines(away, {r.id: r.manager for r in department.retailers},
                                    made, ((item.manager, item.reason) for item in plan.unvisited)):
            console.print(f"  [bold]hand-over[/bold] {escape(line)}")
    for item in plan.unvisited:
        when = f" {item.date:%a %Y-%m-%d}" if item.date else ""
        detail = f" — {escape(item.detail)}" if item.detail else ""
        console.print(f"  [dim]unvisited[/dim] {item.retailer} ({item.manager}{when}): {item.reason}{detail}")
    if check.violations:
        errors.print(f"[red]the independent route checker found {len(check.violations)} fault(s):[/red]")
        for v in check.violations:
            where = " ".join(str(part) for part in (v.manager, v.date, v.retailer) if part)
            errors.print(f"  [red]fault[/red] {v.rule}: {where}: {escape(v.message)}")
    else:
        console.print("[green]the independent route checker found no problem in the routes[/green]")


def render_hours_short_reminder(timetable: Timetable) -> None:
    """Beside the verdict, the weekly hours the week lacks: "executable" alone, last on the
    screen, read as a whole week when hundreds of minutes were planned short (tester's d15:
    10,700 min under load)."""
    short = sum(s.minutes_short for s in timetable.shortfalls if not s.not_owed)
    if short:
        managers = len({s.manager for s in timetable.shortfalls if not s.not_owed and s.minutes_short})
        console.print(f"[yellow bold]Planned short:[/yellow bold] {short} min ({short / 60:.1f} h) of weekly "
                      f"hours for {managers} manager(s), declared in the plan (see 'weekly hours short' above).")


def render_week_verdict(timetable: TimetableVerdict, routes: RouteCheck) -> bool:
    """The one line that says whether the week can be carried out as written; True when
    the independent checkers find no fault."""
    faults = len(timetable.violations) + len(routes.violations)
    if not faults:
        console.print("[green bold]The week is executable:[/green bold] no fault found by the "
                      "independent checkers.")
        return True
    parts = [f"{checker}: {_by_rule(rules)}" for checker, rules in (
        ("timetable", [v.rule for v in timetable.violations]),
        ("routes", [v.rule for v in routes.violations])) if rules]
    console.print(f"[red bold]The week is NOT executable:[/red bold] "
                  f"{faults} {'fault' if faults == 1 else 'faults'} ({'; '.join(parts)}).")
    return False


def _by_rule(rules: Iterable[str]) -> str:
    """'12 late_for_appointment, 1 travel': how many faults of each rule, most first."""
    return ", ".join(f"{n} {rule}" for rule, n in sorted(Counter(rules).items(), key=lambda p: (-p[1], p[0])))


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add `plan` to the app."""
    app.command("plan")(plan_command)
