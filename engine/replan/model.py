"""The re-plan's CP-SAT model: the weekly model plus pins.

It is built from the weekly model's variables (`engine.timetable.model`) and the SAME
registry of hard rules (`constraints.add_hard_rules`) and soft rules
(`objective.add_objective`); a rule added to the week reaches the re-plan unchanged.
What a re-plan adds, and only that:
- the past is pinned: blocks that started before `now` are fixed, nothing new starts
  before it;
- the events: a sickness is leave in the week frame (situation.py), a promotion with no
  store left is cancelled;
- missing hours cost `replan.missing_per_10min` instead of making the week infeasible
  (the model's `Shortfall`, read by the registry's quota and daily-block rules), but no
  weekly kind loses more than the events took of it;
- every block after `now` moved, dropped or added costs `replan.moved_block`;
- re-pairing for the rest of the week (pairs.py), in place of the weekly pair choice."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Sequence

from ortools.sat.python import cp_model

from engine.domain import Block
from engine.policy import ReplanRules, format_clock
from engine.replan.pairs import Groups, add_pairs, offer_links, remaining_groups
from engine.replan.situation import Situation, replan_frame
from engine.timetable.constraints import add_hard_rules
from engine.timetable.hints import planned_for_variables
from engine.timetable.model import (
    BlockVar,
    Shortfall,
    TimetableModel,
    add_fixed_block,
    variables_for_week,
)
from engine.timetable.objective import add_objective
from engine.timetable.venues import week_venues


@dataclasses.dataclass
class Slot:
    """A model block and the old block it stands for (None: absent in the old plan)."""

    var: BlockVar
    old: Block | None
    pinned: bool
    date: dt.date


@dataclasses.dataclass
class ReplanModel:
    """The model with what reading its solution needs."""

    tm: TimetableModel
    slots: list[Slot]
    groups: Groups
    outside: list[Block]
    """Pinned blocks no model variable stands for (a length or a pairing the policy no
    longer allows): kept as they were, and held in the model as fixed busy time."""
    cancelled_kinds: set[tuple[str, str]]
    """(manager, kind) whose remaining sessions are cancelled: no promotion store is left."""
    notes: list[str]


def build_replan_model(situation: Situation, rules: ReplanRules, *, keep_hours: bool = True) -> ReplanModel:
    """The weekly model of the situation's week, plus pins, event changes, the moved-block
    cost and re-pairing (see the module text). `keep_hours=False` drops the floors that
    keep each kind's hours of the old plan (`_floors`): the caller's second try when the
    floors, read from the repaired old plan, leave no week."""
    tm = variables_for_week(situation.department, situation.policy, replan_frame(situation), choose_pairs=False)
    pairs, unmatched = planned_for_variables(tm, situation.timetable.blocks)
    dates = {d.index: d.date for d in tm.frame.days}
    slots = [Slot(var, old, old is not None and situation.pinned(old.date, old.start), dates[var.day])
             for var, old in pairs]
    outside = [b for b in unmatched if situation.pinned(b.date, b.start)] + _pin(tm, slots, situation)
    _hold(tm, outside)
    _busy_until_ill(tm, situation)
    notes = [f"{b.manager} {b.kind} {b.date} {format_clock(b.start)}: the block does not fit the "
             f"policy's week and is dropped" for b in unmatched if _dropped_by_policy(b, situation)]
    _cover_pinned_quotas(tm, slots)
    groups = remaining_groups(situation)
    _stores_the_groups_hold(tm, situation, groups)
    cancelled_kinds = _promotions_without_store(situation)
    floors = _floors(tm, situation, groups, cancelled_kinds, outside) if keep_hours else {}
    tm.shortfall = Shortfall(_missing_per_slot(tm, rules), _excused_days(tm, situation), floors)
    # The rides to and from a paired session are those of the group's store: the group
    # kept, or the one an orphan joins (its literal).
    tm.known_groups = {m: group for m, group in groups.members.items() if len(group) > 1}
    offer_links(tm, groups)
    tm.past = _past(tm, slots, outside)
    add_hard_rules(tm)
    add_pairs(tm, groups, _free_pair_sessions(tm, slots, situation))
    for manager, kind in sorted(cancelled_kinds):
        for slot in slots:
            if slot.var.manager == manager and slot.var.kind == kind and not slot.pinned:
                tm.cp.add(slot.var.present_literal(tm.cp) == 0)
        notes.append(f"{manager}: no promotion store is left, the remaining {kind} sessions are cancelled")
    _add_change_costs(tm, slots, situation, rules)
    add_objective(tm)
    return ReplanModel(tm, slots, groups, outside, cancelled_kinds, notes)


def _stores_the_groups_hold(tm: TimetableModel, situation: Situation, groups: Groups) -> None:
    """The store each group holds the rest of its sessions at, as the model's rides read
    it (venues.py): the place assignment (places.py) keeps a group's store of the old plan
    while it is usable, else takes the store the venues assume; so the venues assume the
    old plan's store of each group that keeps one, and for a store the events gave up the
    store the weekly rule picks without it. The rides held are then the rides of the plan.
    Past sessions keep the store they were held at (`TimetableModel.past`)."""
    given_up = situation.stores_given_up
    venues = tm.week_venues()
    paired = {k for k, r in situation.policy.kinds.items() if r.group == "pair"}
    for group in {g for g in groups.members.values() if len(g) > 1}:
        held = Counter(b.retailer for b in situation.timetable.blocks
                       if b.manager in group and b.kind in paired and b.retailer is not None
                       and b.retailer not in given_up and venues.knows(b.retailer))
        if held:
            venues.stores[venues.host(group)] = max(sorted(held), key=lambda store: held[store])
    if not given_up or not any(store in given_up for store in venues.stores.values()):
        return
    department = situation.department
    without = department.model_copy(update={"retailers": tuple(
        r.model_copy(update={"promo_store": False}) if r.id in given_up else r for r in department.retailers)})
    others = week_venues(without, situation.policy, tm.frame.week_start).stores
    for manager, store in venues.stores.items():
        if store in given_up:
            venues.stores[manager] = others.get(manager)


def _past(tm: TimetableModel, slots: Sequence[Slot], outside: Sequence[Block]) -> dict[int, str | None]:
    """The model's blocks that started before `now` (see `TimetableModel.past`): pinned
    blocks, each manager's attendance of a pinned department slot, and the held blocks,
    with the retailer each was held at."""
    past: dict[int, str | None] = {id(s.var): s.old.retailer for s in slots if s.pinned and s.old is not None}
    for (_, kind, occurrence), var in tm.attendance.items():
        if any(id(o) in past for o in tm.department_blocks[kind] if o.occurrence == occurrence):
            past[id(var)] = None
    held: dict[tuple[str, str, int], str | None] = {(b.manager, b.kind, tm.slots(b.start)): b.retailer
                                                     for b in outside}
    for (manager, _), blocks in tm.fixed_blocks.items():
        for b in blocks:
            past[id(b)] = held.get((manager, b.kind, b.start.proto.domain[0]))
    return past


def _dropped_by_policy(block: Block, situation: Situation) -> bool:
    """An old block after `now` that no model block stands for, not because of a sickness."""
    return not situation.pinned(block.date, block.start) and not _off_during(situation, block.manager, block)


def _off_during(situation: Situation, manager: str, block: Block) -> bool:
    """Whether the manager's absence overlaps the block's time, the absence read as the
    leave the re-plan's week has (from a grid minute on, as `situation.replan_frame`)."""
    absence = situation.absences.get(manager)
    return absence is not None and absence.overlaps(block.date, block.end)


def _taken_by_events(situation: Situation, groups: Groups, cancelled_kinds: set[tuple[str, str]],
                     block: Block) -> bool:
    """An old block after `now` that the events make impossible: the manager is off then,
    a partner of a paired session is (or he has no partner left), or its promotion has
    no store left."""
    if _off_during(situation, block.manager, block) or (block.manager, block.kind) in cancelled_kinds:
        return True
    rule = situation.policy.kinds.get(block.kind)
    return rule is not None and rule.group == "pair" and (
        block.manager in groups.orphans or any(_off_during(situation, m, block) for m in block.with_))


def _floors(tm: TimetableModel, situation: Situation, groups: Groups, cancelled_kinds: set[tuple[str, str]],
            outside: Sequence[Block]) -> dict[tuple[str, str], tuple[int, int]]:
    """What a re-plan keeps of each manager's weekly kinds: the minutes and sessions the
    old plan had of it that the events left possible (`repaired_start`, the past
    included), up to the quota. It may move them, never trade them for another kind's hours; pinned blocks
    kept outside the model count towards it already. In grid slots and sessions."""
    minutes: Counter[tuple[str, str]] = Counter()
    sessions: Counter[tuple[str, str]] = Counter()
    for block in repaired_start(situation, groups, cancelled_kinds):
        minutes[(block.manager, block.kind)] += block.end - block.start
        sessions[(block.manager, block.kind)] += 1
    for block in outside:
        minutes[(block.manager, block.kind)] -= block.end - block.start
        sessions[(block.manager, block.kind)] -= 1
    floors = {}
    for (manager, kind), blocks in tm.blocks.items():
        if not blocks or tm.policy.kinds[kind].per_day_minutes is not None:
            continue
        quota = tm.frame.managers[manager].quotas[kind]
        kept_minutes = min(minutes[(manager, kind)], quota.total_minutes)
        floors[(manager, kind)] = (max(0, tm.slots(kept_minutes)),
                                   max(0, min(sessions[(manager, kind)], quota.sessions_min)))
    return floors


def _fix(var: cp_model.LinearExprT, value: int) -> None:
    """Narrow a variable's domain to one value (a pinned block keeps its times even where
    the policy's windows have changed since it was planned). A constant is left as it
    is: the caller has checked the lengths that cannot be pinned."""
    if isinstance(var, int):
        return
    if not isinstance(var, cp_model.IntVar) or len(var.proto.domain) != 2:
        raise ValueError(f"cannot pin {var}: not a variable with one interval of values")
    var.proto.domain[0] = var.proto.domain[1] = value


def _pin(tm: TimetableModel, slots: Sequence[Slot], situation: Situation) -> list[Block]:
    """"Everything before now is pinned identical": blocks that started before `now`
    are fixed; nothing new may start before `now`. Returns the old blocks the model
    cannot hold (a length the policy no longer allows): they stay as they were,
    outside the model."""
    now_slot = -(-situation.now_minute // tm.grid)
    outside: list[Block] = []
    for slot in slots:
        present = slot.var.present_literal(tm.cp)
        if slot.pinned:
            assert slot.old is not None
            start = slot.old.start // tm.grid
            size = (slot.old.end - slot.old.start) // tm.grid
            if isinstance(slot.var.size, int) and slot.var.size != size:
                outside.append(slot.old)
                slot.old, slot.pinned = None, False
                tm.cp.add(present == 0)
                continue
            _fix(present, 1)
            _fix(slot.var.start, start)
            _fix(slot.var.size, size)
            if not isinstance(slot.var.size, int):
                _fix(slot.var.end, start + size)
        elif slot.date < situation.today:
            tm.cp.add(present == 0)
        elif slot.date == situation.today:
            tm.cp.add(slot.var.start >= now_slot).only_enforce_if(present)
    return outside


def _hold(tm: TimetableModel, kept: Sequence[Block]) -> None:
    """The pinned blocks the model has no variable for still take their manager's time:
    each is a fixed block of his day, so nothing new is planned over it or without the
    ride from it. A kind the policy no longer knows has no place to ride from: its time
    is simply occupied, like leave."""
    days = {d.date: d.index for d in tm.frame.days}
    for block in kept:
        day = days.get(block.date)
        if day is None or block.manager not in tm.frame.managers:
            continue
        if block.kind == "lunch" or block.kind in tm.policy.kinds:
            add_fixed_block(tm, block.manager, day, block.kind, block.start, block.end)
            continue
        lo, hi = tm.slots(block.start), -(-block.end // tm.grid)
        tm.leave_intervals.setdefault((block.manager, day), []).append(
            tm.cp.new_fixed_size_interval_var(lo, hi - lo, f"held[{block.kind},{block.manager},{day},{lo}]"))


def _busy_until_ill(tm: TimetableModel, situation: Situation) -> None:
    """A manager who falls ill later today while in a block under way at `now` stays in
    it until he is off (the block is dropped, situation.py): nothing new is planned for
    him in between."""
    days = {d.date: d.index for d in tm.frame.days}
    now_slot = situation.now_minute // tm.grid
    for block in situation.dropped:
        absence = situation.absences[block.manager]
        day = days.get(block.date)
        ill = absence.minute // tm.grid
        if day is None or block.date != situation.today or absence.date != block.date or ill <= now_slot:
            continue
        tm.leave_intervals.setdefault((block.manager, day), []).append(tm.cp.new_fixed_size_interval_var(
            now_slot, ill - now_slot, f"busy_until_ill[{block.manager},{day}]"))


def _cover_pinned_quotas(tm: TimetableModel, slots: Sequence[Slot]) -> None:
    """A quota is never below what is already done: pinned sessions stay whatever the
    policy now says (the registry's quota rule then holds for them)."""
    count: Counter[tuple[str, str]] = Counter()
    minutes: Counter[tuple[str, str]] = Counter()
    for slot in slots:
        if slot.pinned and slot.old is not None and slot.var.manager is not None \
                and (slot.var.manager, slot.var.kind) in tm.blocks:
            count[(slot.var.manager, slot.var.kind)] += 1
            minutes[(slot.var.manager, slot.var.kind)] += slot.old.end - slot.old.start
    for (manager, kind), done in count.items():
        quotas = tm.frame.managers[manager].quotas
        quota = quotas.get(kind)
        if quota is not None and (done > quota.sessions_max or minutes[(manager, kind)] > quota.total_minutes):
            quotas[kind] = dataclasses.replace(quota, sessions_max=max(quota.sessions_max, done),
                                               total_minutes=max(quota.total_minutes, minutes[(manager, kind)]))


def _missing_per_slot(tm: TimetableModel, rules: ReplanRules) -> int:
    """Penalty per grid slot of hours not kept."""
    return max(1, round(rules.missing_per_10min * tm.grid / 10)) if rules.missing_per_10min else 0


def _excused_days(tm: TimetableModel, situation: Situation) -> frozenset[tuple[str, int]]:
    """Days whose daily blocks may be missed: the day a manager falls ill (the rest of it
    may not hold them) and the days already past (what is done is done)."""
    excused = set()
    for day in tm.frame.days:
        for manager in tm.frame.managers:
            absence = situation.absences.get(manager)
            if day.date < situation.today or (absence is not None and absence.date == day.date):
                excused.add((manager, day.index))
    return frozenset(excused)


def _free_pair_sessions(tm: TimetableModel, slots: Sequence[Slot],
                        situation: Situation) -> dict[tuple[str, str], dict[tuple[int, int], BlockVar]]:
    """Each manager's paired sessions still to come, by (day, occurrence)."""
    paired_kinds = {k for k, r in tm.policy.kinds.items() if r.group == "pair"}
    free: dict[tuple[str, str], dict[tuple[int, int], BlockVar]] = {}
    for slot in slots:
        if slot.var.manager is not None and slot.var.kind in paired_kinds and not slot.pinned \
                and slot.date >= situation.today:
            free.setdefault((slot.var.manager, slot.var.kind), {})[(slot.var.day, slot.var.occurrence)] = slot.var
    return free


def _promotions_without_store(situation: Situation) -> set[tuple[str, str]]:
    """(manager, kind) whose remaining promotion sessions have no store left at all."""
    if not situation.cancelled_stores:
        return set()
    department = situation.department
    if any(r.promo_store and r.id not in situation.cancelled_stores for r in department.retailers):
        return set()
    return {(manager.id, kind) for kind, rule in situation.policy.kinds.items() if rule.at == "promo_store"
            for manager in department.managers}


def _add_change_costs(tm: TimetableModel, slots: Sequence[Slot], situation: Situation,
                      rules: ReplanRules) -> None:
    """"Change as little as possible": each block after `now` moved, dropped or added
    against the old plan costs `replan.moved_block` (a department slot costs it once
    per manager)."""
    weight = rules.moved_block
    if not weight:
        return
    managers = len(tm.frame.managers)
    for slot in slots:
        if slot.pinned or slot.date < situation.today:
            continue
        var = slot.var
        per = weight * (managers if var.manager is None else 1)
        present = var.present_literal(tm.cp)
        who = var.manager or "department"
        if slot.old is None:
            tm.penalties.append((f"moved_block[added,{who},{var.kind},{slot.date}]", per, present))
            continue
        same = tm.cp.new_bool_var(f"kept[{who},{var.kind},{slot.date}]")
        tm.cp.add(present == 1).only_enforce_if(same)
        tm.cp.add(var.start == slot.old.start // tm.grid).only_enforce_if(same)
        if not isinstance(var.size, int):
            tm.cp.add(var.size == (slot.old.end - slot.old.start) // tm.grid).only_enforce_if(same)
        tm.penalties.append((f"moved_block[{who},{var.kind},{slot.date}]", per, 1 - same))


def repaired_start(situation: Situation, groups: Groups, cancelled_kinds: set[tuple[str, str]]) -> list[Block]:
    """The old plan without what the events make impossible: the sick manager's blocks
    once he is off, pair sessions of a partner who is off then, an orphan's remaining
    pair sessions, promotion sessions without any store left. It keeps every rule of
    the re-plan, so it is the solver's start."""
    return [b for b in situation.timetable.blocks
            if situation.pinned(b.date, b.start) or not _taken_by_events(situation, groups, cancelled_kinds, b)]
