"""`fieldweek capacity`: how many minutes the week's due visits need against what each
manager's visit blocks hold, and the changes that make them fit, proven by planning the
changed week again (engine.capacity). Thin: parses, calls the engine, renders, writes."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from api.commands.console import (
    EXIT_INPUT_ERROR,
    EXIT_NO_PLAN,
    conflict_line,
    console,
    errors,
    parse_week,
    write_json,
)
from api.commands.inputs import load_department
from api.commands.routes import carried_over
from api.commands.timetable import TIME_LIMIT_HELP, first_week_by, timetable_limits
from engine.budget import time_budget
from engine.capacity.figures import ManagerCapacity, WeekCapacity
from engine.capacity.fit import CapacityFit, PlanWeek, fit_week
from engine.capacity.proposal import (
    HANDED_OVER_WEEK,
    PHONE_CALL_WEEK,
    Proposal,
    folder_department,
    kept_free,
)
from engine.domain import Department, Timetable
from engine.load import load_department_with_policy, write_department
from engine.policy import CapacityRules, Policy
from engine.routing.plan import RoutePlan, plan_routes
from engine.timetable.solve import SolveParams, solve_timetable


def render_capacity(capacity: WeekCapacity, title: str) -> None:
    """Per manager: due and left-out visits, minutes needed against available; then the
    same per day. Two tables, so that each reads on an 80-column terminal (one table of
    eight figures and five days cut every cell to "…")."""
    table = Table(title=f"{title}: need (service + riding) against the visit blocks, minutes",
                  title_justify="left")
    # "out": due visits left out; "handed": see the line under the table.
    for column in ("manager", "due", "out", "handed", "service", "riding", "need", "available", "short"):
        table.add_column(column, justify="left" if column == "manager" else "right", no_wrap=True)
    for m in capacity.managers:
        short = f"[red]{m.shortfall_min}[/red]" if m.shortfall_min else f"[green]+{m.spare_min}[/green]"
        table.add_row(escape(m.manager), str(m.due_visits), str(m.unplanned_visits or ""), _handed_cell(m),
                      str(m.service_min), str(m.riding_min), str(m.need_min), str(m.available_min), short)
    console.print(table)
    if any(m.handed_over_visits or m.taken_over_visits for m in capacity.managers):
        console.print("out: due visits left out · handed: →N of his due visits a colleague made (in his "
                      "need unless he is on leave all week), ←N colleagues' visits he made (in his need, "
                      "as ridden)")
    dates = sorted({d.date for m in capacity.managers for d in m.days})
    if dates:
        days = Table(title="per day: need/available, minutes", title_justify="left")
        for column in ("manager", *(f"{d:%a %m-%d}" for d in dates)):
            days.add_column(column, justify="left" if column == "manager" else "right", no_wrap=True)
        for m in capacity.managers:
            by_date = {d.date: d for d in m.days}
            days.add_row(escape(m.manager), *(_day_cell(by_date[d].need_min, by_date[d].available_min)
                                              if d in by_date else "–" for d in dates))
        console.print(days)
    console.print(f"need {capacity.need_min} min · available {capacity.available_min} min · "
                  f"short {capacity.shortfall_min} min (the short managers' weeks summed; the others' "
                  f"{capacity.spare_min} min spare do not make their visits) · "
                  f"{capacity.unplanned_visits} due visit(s) left out")
    days_over = [m for m in capacity.managers if m.short_days_min > m.shortfall_min]
    if days_over:
        console.print("short: a manager's week, net of his days with room; over his short days alone: "
                      + ", ".join(f"{escape(m.manager)} {m.short_days_min}" for m in days_over) + " min")
    for m in capacity.managers:
        if m.leave_days:
            console.print(_leave_line(m))


def _leave_line(m: ManagerCapacity) -> str:
    """A manager on leave: what became of his visits, and that no change is made for it."""
    if m.away_all_week:
        return (f"{m.manager} is on leave all {m.working_days} working days: of his {m.due_visits} due "
                f"visit(s) his neighbours made {m.handed_over_visits}, {m.unplanned_visits} left out — "
                "the week's hand-over; no retailer of his is changed for good for a week's leave")
    made = (f"; colleagues made {m.handed_over_visits} of his {m.due_visits} due visit(s), counted in his need"
            if m.handed_over_visits else "")
    return (f"{m.manager} is on leave {m.leave_days} of {m.working_days} working days: measured against "
            "a full week of his, only what it could not hold is changed for good; what his days at work "
            f"leave out is handed over to neighbours for the week{made}")


def _handed_cell(m: ManagerCapacity) -> str:
    """Visits handed over to colleagues (→) and taken over from them (←); blank for none."""
    return " ".join([*([f"→{m.handed_over_visits}"] if m.handed_over_visits else []),
                     *([f"←{m.taken_over_visits}"] if m.taken_over_visits else [])])


def _day_cell(need: int, available: int) -> str:
    text = f"{need}/{available}"
    return f"[red]{text}[/red]" if need > available else text


def render_proposal(proposal: Proposal, figures: WeekCapacity | None = None,
                    rules: CapacityRules | None = None) -> None:
    """Each change with the minutes it frees; then the totals and what is still short.
    With no change at all the levers used up are said all the same: that is when a reader
    most needs to know why (tester: all of a manager's retailers class A)."""
    if not proposal.changes:
        console.print("no change proposed" + (": no allowed change is left (below, per manager, why)"
                                              if proposal.still_short else ""))
        _render_still_short(proposal, figures, rules)
        return
    # Narrow columns that never wrap, the retailer's name under its id, and only the change
    # itself wrapping: the table reads on an 80-column terminal (nine columns cut every cell).
    table = Table(title="proposed changes (round #, class, visits and minutes freed this week)",
                  title_justify="left")
    for column in ("#", "change", "retailer", "cl.", "from"):
        table.add_column(column, no_wrap=True)
    table.add_column("to / frequency", ratio=1, min_width=14)
    for column in ("vis.", "min"):
        table.add_column(column, justify="right", no_wrap=True)
    for c in proposal.changes:
        if c.kind == "move":
            beyond = ", beyond the neighbours" if c.beyond_neighbours else ""
            target = f"→ {c.to_manager} ({c.km_to_centre or 0:g} km to its centre{beyond}, +{c.minutes_added} min)"
        elif c.kind == "hand_over":
            target = f"→ {c.to_manager} for this week only ({c.km_to_centre or 0:g} km, +{c.minutes_added} min)"
        elif c.kind == "by_phone":
            whose = f"{c.called_by}'s phone slot" if c.called_by else "the phone slot"
            target = f"called in {whose} for a cycle ({c.minutes_added} min of it)"
        else:
            target = f"{c.visits_per_4_weeks} → {c.new_visits_per_4_weeks} per 4 weeks"
        table.add_row(str(c.round), c.kind.replace("_", " "), f"{escape(c.retailer)}\n{escape(c.name)}",
                      escape(c.retailer_class), escape(c.manager), escape(target), str(c.visits_freed),
                      str(c.minutes_freed))
    console.print(table)
    moves = sum(c.kind == "move" for c in proposal.changes)
    far = sum(c.beyond_neighbours for c in proposal.changes)
    calls = sum(c.kind == "by_phone" for c in proposal.changes)
    handed = sum(c.kind == "hand_over" for c in proposal.changes)
    by_colleagues = sum(c.called_by is not None for c in proposal.changes)
    console.print(f"{proposal.retailers_touched} retailer(s) touched ({moves} moved"
                  + (f", {far} of them beyond the neighbours" if far else "")
                  + f", {len(proposal.changes) - moves - calls - handed} lowered, {calls} called instead of visited"
                  + (f", {by_colleagues} of them by a colleague" if by_colleagues else "")
                  + (f", {handed} handed over for the week of a leave" if handed else "") + ") · "
                  f"{proposal.minutes_freed} min freed · "
                  f"margin {proposal.margin_percent:g}% of each manager's visit minutes kept free")
    _render_still_short(proposal, figures, rules)


def _render_still_short(proposal: Proposal, figures: WeekCapacity | None, rules: CapacityRules | None) -> None:
    """Per manager, the minutes no allowed change could free and which levers are used up.
    The minutes are those the proposal needed to free, which keep the margin free too, so
    they exceed the table's "short" by up to the margin: the margin is named in minutes,
    or the console's figure would not match the JSON's `still_short` (tester: 179 against 224)."""
    for manager, minutes in proposal.still_short.items():
        why = proposal.why_short.get(manager)
        errors.print(f"[yellow]{escape(manager)}: {minutes} min no allowed change could free"
                     + _margin_words(manager, minutes, figures, rules)
                     + (f" ({escape(why)})" if why else "") + "[/yellow]")


def _margin_words(manager: str, minutes: int, figures: WeekCapacity | None, rules: CapacityRules | None) -> str:
    """How `minutes` stands to the table's figures: the proposal frees the larger of the
    week's short plus the margin kept free and the minutes of the visits left out
    (`proposal._excess_and_spare`); said which, or both figures named when later rounds
    moved it. Nothing when the figures or rules are not at hand or the manager is on leave
    all week (his minutes are the hand-over's)."""
    if figures is None or rules is None:
        return ""
    mine = {m.manager: m for m in figures.managers}.get(manager)
    if mine is None or mine.away_all_week:
        return ""
    margin = kept_free(rules, mine.available_min)
    kept = (f"the {margin}-min margin kept free ({rules.margin_percent:g}% of his "
            f"{mine.available_min} min of visit blocks)")
    if margin and minutes == mine.shortfall_min + margin:
        return f": the {mine.shortfall_min} min his week is short in the table plus {kept}"
    if mine.unplanned_visits and minutes == mine.unplanned_min:
        return (f": the minutes of his {mine.unplanned_visits} due visit(s) left out "
                f"({mine.shortfall_min} min short in the table)")
    return f" ({mine.shortfall_min} min short in the table; the proposal also keeps {kept})" if margin else ""


def render_fit(fit: CapacityFit, max_rounds: int) -> None:
    """The rounds of propose → plan, and the verdict: when the changed week does not fit,
    every due visit its last plan left out, with the routes' reason."""
    for r in fit.rounds:
        fresh = " (a fresh plan of the same changed week)" if r.fresh else ""
        console.print(f"plan {r.round}{fresh}: {r.unplanned_visits} of {r.due_visits} due visit(s) left out"
                      + (f" → {r.changes} change(s)" if r.changes else ""))
    if fit.fits:
        console.print(f"[green]with the changes every due visit of the week is planned "
                      f"({fit.confirmed_plans} plan(s) of the changed week in a row)[/green]")
    else:
        used_up = sum(r.changes > 0 for r in fit.rounds) >= max_rounds
        why = (escape("the proposals allowed ([capacity] max_rounds) are used up") if used_up
               else "no allowed change places them")
        errors.print(f"[red]with the changes {fit.rounds[-1].unplanned_visits} due visit(s) are still "
                     f"left out: {why}[/red]")
        for item in fit.left_out:
            detail = f": {item.detail}" if item.detail else ""
            errors.print(f"  {escape(item.manager)} {escape(item.retailer)} left out "
                         f"({item.reason.replace('_', ' ')}){escape(detail)}")


def week_planner(policy: Policy, week_start: dt.date, time_limit: float | None,
                 route_time_limit: float, carried: dict[str, int]) -> PlanWeek:
    """Plans a (changed) department's week as `fieldweek plan` does: timetable (no limit
    named: the default, searched again with the extended limit; a named limit that finds no
    week searching on for a first one, as the help promises), then routes.
    A search that ran out of time is said as such, not as a conflict of rules."""
    limit, extend_to = timetable_limits(time_limit)
    first_week_by_s = first_week_by(time_limit)
    budget = time_budget(limit, route_time_limit)
    assert budget.routes is not None
    routes_s = budget.routes.limit_s

    def plan_week(department: Department) -> tuple[Timetable, RoutePlan]:
        with console.status(f"planning the week of {len(department.managers)} managers …"):
            result = solve_timetable(department, policy, week_start,
                                     SolveParams.within(budget.timetable, extend_to_s=extend_to,
                                                        first_week_by_s=first_week_by_s))
            if result.status not in ("optimal", "feasible"):
                for conflict in result.timetable.conflicts:
                    errors.print(conflict_line(conflict) if result.status == "infeasible" else
                                 f"[red]no timetable (status {escape(result.status)})[/red]: "
                                 f"{escape(conflict.message)} (--time-limit)")
                raise typer.Exit(EXIT_NO_PLAN)
            routes = plan_routes(department, policy, result.timetable, week_start,
                                 time_limit_s=routes_s, carried=carried)
        return result.timetable, routes

    return plan_week


def write_changed_department(source: Path, out: Path, department: Department) -> None:
    """A complete department folder at `out`: every file of `source` (leave, history,
    holidays, actuals …) with the department's tables rewritten, and a policy given as
    a path still pointing at the same file."""
    _check_apply_folder(source, out)
    shutil.copytree(source, out, dirs_exist_ok=True)
    policy_file = source / department.policy
    if not Path(department.policy).is_absolute() and policy_file.suffix == ".toml" and policy_file.is_file():
        department = department.model_copy(update={
            "policy": Path(os.path.relpath(policy_file.resolve(), out.resolve())).as_posix()})
    write_department(department, out)
    _check_written(out, department)
    console.print(f"[dim]wrote the changed department to {out}[/dim]")


def _say_calls(department: Department, week_start: dt.date) -> None:
    """The called retailers keep their frequency in the folder (`folder_department`):
    say where the call is recorded and that a plan of this week from it still visits them."""
    called = [r.id for r in department.retailers if r.extra.get(PHONE_CALL_WEEK)]
    if called:
        console.print(f"[dim]{len(called)} retailer(s) called instead of visited in the week of {week_start} "
                      f"keep their visits per 4 weeks; retailers.csv's {PHONE_CALL_WEEK} column records the "
                      "call (a plan of that week from the folder still lists their visits as due)[/dim]")
    handed = [r.id for r in department.retailers if r.extra.get(HANDED_OVER_WEEK)]
    if handed:
        console.print(f"[dim]{len(handed)} retailer(s) handed over to a neighbour for the week of {week_start} "
                      f"keep their manager; retailers.csv's {HANDED_OVER_WEEK} column records the hand-over "
                      "(a plan of that week from the folder has the neighbour make their visits)[/dim]")


def _check_written(out: Path, department: Department) -> None:
    """The folder as written loads back to the department as changed: the week `fieldweek
    plan OUT_DIR` makes is the one the proof was made on, but for the called retailers'
    visits (`folder_department`)."""
    written, _ = load_department_with_policy(out)
    if written.retailers != department.retailers or written.managers != department.managers:
        errors.print(f"[red]{out} does not load back to the changed department that was planned[/red]")
        raise typer.Exit(EXIT_NO_PLAN)


def _check_apply_folder(source: Path, out: Path) -> None:
    if out.resolve() == source.resolve():
        errors.print(f"[red]--apply {out} is the department folder itself; give a new folder[/red]")
        raise typer.Exit(EXIT_INPUT_ERROR)


def capacity_command(
    department_dir: Annotated[Path, typer.Argument(help="department folder (department.toml + CSV files)")],
    week: Annotated[str, typer.Option("--week", help="Monday of the week, YYYY-MM-DD")],
    policy: Annotated[str | None, typer.Option(help="built-in policy name or TOML path")] = None,
    time_limit: Annotated[float | None, typer.Option(min=0.5, help=f"per plan: {TIME_LIMIT_HELP}")] = None,
    route_time_limit: Annotated[float, typer.Option(min=0.5, help="route solver seconds per plan")] = 30.0,
    verify: Annotated[bool, typer.Option(
        help="plan the changed week again and propose more until every due visit is planned")] = True,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the figures and proposal here")] = None,
    apply: Annotated[Path | None, typer.Option(
        "--apply", help="write the department with the changes made to this new folder; when the "
                        "changed week still leaves due visits out the folder is written all the same, "
                        "said as a proposal that does not fit, and the command exits 1")] = None,
) -> None:
    """Minutes needed against available per manager and day, and the changes that make the week fit."""
    week_start = parse_week(week)
    if apply is not None:
        _check_apply_folder(department_dir, apply)
    department, pol = load_department(department_dir, policy)
    carried = carried_over(department_dir, department, pol, week_start)
    plan_week = week_planner(pol, week_start, time_limit, route_time_limit, carried)
    fitted = fit_week(department, pol, week_start, plan_week, carried, verify=verify)
    fit = fitted.fit
    render_capacity(fit.before, f"{fit.before.department} week of {week_start}")
    render_proposal(fit.proposal, fit.before, pol.capacity)
    if verify:
        render_fit(fit, pol.capacity.max_rounds if pol.capacity is not None else 0)
    if json_out is not None:
        write_json(json_out, fit.model_dump(mode="json"))
    if apply is not None:
        written = folder_department(department, fit.proposal.changes, week_start)
        write_changed_department(department_dir, apply, written)
        _say_calls(written, week_start)
        if verify and not fit.fits:
            errors.print(f"[red]{escape(str(apply))} holds a proposal that does not fit: its week still leaves "
                         f"{len(fit.left_out)} due visit(s) out (listed above)[/red]")
    if verify and not fit.fits:
        raise typer.Exit(EXIT_NO_PLAN)


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add `capacity` to the app."""
    app.command("capacity")(capacity_command)
