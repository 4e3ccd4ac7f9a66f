"""`fieldweek score`: every hard rule a plan breaks and every quality measure of SPEC §6.
Thin: engine.quality scores; this module reads the plan and renders or writes the report."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from api.commands.console import EXIT_NO_PLAN, console, fail_on_input, write_json
from api.commands.inputs import json_document, load_department, mismatch_problems
from api.commands.quality_tables import render_report
from benchmarks.tables import report_markdown
from engine.domain import Department
from engine.errors import InputError, Problem
from engine.policy import Policy
from engine.quality import parse_timetable, plan_clock_problems, score_plan, split_plan


def refuse_other_department(data: dict, path: Path, department: Department) -> None:
    """InputError when the plan's timetable, or its routes, are another department's."""
    timetable, routes = split_plan(data)
    problems = []
    if timetable is not None:
        try:
            parsed = parse_timetable(timetable)
        except InputError as error:
            raise InputError([replace(p, file=str(path)) for p in error.problems]) from None
        problems += mismatch_problems(parsed, path, department)
    named = (routes or {}).get("department")
    if named and named != department.name and not any(p.column == "department" for p in problems):
        problems.append(Problem(f"the routes are of department {named!r}, not {department.name!r}: "
                                f"give the plan of this department", file=str(path), column="department"))
    if problems:
        raise InputError(problems)


REPLAN_KEYS = ("events", "diff", "check")
"""Keys of a re-plan's result (`fieldweek replan --json`, a re-plan job's `result`) that no
week's plan has: with `now`, two of them name the document a re-plan."""


def refuse_replan(data: dict, path: Path) -> None:
    """InputError when the document is a re-plan's result: score judges a week's plan by
    the week's rules, and a re-plan is judged by the re-plan's own checker
    (engine/check/replan.py), which needs the plan before the re-plan (its past, its
    routes), which the re-plan's JSON does not hold. Read as a week, its sicknesses were
    faulted as hours owed, its hand-overs as visits by the wrong manager, its urgent
    visits as visits not due (tester: 16 and 33 false violations, exit 1); and its solver
    figures were not judged at all."""
    if not isinstance(data, dict) or "now" not in data or sum(key in data for key in REPLAN_KEYS) < 2:
        return
    raise InputError([Problem(
        "this is a re-plan's result (fieldweek replan --json: it has now, events, diff, check), not a week's "
        "plan: score judges a timetable, a routes JSON or both in one by the week's rules, and cannot judge a "
        "re-plan — the re-plan's own checker needs the plan before the re-plan, which this file does not hold, "
        "and read as a week its sicknesses, hand-overs and urgent visits would be false faults. The re-plan's "
        "verdict is its `check` field, written by that checker when the re-plan was made; `fieldweek replan` "
        "exits 0 only when the checker finds no fault: to judge the re-plan anew, run `fieldweek replan` again "
        "with the week's plan and these events", file=str(path), column="events")])


def refuse_loose_clocks(data: dict, path: Path) -> None:
    """InputError naming each clock of the plan not written "HH:MM" or not a time of day
    (a block's "9:5" was read as 09:05, a stop's "25:00" failed the route judge midway)."""
    problems = plan_clock_problems(data)
    if problems:
        raise InputError([replace(p, file=str(path)) for p in problems])


def refuse_strange_routes(data: dict, path: Path, department: Department, policy: Policy) -> None:
    """InputError naming what a routes document says that no route plan can: a week other
    than its timetable's (each due visit was faulted, 102 lines), an unvisited retailer the
    department lacks, a stop of a kind neither a visit nor one of the policy's blocks."""
    timetable, routes = split_plan(data)
    if routes is None:
        return
    problems = []
    weeks = str((timetable or {}).get("week_start") or ""), str(routes.get("week_start") or "")
    if all(weeks) and weeks[0] != weeks[1]:
        problems.append(Problem(f"the routes are of the week of {weeks[1]}, the timetable of the week of {weeks[0]}: "
                                "give the routes planned on this timetable", file=str(path), column="week_start"))
    known = {r.id for r in department.retailers}
    unvisited = routes.get("unvisited")
    for n, item in enumerate(unvisited if isinstance(unvisited, list) else []):
        if isinstance(item, dict) and item.get("retailer") not in known:
            problems.append(Problem(f"unvisited retailer {item.get('retailer')!r} is not in the department",
                                    file=str(path), column=f"unvisited.{n}.retailer"))
    kinds = ["visit", *sorted(k for k in policy.kinds if k != "visit")]
    listed = routes.get("routes")
    for n, route in enumerate(listed if isinstance(listed, list) else []):
        stops = route.get("stops") if isinstance(route, dict) else None
        for m, stop in enumerate(stops if isinstance(stops, list) else []):
            if isinstance(stop, dict) and stop.get("kind", "visit") not in kinds:
                problems.append(Problem(f"stop kind {stop.get('kind')!r} is none of {', '.join(kinds)}",
                                        file=str(path), column=f"routes.{n}.stops.{m}.kind"))
    if problems:
        raise InputError(problems)


def other_policy_line(data: dict, policy: Policy) -> str | None:
    """One line when the plan names a policy other than the one it is scored under: every
    rule and figure (stops a day, first-stop time, service minutes) is the scoring policy's,
    whatever the plan was made under or its JSON claims."""
    named = {str(part["policy"]) for part in split_plan(data) if part and part.get("policy")}
    others = sorted(named - {policy.name})
    if not others:
        return None
    return f"the plan names policy {', '.join(map(repr, others))}; it is scored under policy {policy.name!r}"


def score_command(
    plan: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                         help="a timetable JSON, a routes JSON, or both in one (not a "
                                              "re-plan's JSON: its `check` is its verdict)")],
    department_dir: Annotated[Path, typer.Option("--department", help="department folder")],
    policy: Annotated[str | None, typer.Option("--policy", help="built-in policy or TOML path")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the report as JSON")] = None,
    md_out: Annotated[Path | None, typer.Option("--md", help="write the report as markdown")] = None,
) -> None:
    """Score a plan: every hard rule it breaks and every quality measure of SPEC §6 (exit 1
    when it breaks one)."""
    department, pol = load_department(department_dir, policy)
    try:
        data = json_document(plan, "plan")
        refuse_replan(data, plan)
        refuse_loose_clocks(data, plan)
        refuse_other_department(data, plan, department)
        refuse_strange_routes(data, plan, department, pol)
        report = score_plan(data, department, pol)
    except InputError as error:
        raise fail_on_input(error) from None
    other = other_policy_line(data, pol)
    if other is not None:
        console.print(f"[yellow]{other}[/yellow]", soft_wrap=True)
    partial = report.scope_words()
    if partial is not None:
        console.print(f"[yellow bold]Partial plan:[/yellow bold] {partial}", soft_wrap=True)
    render_report(report)
    for note in report.notes:
        console.print(f"[yellow]{note}[/yellow]", soft_wrap=True)
    if json_out is not None:
        write_json(json_out, report.to_dict())
    if md_out is not None:
        md_out.parent.mkdir(parents=True, exist_ok=True)
        md_out.write_text(report_markdown(report), encoding="utf-8")
        console.print(f"[dim]wrote {md_out}[/dim]")
    if report.violations:
        # As `plan` does for a week the checkers fault: the report is written, the exit says it.
        console.print(f"[red bold]The plan is NOT executable:[/red bold] it breaks "
                      f"{len(report.violations)} hard rule(s), listed above")
        raise typer.Exit(EXIT_NO_PLAN)
    if partial is not None:
        console.print(f"[yellow]No hard rule is broken in the part judged: {partial}[/yellow]", soft_wrap=True)


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add `score` to the app."""
    app.command("score")(score_command)
