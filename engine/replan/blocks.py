"""The re-planned blocks read from the solver: pinned ones exactly as they were, the
rest with their partners chosen again (pairs.py) and their places by the weekly
solve's assignment (engine.timetable.places), told what the events closed."""

from __future__ import annotations

from ortools.sat.python import cp_model

from engine.domain import Block, Conflict
from engine.replan.model import ReplanModel
from engine.replan.pairs import choose_partners, joiners, relinked
from engine.replan.situation import Situation
from engine.timetable.extract import department_attendees, is_present, value_of
from engine.timetable.model import BlockVar
from engine.timetable.places import DraftBlock, assign_places


def _pinned(block: Block) -> DraftBlock:
    return DraftBlock(block.manager, block.date, block.kind, block.start, block.end, block.with_,
                      block.retailer, fixed=True, previous=block.retailer)


def _previous_place(old: Block | None, in_a_new_group: bool) -> str | None:
    """The place a block had before, kept while usable; a paired session of a manager
    in a new group (one he joined, or two left alone paired together) takes that group's
    store, where the model's rides went (constraints._store_rides), not his old group's."""
    return None if old is None or in_a_new_group else old.retailer


def _stand_in(model: ReplanModel, solver: cp_model.CpSolver, var: BlockVar) -> str | None:
    """The place the model held a session at instead of its place closed that day
    (model.py `stand_ins`), when it did."""
    return next((place for place, literals in model.stand_ins.get(id(var), ())
                 if all(solver.boolean_value(lit) for lit in literals)), None)


def replanned_blocks(model: ReplanModel, solver: cp_model.CpSolver,
                     situation: Situation) -> tuple[list[Block], list[Conflict]]:
    """Every block of the re-planned week (the pinned ones the model could not hold
    included), sorted by manager, date, start and kind; and the notes on places."""
    tm, grid = model.tm, model.tm.grid
    drafts: list[DraftBlock] = []
    kept: dict[int, Block] = {}
    elsewhere: set[int] = set()

    def pin(block: Block) -> None:
        draft = _pinned(block)
        kept[id(draft)] = block
        drafts.append(draft)

    department_slots = {id(s.var): s for s in model.slots if s.var.manager is None}
    joined = joiners(model.groups, solver)
    regrouped = relinked(model.groups, solver)
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
            stand_in = _stand_in(model, solver, var)
            drafts.append(DraftBlock(var.manager, slot.date, var.kind, start,
                                     start + value_of(solver, var.size) * grid,
                                     previous=stand_in or _previous_place(slot.old, var.manager in regrouped
                                                                          and var.kind in paired)))
            if stand_in is not None and var.kind in paired:
                elsewhere.add(id(drafts[-1]))
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
    # A group's sessions of a day its store is closed are placed on their own, at the
    # stand-in the model held their rides to; its other sessions keep its store.
    notes = [note for part in ([d for d in drafts if id(d) not in elsewhere], [d for d in drafts if id(d) in elsewhere])
             for note in assign_places(situation.department, situation.policy, part, situation.closures, joined,
                                       tm.week_venues())]
    blocks = [kept.get(id(d)) or d.block() for d in drafts] + model.outside
    blocks.sort(key=lambda b: (b.manager, b.date, b.start, b.kind))
    return blocks, notes
