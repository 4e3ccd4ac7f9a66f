"""Start the solver from a known week: a decomposed first plan, or last week's plan
(warm start). A hint is only a suggestion: CP-SAT repairs or drops what doesn't fit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ortools.sat.python import cp_model

from engine.domain import Block
from engine.timetable.model import BlockVar, TimetableModel


def _hint(cp: cp_model.CpModel, var, value: int) -> None:
    if not isinstance(var, int):
        cp.add_hint(var, value)


def _hint_block(tm: TimetableModel, var: BlockVar, block: Block | None) -> None:
    if block is None:
        _hint(tm.cp, var.present, 0)
        return
    _hint(tm.cp, var.present, 1)
    _hint(tm.cp, var.start, block.start // tm.grid)
    _hint(tm.cp, var.size, (block.end - block.start) // tm.grid)
    if not isinstance(var.size, int):
        _hint(tm.cp, var.end, block.end // tm.grid)


def planned_for_variables(tm: TimetableModel, blocks: Sequence[Block],
                          ) -> tuple[list[tuple[BlockVar, Block | None]], list[Block]]:
    """Each model block with the planned block it stands for, and the planned blocks no
    model block stands for. Blocks map onto the model's week by weekday (so last week's
    plan can start this week's): a manager's pieces of a kind on a day take his blocks
    of that kind in time order; a department slot stands for every attendee's block of
    its kind that day."""
    day_of = {d.date.weekday(): d.index for d in tm.frame.days}
    found: dict[tuple[str, str, int], list[Block]] = {}
    for b in blocks:
        if b.date.weekday() in day_of:
            found.setdefault((b.manager, b.kind, day_of[b.date.weekday()]), []).append(b)
    for group in found.values():
        group.sort(key=lambda b: b.start)
    pairs: list[tuple[BlockVar, Block | None]] = []
    used: set[int] = set()

    def take(var: BlockVar, planned: list[Block], stands_for_all: bool = False) -> None:
        pairs.append((var, planned[0] if planned else None))
        used.update(id(b) for b in (planned if stands_for_all else planned[:1]))

    for (manager, kind), variables in tm.blocks.items():
        by_day: dict[int, list[BlockVar]] = {}
        for var in variables:
            by_day.setdefault(var.day, []).append(var)
        for day, pieces in by_day.items():
            planned = found.get((manager, kind, day), [])
            for i, var in enumerate(sorted(pieces, key=lambda v: v.occurrence)):
                take(var, planned[i:i + 1])
    for kind, occurrences in tm.department_blocks.items():
        for occ in occurrences:
            attended = sorted((b for (_, k, d), bs in found.items() if k == kind and d == occ.day for b in bs),
                              key=lambda b: b.start)
            take(occ, attended, stands_for_all=True)
    for (manager, day), var in tm.lunches.items():
        take(var, found.get((manager, "lunch", day), []))
    unmatched = [b for bs in found.values() for b in bs if id(b) not in used]
    unmatched += [b for b in blocks if b.date.weekday() not in day_of]
    return pairs, unmatched


def hint_from_blocks(tm: TimetableModel, blocks: Iterable[Block]) -> None:
    """Suggest every block's presence, start and length, and the pairs, from `blocks`."""
    blocks = list(blocks)
    partners: dict[str, set[str]] = {}
    for b in blocks:
        rule = tm.policy.kinds.get(b.kind)
        if rule is not None and rule.group == "pair":
            partners.setdefault(b.manager, set()).update(b.with_)
    for var, planned in planned_for_variables(tm, blocks)[0]:
        _hint_block(tm, var, planned)
    for (a, other), lit in tm.pairs.items():
        _hint(tm.cp, lit, int(other in partners.get(a, set())))
    for m, lit in tm.in_trio.items():
        _hint(tm.cp, lit, int(len(partners.get(m, ())) == 2))
    for m, lit in tm.solo.items():
        _hint(tm.cp, lit, int(not partners.get(m)))


def complete_hints(tm: TimetableModel, time_limit_s: float) -> cp_model.CpSolver | None:
    """Turn the current (partial) hint into a full assignment of every variable.

    A partial hint can be dropped by CP-SAT when it cannot complete it quickly; a full,
    feasible one is always taken as the first solution. Solves a copy with the hinted
    variables fixed; on success replaces the hint by the complete solution and returns
    the solver holding it (the fallback plan), else leaves the hint as it was."""
    model = tm.cp.clone()
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.max_time_in_seconds = max(0.1, time_limit_s)
    solver.parameters.num_workers = 1
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    hint_solution(tm.cp, solver)
    return solver


def hint_solution(cp: cp_model.CpModel, solver: cp_model.CpSolver) -> None:
    """Replace the model's hint by the solver's last solution, every variable (of this
    model or of a copy with the same variables)."""
    cp.clear_hints()
    for index in range(len(cp.proto.variables)):
        var = cp.get_int_var_from_proto_index(index)
        cp.add_hint(var, solver.value(var))
