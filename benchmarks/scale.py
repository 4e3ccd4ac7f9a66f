"""How cost grows (SPEC §6): the week's timetable for departments of more and more
managers, and the week's routes for more and more retailers, each measured side by
side with the plain approach in the same run, with the growth exponents fitted on a
log–log scale and drawn as log–log charts.

Timetables: the product's solve (a first week built group by group, handed to the joint
model) against the plain joint model (`SolveParams.decompose=False`), both within the
same limit: seconds to the first feasible week, to a 1 % gap, to the proof (none when
not reached). Routes: the product's route planner (managers in a process pool, day
routes stopped once settled) against the plain one (managers one after another, every
day's route solve to its budget), both with the same seconds per manager, on the
department's hand-made week (a solved week where the template cannot make one): wall
seconds, visits planned, km."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from benchmarks.cases import BENCH_WEEK, hand_made_week
from benchmarks.departments import generate_department
from benchmarks.tables import write_rows_csv
from engine.domain import Department, Timetable
from engine.policy import Policy, load_policy
from engine.routing.plan import DAY_ROUTE_STALL_ITERATIONS, plan_routes
from engine.timetable.solve import Progress, SolveParams, solve_timetable

SCALE_MANAGERS = (6, 13, 24, 48, 96)
SCALE_RETAILERS = (1000, 2000, 5000, 10000)
RETAILERS_PER_MANAGER = 250
"""A route case of n retailers is a department of n // 250 managers (a territory of a
few hundred retailers, as in the sample), the remainder spread over them, so that the case
holds exactly n retailers, and never fewer managers than the policy's pair size:
a week of fewer managers has no timetable (the pair sessions cannot be held), so its
routes would time nothing."""
PLANNED = "planned"
"""A route case's status when its week had a timetable and routes were planned; any other
case is shown with why, and left out of the fitted exponent and the chart."""
GAP_TARGET = 0.01

Progressed = Callable[[str], None]


@dataclasses.dataclass
class TimetablePoint:
    """One timetable solve of the suite."""

    managers: int
    approach: str
    status: str
    first_feasible_s: float | None
    one_percent_s: float | None
    proof_s: float | None
    gap: float | None


@dataclasses.dataclass
class RoutePoint:
    """One route plan of the suite."""

    retailers: int
    managers: int
    approach: str
    seconds: float
    visits: int
    due: int
    km: float
    status: str = PLANNED


def _gap(objective: float, bound: float) -> float:
    return abs(objective - bound) / max(abs(objective), 1e-9)


def timetable_point(managers: int, decompose: bool, time_limit: float, seed: int, workers: int,
                    policy_name: str | None = None) -> TimetablePoint:
    """Solve a generated department's week and time its milestones from the call."""
    department = generate_department(managers, seed)
    policy = load_policy(policy_name or department.policy)
    seen: list[tuple[float, float, float]] = []
    started = time.perf_counter()

    def record(progress: Progress) -> None:
        seen.append((time.perf_counter() - started, progress.objective, progress.bound))

    params = SolveParams(time_limit_s=time_limit, workers=workers, seed=seed, decompose=decompose)
    result = solve_timetable(department, policy, BENCH_WEEK, params, on_progress=record)
    wall = time.perf_counter() - started
    timetable = result.timetable
    within = [t for t, objective, bound in seen if _gap(objective, bound) <= GAP_TARGET]
    if timetable.status == "optimal":
        within.append(wall)
    return TimetablePoint(
        managers=managers, approach="product" if decompose else "plain", status=timetable.status,
        first_feasible_s=seen[0][0] if seen else (wall if timetable.blocks else None),
        one_percent_s=min(within) if within else None,
        proof_s=wall if timetable.status == "optimal" else None, gap=result.gap)


def route_department(retailers: int, seed: int, policy_name: str | None = None) -> tuple[Department, Policy]:
    """A generated department of exactly `retailers` retailers, and its policy: n / 250
    managers (at least the policy's pair size), the remainder spread one each over the
    first managers. 600 made 2 managers of 250, and the table said 500 beside a request for
    600 (tester); a case is measured at the size asked for, or the fitted exponent and the
    chart mix sizes nobody asked for."""
    if retailers < 1:
        raise ValueError("a route case needs at least one retailer")
    managers = max(1, retailers // RETAILERS_PER_MANAGER)
    policy = load_policy(policy_name or generate_department(managers, seed, retailers_per_manager=1).policy)
    # Fewer managers than a pair has no timetable (RETAILERS_PER_MANAGER): share them out.
    managers = max(managers, policy.pairs.size)
    each, remainder = divmod(retailers, managers)
    department = generate_department(managers, seed, retailers_per_manager=max(1, each + (remainder > 0)))
    if remainder or each == 0:
        wanted = {m.id: each + (i < remainder) for i, m in enumerate(department.managers)}
        kept: dict[str, int] = {}
        trimmed = []
        for retailer in department.retailers:  # each territory's first ones: its targets and stores kept
            if kept.get(retailer.manager, 0) < wanted[retailer.manager]:
                kept[retailer.manager] = kept.get(retailer.manager, 0) + 1
                trimmed.append(retailer)
        department = department.model_copy(update={"retailers": tuple(trimmed)})
    assert len(department.retailers) == retailers, (len(department.retailers), retailers)
    return department, policy


def route_case(retailers: int, seed: int, policy_name: str | None = None,
               timetable_s: float = 20.0) -> tuple[Department, Policy, Timetable]:
    """A generated department of `retailers` retailers and its week: the hand-made one, or,
    when the hand-made template cannot make one, a week solved within `timetable_s`.
    Both approaches route the same week."""
    department, policy = route_department(retailers, seed, policy_name)
    timetable, _ = hand_made_week(department, policy, BENCH_WEEK)
    if timetable is None:
        timetable = solve_timetable(department, policy, BENCH_WEEK, SolveParams(time_limit_s=timetable_s)).timetable
    return department, policy, timetable


def route_point(case: tuple[Department, Policy, Timetable], pooled: bool, seconds_per_manager: float,
                seed: int) -> RoutePoint:
    """Plan the case's week of routes, the product's way or the plain way; a week without a
    timetable, or a plan without routes, is marked as such (not `PLANNED`)."""
    department, policy, timetable = case
    managers = len(department.managers)
    started = time.perf_counter()
    plan = plan_routes(department, policy, timetable, BENCH_WEEK, time_limit_s=seconds_per_manager * managers,
                       seed=seed, processes=0 if pooled else 1,
                       day_stall_iterations=DAY_ROUTE_STALL_ITERATIONS if pooled else None)
    status = (f"no week (timetable {timetable.status})" if not timetable.blocks
              else PLANNED if plan.routes else "no routes")
    return RoutePoint(retailers=len(department.retailers), managers=managers,
                      approach="product" if pooled else "plain", seconds=round(time.perf_counter() - started, 2),
                      visits=sum(r.visits for r in plan.routes), due=plan.due_visits,
                      km=round(sum(r.distance_km for r in plan.routes), 1), status=status)


def run_scale_suite(managers: Sequence[int], retailers: Sequence[int], time_limit: float,
                    seconds_per_manager: float, seed: int, workers: int,
                    progress: Progressed = lambda _: None,
                    policy_name: str | None = None) -> tuple[list[TimetablePoint], list[RoutePoint]]:
    """Every timetable and route case, the product's approach and the plain one in turn
    (under `policy_name`, a built-in name or a TOML path, or each department's own)."""
    timetables = []
    for size in managers:
        for decompose in (True, False):
            progress(f"timetable · {size} managers · {'product' if decompose else 'plain'}")
            timetables.append(timetable_point(size, decompose, time_limit, seed, workers, policy_name))
    routes = []
    for count in retailers:
        progress(f"routes · {count} retailers · the week")
        case = route_case(count, seed, policy_name, time_limit)
        for pooled in (True, False):
            progress(f"routes · {count} retailers · {'product' if pooled else 'plain'}")
            routes.append(route_point(case, pooled, seconds_per_manager, seed))
    return timetables, routes


def growth_exponent(sizes: Sequence[float], values: Sequence[float | None]) -> float | None:
    """The slope of log(value) on log(size), least squares; None with fewer than two points."""
    pairs = [(s, v) for s, v in zip(sizes, values, strict=True) if v is not None and v > 0 and s > 0]
    if len(pairs) < 2:
        return None
    slope, _ = np.polyfit([math.log(s) for s, _ in pairs], [math.log(v) for _, v in pairs], 1)
    return float(slope)


def _series(points: Sequence, approach: str, size: str, value: str) -> tuple[list[float], list[float | None]]:
    mine = [p for p in points if p.approach == approach]
    return [getattr(p, size) for p in mine], [getattr(p, value) for p in mine]


def _route_seconds(routes: Sequence[RoutePoint], approach: str) -> tuple[list[float], list[float | None]]:
    """The planned cases' wall seconds by retailers: a case with no week or no routes took
    no routing time worth the name, so it neither bends the exponent nor shows as a point."""
    return _series([r for r in routes if r.status == PLANNED], approach, "retailers", "seconds")


TIMETABLE_MEASURES = (("first_feasible_s", "first feasible"), ("one_percent_s", "1 % gap"), ("proof_s", "proof"))


def scale_markdown(timetables: Sequence[TimetablePoint], routes: Sequence[RoutePoint]) -> str:
    """The suite's tables and fitted exponents as markdown."""
    def cell(value: object) -> str:
        return "–" if value is None else (f"{value:.1f}" if isinstance(value, float) else str(value))

    lines = ["| managers | approach | status | first feasible (s) | 1 % gap (s) | proof (s) | final gap |",
             "|---|---|---|---|---|---|---|"]
    for p in timetables:
        gap = "–" if p.gap is None else f"{100 * p.gap:.1f} %"
        lines.append(f"| {p.managers} | {p.approach} | {p.status} | {cell(p.first_feasible_s)} | "
                     f"{cell(p.one_percent_s)} | {cell(p.proof_s)} | {gap} |")
    lines += ["", "| retailers | managers | approach | status | seconds | visits | due | km |",
              "|---|---|---|---|---|---|---|---|"]
    for r in routes:
        lines.append(f"| {r.retailers} | {r.managers} | {r.approach} | {r.status} | {r.seconds:.1f} | {r.visits} | "
                     f"{r.due} | {r.km:.1f} |")
    lines += ["", "| growth exponent (time ∝ size^k) | product | plain |", "|---|---|---|"]
    for value, label in TIMETABLE_MEASURES:
        ks = [growth_exponent(*_series(timetables, a, "managers", value)) for a in ("product", "plain")]
        lines.append(f"| timetable: {label} | {' | '.join('–' if k is None else f'{k:.2f}' for k in ks)} |")
    ks = [growth_exponent(*_route_seconds(routes, a)) for a in ("product", "plain")]
    lines.append(f"| routes: wall seconds | {' | '.join('–' if k is None else f'{k:.2f}' for k in ks)} |")
    return "\n".join(lines) + "\n"


def write_scale_plots(timetables: Sequence[TimetablePoint], routes: Sequence[RoutePoint], folder: Path) -> list[Path]:
    """Two log–log charts: the timetable's milestones by managers, the routes' seconds by retailers."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no window
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    fig, ax = plt.subplots(figsize=(6, 4))
    for (value, label), colour in zip(TIMETABLE_MEASURES, ("#1e88e5", "#fb8c00", "#43a047"), strict=True):
        for approach, style in (("product", "-o"), ("plain", "--x")):
            sizes, values = _series(timetables, approach, "managers", value)
            shown = [(s, v) for s, v in zip(sizes, values, strict=True) if v]
            if shown:
                ax.plot(*zip(*shown, strict=True), style, color=colour, label=f"{label} ({approach})")
    ax.set(xscale="log", yscale="log", xlabel="managers", ylabel="seconds", title="Timetable: time to milestones")
    ax.legend(fontsize=7)
    fig.tight_layout()
    written.append(folder / "scale_timetable.png")
    fig.savefig(written[-1], dpi=80)
    fig, ax = plt.subplots(figsize=(6, 4))
    for approach, style in (("product", "-o"), ("plain", "--x")):
        sizes, values = _route_seconds(routes, approach)
        ax.plot(sizes, [v or math.nan for v in values], style, label=approach)
    ax.set(xscale="log", yscale="log", xlabel="retailers", ylabel="wall seconds", title="Routes of the week")
    ax.legend(fontsize=7)
    fig.tight_layout()
    written.append(folder / "scale_routes.png")
    fig.savefig(written[-1], dpi=80)
    plt.close("all")
    return written


def write_scale_csv(timetables: Sequence[TimetablePoint], routes: Sequence[RoutePoint], path: Path) -> Path:
    """The tables' rows in one file, as the other suites write theirs (one row per point,
    every measure a column, `suite` naming the table); returns the file written."""
    rows = ([{"suite": "timetable", **dataclasses.asdict(p)} for p in timetables]
            + [{"suite": "routes", **dataclasses.asdict(r)} for r in routes])
    return write_rows_csv(rows, path)
