"""`fieldweek replan`: the rest of the week re-planned after sickness, closures, urgent
visits or cancelled stores. Thin: engine.replan plans; this module reads the plan and
events, renders the changes and writes the JSON."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.commands.console import (
    EXIT_INPUT_ERROR,
    EXIT_NO_PLAN,
    console,
    errors,
    fail_on_input,
    solver_figure,
    write_json,
)
from api.commands.inputs import load_department, read_earlier_replan, read_plan
from api.commands.timetable import partners_of
from api.http.settings import Settings
from api.replan_verdict import judge_replan
from engine.check.replan import ReplanVerdict
from engine.errors import InputError
from engine.policy import format_clock
from engine.replan import (
    ReplanResult,
    read_events,
    replan,
)
from engine.replan.events import clock_times
from engine.replan.result import LEFT_OUT_BY_THE_WEEK
from engine.replan.situation import replan_input_problems, with_earlier_events
from engine.routing.plan import plan_routes
from engine.timetable.solve import SolveParams

ROUTES_SHARE = 0.5
"""Share of --time-limit spent routing a plan that came without routes."""


def render_replan(result: ReplanResult) -> None:
    """Per manager, what changed; then the visits that found no place and the urgent ones made late."""
    console.print(f"[bold]re-plan from {result.now:%Y-%m-%d %H:%M}[/bold] · status [bold]{result.status}"
                  f"[/bold] · objective {solver_figure(result.objective)} (start {solver_figure(result.start_objective)}) · "
                  f"{result.solve_seconds:.1f} s")
    for diff in result.diff:
        table = Table(title=diff.manager, title_justify="left")
        for column in ("change", "what", "before", "after", "why"):
            table.add_column(column)
        for c in diff.blocks:
            before = f"{c.before.date:%a} {format_clock(c.before.start)}-{format_clock(c.before.end)}" \
                if c.before else ""
            after = f"{c.after.date:%a} {format_clock(c.after.start)}-{format_clock(c.after.end)}" if c.after else ""
            partners = f" {partners_of(c.after)}" if c.after and partners_of(c.after) else ""
            place = f" @{c.after.retailer}" if c.after and c.after.retailer \
                and (c.before is None or c.before.retailer != c.after.retailer) else ""
            table.add_row(c.change, c.kind, before, after + place + partners, c.reason)
        for s in diff.stops:
            before = f"{s.manager_before or ''} {s.date_before or ''}".strip()
            after = f"{s.manager_after or ''} {s.date_after or ''}".strip()
            table.add_row(s.change, f"visit {s.retailer}", before, after, s.reason)
        console.print(table)
    lost = [u for u in result.unplaced if u.reason not in LEFT_OUT_BY_THE_WEEK]
    left_before = Counter(u.reason for u in result.unplaced if u.reason in LEFT_OUT_BY_THE_WEEK)
    if left_before:
        # The JSON's `unplaced` lists both: say so, so the two counts agree.
        reasons = ", ".join(f"{n} {reason}" if len(left_before) > 1 else reason
                            for reason, n in sorted(left_before.items()))
        console.print(f"{sum(left_before.values())} visit(s) the week's routes had already left out stay out "
                      f"(reason {reasons}; listed in the JSON's unplaced)")
    if lost:
        table = Table(title=f"{len(lost)} visit(s) without a place this week (they roll into next week)",
                      title_justify="left")
        for column in ("retailer", "manager", "planned", "reason", "why"):
            table.add_column(column)
        for u in lost:
            table.add_row(u.retailer, u.manager, str(u.date or ""), u.reason, u.detail)
        console.print(table)
    if result.late:
        table = Table(title=f"{len(result.late)} urgent visit(s) made after their deadline", title_justify="left")
        for column in ("retailer", "manager", "due by", "made on", "why"):
            table.add_column(column)
        for late in result.late:
            table.add_row(late.retailer, late.manager, str(late.due_by), str(late.date), late.detail)
        console.print(table)
    for note in result.notes:
        errors.print(f"[yellow]note[/yellow] {note}")


def render_verdict(verdict: ReplanVerdict) -> None:
    """The faults the independent checker finds, the hours the absences cost and the
    urgent visits made late or not made as the re-plan declares them (shortfalls, not
    faults), and one line saying whether the re-planned week can be carried out."""
    for v in verdict.violations:
        console.print(f"[red]fault[/red] {v.rule}: {v.message}")
    for s in verdict.shortfalls:
        console.print(f"[yellow]short[/yellow] {s.message}")
    for late in verdict.late:
        console.print(f"[yellow]late[/yellow] {late.message}")
    for not_made in verdict.not_made:
        console.print(f"[yellow]not made[/yellow] {not_made.message}")
    if verdict.executable:
        said = [*([f"{len(verdict.late)} urgent visit(s) made after their deadline"] if verdict.late else []),
                *([f"{len(verdict.not_made)} urgent visit(s) no day could take, not made"] if verdict.not_made else [])]
        declared = f" ({'; '.join(said)}, as declared)" if said else ""
        console.print(f"[green]the re-planned week is executable:[/green] the independent checker finds no "
                      f"fault{declared}")
    else:
        console.print(f"[red]the re-planned week is not executable:[/red] the independent checker finds "
                      f"{len(verdict.violations)} fault(s)")


def replan_command(
    department_dir: Annotated[Path, typer.Argument(help="department folder")],
    plan: Annotated[Path, typer.Option(help="the week's plan JSON (timetable, or {timetable, routes}), or a "
                                           "re-plan's JSON: its events are carried into this re-plan")],
    now: Annotated[str, typer.Option(help="the moment of re-planning: a clock time YYYY-MM-DDTHH:MM of "
                                          "--timezone, or a moment with an offset (Z, +05:00)")],
    event: Annotated[Path, typer.Option(help="events JSON: a list, or {\"events\": [...]}")],
    policy: Annotated[str | None, typer.Option(help="built-in policy name or TOML path")] = None,
    time_limit: Annotated[float, typer.Option(min=0.5, help="solver seconds")] = 10.0,
    workers: Annotated[int, typer.Option(min=1, help="CP-SAT workers")] = 8,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the re-plan JSON here")] = None,
    timezone: Annotated[str | None, typer.Option(
        help="time zone of the timetable's clock times, into which moments with an offset are turned; "
             "default: the service's (FIELDWEEK_TIMEZONE, else Asia/Shanghai)")] = None,
) -> None:
    """Re-plan the rest of the week after sickness, closures, urgent visits, cancelled stores."""
    try:
        moment = dt.datetime.fromisoformat(now)
    except ValueError:
        raise typer.BadParameter(f"{now!r} is not a date and time YYYY-MM-DDTHH:MM", param_hint="--now") from None
    department, pol = load_department(department_dir, policy)
    timetable, routes = read_plan(plan, department)
    earlier = read_earlier_replan(plan)
    try:
        events = read_events(json.loads(event.read_text("utf-8")), where=event.name)
    except (OSError, ValueError) as error:
        if isinstance(error, InputError):
            raise fail_on_input(error) from None
        errors.print(f"[red]cannot read the events {event}:[/red] {error}")
        raise typer.Exit(EXIT_INPUT_ERROR) from None
    try:
        # The service's conversion: a moment with an offset is read in the timetable's zone.
        moment, events = clock_times(moment, events, timezone or Settings.from_env().timezone)
        problems = replan_input_problems(department, pol, timetable, moment, events, routes,
                                         routes_to_come=routes is None, earlier=earlier)
        if problems:
            raise InputError(problems)
    except InputError as error:
        raise fail_on_input(_in_the_events_file(error, event)) from None
    every_event = with_earlier_events(earlier, moment, events)
    if earlier is not None:
        # The plan is a re-planned week: its events are facts of the week, re-applied.
        carried = len(every_event) - sum(any(e is new for new in events) for e in every_event)
        console.print(f"the plan is a re-plan from {earlier.now:%Y-%m-%d %H:%M}: {carried} of its "
                      f"{len(earlier.events)} event(s) carried into this re-plan (an urgent visit made since, "
                      "or an event given again, is not asked twice)", markup=False, highlight=False)
    if routes is None:
        with console.status("the plan has no routes: routing the week first …"):
            routes = plan_routes(department, pol, timetable, timetable.week_start,
                                 time_limit_s=time_limit * ROUTES_SHARE).to_json_dict()
    try:
        with console.status("re-planning …"):
            result = replan(department, pol, timetable, moment, every_event, routes,
                            SolveParams(time_limit_s=time_limit, workers=workers))
    except InputError as error:
        raise fail_on_input(error) from None
    render_replan(result)
    verdict = judge_replan(department, pol, timetable, result, routes)
    if verdict is not None:
        render_verdict(verdict)
    if json_out is not None:
        write_json(json_out, {**result.to_json_dict(), "check": verdict.as_dict() if verdict else None})
    if verdict is None or not verdict.executable:
        raise typer.Exit(EXIT_NO_PLAN)


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add `replan` to the app."""
    app.command("replan")(replan_command)


def _in_the_events_file(error: InputError, event: Path) -> InputError:
    """The problems of the events, named by the file they were given in (the engine says
    "events", the service's word for its request's list)."""
    return InputError([dataclasses.replace(p, file=event.name) if p.file == "events" else p
                       for p in error.problems])
