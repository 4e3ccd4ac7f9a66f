"""`fieldweek timetable`: the department's week, as a grid per manager and as JSON."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from api.commands.console import (
    EXIT_NO_PLAN,
    checked_lang,
    conflict_line,
    console,
    errors,
    parse_week,
    solver_figure,
    write_json,
)
from api.commands.inputs import load_department, read_plan
from engine.budget import (
    DEFAULT_TIMETABLE_S,
    EXTENDED_TIMETABLE_S,
    first_week_by,
    time_budget,
    timetable_limits,
)
from engine.domain import Block, DutyGap, Leave, Timetable
from engine.policy import Policy, format_clock
from engine.timetable.solve import Progress, SolveParams, TimetableResult, solve_timetable

KIND_STYLE = {
    "visit": "green", "maintenance": "cyan", "site_study": "magenta", "promotion": "yellow",
    "pos_project": "blue", "phone": "white", "meeting": "bold red", "admin": "grey70", "lunch": "dim",
}


LEAVE_WORD = {"zh": "请假", "en": "leave"}
NOTHING_WORD = {"zh": "无安排", "en": "nothing planned"}


def render_week(timetable: Timetable, policy: Policy, lang: str, leave: Sequence[Leave] = ()) -> None:
    """One table per manager: a row per working day, its blocks and part-day leave in time
    order; a day without a block says whether he is on leave (in the labels' language)."""
    dates = sorted({b.date for b in timetable.blocks})
    word = LEAVE_WORD.get(lang, LEAVE_WORD["en"])
    for ref in timetable.managers:
        mine = [b for b in timetable.blocks if b.manager == ref.id]
        table = Table(title=f"{ref.id} {ref.name}", title_justify="left", show_header=False,
                      box=None, padding=(0, 1))
        table.add_column("day", no_wrap=True, style="bold")
        table.add_column("blocks")
        for date in dates:
            away = [entry for entry in leave if entry.manager == ref.id and entry.date == date]
            items = [(b.start, b.end, policy.kind_label(b.kind, lang) + partners_of(b), KIND_STYLE.get(b.kind, ""))
                     for b in mine if b.date == date]
            items += [(e.start, e.end, word, "italic dim") for e in away if e.start is not None and e.end is not None]
            text = Text()
            for start, end, label, style in sorted(items, key=lambda item: item[0]):
                text.append(f"{format_clock(start)}-{format_clock(end)} ", style="dim")
                text.append(label, style=style)
                text.append("  ")
            if not text.plain:
                whole_day = any(e.start is None for e in away)
                text = Text(word if whole_day else NOTHING_WORD.get(lang, NOTHING_WORD["en"]), style="italic dim")
            table.add_row(f"{date:%a %m-%d}", text)
        console.print(table)


def partners_of(block: Block) -> str:
    """"+m02" beside a pair's or a group of three's block (a department slot names nobody)."""
    return f"+{','.join(block.with_)}" if block.with_ and len(block.with_) <= 2 else ""


def shown_gap(result: TimetableResult) -> str:
    """The gap as a person reads it: "–" when there is none or the bound is below 0 (a
    relative gap to a negative bound means nothing), never above 100 %."""
    bound = result.timetable.best_bound
    if result.gap is None or (bound is not None and bound < 0):
        return "–"
    return f"{min(result.gap, 1.0):.1%}"


def hours_short_line(tt: Timetable) -> str | None:
    """The weekly hours short, whenever the week is short; the least any week can be
    only when it is proven; then the daily blocks and slots (the meeting, the daily
    report) a part-day leave takes (not owed, so neither lost nor the search's to prove),
    by kind."""
    short = sum(s.minutes_short for s in tt.shortfalls if not s.not_owed)
    not_owed = [s for s in tt.shortfalls if s.not_owed]
    by_kind: dict[str, int] = {}
    for s in not_owed:
        by_kind[s.kind] = by_kind.get(s.kind, 0) + s.minutes_short
    kinds = ", ".join(f"{kind} {minutes} min" for kind, minutes in sorted(by_kind.items()))
    leave = (f" · {sum(by_kind.values())} min of blocks not owed ({kinds}): leave "
             f"takes them ({', '.join(sorted({s.manager for s in not_owed}))})" if not_owed else "")
    floor = tt.hours_short_floor_minutes
    if floor is not None:
        if short <= floor:
            least = "the least any week can be (proven)"
        elif floor:
            least = f"no week can be short of fewer than {floor} min (proven)"
        else:
            # A floor of 0 proves nothing a reader can use (tester's dH: "fewer than 0 min").
            least = "no week is proven to need any hour short (more time may find a week with every hour)"
    elif not short:
        return f"weekly hours short: 0 min{leave}" if not_owed else None
    elif tt.status == "optimal":
        least = "the least any week can be (proven optimal)"
    else:
        least = "the least any week can be is not proven (more time may find a week short of less)"
    return f"weekly hours short: {short} min · {least}{leave}"


def duty_gap_line(gap: DutyGap, policy: Policy | None = None) -> str:
    """A duty the department cannot fill as the policy asks, and why."""
    rule = next((r for r in policy.duties if r.name == gap.duty), None) if policy else None
    name = f"{gap.duty} ({rule.label_zh} / {rule.label_en})" if rule else gap.duty
    state = "unfilled" if not gap.managers_assigned else "short"
    return (f"duty {state}: {name} needs {gap.managers_needed} manager(s), "
            f"{gap.managers_assigned} assigned — {gap.reason}")


def render_summary(result: TimetableResult, policy: Policy | None = None) -> None:
    tt = result.timetable
    console.print(f"[bold]{tt.department}[/bold] week of {tt.week_start} · policy {tt.policy} · "
                  f"status [bold]{tt.status}[/bold] · objective {solver_figure(tt.objective)} · "
                  f"bound {solver_figure(tt.best_bound)} · "
                  f"gap {shown_gap(result)} · {tt.solve_seconds:.1f} s")
    first = "–" if tt.first_feasible_seconds is None else f"{tt.first_feasible_seconds:.1f} s"
    proof = "not proven optimal" if tt.proof_seconds is None else f"proven at {tt.proof_seconds:.1f} s"
    console.print(f"  first week found at {first} · {proof}")
    short = hours_short_line(tt)
    if short is not None:
        console.print(f"  {short}")
    for note in tt.week_notes:
        console.print(f"  {escape(note)}")
    for duty in tt.duties:
        console.print(f"  duty: {duty.manager} → {duty.duty}")
    for gap in tt.unfilled_duties:
        console.print(f"  [yellow]{escape(duty_gap_line(gap, policy))}[/yellow]")
    for conflict in tt.conflicts:
        errors.print(conflict_line(conflict, tt.status))


TIME_LIMIT_HELP = (f"timetable solver seconds; when not given, {DEFAULT_TIMETABLE_S:g} s, searched again "
                   f"with {EXTENDED_TIMETABLE_S:g} s when the week found is short of weekly hours no proof "
                   f"forces; a limit given that finds no week at all searches on for one up to "
                   f"{EXTENDED_TIMETABLE_S:g} s")


def register(app: typer.Typer, bench: typer.Typer) -> None:
    @app.command("timetable")
    def timetable_command(
        department_dir: Path = typer.Argument(..., help="department folder (department.toml + CSV files)"),
        week: str = typer.Option(..., "--week", help="Monday of the week, YYYY-MM-DD"),
        policy: str | None = typer.Option(None, "--policy", help="built-in policy name or TOML path"),
        time_limit: float | None = typer.Option(None, "--time-limit", min=0.5, help=TIME_LIMIT_HELP),
        workers: int = typer.Option(8, "--workers", min=1, help="CP-SAT workers"),
        seed: int = typer.Option(0, "--seed"),
        warm_start: Path | None = typer.Option(None, "--warm-start", help="a plan JSON to start from"),
        json_out: Path | None = typer.Option(None, "--json", help="write the timetable JSON here"),
        lang: str = typer.Option("zh", "--lang", help="labels: zh or en", callback=checked_lang),
        quiet: bool = typer.Option(False, "--quiet", help="no week grid, summary only"),
    ) -> None:
        """Build the department's optimal weekly timetable (CP-SAT)."""
        week_start = parse_week(week)
        department, pol = load_department(department_dir, policy)
        # Any week's plan of this department can start this one (its blocks map by weekday).
        start = read_plan(warm_start, department, every_manager=False, what="--warm-start plan")[0] if warm_start else None
        limit, extend_to = timetable_limits(time_limit)
        with Live(console=errors, transient=True, refresh_per_second=4) as live:
            live.update(Text(f"solving {len(department.managers)} managers, up to {limit:g} s …"))

            def show(progress: Progress) -> None:
                live.update(Text(f"solving … {progress.seconds:.1f} s, best {progress.objective:g}, "
                                 f"bound {progress.bound:g}"))

            result = solve_timetable(department, pol, week_start,
                                     SolveParams.within(time_budget(limit).timetable, workers=workers,
                                                        seed=seed, extend_to_s=extend_to,
                                                        first_week_by_s=first_week_by(time_limit)),
                                     on_progress=show, warm_start=start)
        if not quiet and result.timetable.blocks:
            render_week(result.timetable, pol, lang, department.leave)
        render_summary(result, pol)
        if json_out is not None:
            write_json(json_out, result.timetable.to_json_dict())
        if result.status not in ("optimal", "feasible"):
            raise typer.Exit(EXIT_NO_PLAN)
