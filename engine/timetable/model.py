"""Variables of the timetable model: every block a manager could have in the week.

Time is counted in grid slots (the policy's `grid_minutes`) after midnight of the
block's own day; every block belongs to one fixed working day, so "different days"
and "one per day" are structural and the per-day no-overlap stays small.

The rules that tie the variables together live in constraints.py, the soft rules in
objective.py. In explanation mode each hard rule is enforced through one literal, so
that an infeasible week can be traced back to the rules that conflict (explain.py).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from engine.domain import Department
from engine.policy import KindRule, Policy, Weekday
from engine.routing.approach import (
    approach_minutes,
    back_from_leave,
    first_stop_rides,
    first_stop_time,
    fixed_slots,
    leave_delay,
    shortest_useful_block,
)
from engine.rules import RULES
from engine.timetable.venues import Venues, holds_a_store, week_venues, without_own_store
from engine.timetable.week import ManagerWeek, WeekFrame, WorkDay, build_week

MAX_PIECES_PER_DAY = 2
"""How many pieces of one weekly kind the model offers a manager per day. More would
only fragment the day; raised automatically if a quota needs more pieces than that."""


@dataclass
class BlockVar:
    """One block the model may place: a manager's (or the department's) kind on a day."""

    kind: str
    manager: str | None
    day: int
    start: cp_model.IntVar
    size: cp_model.IntVar | int
    end: cp_model.LinearExprT
    present: cp_model.IntVar | int
    interval: cp_model.IntervalVar
    occurrence: int = 0

    @property
    def optional(self) -> bool:
        return not isinstance(self.present, int)

    def present_literal(self, cp: cp_model.CpModel) -> cp_model.IntVar:
        if isinstance(self.present, int):
            return cp.new_constant(self.present)
        return self.present


@dataclass(frozen=True)
class Shortfall:
    """Hours the plan may fall short of, at a cost, instead of having no plan at all (a
    re-plan: the week as it happens can make the quotas impossible to keep). Each grid
    slot short of a weekly quota costs `per_slot`; a daily block may be missed, at that
    cost per slot of its length, only on the (manager, day index) of `excused_days`.
    `floors` bounds what may be missed: (manager, kind) -> the grid slots and sessions
    of the weekly kind the plan keeps at least (a re-plan loses only what the events took)."""

    per_slot: int
    excused_days: frozenset[tuple[str, int]] = frozenset()
    floors: Mapping[tuple[str, str], tuple[int, int]] = field(default_factory=dict)


@dataclass
class TimetableModel:
    """The CP-SAT model with named handles on its variables."""

    department: Department
    policy: Policy
    frame: WeekFrame
    explain: bool
    cp: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    rule_literals: dict[str, cp_model.IntVar] = field(default_factory=dict)
    blocks: dict[tuple[str, str], list[BlockVar]] = field(default_factory=dict)
    department_blocks: dict[str, list[BlockVar]] = field(default_factory=dict)
    attendance: dict[tuple[str, str, int], BlockVar] = field(default_factory=dict)
    absences: list[tuple[str, str, cp_model.IntVar]] = field(default_factory=list)
    leave_intervals: dict[tuple[str, int], list[cp_model.IntervalVar]] = field(default_factory=dict)
    fixed_blocks: dict[tuple[str, int], list[BlockVar]] = field(default_factory=dict)
    """(manager, day) -> blocks kept at fixed times that no variable of the model stands
    for (a re-plan's past): every rule that reads a manager's day sees them as occupied."""
    lunches: dict[tuple[str, int], BlockVar] = field(default_factory=dict)
    approach: dict[str, int] = field(default_factory=dict)
    first_rides: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Manager -> the rides from the office to his nearest visits due this week, one per
    visit day, nearest first (routing/approach.first_stop_rides): each visit day opens with
    a retailer of its own (constraints._a_first_retailer_for_each_visit_day)."""
    field_periods: dict[tuple[str, int], tuple] = field(default_factory=dict)
    pairs: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    known_groups: dict[str, frozenset[str]] = field(default_factory=dict)
    """Manager -> the members of the pair (or group of three) he is already in, for a
    model without pair literals (a re-plan keeps its groups): his paired sessions are
    at that group's store."""
    joinable: dict[str, list[tuple[frozenset[str], cp_model.IntVar]]] = field(default_factory=dict)
    """Manager -> the groups he may join, each with the literal that he does (a re-plan's
    manager left without a partner): his paired sessions are at the store of the group
    he joins."""
    past: dict[int, str | None] = field(default_factory=dict)
    """Blocks that started before a re-plan's moment (pinned, or held as fixed blocks),
    by `id` of their BlockVar, with the retailer each was held at (None: none named):
    facts of the week, so the ride between two of them is not the model's to keep; the
    ride from one of them to a block still to be planned is, from where it was held."""
    in_trio: dict[str, cp_model.IntVar] = field(default_factory=dict)
    solo: dict[str, cp_model.IntVar] = field(default_factory=dict)
    penalties: list[tuple[str, int, cp_model.LinearExprT]] = field(default_factory=list)
    no_room_for_leave: list[tuple[str, str, int, tuple[int, int, int]]] = field(default_factory=list)
    """Daily blocks (and `min_per_day` sessions of a weekly kind) a part-day leave leaves
    no room for (manager, kind, day index, the block's window): not owed, so not in the
    model (or not asked that day), but the manager is told of each
    (shortfalls.excused_day_shortfalls)."""
    room_beside_leave: dict[tuple[str, str, int], int] = field(default_factory=dict)
    """(manager, kind, day index) of a daily block of `no_room_for_leave` planned shorter
    instead (the kind's `shortest_beside_leave`) -> the longest the block could be beside
    the leave, in minutes: each minute of that it is not is short (constraints.add_daily_blocks)."""
    back_from_leave: dict[tuple[str, int], int] = field(default_factory=dict)
    """(manager, day index) -> when he is back from a part-day leave that took the start of
    his field day (routing/approach.back_from_leave): his first stop and visit block then
    move on by as long (`route.later_first_stop_after_leave`)."""
    shortfall: Shortfall | None = None
    """None: the quotas and daily blocks are hard (the weekly solve)."""
    venues: Venues | None = None
    """The week's places and rides, once computed (`week_venues`)."""

    def week_venues(self) -> Venues:
        """The places of the week's blocks and the rides between them (computed once)."""
        if self.venues is None:
            self.venues = week_venues(self.department, self.policy, self.frame.week_start)
        return self.venues

    @property
    def grid(self) -> int:
        return self.policy.grid_minutes

    def slots(self, minutes: int) -> int:
        """Minutes -> grid slots (rounded down: a boundary never moves later)."""
        return minutes // self.grid

    def enforce(self, constraint: cp_model.Constraint, rule: str) -> cp_model.Constraint:
        """Tie a hard constraint to its rule's literal when explaining infeasibility."""
        if self.explain:
            constraint.only_enforce_if(self.rule_literals[rule])
        return constraint

    def manager_blocks(self, manager: str, day: int | None = None) -> list[BlockVar]:
        found = [b for (m, _), bs in self.blocks.items() if m == manager for b in bs]
        found += [b for (m, _, _), b in self.attendance.items() if m == manager]
        found += [b for (m, _), b in self.lunches.items() if m == manager]
        found += [b for (m, _), bs in self.fixed_blocks.items() if m == manager for b in bs]
        return [b for b in found if day is None or b.day == day]


def kind_window(policy: Policy, rule: KindRule, minutes_min: int, weekday: Weekday) -> tuple[int, int, int]:
    """(earliest start, latest start, latest end) in minutes for a block of at least `minutes_min`
    on a day following `weekday`'s rules: the kind's window that day (`windows`, e.g. the
    Monday meeting), and field work over by the policy's `day.field_ends_by` (SPEC §3)."""
    own_earliest, own_latest_end = rule.window(weekday)
    earliest = max(own_earliest, policy.day.start)
    latest_end = min(own_latest_end, policy.day.end)
    if rule.place == "field" and policy.day.field_ends_by is not None:
        latest_end = min(latest_end, policy.day.field_ends_by)
    latest_start = latest_end - minutes_min
    if rule.latest_start is not None:
        latest_start = min(latest_start, rule.latest_start)
    return earliest, latest_start, latest_end


def daily_window(policy: Policy, kind: str, minutes: int, weekday: Weekday, approach: int,
                 back: int | None = None) -> tuple[int, int, int]:
    """The window of a manager's daily block of `kind` on a day following `weekday`'s rules:
    `kind_window`, and for the visit block the first-stop rule (the ride to the first
    retailer from the office, when the block opens the day, is bounded by
    constraints.add_rides_between_places with `approach`, the manager's ride). `back`: he
    is back then from a leave that took the start of his day (routing/approach.
    back_from_leave): the visit block's latest start moves on by as long as the leave
    kept him (routing/approach.leave_delay)."""
    rule = policy.kinds[kind]
    earliest, latest_start, latest_end = kind_window(policy, rule, minutes, weekday)
    if kind == "visit":
        delay = leave_delay(policy, back)
        if delay and rule.latest_start is not None:
            latest_start = max(latest_start, min(latest_end - minutes, rule.latest_start + delay))
        latest_start = min(latest_start, first_stop_time(policy, weekday, approach, back))
    return earliest, latest_start, latest_end


def room_window(policy: Policy, kind: str, minutes: int, weekday: Weekday, approach: int,
                back: int | None = None) -> tuple[int, int, int]:
    """`daily_window`, its latest start the one the model really allows: a visit block
    starts by its first-stop time less the ride out of the office rounded up to the grid
    (constraints._ride_out_of_the_office), so a leave to 09:25 leaves a 2-min ride's visit
    block no start (09:30 is past its 09:20), as one to 09:50 does. What a part-day
    leave leaves no room for is judged on it (`no_room_for_leave`). Its latest end leaves
    the ride back to the office (at least the office–field buffer) before the latest start
    of an office block owed every day that can only follow the field work
    (`_office_after_field`, the daily report by 16:00): a manager 111 min out, back from
    leave at 09:00, has no room for a 330-min block (09:00–14:30, at the office 16:30)
    but has for a shorter one, so the block is planned shorter (`room_beside_leave`)
    instead of owed whole and left with no week that holds it."""
    earliest, latest_start, latest_end = daily_window(policy, kind, minutes, weekday, approach, back)
    if kind == "visit" and approach:
        grid = policy.grid_minutes
        by = first_stop_time(policy, weekday, approach, back) // grid - math.ceil(approach / grid)
        latest_start = min(latest_start, by * grid)
        back_by = _office_after_field(policy, weekday, latest_end)
        if policy.kinds[kind].place == "field" and back_by is not None:
            ride_back = max(_grid_up(approach, grid), _grid_up(policy.travel.office_field_buffer_min, grid))
            latest_end = min(latest_end, back_by - ride_back)
    return earliest, latest_start, latest_end


def _office_after_field(policy: Policy, weekday: Weekday, field_ends: int) -> int | None:
    """The latest start of the manager's own office blocks owed every day (`per_day_minutes`
    or `min_per_day`) whose window opens only when the field work of a day following
    `weekday`'s rules is over (`field_ends`): the daily report slot, 15:00–16:00 after
    field work over by 15:00. None when no such block is owed."""
    starts = []
    for rule in policy.kinds.values():
        if rule.place != "office" or rule.group != "single":
            continue
        if rule.per_day_minutes is not None:
            shortest = rule.per_day_minutes.get(weekday)
        else:
            shortest = rule.session_minutes[0] if rule.min_per_day and rule.session_minutes else None
        if shortest is None:
            continue
        earliest, latest_start, _ = kind_window(policy, rule, shortest, weekday)
        if earliest >= field_ends:
            starts.append(latest_start)
    return min(starts, default=None)


def _new_block(
    tm: TimetableModel,
    kind: str,
    manager: str | None,
    day: int,
    window: tuple[int, int, int],
    size: tuple[int, int],
    optional: bool,
    name: str,
) -> BlockVar:
    cp = tm.cp
    lo, hi = tm.slots(window[0] + tm.grid - 1), tm.slots(window[1])
    start = cp.new_int_var(lo, max(lo, hi), f"start[{name}]")
    if size[0] == size[1]:
        size_var: cp_model.IntVar | int = tm.slots(size[0])
    else:
        size_var = cp.new_int_var(tm.slots(size[0]), tm.slots(size[1]), f"size[{name}]")
    if isinstance(size_var, int):
        end: cp_model.LinearExprT = start + size_var
    else:
        # CP-SAT intervals need an affine end: a variable of its own when the size varies.
        end = cp.new_int_var(lo + tm.slots(size[0]), tm.slots(window[2]), f"end[{name}]")
    if hi < lo:
        # No room at all: the block can only be absent (or the rules conflict).
        present: cp_model.IntVar | int = cp.new_bool_var(f"present[{name}]")
        cp.add(present == 0)
        optional = True
    else:
        present = cp.new_bool_var(f"present[{name}]") if optional else 1
    if isinstance(present, int):
        interval = cp.new_interval_var(start, size_var, end, f"interval[{name}]")
    else:
        interval = cp.new_optional_interval_var(start, size_var, end, present, f"interval[{name}]")
    return BlockVar(kind, manager, day, start, size_var, end, present, interval)


def _pieces_per_day(rule: KindRule, sessions_min: int, n_days: int) -> int:
    if rule.different_days:
        return 1
    pieces = min(rule.max_per_day or MAX_PIECES_PER_DAY, MAX_PIECES_PER_DAY)
    if n_days:
        pieces = max(pieces, math.ceil(sessions_min / n_days))
    if rule.max_per_day:
        pieces = min(pieces, rule.max_per_day)
    return max(1, pieces)


def add_rule_literals(tm: TimetableModel) -> None:
    """One literal per hard rule (used only when explaining an infeasible week)."""
    for rule in RULES.values():
        if rule.hard:
            tm.rule_literals[rule.id] = tm.cp.new_bool_var(f"rule[{rule.id}]")


def add_department_blocks(tm: TimetableModel) -> None:
    """Department-wide slots (meetings, site study): one shared start per occurrence."""
    for kind, rule in tm.policy.kinds.items():
        if rule.group != "department":
            continue
        occurrences: list[BlockVar] = []
        for day in tm.frame.days:
            if rule.per_day_minutes is not None:
                minutes = rule.per_day_minutes.get(day.weekday)
                if minutes is None:
                    continue
                block = _new_block(tm, kind, None, day.index, kind_window(tm.policy, rule, minutes, day.weekday),
                                   (minutes, minutes), True, f"{kind},{day.weekday}")
                occurrences.append(block)
            else:
                assert rule.sessions and rule.session_minutes
                block = _new_block(tm, kind, None, day.index,
                                   kind_window(tm.policy, rule, rule.session_minutes[0], day.weekday),
                                   rule.session_minutes, True, f"{kind},{day.weekday}")
                occurrences.append(block)
        for i, block in enumerate(occurrences):
            block.occurrence = i
        tm.department_blocks[kind] = occurrences


def add_attendance(tm: TimetableModel) -> None:
    """Each manager's copy of a department slot, present unless on leave at that time."""
    cp = tm.cp
    for kind, occurrences in tm.department_blocks.items():
        for occ in occurrences:
            for manager_id, mw in tm.frame.managers.items():
                name = f"{kind},{manager_id},{occ.occurrence}"
                slot_present = occ.present_literal(cp)
                if not mw.works_on(occ.day):
                    tm.absences.append((kind, manager_id, slot_present))
                    continue
                leave = mw.partial_leave.get(occ.day, [])
                if not leave:
                    attend = occ.present
                else:
                    attend = cp.new_bool_var(f"attend[{name}]")
                    overlaps = []
                    for i, (ls, le) in enumerate(leave):
                        ov = cp.new_bool_var(f"overlaps_leave[{name},{i}]")
                        # ov <=> start < leave end and end > leave start
                        before, after = cp.new_bool_var(""), cp.new_bool_var("")
                        cp.add(occ.end <= tm.slots(ls)).only_enforce_if(before)
                        cp.add(occ.end > tm.slots(ls)).only_enforce_if(~before)
                        cp.add(occ.start >= tm.slots(le)).only_enforce_if(after)
                        cp.add(occ.start < tm.slots(le)).only_enforce_if(~after)
                        cp.add_bool_or([before, after]).only_enforce_if(~ov)
                        cp.add_bool_and([~before, ~after]).only_enforce_if(ov)
                        overlaps.append(ov)
                    # attend <=> slot present and no overlap with leave
                    cp.add_bool_and([slot_present] + [~o for o in overlaps]).only_enforce_if(attend)
                    cp.add_bool_or([~slot_present, *overlaps]).only_enforce_if(~attend)
                    absent = cp.new_bool_var(f"absent[{name}]")
                    cp.add_bool_and([slot_present, ~attend]).only_enforce_if(absent)
                    cp.add_bool_or([~slot_present, attend]).only_enforce_if(~absent)
                    tm.absences.append((kind, manager_id, absent))
                if isinstance(attend, int):
                    interval = cp.new_interval_var(occ.start, occ.size, occ.end, f"interval[{name}]")
                else:
                    interval = cp.new_optional_interval_var(occ.start, occ.size, occ.end, attend,
                                                            f"interval[{name}]")
                tm.attendance[(manager_id, kind, occ.occurrence)] = BlockVar(
                    kind, manager_id, occ.day, occ.start, occ.size, occ.end, attend, interval, occ.occurrence
                )


def add_manager_blocks(tm: TimetableModel) -> None:
    """Daily and weekly blocks of each manager (single and paired kinds), on days he works."""
    policy = tm.policy
    for manager_id, mw in tm.frame.managers.items():
        for kind, rule in policy.kinds.items():
            if rule.group == "department":
                continue
            found: list[BlockVar] = []
            if rule.per_day_minutes is not None:
                for day in tm.frame.days:
                    minutes = rule.per_day_minutes.get(day.weekday)
                    if minutes is None or not mw.works_on(day.index):
                        continue
                    approach = tm.approach.get(manager_id, 0)
                    back = (back_from_leave(policy, day.weekday, approach, mw.partial_leave.get(day.index, []))
                            if kind == "visit" else None)
                    if back is not None:
                        tm.back_from_leave[(manager_id, day.index)] = back
                    window = daily_window(policy, kind, minutes, day.weekday, approach, back)
                    room = room_window(policy, kind, minutes, day.weekday, approach, back)
                    # Only a leave excuses a block: a window the policy leaves no start in
                    # is the policy's conflict, which an infeasible week explains.
                    fixed = fixed_department_slots(policy, day.weekday, mw, day.index)
                    if mw.partial_leave.get(day.index) and not room_beside(
                            policy, mw, day.index, room, minutes, tm.grid, fixed, rule.place == "field"):
                        # A partial leave that leaves no room excuses the day's block, but
                        # for the part of it that fits beside the leave and the lunch.
                        tm.no_room_for_leave.append((manager_id, kind, day.index, room))
                        shortest = (shortest_useful_block(policy, rule, day.weekday, approach)
                                    if rule.shortest_beside_leave is not None else None)
                        if shortest is not None:
                            # A shorter block may start later and still end in time.
                            window = daily_window(policy, kind, shortest, day.weekday, approach, back)
                            room = room_window(policy, kind, shortest, day.weekday, approach, back)
                        longest = _longest_beside_leave(policy, mw, day.index, room, minutes, shortest, tm.grid,
                                                        fixed, rule.place == "field")
                        if longest is not None and shortest is not None:
                            tm.room_beside_leave[(manager_id, kind, day.index)] = longest
                            found.append(_new_block(tm, kind, manager_id, day.index, window,
                                                    (_grid_up(shortest, tm.grid), longest),
                                                    True, f"{kind},{manager_id},{day.weekday}"))
                        continue
                    found.append(_new_block(tm, kind, manager_id, day.index, window, (minutes, minutes),
                                            True, f"{kind},{manager_id},{day.weekday}"))
            else:
                quota = mw.quotas[kind]
                if quota.empty:
                    tm.blocks[(manager_id, kind)] = []
                    continue
                working = [d for d in tm.frame.days if mw.works_on(d.index)]
                pieces = _pieces_per_day(rule, quota.sessions_min, len(working))
                size = (quota.session_minutes_min, quota.session_minutes_max)
                _note_no_room_each_day(tm, manager_id, kind, working)
                for day in working:
                    for piece in range(pieces):
                        block = _new_block(tm, kind, manager_id, day.index,
                                           kind_window(policy, rule, size[0], day.weekday), size, True,
                                           f"{kind},{manager_id},{day.weekday},{piece}")
                        block.occurrence = piece
                        found.append(block)
            tm.blocks[(manager_id, kind)] = found


def _grid_up(minutes: int, grid: int) -> int:
    return -(-minutes // grid) * grid


def fixed_department_slots(policy: Policy, weekday: Weekday, mw: ManagerWeek, day: int) -> list[tuple[int, int]]:
    """The department's fixed slots that weekday (routing/approach.fixed_slots, the Monday
    meeting 08:00–08:40) this manager holds: all but those his leave takes part of (he is
    then absent from them)."""
    return [(start, end) for start, end in fixed_slots(policy, weekday) if not mw.on_leave_during(day, start, end)]


def _longest_beside_leave(policy: Policy, mw: ManagerWeek, day: int, room: tuple[int, int, int], minutes: int,
                          shortest: int | None, grid: int, fixed: list[tuple[int, int]], field: bool) -> int | None:
    """The longest block (whole grid slots, shorter than `minutes`, at least `shortest`) that
    `_clear` finds a start for in its window `room`; None when `shortest` is not set or not
    even that fits. The rides to and from the leave are the model's to hold: the block's
    length is a variable up to this, each slot less costs (constraints.add_daily_blocks)."""
    if shortest is None:
        return None
    earliest, latest_start, latest_end = room
    for length in range(minutes // grid * grid, _grid_up(shortest, grid) - 1, -grid):
        if length >= minutes:
            continue
        if any(_clear(policy, mw, day, start, start + length, grid, fixed, field)
               for start in range(_grid_up(earliest, grid), min(latest_start, latest_end - length) + 1, grid)):
            return length
    return None


def room_beside(policy: Policy, mw: ManagerWeek, day: int, room: tuple[int, int, int], minutes: int, grid: int,
                fixed: list[tuple[int, int]], field: bool) -> bool:
    """Whether the whole block has a start in its window `room` that `_clear` accepts."""
    earliest, latest_start, latest_end = room
    return any(_clear(policy, mw, day, start, start + minutes, grid, fixed, field)
               for start in range(_grid_up(earliest, grid), min(latest_start, latest_end - minutes) + 1, grid))


def _clear(policy: Policy, mw: ManagerWeek, day: int, start: int, end: int, grid: int,
           fixed: list[tuple[int, int]], field: bool) -> bool:
    """A block [start, end) on a day of part-day leave: clear of the leave and of the
    department's `fixed` slots (`fixed_department_slots`: a far manager's Monday block starts
    after the meeting, so a leave from 11:00 takes its end), and leaving a lunch the day
    owes (week.ManagerWeek.owes_lunch) a start in its window clear of the leave and of the
    block — of a `field` block by the policy's field transfer too, as the model keeps them
    (constraints.add_one_place_at_a_time): a leave 12:30–13:00 leaves lunch 11:30–12:30,
    so a visit block from the Monday meeting's end cannot run its whole 180 min."""
    if mw.on_leave_during(day, start, end) or any(a < end and start < b for a, b in fixed):
        return False
    lunch = policy.lunch
    if lunch.during_visit or not lunch.minutes or not mw.owes_lunch(day, lunch, grid):
        return True
    gap = _grid_up(policy.travel.field_transfer_min, grid) if field else 0
    last = min(lunch.latest_end, policy.day.end) - lunch.minutes
    return any(not (at < end + gap and start < at + lunch.minutes) and not mw.on_leave_during(day, at, at + lunch.minutes)
               for at in range(_grid_up(lunch.earliest, grid), last + 1, grid))


def _note_no_room_each_day(tm: TimetableModel, manager: str, kind: str, working: list[WorkDay]) -> None:
    """The days a part-day leave leaves a weekly kind's `min_per_day` session (the daily
    report slot) no room: constraints._sessions_every_day asks none there, and the
    manager is told (`no_room_for_leave`)."""
    rule, mw = tm.policy.kinds[kind], tm.frame.managers[manager]
    if rule.min_per_day is None:
        return
    shortest = mw.quotas[kind].session_minutes_min
    for day in working:
        window = kind_window(tm.policy, rule, shortest, day.weekday)
        if mw.partial_leave.get(day.index) and not mw.room_outside_leave(day.index, *window, shortest, tm.grid):
            tm.no_room_for_leave.append((manager, kind, day.index, window))


def add_lunches(tm: TimetableModel) -> None:
    """A lunch block each working day. Where lunch is taken on the road inside the visit
    block, only on a day of part-day leave, which may shorten that block or take it
    (`room_beside_leave`, `no_room_for_leave`): he still lunches, apart from it when it
    does not hold the lunch (constraints.add_lunch)."""
    lunch = tm.policy.lunch
    if lunch.minutes == 0:
        return
    for manager_id, mw in tm.frame.managers.items():
        for day in tm.frame.days:
            if not mw.works_on(day.index) or (lunch.during_visit and not mw.partial_leave.get(day.index)):
                continue
            latest_end = min(lunch.latest_end, tm.policy.day.end)
            window = (max(lunch.earliest, tm.policy.day.start), latest_end - lunch.minutes, latest_end)
            tm.lunches[(manager_id, day.index)] = _new_block(
                tm, "lunch", manager_id, day.index, window, (lunch.minutes, lunch.minutes), True,
                f"lunch,{manager_id},{day.weekday}")


def add_leave_intervals(tm: TimetableModel) -> None:
    """Partial-day leave as fixed intervals (whole-day leave simply has no blocks)."""
    for manager_id, mw in tm.frame.managers.items():
        for day, spans in mw.partial_leave.items():
            intervals = []
            for i, (start, end) in enumerate(spans):
                lo, hi = tm.slots(start), -(-end // tm.grid)
                name = f"leave[{manager_id},{day},{i}]"
                if tm.explain:
                    intervals.append(tm.cp.new_optional_fixed_size_interval_var(
                        lo, hi - lo, tm.rule_literals["leave"], name))
                else:
                    intervals.append(tm.cp.new_fixed_size_interval_var(lo, hi - lo, name))
            tm.leave_intervals[(manager_id, day)] = intervals


def add_fixed_block(tm: TimetableModel, manager: str, day: int, kind: str, start: int, end: int) -> None:
    """A block held at `start`-`end` (minutes) on a manager's day, not a variable: the
    day's other blocks stay clear of it, with the rides its place asks (SPEC §6)."""
    lo, hi = tm.slots(start), -(-end // tm.grid)
    name = f"fixed[{kind},{manager},{day},{lo}]"
    start_var = tm.cp.new_int_var(lo, lo, f"start[{name}]")
    interval = tm.cp.new_fixed_size_interval_var(start_var, hi - lo, f"interval[{name}]")
    tm.fixed_blocks.setdefault((manager, day), []).append(
        BlockVar(kind, manager, day, start_var, hi - lo, start_var + (hi - lo), 1, interval))


def add_pair_variables(tm: TimetableModel) -> None:
    """One literal per possible pair of managers who both do paired work this week."""
    if not any(rule.group == "pair" for rule in tm.policy.kinds.values()):
        return
    eligible = tm.frame.paired_managers
    trio = len(eligible) % 2 == 1 and tm.policy.pairs.odd_headcount == "trio"
    storeless = without_own_store(tm.department, tm.policy)
    for i, a in enumerate(eligible):
        for b in eligible[i + 1:]:
            # Managers whose leave leaves too few shared days can never pair: no literal.
            # Two without a promotion store of their own are only ever together in a group
            # of three with a member who has one (venues.without_own_store,
            # constraints.group_store_rules): no literal without a group of three, except
            # when explaining, so that the rule can be named.
            if tm.frame.can_pair(a, b) and (trio or tm.explain or holds_a_store((a, b), storeless)):
                tm.pairs[(a, b)] = tm.cp.new_bool_var(f"pair[{a},{b}]")
    if len(eligible) % 2 == 1:
        for m in eligible:
            if tm.policy.pairs.odd_headcount == "trio":
                tm.in_trio[m] = tm.cp.new_bool_var(f"in_trio[{m}]")
            else:
                tm.solo[m] = tm.cp.new_bool_var(f"solo[{m}]")


def build_variables(department: Department, policy: Policy, week_start: dt.date,
                    explain: bool = False) -> TimetableModel:
    """Step 1: every variable of the model, with domains from the policy's windows."""
    return variables_for_week(department, policy, build_week(department, policy, week_start), explain)


def visit_days(policy: Policy, frame: WeekFrame, manager: str) -> int:
    """The days of the week the manager holds a visit block (he works them and the policy
    plans one on their weekday)."""
    rule = policy.kinds.get("visit")
    if rule is None or rule.per_day_minutes is None:
        return 0
    mw = frame.managers[manager]
    return sum(1 for d in frame.days if d.weekday in rule.per_day_minutes and mw.works_on(d.index))


def variables_for_week(department: Department, policy: Policy, frame: WeekFrame, explain: bool = False,
                       choose_pairs: bool = True, like: TimetableModel | None = None) -> TimetableModel:
    """Every variable of the model for a given week frame. `choose_pairs=False` leaves
    out the pair literals: the caller keeps groups it already has (a re-plan). `like`: a
    model of the same department and week whose rides and places are reused (a part of
    the week solved on its own)."""
    tm = TimetableModel(department, policy, frame, explain)
    if like is not None:
        tm.approach, tm.first_rides, tm.venues = like.approach, like.first_rides, like.week_venues()
    else:
        tm.approach = approach_minutes(department, policy, frame.week_start)
        tm.first_rides = {m: first_stop_rides(department, policy, frame.week_start, m, visit_days(policy, frame, m))
                          for m in frame.managers}
    add_rule_literals(tm)
    add_department_blocks(tm)
    add_attendance(tm)
    add_manager_blocks(tm)
    add_lunches(tm)
    add_leave_intervals(tm)
    if choose_pairs:
        add_pair_variables(tm)
    return tm
