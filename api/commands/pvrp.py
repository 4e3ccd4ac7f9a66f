"""`fieldweek pvrp` (solve one Cordeau PVRP instance with the product's visit-day
planner and routes) and `fieldweek bench pvrp` (a folder of them, each solved by
the product approach and by the plain one, every solution verified by the
independent checker, gap to bks.csv per instance and on average).

Thin: engine.routing.periodic solves, engine.check.pvrp verifies, this module
loops and renders.
"""

from __future__ import annotations

import csv
import fnmatch
import re
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.commands.console import write_json
from api.commands.titled_tables import print_titled_tables, titled_tables_markdown
from engine.check.pvrp import check_pvrp
from engine.routing.cordeau import read_pvrp, read_pvrp_bks
from engine.routing.periodic import PvrpSolution, solve_plain, solve_pvrp

console = Console()

NOT_INSTANCES = {"README.md", "bks.csv"}


@dataclass(frozen=True)
class PvrpRow:
    """One approach on one instance, as the independent checker sees it."""

    approach: str
    instance: str
    distance: float
    bks: float | None
    gap_pct: float | None
    feasible: bool
    violations: str
    seconds: float


def _gap(distance: float, best: float | None) -> float | None:
    return None if best is None else 100.0 * (distance - best) / best


def checked_row(approach: str, path: Path, solution: PvrpSolution, best: float | None) -> PvrpRow:
    """Verify `solution` with the checker; its distance is the checker's."""
    checked = check_pvrp(path, solution.days)
    return PvrpRow(
        approach=approach,
        instance=path.name,
        distance=round(checked.distance, 4),
        bks=best,
        # A plan that breaks a rule (a customer missing, a route over Q) has no gap:
        # its distance is not comparable with a best-known plan's.
        gap_pct=None if best is None or not checked.feasible else round(
            _gap(checked.distance, best) or 0.0, 3),
        feasible=checked.feasible,
        violations="; ".join(checked.violations),
        seconds=round(solution.seconds, 2),
    )


def _best_known(path: Path) -> float | None:
    bks = path.parent / "bks.csv"
    return read_pvrp_bks(bks).get(path.name) if bks.exists() else None


MAX_SEED = 2**31 - 1
"""The largest seed every solver underneath takes (CP-SAT's is a 32-bit signed int)."""

Seed = Annotated[int, typer.Option("--seed", min=0, max=MAX_SEED, help="solver seed")]


def writable_file(path: Path | None, option: str) -> None:
    """Refuse an output path that can never be written before any solving starts."""
    if path is None:
        return
    if path.is_dir():
        raise typer.BadParameter(f"{path} is a folder; give a file name", param_hint=option)
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise typer.BadParameter(f"{parent} is a file, not a folder", param_hint=option)


def pvrp_command(
    instance: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                             help="Cordeau PVRP file (e.g. p01)")],
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.5,
                                              help="seconds of wall time")] = 30.0,
    seed: Seed = 0,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the solution here")] = None,
) -> None:
    """Choose every customer's visit days and route each day; verify the solution."""
    writable_file(json_out, "--json")
    problem = read_pvrp(instance)
    solution = solve_pvrp(problem, time_limit_s=time_limit, seed=seed)
    best = _best_known(instance)
    row = checked_row("product", instance, solution, best)
    result = {
        "instance": instance.name,
        "distance": row.distance,
        "days": [[list(route) for route in routes] for routes in solution.days],
        "feasible": row.feasible,
        "violations": list(filter(None, row.violations.split("; "))),
        "bks": best,
        "gap_pct": row.gap_pct,
        "seconds": row.seconds,
        "seed": seed,
        "time_limit_s": time_limit,
        "patterns": [[d + 1 for d in days] for days in solution.patterns],
    }
    if json_out is not None:
        write_json(json_out, result)
    routes = sum(len(r) for r in solution.days)
    status = "[green]feasible[/]" if row.feasible else f"[red]INFEASIBLE[/]: {row.violations}"
    gap = "" if row.gap_pct is None or best is None else f", gap {row.gap_pct:.2f} % to BKS {_number(best)}"
    console.print(f"{instance.name}: {row.distance:.2f} in {routes} routes over "
                  f"{problem.days} days{gap}, {status} ({solution.seconds:.1f} s)")
    if not row.feasible:
        raise typer.Exit(code=1)


def _natural_key(name: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def select_instances(directory: Path, only: str | None) -> list[Path]:
    """The instance files of `directory` (no README, bks.csv or folders), natural order."""
    paths = sorted((p for p in directory.iterdir() if p.is_file() and p.name not in NOT_INSTANCES
                    and not p.name.startswith(".")), key=lambda p: _natural_key(p.name))
    if only:
        patterns = [p.strip() for p in only.split(",") if p.strip()]
        paths = [p for p in paths if any(fnmatch.fnmatch(p.name, pat) for pat in patterns)]
    return paths


def _number(value: float) -> str:
    """A best-known value as bks.csv writes it (two decimals at most, no trailing zeros)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} %"


def _mean(values: Sequence[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return statistics.fmean(kept) if kept else None


def tables(rows: Sequence[PvrpRow]) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Per-instance and summary tables as strings, for the terminal and markdown."""
    by = {(r.approach, r.instance): r for r in rows}
    names = sorted({r.instance for r in rows}, key=_natural_key)
    head = ["instance", "bks", "product", "gap", "s", "plain", "plain gap", "s (plain)",
            "feasible (product / plain)"]
    body = []
    for name in names:
        prod, plain = by.get(("product", name)), by.get(("plain", name))
        sample = prod or plain
        cells = [name, "–" if sample is None or sample.bks is None else _number(sample.bks)]
        for row in (prod, plain):
            cells += (["–", "–", "–"] if row is None else
                      [f"{row.distance:.2f}", _pct(row.gap_pct) if row.feasible else "infeasible",
                       f"{row.seconds:.1f}"])
        cells.append(" / ".join("–" if r is None else ("yes" if r.feasible else "NO")
                                for r in (prod, plain)))
        body.append(cells)
    # Gaps of feasible plans only: an infeasible plan's distance (a customer
    # left out, a route over Q) can look better than the best known.
    summary_head = ["approach", "instances", "infeasible", "mean gap (feasible only)",
                    "max gap", "mean seconds"]
    summary = []
    for approach in ("product", "plain"):
        mine = [r for r in rows if r.approach == approach]
        if not mine:
            continue
        feasible_gaps = [r.gap_pct for r in mine if r.feasible]
        summary.append([approach, str(len(mine)), str(sum(not r.feasible for r in mine)),
                        _pct(_mean(feasible_gaps)),
                        _pct(max((g for g in feasible_gaps if g is not None), default=None)),
                        f"{statistics.fmean(r.seconds for r in mine):.1f}"])
    return {"Summary": (summary_head, summary), "Per instance": (head, body)}


def print_tables(rows: Sequence[PvrpRow], out: Console = console) -> None:
    """Render the report tables in the terminal."""
    print_titled_tables(tables(rows), ("instance", "approach"), out)


def markdown(rows: Sequence[PvrpRow], heading: str) -> str:
    """The report tables as markdown under `heading`."""
    return titled_tables_markdown(tables(rows), heading)


def bench_pvrp_command(
    directory: Annotated[Path, typer.Argument(exists=True, file_okay=False,
                                              help="folder of PVRP files and bks.csv")],
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.5,
                                              help="seconds per instance, product approach")] = 30.0,
    plain_time_limit: Annotated[float | None, typer.Option(
        "--plain-time-limit", min=0.5, help="seconds per instance for the plain approach "
        "(default: a third of --time-limit)")] = None,
    seed: Seed = 0,
    only: Annotated[str | None, typer.Option("--only", help="comma list of names or globs")] = None,
    md_out: Annotated[Path | None, typer.Option("--md", help="write the tables as markdown")] = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="one row per approach and instance")] = None,
) -> None:
    """Solve every instance with the product approach and the plain one (first
    pattern per customer, same routing), verify each, report gaps to bks.csv."""
    writable_file(md_out, "--md")
    writable_file(csv_out, "--csv")
    paths = select_instances(directory, only)
    if not paths:
        raise typer.BadParameter(f"no PVRP instance in {directory} matches")
    plain_s = plain_time_limit if plain_time_limit is not None else time_limit / 3
    rows: list[PvrpRow] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("PVRP", total=len(paths) * 2)
        for path in paths:
            problem = read_pvrp(path)
            best = _best_known(path)
            progress.update(task, description=f"{path.name} · product")
            rows.append(checked_row("product", path,
                                    solve_pvrp(problem, time_limit_s=time_limit, seed=seed), best))
            progress.advance(task)
            progress.update(task, description=f"{path.name} · plain")
            rows.append(checked_row("plain", path,
                                    solve_plain(problem, time_limit_s=plain_s, seed=seed), best))
            progress.advance(task)
    print_tables(rows)
    if csv_out is not None:
        csv_out.parent.mkdir(parents=True, exist_ok=True)
        with open(csv_out, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=[f.name for f in fields(PvrpRow)])
            writer.writeheader()
            writer.writerows(asdict(r) for r in rows)
    if md_out is not None:
        heading = (f"PVRP {directory.name}, product {time_limit:g} s, plain {plain_s:g} s per "
                   f"instance, seed {seed} ({date.today().isoformat()})")
        md_out.parent.mkdir(parents=True, exist_ok=True)
        md_out.write_text(markdown(rows, heading))
    if any(not r.feasible for r in rows if r.approach == "product"):
        raise typer.Exit(code=1)


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add `pvrp` to the app and to the bench group."""
    app.command("pvrp")(pvrp_command)
    bench.command("pvrp")(bench_pvrp_command)
