"""`fieldweek vrptw` (solve one VRPLIB instance) and `fieldweek bench vrptw`
(solve a folder of them, verify every solution with the independent checker,
report the gap to the best-known solutions per instance, per class, overall).

Thin: the engine solves, engine.check verifies, this module only loops, counts
and renders.
"""

from __future__ import annotations

import csv
import fnmatch
import json
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

from api.commands.titled_tables import print_titled_tables, titled_tables_markdown
from engine.check.vrptw import check_vrptw
from engine.errors import InputError, Problem
from engine.routing.instances import BestKnown, customer_routes, read_bks, read_instance
from engine.routing.vrptw import BACKENDS, VrptwProblem, solve

console = Console()

SEED_MAX = 2**32 - 1
"""PyVRP's random number generator takes an unsigned 32-bit seed; a seed outside
0..SEED_MAX is refused on the command line (exit 2), not by PyVRP mid-run."""

Seed = Annotated[int, typer.Option("--seed", min=0, max=SEED_MAX, help="solver seed")]


@dataclass(frozen=True)
class BenchRow:
    """One solver on one instance, as verified by the independent checker."""

    solver: str
    instance: str
    instance_class: str
    vehicles: int
    distance: float
    bks_vehicles: int | None
    bks_distance: float | None
    gap_pct: float | None
    feasible: bool
    violations: str
    runtime_s: float
    iterations: int | None


@dataclass(frozen=True)
class BackendSpec:
    """A backend as named on the command line: `pyvrp`, `ortools`, or
    `ortools:PATH_CHEAPEST_ARC` (OR-Tools with another first-solution strategy)."""

    backend: str
    first_solution: str | None = None

    @property
    def label(self) -> str:
        """Column name in tables and the `solver` field of rows."""
        return (
            self.backend if self.first_solution is None else f"{self.backend}:{self.first_solution}"
        )

    @property
    def options(self) -> dict[str, object]:
        """Keyword options for the backend's solve."""
        return (
            {} if self.first_solution is None else {"first_solution_strategy": self.first_solution}
        )


def parse_backends(text: str) -> list[BackendSpec]:
    """Parse a comma list of backend specs; raises typer.BadParameter (exit 2, naming
    --backend) on unknown ones, an OR-Tools first-solution strategy too: `ortools:BOGUS`
    got to the solver and failed there as a bug."""
    specs = []
    for token in filter(None, (part.strip() for part in text.split(","))):
        name, _, first = token.partition(":")
        if name not in BACKENDS:
            raise typer.BadParameter(f"unknown backend {name!r}; choose from {sorted(BACKENDS)}",
                                     param_hint="'--backend'")
        if first and name != "ortools":
            raise typer.BadParameter(f"{token!r}: only ortools takes a first-solution strategy",
                                     param_hint="'--backend'")
        if first and first.upper() not in (choices := ortools_first_solutions()):
            raise typer.BadParameter(f"{token!r}: OR-Tools has no first-solution strategy {first!r}; "
                                     f"choose from {', '.join(choices)}", param_hint="'--backend'")
        specs.append(BackendSpec(name, first.upper() or None))
    if not specs:
        raise typer.BadParameter("name at least one backend", param_hint="'--backend'")
    return specs


def ortools_first_solutions() -> list[str]:
    """The first-solution strategies of the installed OR-Tools (loaded only when one is named)."""
    from engine.routing.ortools_backend import first_solution_strategies

    return first_solution_strategies()


def instance_class(name: str) -> str:
    """Solomon / Gehring–Homberger class from an instance name: C101 -> C1,
    RC208 -> RC2, C1_2_1 -> C1."""
    found = re.match(r"[A-Za-z]+\d", name)
    return found.group(0).upper() if found else name


def gap_pct(distance: float, best: float) -> float:
    """Gap to the best-known distance, in percent (negative when better)."""
    return 100.0 * (distance - best) / best


def bench_row(
    solver: str,
    instance_path: Path,
    routes: Sequence[Sequence[int]],
    *,
    runtime_s: float,
    iterations: int | None,
    best_known: BestKnown | None,
) -> BenchRow:
    """Verify `routes` (customer numbers) with the independent checker and
    compare the checker's distance with the best-known one."""
    checked = check_vrptw(instance_path, routes)
    name = instance_path.stem
    return BenchRow(
        solver=solver,
        instance=name,
        instance_class=instance_class(name),
        vehicles=checked.vehicles,
        distance=checked.distance,
        bks_vehicles=best_known.vehicles if best_known else None,
        bks_distance=best_known.distance if best_known else None,
        gap_pct=gap_pct(checked.distance, best_known.distance)
        if best_known and checked.feasible
        else None,
        feasible=checked.feasible,
        violations="; ".join(checked.violations),
        runtime_s=round(runtime_s, 3),
        iterations=iterations,
    )


def write_rows_csv(rows: Sequence[BenchRow], path: Path) -> None:
    """Write bench rows as CSV (one row per solver and instance)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[f.name for f in fields(BenchRow)])
        writer.writeheader()
        for row in rows:
            writer.writerow(asdict(row))


def read_rows_csv(path: Path) -> list[BenchRow]:
    """Read rows written by `write_rows_csv`."""

    def number(text: str, kind: type) -> object:
        return kind(text) if text not in ("", "None") else None

    with open(path, newline="") as handle:
        return [
            BenchRow(
                solver=raw["solver"],
                instance=raw["instance"],
                instance_class=raw["instance_class"],
                vehicles=int(raw["vehicles"]),
                distance=float(raw["distance"]),
                bks_vehicles=number(raw["bks_vehicles"], int),  # type: ignore[arg-type]
                bks_distance=number(raw["bks_distance"], float),  # type: ignore[arg-type]
                gap_pct=number(raw["gap_pct"], float),  # type: ignore[arg-type]
                feasible=raw["feasible"] == "True",
                violations=raw["violations"],
                runtime_s=float(raw["runtime_s"]),
                iterations=number(raw["iterations"], int),  # type: ignore[arg-type]
            )
            for raw in csv.DictReader(handle)
        ]


@dataclass(frozen=True)
class SolverSummary:
    """Aggregate of one solver over a group of instances."""

    solver: str
    instances: int
    infeasible: int
    mean_gap_pct: float | None
    max_gap_pct: float | None
    mean_vehicles: float
    mean_runtime_s: float
    mean_iterations: float | None


def summarise(rows: Sequence[BenchRow]) -> SolverSummary:
    """Mean gap over the feasible rows (rows of one solver), infeasible count."""
    gaps = [row.gap_pct for row in rows if row.gap_pct is not None]
    iterations = [row.iterations for row in rows if row.iterations is not None]
    return SolverSummary(
        solver=rows[0].solver,
        instances=len(rows),
        infeasible=sum(not row.feasible for row in rows),
        mean_gap_pct=statistics.fmean(gaps) if gaps else None,
        max_gap_pct=max(gaps) if gaps else None,
        mean_vehicles=statistics.fmean(row.vehicles for row in rows),
        mean_runtime_s=statistics.fmean(row.runtime_s for row in rows),
        # Iterations per run show how much CPU a solver really got on a shared machine.
        mean_iterations=statistics.fmean(iterations) if iterations else None,
    )


def _solvers(rows: Sequence[BenchRow]) -> list[str]:
    return list(dict.fromkeys(row.solver for row in rows))


def _instances(rows: Sequence[BenchRow]) -> list[str]:
    return sorted(dict.fromkeys(row.instance for row in rows), key=_natural_key)


def _natural_key(name: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} %"


def _result_cell(row: BenchRow | None) -> str:
    if row is None:
        return "–"
    if not row.feasible:
        return "INFEASIBLE"
    return f"{row.distance:.1f} ({row.vehicles}) {_pct(row.gap_pct)}"


def tables(rows: Sequence[BenchRow]) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The three report tables (overall, per class, per instance) as header +
    rows of strings, shared by the terminal and the markdown renderings."""
    solvers = _solvers(rows)
    by_key = {(row.solver, row.instance): row for row in rows}

    overall_head = [
        "solver",
        "instances",
        "infeasible",
        "mean gap",
        "max gap",
        "mean vehicles",
        "mean runtime (s)",
        "mean iterations",
    ]
    overall = []
    for solver in solvers:
        summary = summarise([row for row in rows if row.solver == solver])
        overall.append(
            [
                solver,
                str(summary.instances),
                str(summary.infeasible),
                _pct(summary.mean_gap_pct),
                _pct(summary.max_gap_pct),
                f"{summary.mean_vehicles:.2f}",
                f"{summary.mean_runtime_s:.2f}",
                "–" if summary.mean_iterations is None else f"{summary.mean_iterations:.0f}",
            ]
        )

    classes = sorted(dict.fromkeys(row.instance_class for row in rows), key=_natural_key)
    class_head = ["class", "instances", *(f"{solver} mean gap" for solver in solvers)]
    per_class = []
    for name in classes:
        cells = [name, str(len({r.instance for r in rows if r.instance_class == name}))]
        for solver in solvers:
            group = [r for r in rows if r.solver == solver and r.instance_class == name]
            summary = summarise(group) if group else None
            text = _pct(summary.mean_gap_pct) if summary else "–"
            if summary and summary.infeasible:
                text += f" ({summary.infeasible} infeasible)"
            cells.append(text)
        per_class.append(cells)

    instance_head = [
        "instance",
        "BKS (vehicles)",
        *(f"{s} distance (vehicles) gap" for s in solvers),
    ]
    per_instance = []
    for name in _instances(rows):
        sample = next(row for row in rows if row.instance == name)
        best = (
            "–"
            if sample.bks_distance is None
            else f"{sample.bks_distance:.1f} ({sample.bks_vehicles})"
        )
        per_instance.append([name, best, *(_result_cell(by_key.get((s, name))) for s in solvers)])

    return {
        "Overall": (overall_head, overall),
        "Per class": (class_head, per_class),
        "Per instance": (instance_head, per_instance),
    }


def print_tables(rows: Sequence[BenchRow], out: Console = console) -> None:
    """Render the report tables in the terminal."""
    print_titled_tables(tables(rows), ("solver", "instance", "class"), out)


def markdown(rows: Sequence[BenchRow], heading: str) -> str:
    """The report tables as markdown under `heading`."""
    return titled_tables_markdown(tables(rows), heading)


def select_instances(directory: Path, only: str | None) -> list[Path]:
    """The .vrp files of `directory` in natural order (C101 … RC208), kept to
    those matching a comma list of names or globs when `only` is given."""
    paths = sorted(directory.glob("*.vrp"), key=lambda p: _natural_key(p.stem))
    if only:
        patterns = [p.strip() for p in only.split(",") if p.strip()]
        paths = [p for p in paths if any(fnmatch.fnmatch(p.stem, pat) for pat in patterns)]
    return paths


def read_instances(paths: Sequence[Path]) -> list[VrptwProblem]:
    """Every instance, read before any is solved: a bad file stops the bench at
    once with the problems of all bad files (`InputError`), not after the good
    ones before it have been solved."""
    problems: list[Problem] = []
    instances = []
    for path in paths:
        try:
            instances.append(read_instance(path))
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    return instances


def vrptw_command(
    instance: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="VRPLIB .vrp file")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.001, help="seconds of wall time")
    ] = 5.0,
    seed: Seed = 0,
    backend: Annotated[
        str, typer.Option("--backend", help="pyvrp | ortools[:FIRST_SOLUTION]")
    ] = "pyvrp",
    json_out: Annotated[Path | None, typer.Option("--json", help="write the solution here")] = None,
) -> None:
    """Solve one VRPTW instance (DIMACS convention) and verify the solution."""
    spec = parse_backends(backend)[0]
    problem = read_instance(instance)
    solution = solve(
        problem, time_limit_s=time_limit, seed=seed, backend=spec.backend, options=spec.options
    )
    routes = customer_routes(solution)
    bks_path = instance.parent / "bks.csv"
    best = read_bks(bks_path).get(instance.stem) if bks_path.exists() else None
    row = bench_row(
        spec.label,
        instance,
        routes,
        runtime_s=solution.runtime_s,
        iterations=solution.iterations,
        best_known=best,
    )
    result = {
        "instance": problem.name or instance.stem,
        "vehicles": row.vehicles,
        "distance": row.distance,
        "routes": routes,
        "feasible": row.feasible,
        "violations": list(filter(None, row.violations.split("; "))),
        "backend": spec.label,
        "seed": seed,
        "time_limit_s": time_limit,
        "runtime_s": round(solution.runtime_s, 3),
        "iterations": solution.iterations,
        "bks": best.distance if best else None,
        "gap_pct": None if row.gap_pct is None else round(row.gap_pct, 3),
    }
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result, indent=2) + "\n")
    status = "[green]feasible[/]" if row.feasible else f"[red]INFEASIBLE[/]: {row.violations}"
    gap = "" if row.gap_pct is None else f", gap {row.gap_pct:.2f} % to BKS {best.distance}"
    console.print(
        f"{result['instance']}: {row.distance:.1f} with {row.vehicles} vehicles"
        f"{gap}, {status} ({spec.label}, {solution.runtime_s:.1f} s)"
    )
    if not row.feasible:
        raise typer.Exit(code=1)


def bench_vrptw_command(
    directory: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="folder of .vrp files, bks.csv")
    ],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.001, help="seconds per instance and backend")
    ] = 5.0,
    seed: Seed = 0,
    backend: Annotated[
        str, typer.Option("--backend", help="comma list: pyvrp, ortools, ortools:PATH_CHEAPEST_ARC")
    ] = "pyvrp",
    only: Annotated[
        str | None, typer.Option("--only", help="comma list of names or globs, e.g. C1*")
    ] = None,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="write one row per solver and instance")
    ] = None,
    md_out: Annotated[
        Path | None, typer.Option("--md", help="write the tables as markdown")
    ] = None,
) -> None:
    """Solve every instance of DIRECTORY with each backend, verify each solution
    independently and report the gap to bks.csv per instance, class and overall."""
    specs = parse_backends(backend)
    paths = select_instances(directory, only)
    if not paths:
        raise typer.BadParameter(f"no .vrp instance in {directory} matches")
    bks_path = directory / "bks.csv"
    best_known = read_bks(bks_path) if bks_path.exists() else {}
    problems = read_instances(paths)
    rows: list[BenchRow] = []
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("VRPTW", total=len(paths) * len(specs))
        for path, problem in zip(paths, problems, strict=True):
            for spec in specs:
                progress.update(task, description=f"{path.stem} · {spec.label}")
                solution = solve(
                    problem,
                    time_limit_s=time_limit,
                    seed=seed,
                    backend=spec.backend,
                    options=spec.options,
                )
                rows.append(
                    bench_row(
                        spec.label,
                        path,
                        customer_routes(solution),
                        runtime_s=solution.runtime_s,
                        iterations=solution.iterations,
                        best_known=best_known.get(path.stem),
                    )
                )
                progress.advance(task)
    print_tables(rows)
    if csv_out is not None:
        write_rows_csv(rows, csv_out)
    if md_out is not None:
        heading = (
            f"VRPTW {directory.name}, {time_limit:g} s per instance, seed {seed} "
            f"({date.today().isoformat()})"
        )
        md_out.parent.mkdir(parents=True, exist_ok=True)
        md_out.write_text(markdown(rows, heading))


def bench_vrptw_report_command(
    results: Annotated[
        list[Path],
        typer.Argument(
            exists=True, dir_okay=False, help="CSV files written by `bench vrptw --csv`"
        ),
    ],
    md_out: Annotated[
        Path | None, typer.Option("--md", help="write the tables as markdown")
    ] = None,
    heading: Annotated[str, typer.Option("--heading")] = "VRPTW benchmark",
) -> None:
    """Merge bench CSVs (e.g. runs of several solvers, or the PyVRP standalone
    script) into one side-by-side report."""
    rows = [row for path in results for row in read_rows_csv(path)]
    print_tables(rows)
    if md_out is not None:
        md_out.parent.mkdir(parents=True, exist_ok=True)
        md_out.write_text(markdown(rows, heading))


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add `vrptw` to the app and `vrptw`, `vrptw-report` to the bench group."""
    app.command("vrptw")(vrptw_command)
    bench.command("vrptw")(bench_vrptw_command)
    bench.command("vrptw-report")(bench_vrptw_report_command)
