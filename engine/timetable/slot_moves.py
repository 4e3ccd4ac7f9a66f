"""The department slots moved while the week gets cheaper: the first week's last step.

Once the department slots (meetings, site study) are placed, no rule of the week reads
two groups at once (decompose.py), so each group's week around the slots is a small
model CP-SAT solves to proof in well under a second, and the department's week costs
the sum of its groups' weeks — but for the latest finish of all, which the department
pays once, for the latest group. The slots themselves are what the groups share, and a
slot placed for one group's needs (or for the hours alone) can cost every other group
late finishes and office pieces: a meeting ending after the normal end of the day makes
everyone finish late. So the slots are moved one at a time — earlier or later by a
step, or for a weekly slot to another day — every group's week is solved again around
the moved slots, and a move is kept when the whole week costs less; a kept move is
followed in the same direction while it pays. Stops when no move pays or the time is up.

A move is judged on the groups' own costs, so the week it keeps is never worse on any
rule the model prices, and it keeps no fewer hours (a slot short costs more than every
preference together, shortfalls.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TypeVar

from ortools.sat.python import cp_model

from engine.timetable.model import TimetableModel
from engine.timetable.objective import LATEST_FINISH

Weeks = TypeVar("Weeks")


@dataclass(frozen=True)
class DepartmentSlot:
    """A department slot placed: its kind, day (index in the week) and start and size in grid slots."""

    kind: str
    day: int
    start: int
    size: int


STEP_MINUTES = 30
"""A move shifts a slot by this much (then by as much again while it pays): finer steps
are left to the joint model, which starts from the week found here."""


def week_cost(groups: list[tuple[cp_model.CpSolver, TimetableModel, int]]) -> float:
    """The department week's objective from its groups' weeks (solver, model, how many
    groups share that week): each group's cost without the latest finish, plus the
    latest finish of all once."""
    total, latest = 0.0, 0.0
    for solver, sub, count in groups:
        own_latest = sum(weight * solver.value(expr) for name, weight, expr in sub.penalties
                         if name == LATEST_FINISH)
        total += (solver.objective_value - own_latest) * count
        latest = max(latest, own_latest)
    return total + latest


def _start_range(tm: TimetableModel, kind: str, day: int) -> tuple[int, int] | None:
    """The grid slots a department slot of `kind` may start at on `day` (its window)."""
    for occurrence in tm.department_blocks.get(kind, []):
        if occurrence.day == day:
            domain = list(occurrence.start.proto.domain)  # [lo, hi, lo, hi, ...]
            return domain[0], domain[-1]
    return None


def slot_moves(tm: TimetableModel, slots: list[DepartmentSlot],
               last_kept: tuple[int, DepartmentSlot] | None) -> Iterator[list[DepartmentSlot]]:
    """Every slot list one move away from `slots`: the move kept last, again, first; then
    each slot a step earlier and later, then a weekly slot (no per-day minutes) on another
    day at the same time."""
    step = max(1, tm.slots(STEP_MINUTES))
    moves: list[tuple[int, DepartmentSlot]] = []
    if last_kept is not None:
        moves.append(last_kept)
    for index, slot in enumerate(slots):
        for delta in (-step, step):
            moves.append((index, replace(slot, start=slot.start + delta)))
    for index, slot in enumerate(slots):
        if tm.policy.kinds[slot.kind].per_day_minutes is None:
            taken = {s.day for s in slots if s.kind == slot.kind}
            moves += [(index, replace(slot, day=day.index)) for day in tm.frame.days if day.index not in taken]
    seen: set = set()
    for index, moved in moves:
        window = _start_range(tm, moved.kind, moved.day)
        if window is None or not window[0] <= moved.start <= window[1]:
            continue
        key = (index, moved)
        if key in seen:
            continue
        seen.add(key)
        yield [moved if i == index else s for i, s in enumerate(slots)]


def move_slots(tm: TimetableModel, slots: list[DepartmentSlot], cost: float,
               solve_groups: Callable[[list[DepartmentSlot]], tuple[float, Weeks] | None], deadline: float,
               stall_s: float | None = None) -> tuple[list[DepartmentSlot], float, Weeks | None]:
    """Slots moved one at a time while the week costs less (`solve_groups(slots)` gives the
    cost of the groups' weeks around `slots` and those weeks, or None when some group has
    none), until no move pays, `deadline` (perf_counter seconds) or `stall_s` without a
    move that pays (as a search that has settled ends, search_stall.py). Returns the
    slots, the cost and the groups' weeks of the last kept move (None when no move was
    kept)."""

    def stop_after(since: float) -> float:
        return deadline if stall_s is None else min(deadline, since + stall_s)

    stop = stop_after(time.perf_counter())
    kept: Weeks | None = None
    last_move: tuple[int, DepartmentSlot] | None = None
    evaluation_s = 0.0
    improved = True
    while improved:
        improved = False
        for moved in slot_moves(tm, slots, last_move):
            started = time.perf_counter()
            if stop - started < evaluation_s:
                return slots, cost, kept
            tried = solve_groups(moved)
            evaluation_s = max(evaluation_s, time.perf_counter() - started)
            if tried is not None and tried[0] < cost:
                index = next(i for i, (a, b) in enumerate(zip(slots, moved, strict=True)) if a != b)
                again = _again(slots[index], moved[index])
                cost, kept = tried[0], tried[1]
                last_move = (index, again) if again is not None else None
                slots = moved
                improved = True
                stop = stop_after(time.perf_counter())
                break
    return slots, cost, kept


def _again(before: DepartmentSlot, after: DepartmentSlot) -> DepartmentSlot | None:
    """The same move once more: a shift by the same step (a move to another day is not
    repeated)."""
    if before.day != after.day:
        return None
    return replace(after, start=after.start + (after.start - before.start))
