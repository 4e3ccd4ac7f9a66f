"""The re-planned blocks read from the solver: pinned ones exactly as they were, the
rest with their partners chosen again (pairs.py) and their places by the weekly
solve's assignment (engine.timetable.places), told what the events closed."""

from __future__ import annotations

from ortools.sat.python import cp_model

from engine.domain import Block, Conflict
from engine.replan.model import ReplanModel
from engine.replan.pairs import choose_partners, joiners
from engine.replan.situation import Situation
from engine.timetable.extract import department_attendees, is_present, value_of
from engine.timetable.places import DraftBlock, assign_places


def _pinned(block: Block) -> DraftBlock:
    return DraftBlock(block.manager, block.date, block.kind, block.start, block.end, block.with_,
                      block.retailer, fixed=True, previous=block.retailer)


def _previous_place(old: Block | None, joins_a_group: bool) -> str | None:
    """The place a block had before, kept while usable; a paired session of a manager
    who joins another group takes that group's store instead of his old group's."""
    return None if old is None or joins_a_group else old.retailer


def replanned_blocks(model: ReplanModel, solver: cp_model.CpSolver,
                     situation: Situation) -> tuple[list[Block], list[Conflict]]:
    """Every block of the re-planned week (the pinned ones the model could not hold
    included), sorted by manager, date, start and kind; and the notes on places."""
    tm, grid = model.tm, model.tm.grid
    drafts: list[DraftBlock] = []
    kept: dict[int, Block] = {}

    def pin(block: Block) -> None:
        draft = _pinned(block)
        kept[id(draft)] = block
        drafts.append(draft)

    department_slots = {id(s.var): s for s in model.slots if s.var.manager is None}
    joined = joiners(model.groups, solver)
    paired = {k for k, r in situation.policy.kinds.items() if r.group == "pair"}
    for slot in model.slots:
        var = slot.var
        if var.manager is None:
            continue
        if slot.pinned:
            assert slot.old is not None
            pin(slot.old)
        elif is_present(solver, var):
            start = value_of(solver, var.start) * grid
            drafts.append(DraftBlock(var.manager, slot.date, var.kind, start,
                                     start + value_of(solver, var.size) * grid,
                                     previous=_previous_place(slot.old, var.manager in joined and var.kind in paired)))
    attendees = department_attendees(tm, solver)
    for (manager, kind, occ), var in tm.attendance.items():
        occurrence = next(o for o in tm.department_blocks[kind] if o.occurrence == occ)
        slot = department_slots[id(occurrence)]
        if slot.pinned:
            for b in situation.timetable.blocks:
                if b.manager == manager and b.kind == kind and b.date == slot.date:
                    pin(b)
        elif is_present(solver, var):
            start = value_of(solver, var.start) * grid
            others = tuple(m for m in attendees[(kind, occ)] if m != manager)
            drafts.append(DraftBlock(manager, slot.date, kind, start, start + value_of(solver, var.size) * grid,
                                     with_=others))

    choose_partners(drafts, situation.policy, model.groups, solver)
    notes = assign_places(situation.department, situation.policy, drafts, situation.closures, joined,
                          tm.week_venues())
    blocks = [kept.get(id(d)) or d.block() for d in drafts] + model.outside
    blocks.sort(key=lambda b: (b.manager, b.date, b.start, b.kind))
    return blocks, notes
