"""`fieldweek routes`: the week's visit routes per manager and day, as tables and JSON.

Thin: the engine plans (engine.routing.plan), the independent checker judges
(engine.check.routes), this module reads the inputs and renders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from api.commands.console import (
    EXIT_NO_PLAN,
    console,
    errors,
    fail_on_input,
    parse_week,
    write_json,
)
from api.commands.inputs import json_document, load_department, model_problems, read_timetable
from engine.actuals import carried_into
from engine.budget import TimetableBudget, shared_time_budget, time_budget
from engine.check.routes import RouteCheck, check_routes
from engine.domain import Department, Timetable
from engine.errors import InputError, Problem
from engine.policy import Policy, format_clock
from engine.routing.neighbours import away_all_week, away_most_of_the_week, neighbours
from engine.routing.one_day import one_day
from engine.routing.plan import STRAIGHT_LINE, RoutePlan, plan_routes
from engine.routing.timetable_fit import timetable_misfits
from engine.routing.vrptw import BACKENDS
from engine.timetable.solve import SolveParams, solve_timetable
from engine.work_calendar import WorkCalendar


def render_plan(plan: RoutePlan) -> None:
    """One table per manager (a row per day) and the unvisited retailers."""
    for manager in dict.fromkeys(r.manager for r in plan.routes):
        table = Table(title=f"{manager}", title_justify="left")
        for column in ("day", "depart", "return", "visits", "km", "ride min", "stops"):
            table.add_column(column, no_wrap=column != "stops")
        for route in (r for r in plan.routes if r.manager == manager):
            first = [s.retailer if s.kind == "visit" else f"[{s.kind}] {s.retailer}" for s in route.stops]
            shown = " → ".join(first[:6]) + (f" … (+{len(first) - 6})" if len(first) > 6 else "")
            back = format_clock(route.return_) if route.return_ is not None else "–"
            required = f"/{route.required_stops}" if route.required_stops else ""
            table.add_row(f"{route.date:%a %m-%d}", format_clock(route.depart), back,
                          f"{route.visits}{required}", f"{route.distance_km:.1f}",
                          str(route.travel_minutes), shown)
        console.print(table)
        for route in (r for r in plan.routes if r.manager == manager):
            for note in route.notes:
                console.print(f"  [yellow]{route.date:%a}[/yellow] {note}")
    if plan.unvisited:
        table = Table(title=f"{len(plan.unvisited)} due visit(s) not planned{_unvisited_scope(plan)}",
                      title_justify="left")
        for column in ("retailer", "manager", "reason", "why"):
            table.add_column(column)
        for item in plan.unvisited:
            table.add_row(item.retailer, item.manager, item.reason, item.detail)
        console.print(table)
    for shortfall in plan.shortfalls:
        console.print(f"[red]short[/red] {shortfall.manager} {shortfall.date:%a}: {escape(shortfall.message)}")


def _unvisited_scope(plan: RoutePlan) -> str:
    """With one day asked for: how many left-outs are that day's and how many the week's
    visits no day took (listed too, `visit_counts`)."""
    if not plan.scope.dates:
        return ""
    that_day = sum(1 for u in plan.unvisited if u.date is not None)
    days = ", ".join(f"{d:%a %m-%d}" for d in plan.scope.dates)
    return f" ({that_day} on {days}, {len(plan.unvisited) - that_day} of the week no day took)"


def render_summary(plan: RoutePlan, check: RouteCheck) -> None:
    """One line of totals, then whatever the independent checker found: the
    route's own problems, and rides the timetable leaves too little time for."""
    km = sum(r.distance_km for r in plan.routes)
    console.print(
        f"[bold]{plan.department}[/bold] week of {plan.week_start} · policy {plan.policy} · "
        f"{len(plan.routes)} routes · {visit_counts(plan)} · {km:.1f} km · {plan.solve_seconds:.1f} s"
    )
    own = check.route_violations
    if own:
        errors.print(f"[red]the route checker found {len(own)} problem(s) in the routes:[/red]")
        for v in own:
            errors.print(escape(f"  [{v.rule}] {v.manager} {v.date} {v.message}"))
    else:
        console.print("[green]the independent route checker found no problem in the routes[/green]")
    if check.timetable_transfers:
        errors.print(f"[yellow]{len(check.timetable_transfers)} ride(s) between places the timetable "
                     f"fixes are longer than the gap it leaves (see the notes above)[/yellow]")


def visit_counts(plan: RoutePlan) -> str:
    """The visits made, due and left out, each said with what it covers. With one day
    asked for (`--day`) the plan keeps the week's `due_visits` and, beside the day's own
    left-outs (dated), the week's visits no day took (no date; engine.routing.plan), so
    the day's visits and the unvisited lines do not add up to `due_visits`: the day's
    share (its visits and its left-outs, adding up to the plan's `day_due_visits`) and
    the week's figures are said apart."""
    visits = sum(r.visits for r in plan.routes)
    if not plan.scope.dates:
        return f"{visits} visits ({plan.due_visits} due this week) · {len(plan.unvisited)} unvisited"
    days = ", ".join(f"{d:%a %m-%d}" for d in plan.scope.dates)
    that_day = sum(1 for u in plan.unvisited if u.date in plan.scope.dates)
    no_day = len(plan.unvisited) - that_day
    given = plan.day_due_visits if plan.day_due_visits is not None else visits + that_day
    return (f"{days}: {visits} visits of the {given} given the day, {that_day} unvisited · "
            f"the week: {plan.due_visits} due, {no_day} no day took")


def alone_note(department: Department, policy: Policy, week_start: dt.date, manager: str) -> str | None:
    """Why one manager's plan (--manager) may not be his share of the week plan: planned
    alone, nothing is handed over (engine.routing.plan), while the week plan hands the
    visits of a colleague away all week or most of it (engine.routing.neighbours) to his
    neighbours within the policy's `replan.neighbour_max_km`, and his own left-outs to
    theirs when he is the one away. None when the week plan would hand him nothing either."""
    rules = policy.replan
    if rules is None or "neighbour" not in rules.handover:
        return None
    working = [date for date, _ in WorkCalendar(department, policy).working_days(week_start)]
    all_week = away_all_week(department, working)
    most = [m for m in away_most_of_the_week(department, working, (policy.day.start, policy.day.end),
                                             policy.pairs.exempt_below_presence) if m not in all_week]
    centres = department.territory_centres()
    near = neighbours(manager, centres, rules.neighbour_max_km)
    givers = [f"{m} (away all week)" for m in all_week if m in near] + [
        f"{m} (away most of the week)" for m in most if m in near]
    if manager in (*all_week, *most):
        at_work = [m for m in near if m not in (*all_week, *most)]
        if not at_work:
            return None
        return (f"a plan of {manager} alone hands nothing over: he is away "
                f"{'all' if manager in all_week else 'most'} of the week, and the week plan (without --manager) "
                f"hands {'his visits' if manager in all_week else 'the visits his own days leave out'} to his neighbours "
                f"within {rules.neighbour_max_km:g} km at work ({', '.join(at_work)})")
    if not givers:
        return None
    return (f"a plan of {manager} alone hands nothing over: the week plan (without --manager) may also give him "
            f"visits of {', '.join(givers)}, colleagues whose territory centres lie within "
            f"{rules.neighbour_max_km:g} km of his, and leave out some of his own for them; plan the whole department for his share of the week")


def carried_over(department_dir: Path, department: Department, policy: Policy,
                 week_start: dt.date) -> dict[str, int]:
    """Visits missed in earlier weeks (from the folder's stored actuals) that this week owes."""
    try:
        carried = carried_into(department_dir, department, policy, week_start)
    except InputError as error:
        raise fail_on_input(error) from None
    if carried:
        console.print(f"{sum(carried.values())} visit(s) missed in earlier weeks are carried into "
                      f"this week ({len(carried)} retailers)")
    return carried


def read_route_plan(path: Path) -> RoutePlan:
    """A routes JSON file (`fieldweek routes --json`)."""
    try:
        data = json_document(path, "routes")
        try:
            return RoutePlan.model_validate(data)
        except ValidationError as error:
            raise InputError(model_problems(error, path)) from None
    except InputError as error:
        raise fail_on_input(error) from None


def week_timetable(department: Department, policy: Policy, week_start: dt.date,
                   timetable: Path | None, budget: TimetableBudget) -> Timetable:
    """The given timetable, or the week's timetable solved now within `budget`."""
    if timetable is not None:
        given = read_timetable(timetable, department, week_start)
        # Planned before holidays.csv or leave.csv changed, it would route visits onto
        # holidays and leave days; refused rather than trusted.
        if misfits := timetable_misfits(given, department, policy, str(timetable)):
            raise fail_on_input(InputError(misfits))
        return given
    with console.status(f"solving the timetable of {len(department.managers)} managers …"):
        result = solve_timetable(department, policy, week_start, SolveParams.within(budget))
    if result.status not in ("optimal", "feasible"):
        for conflict in result.timetable.conflicts:
            errors.print(f"[red]conflict[/red]: {escape(conflict.message)}")
        raise typer.Exit(EXIT_NO_PLAN)
    return result.timetable


def option_problems(department: Department, policy: Policy, week_start: dt.date, day: dt.date | None,
                    manager: str | None, backend: str, matrix: str) -> list[Problem]:
    """Every option that names something the department or this build does not have
    (a --day outside the week or not worked in it is refused, naming the working days)."""
    problems = []
    if day is not None and (why := WorkCalendar(department, policy).day_problem(week_start, day)):
        problems.append(Problem(why, column="--day"))
    managers = [m.id for m in department.managers]
    if manager is not None and manager not in managers:
        problems.append(Problem(f"no manager {manager!r} in {department.name}; managers: "
                                f"{', '.join(managers)}", column="--manager"))
    if backend not in BACKENDS:
        problems.append(Problem(f"unknown VRPTW backend {backend!r}; choose one of "
                                f"{', '.join(sorted(BACKENDS))}", column="--backend"))
    if matrix != STRAIGHT_LINE and not Path(matrix).is_file():
        problems.append(Problem(f"no road graph at {matrix}", column="--matrix"))
    return problems


def no_route_note(department: Department, timetable: Timetable, day: dt.date, manager: str | None) -> str | None:
    """Who has no route on the day asked for (`--day`) and why: the plan of a manager on
    leave that day said only "0 routes", as if nothing had been planned for him. None when
    everyone asked for has a visit block that day."""
    asked = [manager] if manager is not None else [m.id for m in department.managers]
    with_block = {b.manager for b in timetable.blocks if b.date == day and b.kind == "visit"}
    away = {entry.manager for entry in department.leave if entry.date == day and entry.start is None}
    without = [m for m in asked if m not in with_block]
    if not without:
        return None
    said = [f"{m} ({'on leave all day' if m in away else 'no visit block in the timetable that day'})"
            for m in without]
    return f"no route on {day:%a %m-%d} for {', '.join(said)}"


def routes_command(
    department_dir: Annotated[
        Path, typer.Argument(help="department folder (department.toml + CSV files)")
    ],
    week: Annotated[str, typer.Option("--week", help="Monday of the week, YYYY-MM-DD")],
    timetable: Annotated[
        Path | None,
        typer.Option(help="the week's timetable JSON; without it the timetable is solved first"),
    ] = None,
    day: Annotated[str | None, typer.Option(help="show one day only, YYYY-MM-DD")] = None,
    manager: Annotated[str | None, typer.Option(help="one manager's routes only")] = None,
    policy: Annotated[str | None, typer.Option(help="built-in policy name or TOML path")] = None,
    time_limit: Annotated[float, typer.Option(min=0.5, help="solver seconds in all")] = 30.0,
    matrix: Annotated[
        str, typer.Option(help='"straight_line" or a road graph file (GraphML / OSM)')
    ] = STRAIGHT_LINE,
    seed: Annotated[int, typer.Option()] = 0,
    backend: Annotated[str, typer.Option(help="VRPTW solver: pyvrp or ortools")] = "pyvrp",
    json_out: Annotated[
        Path | None, typer.Option("--json", help="write the route plan JSON here")
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(help="last week's routes JSON: the solver starts from its weekdays"),
    ] = None,
) -> None:
    """Plan which day each due retailer is visited and each day's bike route."""
    week_start = parse_week(week)
    chosen_day = None
    if day is not None:
        try:
            chosen_day = dt.date.fromisoformat(day)
        except ValueError:
            raise typer.BadParameter(f"{day!r} is not a date YYYY-MM-DD", param_hint="--day") from None
    department, pol = load_department(department_dir, policy)
    problems = option_problems(department, pol, week_start, chosen_day, manager, backend, matrix)
    if problems:
        raise fail_on_input(InputError(problems))
    carried = carried_over(department_dir, department, pol, week_start)
    # Without a timetable the one limit covers solving it first and then the routes.
    budget = time_budget(time_limit, time_limit) if timetable is not None else shared_time_budget(time_limit)
    assert budget.routes is not None
    week_plan = week_timetable(department, pol, week_start, timetable, budget.timetable)
    with console.status("planning visit days and routes …"):
        # The whole week, as without --day, then the day kept (`one_day`): the engine's own
        # day narrowing also narrows what the hand-over of a manager away part of the week
        # reads, so its day sheets disagreed with the week plan.
        plan = plan_routes(department, pol, week_plan, week_start,
                           manager=manager, time_limit_s=budget.routes.limit_s, matrix_source=matrix,
                           seed=seed, backend=backend, carried=carried,
                           previous=read_route_plan(previous) if previous else None)
    if chosen_day is not None:
        plan = one_day(plan, chosen_day)
    render_plan(plan)
    if chosen_day is not None and (note := no_route_note(department, week_plan, chosen_day, manager)):
        console.print(f"[yellow]note[/yellow] {escape(note)}")
    if manager is not None and (note := alone_note(department, pol, week_start, manager)):
        console.print(f"[yellow]note[/yellow] {escape(note)}")
    render_summary(plan, check_routes(plan, department, pol, week_plan, carried=carried))
    if json_out is not None:
        write_json(json_out, plan.to_json_dict())


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add `routes` to the app."""
    app.command("routes")(routes_command)
