"""A solved timetable model read back as blocks: times from the solver, partners from
the chosen pairs and department attendance, places from places.py."""

from __future__ import annotations

from ortools.sat.python import cp_model

from engine.domain import Block, Conflict
from engine.timetable.model import BlockVar, TimetableModel
from engine.timetable.places import DraftBlock, assign_places


def value_of(solver: cp_model.CpSolver, expr: cp_model.LinearExprT) -> int:
    """A variable's value in the solution (a constant is its own value)."""
    return expr if isinstance(expr, int) else int(solver.value(expr))


def is_present(solver: cp_model.CpSolver, block: BlockVar) -> bool:
    return bool(block.present) if isinstance(block.present, int) else solver.boolean_value(block.present)


def chosen_groups(tm: TimetableModel, solver: cp_model.CpSolver) -> dict[str, tuple[str, ...]]:
    """Each paired manager's partners for the week."""
    partners: dict[str, set[str]] = {m: set() for m in tm.frame.paired_managers}
    for (a, b), lit in tm.pairs.items():
        if solver.boolean_value(lit):
            partners[a].add(b)
            partners[b].add(a)
    return {m: tuple(sorted(p)) for m, p in partners.items()}


def department_attendees(tm: TimetableModel, solver: cp_model.CpSolver) -> dict[tuple[str, int], list[str]]:
    """(kind, occurrence) of a department slot -> the managers who attend it."""
    attendees: dict[tuple[str, int], list[str]] = {}
    for (manager, kind, occ), block in tm.attendance.items():
        if is_present(solver, block):
            attendees.setdefault((kind, occ), []).append(manager)
    return attendees


def extract_blocks(tm: TimetableModel, solver: cp_model.CpSolver) -> tuple[list[Block], list[Conflict]]:
    """The week's blocks, sorted by manager, date and start, and the notes on places
    that could not be chosen as the rules ask."""
    dates = {d.index: d.date for d in tm.frame.days}
    partners = chosen_groups(tm, solver)
    attendees = department_attendees(tm, solver)
    drafts: list[DraftBlock] = []
    for block in [b for bs in tm.blocks.values() for b in bs] + list(tm.attendance.values()) + list(
        tm.lunches.values()
    ):
        if not is_present(solver, block):
            continue
        assert block.manager is not None
        start = value_of(solver, block.start) * tm.grid
        size = value_of(solver, block.size) * tm.grid
        rule = tm.policy.kinds.get(block.kind)
        if rule is not None and rule.group == "department":
            others = tuple(m for m in attendees[(block.kind, block.occurrence)] if m != block.manager)
        elif rule is not None and rule.group == "pair":
            others = partners.get(block.manager, ())
        else:
            others = ()
        drafts.append(DraftBlock(block.manager, dates[block.day], block.kind, start, start + size, others))

    notes = assign_places(tm.department, tm.policy, drafts)
    drafts.sort(key=lambda b: (b.manager, b.date, b.start))
    return [d.block() for d in drafts], notes
