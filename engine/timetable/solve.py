"""Build → solve → result: the department's weekly timetable (SPEC §2-3, issue 2).

`solve_timetable` never prints; it returns a `TimetableResult` with status, objective,
bound, timings, the cost of each soft rule, the search progress and the plan."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import networkx as nx
from ortools.sat.python import cp_model

from engine.domain import Block, Conflict, Department, ManagerRef, Retailer, Timetable
from engine.policy import Policy
from engine.timetable.constraints import add_hard_rules
from engine.timetable.decompose import decomposed_plan
from engine.timetable.duties import assign_duties
from engine.timetable.explain import check_capacity, explain_with_assumptions
from engine.timetable.hints import complete_hints, hint_from_blocks
from engine.timetable.model import BlockVar, TimetableModel, build_variables
from engine.timetable.objective import add_objective

STATUS_NAMES = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "unknown",
    cp_model.UNKNOWN: "unknown",
}


@dataclass(frozen=True)
class Progress:
    """The search at one moment: best objective found and best bound proved."""

    seconds: float
    objective: float
    bound: float


@dataclass
class TimetableResult:
    timetable: Timetable
    build_seconds: float = 0.0
    penalties: dict[str, int] = field(default_factory=dict)
    progress: list[Progress] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.timetable.status

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound (0 = proven optimal)."""
        obj, bound = self.timetable.objective, self.timetable.best_bound
        if obj is None or bound is None:
            return None
        return abs(obj - bound) / max(1.0, abs(obj))


@dataclass(frozen=True)
class SolveParams:
    time_limit_s: float = 10.0
    workers: int = 8
    """CP-SAT portfolio size. More workers than cores still pays: the portfolio mixes
    LP-based bounds with local search (see benchmarks/RESULTS.md)."""
    seed: int = 0
    explain_time_limit_s: float = 20.0
    decompose: bool = True
    """Build a first week group by group and hand it to the joint model as a hint."""
    decompose_share: float = 0.6
    """Share of the time limit the group-by-group first week may use."""


class _ProgressRecorder(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_progress: Callable[[Progress], None] | None):
        super().__init__()
        self.started = time.perf_counter()
        self.progress: list[Progress] = []
        self.on_progress = on_progress

    def on_solution_callback(self) -> None:
        point = Progress(round(time.perf_counter() - self.started, 3), self.objective_value,
                         self.best_objective_bound)
        self.progress.append(point)
        if self.on_progress is not None:
            self.on_progress(point)


def build_model(department: Department, policy: Policy, week_start: dt.date) -> TimetableModel:
    """Variables, hard rules and objective, in that order."""
    tm = build_variables(department, policy, week_start)
    add_hard_rules(tm)
    add_objective(tm)
    return tm


def solve_timetable(
    department: Department,
    policy: Policy,
    week_start: dt.date,
    params: SolveParams = SolveParams(),
    on_progress: Callable[[Progress], None] | None = None,
    warm_start: Timetable | None = None,
) -> TimetableResult:
    """The department's optimal week, or the conflicting rules when there is none.

    `warm_start` (e.g. last week's plan, or the plan being re-planned) is given to the
    solver as its starting point; otherwise large departments start from a week built
    group by group (decompose.py)."""
    if week_start.weekday() != 0:
        raise ValueError(f"the week must start on a Monday; {week_start} is a {week_start:%A}")
    started = time.perf_counter()
    header = dict(
        department=department.name,
        policy=policy.name,
        week_start=week_start,
        managers=tuple(ManagerRef(id=m.id, name=m.name) for m in department.managers),
    )
    tm = build_variables(department, policy, week_start)
    conflicts = check_capacity(department, policy, tm.frame)
    if conflicts:
        return TimetableResult(Timetable(status="infeasible", conflicts=tuple(conflicts), **header),
                               build_seconds=time.perf_counter() - started)
    add_hard_rules(tm)
    add_objective(tm)
    start_plan: cp_model.CpSolver | None = None
    if warm_start is not None:
        hint_from_blocks(tm, warm_start.blocks)
        start_plan = complete_hints(tm, params.time_limit_s / 4)
    elif params.decompose and len(tm.frame.managers) > 1:
        first_week = decomposed_plan(tm, params.time_limit_s * params.decompose_share,
                                     hard_limit_s=params.time_limit_s - (time.perf_counter() - started))
        if first_week is not None:
            hint_from_blocks(tm, first_week)
            start_plan = complete_hints(tm, max(0.5, params.time_limit_s - (time.perf_counter() - started)) / 3)
    build_seconds = time.perf_counter() - started

    solver = cp_model.CpSolver()
    # What is left of the caller's limit, however little: the limit is a promise.
    solver.parameters.max_time_in_seconds = max(0.01, params.time_limit_s - build_seconds)
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    recorder = _ProgressRecorder(on_progress)
    code = solver.solve(tm.cp, recorder)
    status = STATUS_NAMES[code]
    solve_seconds = round(time.perf_counter() - started, 3)

    if code == cp_model.INFEASIBLE:
        conflicts = explain_with_assumptions(department, policy, week_start, params.explain_time_limit_s)
        if not conflicts:
            conflicts = [Conflict(rules=(), message="no timetable exists, and the explanation ran out of time")]
        timetable = Timetable(status="infeasible", solve_seconds=solve_seconds,
                              conflicts=tuple(conflicts), **header)
        return TimetableResult(timetable, build_seconds=build_seconds)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE) and start_plan is not None:
        # The search found nothing better than where it started: keep the start.
        bound = solver.best_objective_bound
        solver, code, status = start_plan, cp_model.FEASIBLE, "feasible"
    else:
        bound = solver.best_objective_bound
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        timetable = Timetable(status="unknown", solve_seconds=solve_seconds, conflicts=(Conflict(
            rules=(), message=f"no timetable found within {params.time_limit_s:g} s; "
                              f"allow more time"),), **header)
        return TimetableResult(timetable, build_seconds=build_seconds, progress=recorder.progress)

    blocks, notes = extract_blocks(tm, solver)
    timetable = Timetable(
        status=status,
        objective=solver.objective_value,
        best_bound=bound,
        solve_seconds=solve_seconds,
        blocks=tuple(blocks),
        duties=tuple(assign_duties(department, policy)),
        conflicts=tuple(notes),
        **header,
    )
    penalties = {name: weight * int(solver.value(expr)) for name, weight, expr in tm.penalties}
    return TimetableResult(timetable, build_seconds=build_seconds,
                           penalties={k: v for k, v in penalties.items() if v},
                           progress=recorder.progress)


def _groups(tm: TimetableModel, solver: cp_model.CpSolver) -> dict[str, tuple[str, ...]]:
    """Each paired manager's partners for the week."""
    partners: dict[str, set[str]] = {m: set() for m in tm.frame.paired_managers}
    for (a, b), lit in tm.pairs.items():
        if solver.boolean_value(lit):
            partners[a].add(b)
            partners[b].add(a)
    return {m: tuple(sorted(p)) for m, p in partners.items()}


def _present(solver: cp_model.CpSolver, block: BlockVar) -> bool:
    return bool(block.present) if isinstance(block.present, int) else solver.boolean_value(block.present)


def extract_blocks(tm: TimetableModel, solver: cp_model.CpSolver) -> tuple[list[Block], list[Conflict]]:
    grid = tm.grid
    dates = {d.index: d.date for d in tm.frame.days}
    partners = _groups(tm, solver)
    attendees: dict[tuple[str, int], list[str]] = {}
    for (manager, kind, occ), block in tm.attendance.items():
        if _present(solver, block):
            attendees.setdefault((kind, occ), []).append(manager)

    raw: list[dict] = []
    for block in [b for bs in tm.blocks.values() for b in bs] + list(tm.attendance.values()) + list(
        tm.lunches.values()
    ):
        if not _present(solver, block):
            continue
        assert block.manager is not None
        start = solver.value(block.start) * grid
        size = (block.size if isinstance(block.size, int) else solver.value(block.size)) * grid
        rule = tm.policy.kinds.get(block.kind)
        if rule is not None and rule.group == "department":
            others = tuple(m for m in attendees[(block.kind, block.occurrence)] if m != block.manager)
        elif rule is not None and rule.group == "pair":
            others = partners.get(block.manager, ())
        else:
            others = ()
        raw.append(dict(manager=block.manager, date=dates[block.day], kind=block.kind, start=start,
                        end=start + size, with_=others, retailer=None))

    notes = _assign_pos_households(tm, raw) + _assign_promotion_stores(tm, raw, partners)
    raw.sort(key=lambda b: (b["manager"], b["date"], b["start"]))
    return [Block(**b) for b in raw], notes


def _open_during(retailer: Retailer, start: int, end: int) -> bool:
    return retailer.opens <= start and end <= retailer.closes


def _assign_pos_households(tm: TimetableModel, raw: list[dict]) -> list[Conflict]:
    """"3 different target households per week" — SPEC §2: match each POS session to a
    different POS-target retailer of the manager's territory that is open at that time."""
    notes = []
    for manager in tm.frame.managers:
        sessions = [b for b in raw if b["manager"] == manager and b["kind"] == "pos_project"]
        if not sessions:
            continue
        targets = [r for r in tm.department.territory(manager) if r.pos_target]
        graph = nx.Graph()
        left = [f"s{i}" for i in range(len(sessions))]
        graph.add_nodes_from(left)
        graph.add_nodes_from(r.id for r in targets)
        for node, session in zip(left, sessions, strict=False):
            for r in targets:
                if _open_during(r, session["start"], session["end"]):
                    graph.add_edge(node, r.id)
        matching = nx.bipartite.hopcroft_karp_matching(graph, top_nodes=left)
        fallback = iter(r.id for r in targets if r.id not in matching)
        for node, session in zip(left, sessions, strict=False):
            session["retailer"] = matching.get(node) or next(fallback, None)
        if any(node not in matching for node in left):
            notes.append(Conflict(rules=("pos_project_households",),
                                  message=f"{manager}: not every POS session has a target household "
                                          f"open at that time; check their opening hours"))
    return notes


def _assign_promotion_stores(tm: TimetableModel, raw: list[dict],
                             partners: dict[str, tuple[str, ...]]) -> list[Conflict]:
    """"At a promotion store" — SPEC §2: each group promotes at one store of its members'
    territories, open through all its sessions and nearest to the group's territories."""
    notes = []
    centres = tm.department.territory_centres()
    done: set[frozenset[str]] = set()
    for manager, others in partners.items():
        group = frozenset((manager, *others))
        if group in done:
            continue
        done.add(group)
        sessions = [b for b in raw if b["manager"] in group and b["kind"] == "promotion"]
        if not sessions:
            continue
        stores = [r for r in tm.department.retailers if r.promo_store and r.manager in group]
        if not stores:
            stores = [r for r in tm.department.retailers if r.promo_store]
        open_all = [r for r in stores if all(_open_during(r, s["start"], s["end"]) for s in sessions)]
        lat = sum(centres[m][0] for m in group) / len(group)
        lon = sum(centres[m][1] for m in group) / len(group)
        choice = min(open_all or stores, key=lambda r: ((r.lat - lat) ** 2 + (r.lon - lon) ** 2, r.id),
                     default=None)
        if not open_all:
            notes.append(Conflict(rules=("promotion_pairs",),
                                  message=f"no promotion store of {', '.join(sorted(group))} is open "
                                          f"through all their promotion sessions"))
        for session in sessions:
            session["retailer"] = choice.id if choice else None
    return notes
