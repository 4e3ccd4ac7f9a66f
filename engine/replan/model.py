"""The re-plan's CP-SAT model: the weekly model plus pins.

It is built from the weekly model's variables (`engine.timetable.model`) and the SAME
registry of hard rules (`constraints.add_hard_rules`) and soft rules
(`objective.add_objective`); a rule added to the week reaches the re-plan unchanged.
What a re-plan adds, and only that:
- the past is pinned: blocks that started before `now` are fixed (a sick manager's
  block under way ends when he falls ill, one planned after that is gone, situation.py),
  nothing new starts before it;
  a lunch is never taken away to make room, and a sick manager's lunch that starts
  before he falls ill stays as it was;
- the events: a sickness is leave in the week frame (situation.py), a promotion with no
  store left is cancelled, a group holds its session of a day its store is closed at a
  stand-in store that day, a POS session at another household (`_held_at`), or not at all;
- missing hours cost `replan.missing_per_10min` instead of making the week infeasible
  (the model's `Shortfall`, read by the registry's quota and daily-block rules), but no
  weekly kind loses more than the events took of it;
- every block after `now` moved, dropped or added costs `replan.moved_block`;
- re-pairing for the rest of the week (pairs.py), in place of the weekly pair choice."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence

from ortools.sat.python import cp_model

from engine.domain import Block
from engine.policy import ReplanRules, format_clock
from engine.replan.pairs import Groups, add_pairs, offer_links, remaining_groups
from engine.replan.situation import Situation, replan_frame
from engine.routing.approach import first_stop_time
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
from engine.timetable.venues import (
    OFFICE,
    Venue,
    Venues,
    holds_a_store,
    holds_paired_kinds,
    pos_target_count,
    week_venues,
    without_own_store,
)
from engine.timetable.week import Quota

StandIns = Mapping[tuple[frozenset[str], dt.date], str]
"""(group, date) -> the promotion store the group holds its paired sessions at that day
instead of its store, closed that day (`_stand_in_stores`)."""


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
    stand_ins: dict[int, list[tuple[str, list[cp_model.IntVar]]]] = dataclasses.field(default_factory=dict)
    """A session's variable (its id) -> the places it may be held at instead of the one
    the week's rides read, closed on its day (`_held_at`), each with the literals under
    which it is: the place assignment puts it there (blocks.py)."""
    prorated: dict[tuple[str, str], Quota] = dataclasses.field(default_factory=dict)
    """(manager, kind) -> the quota the absences prorated down, where the model's was
    raised to the old plan's hours they left (`_cover_kept_quotas`): what the week owes."""


def build_replan_model(situation: Situation, rules: ReplanRules, *, keep_hours: bool = True) -> ReplanModel:
    """The weekly model of the situation's week, plus pins, event changes, the moved-block
    cost and re-pairing (see the module text). `keep_hours=False` drops the floors that
    keep each kind's hours of the old plan (`_floors`): the caller's second try when the
    floors, read from the repaired old plan, leave no week."""
    tm = variables_for_week(situation.department, situation.policy, replan_frame(situation), choose_pairs=False)
    pairs, unmatched = planned_for_variables(tm, situation.timetable.blocks)
    dates = {d.index: d.date for d in tm.frame.days}
    # A department slot stands for its attendees' blocks: the slot as planned, not the
    # piece of it a sick attendee worked (his piece is held by `_cut_attendance`).
    pairs = [(var, (situation.piece_of(old) or old) if var.manager is None and old is not None else old)
             for var, old in pairs]
    slots = [Slot(var, old, old is not None and situation.fixed(old), dates[var.day]) for var, old in pairs]
    outside = [b for b in unmatched if situation.pinned(b.date, b.start)] + _pin(tm, slots, situation)
    _lunch_under_way_when_ill(tm, situation)
    _hold(tm, outside + _cut_attendance(tm, situation))
    _keep_lunches(tm, slots, situation)
    notes = [_why_dropped(tm, situation, b) for b in unmatched if _dropped_by_policy(b, situation)]
    _cover_pinned_quotas(tm, slots)
    groups = remaining_groups(situation, [m for m in situation.absences
                                          if tm.frame.managers[m].exempt_from_pairs])
    notes += _stores_the_groups_hold(tm.week_venues(), situation, groups)
    cancelled_kinds = _promotions_without_store(situation)
    prorated = _cover_kept_quotas(tm, situation, groups, cancelled_kinds, outside)
    floors = _floors(tm, situation, groups, cancelled_kinds, outside) if keep_hours else {}
    tm.shortfall = Shortfall(_missing_per_slot(tm, rules), _excused_days(tm, situation), floors)
    # The rides to and from a paired session are those of the group's store: the group
    # kept, or the one an orphan joins (its literal).
    tm.known_groups = {m: group for m, group in groups.members.items() if len(group) > 1}
    offer_links(tm, groups)
    tm.past = _past(tm, slots, outside)
    add_hard_rules(tm)
    stores = _stand_in_stores(tm, situation)
    stand_ins: dict[int, list[tuple[str, list[cp_model.IntVar]]]] = {}
    _no_session_where_the_store_is_closed(tm, slots, situation, stores, stand_ins)
    _households_open_on_their_day(tm, situation, stores, stand_ins)
    _ride_from_a_session_held_elsewhere(tm, slots, situation, stores)
    _ride_to_the_store_of_those_left(tm, slots, situation, stores, stand_ins)
    add_pairs(tm, groups, _free_pair_sessions(tm, slots, situation), _days_touched_by_sickness(tm, situation))
    for manager, kind in sorted(cancelled_kinds):
        for slot in slots:
            if slot.var.manager == manager and slot.var.kind == kind and not slot.pinned:
                tm.cp.add(slot.var.present_literal(tm.cp) == 0)
        notes.append(f"{manager}: no promotion store is left, the remaining {kind} sessions are cancelled")
    _add_change_costs(tm, slots, situation, rules)
    add_objective(tm)
    return ReplanModel(tm, slots, groups, outside, cancelled_kinds, notes, stand_ins, prorated)


def _stores_the_groups_hold(venues: Venues, situation: Situation, groups: Groups) -> list[str]:
    """The store each group holds the rest of its sessions at, as the model's rides read
    it (`venues`, venues.py): the place assignment (places.py) keeps a group's store of
    the old plan while it is usable, else takes the store the venues assume; so the venues
    assume the old plan's store of each group that keeps one, and for a store the events
    gave up the store the weekly rule picks without it. The rides held are then the rides
    of the plan. A group a sick member left keeps its old store only where the week's rule
    lets the members still in hold it (`_may_hold`): a trio hosted at the sick member's
    store moves to one of its remaining members' stores, as the week would pick it.
    Past sessions keep the store they were held at (`TimetableModel.past`). Returns a
    note for each group that has no promotion store of its own left."""
    given_up = situation.stores_given_up
    storeless = without_own_store(situation.department, situation.policy)
    paired = {k for k, r in situation.policy.kinds.items() if r.group == "pair"}
    notes: list[str] = []
    for group in sorted({g for g in groups.members.values() if len(g) > 1}, key=sorted):
        held = Counter(b.retailer for b in situation.timetable.blocks
                       if b.manager in group and b.kind in paired and b.retailer is not None
                       and b.retailer not in given_up and venues.knows(b.retailer)
                       and _may_hold(situation, group, b.retailer, storeless))
        if held:
            venues.stores[venues.host(group)] = max(sorted(held), key=lambda store: held[store])
        if not holds_a_store(group, storeless):
            notes.append(f"{', '.join(sorted(group))}: none of them has a promotion store in his territory "
                         f"now their partner is off, so their promotion stays where it was held, outside "
                         f"their territories; give one of them a promotion store (retailers.csv, column "
                         f"promo_store)")
    if not given_up or not any(store in given_up for store in venues.stores.values()):
        return notes
    department = situation.department
    without = department.model_copy(update={"retailers": tuple(
        r.model_copy(update={"promo_store": False}) if r.id in given_up else r for r in department.retailers)})
    others = week_venues(without, situation.policy, situation.timetable.week_start).stores
    for manager, store in venues.stores.items():
        if store in given_up:
            venues.stores[manager] = others.get(manager)
    return notes


def _may_hold(situation: Situation, group: frozenset[str], store: str, storeless: frozenset[str]) -> bool:
    """Whether the week's rule lets this group hold its paired sessions at this store: a
    store of one of its members' territories, or any store when none of them has one
    (venues.py: `without_own_store`, `holds_a_store`, the host's store)."""
    owner = next((r.manager for r in situation.department.retailers if r.id == store), None)
    return owner in group or not holds_a_store(group, storeless)


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


def _why_dropped(tm: TimetableModel, situation: Situation, block: Block) -> str:
    """Why an old block after `now` no model block stands for is dropped: a paired session
    of a manager whose sickness leaves him present below the policy's share to be paired
    this week (SPEC §2, the week frame's `exempt_from_pairs`: he holds no paired session,
    though he is back that day), else a block the policy's week does not fit."""
    what = f"{block.manager} {block.kind} {block.date} {format_clock(block.start)}"
    rule = tm.policy.kinds.get(block.kind)
    absence = situation.absences.get(block.manager)
    manager = tm.frame.managers.get(block.manager)
    if rule is not None and rule.group == "pair" and absence is not None and manager is not None \
            and manager.exempt_from_pairs:
        return (f"{what}: dropped: off sick from {absence.since} until {absence.until}, {block.manager} is present "
                f"less than the policy's share of the week to be paired "
                f"({tm.policy.pairs.exempt_below_presence:.0%}), so he holds no paired session this week")
    return f"{what}: the block does not fit the policy's week and is dropped"


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
    a partner of a paired session is (or he has no partner left; in a group of three the
    two still in may hold it together, pairs.py, kept by the cost of missing hours, not
    by the floors: read from the old plan's repair, a floor the week cannot hold would
    drop every floor), its promotion has no
    store left, or it is a paired session at a store closed that day."""
    if _off_during(situation, block.manager, block) or (block.manager, block.kind) in cancelled_kinds:
        return True
    rule = situation.policy.kinds.get(block.kind)
    return rule is not None and rule.group == "pair" and (
        block.manager in groups.orphans or any(_off_during(situation, m, block) for m in block.with_)
        or _store_closed_for(situation, block.retailer, block.date))


def _store_closed_for(situation: Situation, store: str | None, date: dt.date) -> bool:
    """A paired session cannot be held at `store` on `date` as its group's store: closed
    that day, or a promotion store cancelled by then that the re-plan did not give up
    (a store given up is no group's store, `_stores_the_groups_hold`)."""
    return situation.store_out(store, date) and store not in situation.stores_given_up


def _ride_from_a_session_held_elsewhere(tm: TimetableModel, slots: Sequence[Slot], situation: Situation,
                                        stand_ins: StandIns) -> None:
    """"One place at a time, with riding time between" — SPEC §3, §6: the weekly rule takes
    two paired sessions of a day to be at the same store (constraints._ride_slots). A
    re-plan's paired session held before `now` may be at another store than the one the
    manager's sessions still to come are at (a store given up since, or a group he joined
    when his partner fell ill for the rest of the week): a session of his later that day
    starts no earlier than the ride from the store the earlier one was held at to the
    store it is at, plus the lunch when it is taken between them."""
    venues = tm.week_venues()
    paired = {k for k, r in tm.policy.kinds.items() if r.group == "pair"}
    days = {d.date: d.index for d in tm.frame.days}
    held = [b for b in situation.timetable.blocks if b.kind in paired and b.retailer is not None
            and b.date == situation.today and situation.pinned(b.date, b.start) and venues.knows(b.retailer)]
    for past in held:
        later = [s.var for s in slots if not s.pinned and s.var.manager == past.manager and s.var.kind in paired
                 and s.date == past.date]
        lunch = tm.lunches.get((past.manager, days[past.date]))
        for var in later:
            present = var.present_literal(tm.cp)
            for store, literals in _store_choices(tm, past.manager, past.date, stand_ins):
                if store is None or store == past.retailer or not venues.knows(store):
                    continue
                ride = -(-venues.minutes(Venue((past.retailer,)), Venue((store,))) // tm.grid)
                end = -(-past.end // tm.grid)
                tm.cp.add(var.start >= end + ride).only_enforce_if([*literals, present])
                if lunch is None or tm.policy.lunch.during_visit:
                    continue
                assert isinstance(lunch.size, int)
                eating = lunch.present_literal(tm.cp)
                name = f"{past.manager},{var.day},{var.occurrence},{store}"
                after_past, before_var = tm.cp.new_bool_var(f"lunch_after[{name}]"), tm.cp.new_bool_var(
                    f"lunch_before[{name}]")
                tm.cp.add(lunch.start >= end).only_enforce_if([after_past, eating])
                tm.cp.add(lunch.end <= end).only_enforce_if([~after_past, eating])
                tm.cp.add(lunch.end <= var.start).only_enforce_if([before_var, eating, present])
                tm.cp.add(var.end <= lunch.start).only_enforce_if([~before_var, eating, present])
                tm.cp.add(var.start >= end + ride + lunch.size).only_enforce_if(
                    [*literals, present, eating, after_past, before_var])


def _ride_to_the_store_of_those_left(tm: TimetableModel, slots: Sequence[Slot], situation: Situation,
                                     stores: StandIns,
                                     chosen: dict[int, list[tuple[str, list[cp_model.IntVar]]]]) -> None:
    """"One place at a time, with riding time between" — SPEC §3, §6, for a group of three
    on a day a sickness takes one of its members: the two still in may hold a session
    without him (pairs.py), and then at a store of their own territories (the week's rule,
    `_may_hold`), not at the group's store when that is his; the week's rides read the
    group's store for every member. Such a session is held at the store the week gives
    the two (`_store_of_those_left`) when he is not in it, with the rides between that
    store and each other block of its manager's day (`_held_at`): from the session they
    were finishing at his store when he fell ill, to the next one at theirs (tester d563:
    the re-plan put a session 31 min away 10 min after, and said "optimal"). The place
    goes to `chosen`, as a stand-in's does (blocks.py places the session there)."""
    groups = {group for group in tm.known_groups.values() if len(group) > 2}
    if not groups or not situation.absences:
        return
    venues = tm.week_venues()
    free = _free_pair_sessions(tm, slots, situation)
    away = _days_touched_by_sickness(tm, situation)
    dates = {d.index: d.date for d in tm.frame.days}
    weekly: list[Venues] = []  # the week's own venues, read once when needed
    for (manager, kind), sessions in sorted(free.items()):
        group = tm.known_groups.get(manager)
        if group not in groups:
            continue
        for (day, occurrence), var in sorted(sessions.items()):
            for sick in sorted(group - {manager}):
                if (sick, day) not in away:
                    continue
                if not weekly:
                    weekly.append(week_venues(situation.department, situation.policy, situation.timetable.week_start))
                place = _store_of_those_left(situation, venues, weekly[0], group, group - {sick}, dates[day])
                if place is None:
                    continue
                his = free.get((sick, kind), {}).get((day, occurrence))
                literals: list[cp_model.IntVar] = []
                if his is not None:
                    without = tm.cp.new_bool_var(f"held_without[{sick},{manager},{kind},{day},{occurrence}]")
                    tm.cp.add(without + his.present_literal(tm.cp) == 1)
                    literals.append(without)
                _held_at(tm, var, place, literals, stores)
                chosen.setdefault(id(var), []).append((place, literals))


def _store_of_those_left(situation: Situation, venues: Venues, weekly: Venues, group: frozenset[str],
                         left: frozenset[str], date: dt.date) -> str | None:
    """The store the members of a group still in that day (`left`) hold a session at
    without the one off: None when they may hold it at the group's store (`_may_hold`),
    else a promotion store of their territories usable that day, the one the week gives
    the two (`weekly`: the venues before the re-plan set its groups' stores) first, then
    one whose hours hold the paired kinds, then the nearest the group's store."""
    store = venues.group_store(group)
    storeless = without_own_store(situation.department, situation.policy)
    if store is None or _may_hold(situation, left, store, storeless):
        return None
    given_up = situation.stores_given_up
    theirs = [r for r in situation.department.retailers
              if r.promo_store and r.manager in left and r.id not in given_up
              and not situation.store_out(r.id, date) and venues.knows(r.id)]
    if not theirs:
        return None
    wanted = weekly.group_store(left)
    return min(theirs, key=lambda r: (r.id != wanted, not holds_paired_kinds(r, situation.policy),
                                      venues.minutes(Venue((store,)), Venue((r.id,))), r.id)).id


def _households_open_on_their_day(tm: TimetableModel, situation: Situation, stores: StandIns,
                                  stand_ins: dict[int, list[tuple[str, list[cp_model.IntVar]]]]) -> None:
    """"POS project at 3 different target households" with a household closed on a day: each
    POS session still to plan gets a different household of the week's POS venue
    (venues.py), not used by a session already held, open through the session and not
    closed on its day, as places.py then matches them. The weekly rule
    (constraints._a_household_open_for_each_session) reads the opening hours; a re-plan
    adds the days the events closed a household, so the session that day takes another
    of the venue's households, whose rides the model holds, or another POS-target household
    of his territory, whose rides to and from that day's other blocks the model then holds
    (`_held_at`), or moves (a closed household touches only that day's sessions). Stated
    only for a manager one of whose households is closed on a day of a session still to
    plan; the session of a closed day takes the household the model chose (`stand_ins`)."""
    if not situation.closed:
        return
    venues = tm.week_venues()
    dates = {d.index: d.date for d in tm.frame.days}
    for kind, rule in tm.policy.kinds.items():
        if rule.at != "pos_target":
            continue
        for manager in tm.frame.managers:
            blocks = tm.blocks.get((manager, kind), [])
            used = {tm.past[id(b)] for b in blocks if id(b) in tm.past}
            todo = [b for b in blocks if id(b) not in tm.past]
            points = set(venues.of(kind, manager).points) - used
            touched = {b.day for b in todo if any((p, dates[b.day]) in situation.closed for p in points)}
            if not touched:
                continue
            shops = [r for r in tm.department.retailers if r.id in points]
            others = [r for r in tm.department.territory(manager) if r.pos_target and r.id not in points
                      and r.id not in used and venues.knows(r.id)]
            quota = tm.frame.managers[manager].quotas.get(kind)
            most = None if quota is None else min(quota.sessions_max, pos_target_count(tm.department, manager))
            taken: dict[str, list[cp_model.IntVar]] = {r.id: [] for r in shops}
            for block in todo:
                lit = block.present_literal(tm.cp)
                options = []
                for shop in shops + (others if block.day in touched else []):
                    if (shop.id, dates[block.day]) in situation.closed:
                        continue
                    at = tm.cp.new_bool_var(f"open_household[{manager},{block.day},{block.occurrence},{shop.id}]")
                    tm.cp.add(block.start >= -(-shop.opens // tm.grid)).only_enforce_if(at)
                    tm.cp.add(block.end <= tm.slots(shop.closes)).only_enforce_if(at)
                    tm.cp.add_implication(at, lit)
                    if shop in others:
                        _held_at(tm, block, shop.id, [at], stores)
                    options.append(at)
                    taken.setdefault(shop.id, []).append(at)
                    if block.day in touched:
                        stand_ins.setdefault(id(block), []).append((shop.id, [at]))
                if options:
                    tm.cp.add(sum(options) == 1).only_enforce_if(lit)
                else:
                    tm.cp.add(lit == 0)
            if most is not None and len(shops) >= most - len(used):
                for ats in taken.values():
                    tm.cp.add(sum(ats) <= 1)


def _old_plan_left(situation: Situation, groups: Groups, cancelled_kinds: set[tuple[str, str]],
                   outside: Sequence[Block]) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """Per (manager, kind), the minutes and sessions of the old plan the events leave
    (`repaired_start`, the past included), less the pinned blocks kept outside the model."""
    minutes: Counter[tuple[str, str]] = Counter()
    sessions: Counter[tuple[str, str]] = Counter()
    for block in repaired_start(situation, groups, cancelled_kinds):
        minutes[(block.manager, block.kind)] += block.end - block.start
        sessions[(block.manager, block.kind)] += 1
    for block in outside:
        minutes[(block.manager, block.kind)] -= block.end - block.start
        sessions[(block.manager, block.kind)] -= 1
    return minutes, sessions


def _floors(tm: TimetableModel, situation: Situation, groups: Groups, cancelled_kinds: set[tuple[str, str]],
            outside: Sequence[Block]) -> dict[tuple[str, str], tuple[int, int]]:
    """What a re-plan keeps of each manager's weekly kinds: the minutes and sessions the
    old plan had of it that the events left possible (`repaired_start`, the past
    included), up to the quota. It may move them, never trade them for another kind's hours; pinned blocks
    kept outside the model count towards it already. In grid slots and sessions."""
    minutes, sessions = _old_plan_left(situation, groups, cancelled_kinds, outside)
    floors = {}
    for (manager, kind), blocks in tm.blocks.items():
        if not blocks or tm.policy.kinds[kind].per_day_minutes is not None:
            continue
        quota = tm.frame.managers[manager].quotas[kind]
        kept_minutes = min(minutes[(manager, kind)], quota.total_minutes)
        floors[(manager, kind)] = (max(0, tm.slots(kept_minutes)),
                                   max(0, min(sessions[(manager, kind)], quota.sessions_min)))
    return floors


def _cover_kept_quotas(tm: TimetableModel, situation: Situation, groups: Groups,
                       cancelled_kinds: set[tuple[str, str]],
                       outside: Sequence[Block]) -> dict[tuple[str, str], Quota]:
    """A sickness prorates its manager's weekly quotas down, but the old plan's blocks
    it leaves (`repaired_start`: on the days he is back) are no excess to cut: under a
    quota's ceiling the re-plan cancelled office work nothing displaced (tester d7 evA,
    m02 back Thursday lost his Thursday and Friday admin). Each quota is at least those
    hours and sessions (up to the policy's whole week and what the model's sessions of
    the kind hold); returns the quotas so raised, as prorated."""
    minutes, sessions = _old_plan_left(situation, groups, cancelled_kinds, outside)
    raised: dict[tuple[str, str], Quota] = {}
    for (manager, kind), blocks in tm.blocks.items():
        rule = tm.policy.kinds[kind]
        if not blocks or rule.per_day_minutes is not None or rule.total_minutes is None:
            continue
        quotas = tm.frame.managers[manager].quotas
        quota = quotas[kind]
        most = max(quota.sessions_max, min(sessions[(manager, kind)], len(blocks)))
        kept = min(minutes[(manager, kind)], rule.total_minutes, most * quota.session_minutes_max)
        if kept <= quota.total_minutes:
            continue
        raised[(manager, kind)] = quota
        quotas[kind] = dataclasses.replace(quota, total_minutes=kept, sessions_max=most)
    return raised


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
    are fixed (a sick manager's block under way as the piece he worked, its variable
    standing for that piece: its hours count where the block's would), and so is a lunch
    kept as it was (`Situation.kept_lunch`); nothing new may start before `now`. Returns
    the old blocks the model cannot hold (a length the policy no longer allows): they
    stay as they were, outside the model."""
    now_slot = -(-situation.now_minute // tm.grid)
    outside: list[Block] = []
    for slot in slots:
        present = slot.var.present_literal(tm.cp)
        if slot.pinned:
            assert slot.old is not None
            start = slot.old.start // tm.grid
            size = (slot.old.end - slot.old.start) // tm.grid
            if isinstance(slot.var.size, int) and slot.var.size != size and slot.var.manager is not None \
                    and situation.piece_of(slot.old):
                _stand_for_the_piece(tm, slot.var, size)
            elif isinstance(slot.var.size, int) and slot.var.size != size:
                outside.append(slot.old)
                slot.old, slot.pinned = None, False
                tm.cp.add(present == 0)
                continue
            _fix(present, 1)
            _fix(slot.var.start, start)
            _fix(slot.var.size, size)
            if not isinstance(slot.var.size, int):
                _fix(slot.var.end, start + size)
        elif slot.date < situation.today and slot.var.manager is None:
            _nobody_attends(tm, slot.var)
        elif slot.date < situation.today:
            tm.cp.add(present == 0)
        elif slot.date == situation.today:
            tm.cp.add(slot.var.start >= now_slot).only_enforce_if(present)
    return outside


def _nobody_attends(tm: TimetableModel, occurrence: BlockVar) -> None:
    """A department slot of a past day the plan does not hold: nobody attends it. It
    may still stand in the model where nobody could have come (everyone off that day):
    a slot nobody can come to is not owed, and the week with it is no worse."""
    for (_, kind, number), var in tm.attendance.items():
        if kind == occurrence.kind and number == occurrence.occurrence:
            tm.cp.add(var.present_literal(tm.cp) == 0)


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


def _stand_for_the_piece(tm: TimetableModel, var: BlockVar, size: int) -> None:
    """A block of fixed length that a sickness cut (situation.py): its variable stands
    for the piece the manager worked, `size` slots long, so the quotas count the piece's
    hours and nothing else is planned over it. Called before the rules read the variable."""
    var.size = size
    var.end = var.start + size
    name = f"piece[{var.kind},{var.manager},{var.day}]"
    var.interval = (tm.cp.new_interval_var(var.start, size, var.end, name) if isinstance(var.present, int)
                    else tm.cp.new_optional_interval_var(var.start, size, var.end, var.present, name))


def _cut_attendance(tm: TimetableModel, situation: Situation) -> list[Block]:
    """The pieces of department slots (a meeting, the site study) a sickness cut: the
    manager's attendance of the slot is absent in the model (he is off before it ends,
    model.add_attendance), so each piece is held as fixed busy time of his day, as
    blocks.py writes it into the week."""
    department = {k for k, r in tm.policy.kinds.items() if r.group == "department"}
    return [piece for _, piece in situation.cut if piece is not None and piece.kind in department]


def _lunch_under_way_when_ill(tm: TimetableModel, situation: Situation) -> None:
    """A lunch under way when its manager falls ill stays as it was (`Situation.kept_lunch`),
    though his leave in the week frame starts at the grid slot he falls ill in (which
    the hours' proration reads): in the model his leave that day starts when that lunch
    is over, and the lunch, fixed, holds the time in between."""
    days = {d.date: d.index for d in tm.frame.days}
    for block in situation.timetable.blocks:
        absence = situation.absences.get(block.manager)
        day = days.get(block.date)
        if day is None or not situation.kept_lunch(block) or absence is None or block.end <= absence.minute:
            continue
        spans = tm.frame.managers[block.manager].partial_leave.get(day, [])
        intervals = []
        for i, (start, end) in enumerate(spans):
            if start < block.end and block.start < end:
                start = block.end
            lo, hi = tm.slots(start), -(-end // tm.grid)
            if lo < hi:
                intervals.append(tm.cp.new_fixed_size_interval_var(lo, hi - lo, f"leave[{block.manager},{day},{i}]"))
        tm.leave_intervals[(block.manager, day)] = intervals


def _keep_lunches(tm: TimetableModel, slots: Sequence[Slot], situation: Situation) -> None:
    """"Lunch on the road" — SPEC §3: a re-plan never takes a lunch away to make room.
    Every lunch of the plan still to come that the manager is not off sick for stays
    in his day (it may move inside its window), even where a leave leaving the lunch
    window no room would make it optional in a week planned afresh (week.owes_lunch)."""
    for slot in slots:
        old = slot.old
        if slot.var.kind != "lunch" or old is None or slot.pinned or slot.date < situation.today:
            continue
        if not _off_during(situation, old.manager, old):
            tm.cp.add(slot.var.present_literal(tm.cp) == 1)


def _group_choices(tm: TimetableModel, manager: str) -> list[tuple[frozenset[str], list[cp_model.IntVar]]]:
    """The groups a manager may hold his paired sessions in, each with the literals under
    which he does (as the rides read them, constraints._store_rides): his group, a group
    he may join, or himself alone."""
    if manager in tm.known_groups:
        return [(tm.known_groups[manager], [])]
    if manager in tm.joinable:
        return [(group, [lit]) for group, lit in tm.joinable[manager]]
    return [(frozenset((manager,)), [])]


def _store_choices(tm: TimetableModel, manager: str, date: dt.date | None = None,
                   stand_ins: StandIns | None = None) -> list[tuple[str | None, list[cp_model.IntVar]]]:
    """The stores a manager's paired sessions may be held at (on `date`: a group's
    stand-in for its store closed that day), each with the literals under which they
    are: his group's, that of a group he may join, or his own."""
    venues = tm.week_venues()
    def store(group: frozenset[str]) -> str | None:
        stand_in = stand_ins.get((group, date)) if stand_ins is not None and date is not None else None
        return stand_in or venues.group_store(group)

    return [(store(group), literals) for group, literals in _group_choices(tm, manager)]


def _stand_in_stores(tm: TimetableModel, situation: Situation) -> dict[tuple[frozenset[str], dt.date], str]:
    """"A closed store is treated like a cancelled one for that day": each group whose
    store is closed on a day left of the week holds that day's paired sessions at another
    promotion store the week's rule lets it hold (one of its members' territories, any
    when none has one; not closed that day, not given up), the one nearest its store
    first (its rides are the plan's nearly), of those one whose hours hold the paired
    kinds first. A group with no such store holds no session that day. A store cancelled
    from a later day than a session to come at it is read as closed from that day on."""
    if not situation.closed and not situation.cancelled_stores:
        return {}
    venues = tm.week_venues()
    storeless = without_own_store(situation.department, situation.policy)
    given_up = situation.stores_given_up
    groups = {group for manager in tm.frame.managers for group, _ in _group_choices(tm, manager)}
    stand_ins: dict[tuple[frozenset[str], dt.date], str] = {}
    for group in sorted(groups, key=sorted):
        store = venues.group_store(group)
        for date in situation.dates:
            if store is None or date < situation.today or not _store_closed_for(situation, store, date):
                continue
            others = [r for r in situation.department.retailers
                      if r.promo_store and r.id != store and not situation.store_out(r.id, date)
                      and r.id not in given_up and venues.knows(r.id)
                      and (r.manager in group or not holds_a_store(group, storeless))]
            if others:
                best = min(others, key=lambda r: (not holds_paired_kinds(r, situation.policy),
                                                  venues.minutes(Venue((store,)), Venue((r.id,))), r.id))
                stand_ins[(group, date)] = best.id
    return stand_ins


def _no_session_where_the_store_is_closed(tm: TimetableModel, slots: Sequence[Slot], situation: Situation,
                                          stand_ins: StandIns,
                                          chosen: dict[int, list[tuple[str, list[cp_model.IntVar]]]]) -> None:
    """A retailer closed on a day holds nothing that day: a group's paired session on a
    day its store is closed is held at the group's stand-in store that day
    (`_stand_in_stores`), with the rides to and from it (`_held_at`), or is not held.
    The group keeps its store for its other days, whose rides the model holds
    (`_stores_the_groups_hold`); the session may also move to another day, or is missed
    at the cost of its hours. (A store closed on every day left of the week is given up
    instead, `Situation.stores_given_up`; one cancelled from a later day than a session
    to come at it is read as closed from that day on.)"""
    if not situation.closed and not situation.cancelled_stores:
        return
    venues = tm.week_venues()
    paired = {k for k, r in tm.policy.kinds.items() if r.group == "pair"}
    for slot in slots:
        var = slot.var
        if slot.pinned or var.manager is None or var.kind not in paired or slot.date < situation.today:
            continue
        for group, literals in _group_choices(tm, var.manager):
            store = venues.group_store(group)
            if store is None or not _store_closed_for(situation, store, slot.date):
                continue
            stand_in = stand_ins.get((group, slot.date))
            if stand_in is None:
                tm.cp.add_bool_or([*(~lit for lit in literals), ~var.present_literal(tm.cp)])
                continue
            _held_at(tm, var, stand_in, literals, stand_ins)
            chosen.setdefault(id(var), []).append((stand_in, literals))


def _held_at(tm: TimetableModel, var: BlockVar, place: str, literals: Sequence[cp_model.IntVar],
             stand_ins: StandIns) -> None:
    """"One place at a time, with riding time between" — SPEC §3, §6, for a session held
    at `place` when `literals` hold, though the week's rides read another place for it
    (a stand-in for a store or household closed that day): it is held while `place` is
    open, starts no earlier than the ride there from the office at the day's start, and
    keeps the ride between `place` and each other block of its manager's day, plus the
    lunch when it is taken between them, as constraints.add_rides_between_places does
    for the week's places (a visit block after it starts in time to reach its area by the
    first-stop time). The week's rides to the other place hold as well: asking both costs
    room on that day only."""
    assert var.manager is not None
    cp, venues = tm.cp, tm.week_venues()
    at = Venue((place,))
    shop = next(r for r in tm.department.retailers if r.id == place)
    present = var.present_literal(cp)
    when = [*literals, present]
    cp.add(var.start >= -(-shop.opens // tm.grid)).only_enforce_if(when)
    cp.add(var.end <= tm.slots(shop.closes)).only_enforce_if(when)
    leave = -(-venues.minutes(OFFICE, at) // tm.grid)
    cp.add(var.start >= tm.slots(tm.policy.day.start) + leave).only_enforce_if(when)
    paired = {k for k, r in tm.policy.kinds.items() if r.group == "pair"}
    date = tm.frame.days[var.day].date
    lunch = None if tm.policy.lunch.during_visit else tm.lunches.get((var.manager, var.day))
    for other in tm.manager_blocks(var.manager, var.day):
        if other is var or other.kind == "lunch" or (other.kind in paired and var.kind in paired
                                                     and id(other) not in tm.past):
            continue
        held = tm.past.get(id(other))
        if held is not None and venues.knows(held):
            places: list[tuple[Venue, list[cp_model.IntVar]]] = [(Venue((held,)), [])]
        elif other.kind in paired:
            places = [(Venue((store,)), more) for store, more in _store_choices(tm, var.manager, date, stand_ins)
                      if store is not None and venues.knows(store)]
        else:
            places = [(venues.of(other.kind, var.manager), [])]
        for n, (where, more) in enumerate(places):
            there = -(-venues.minutes(at, where) // tm.grid)
            back = -(-venues.minutes(where, at) // tm.grid)
            if there == back == 0 and other.kind != "visit":
                continue
            both = [*when, other.present_literal(cp), *more]
            name = f"{place},{var.manager},{var.day},{var.kind},{var.occurrence},{other.kind},{other.occurrence},{n}"
            first = cp.new_bool_var(f"first_at[{name}]")
            cp.add(var.end <= other.start).only_enforce_if([first, *both])
            cp.add(other.end <= var.start).only_enforce_if([~first, *both])
            cp.add(var.start >= other.end + back).only_enforce_if([~first, *both])
            if other.kind == "visit":
                by = first_stop_time(tm.policy, tm.frame.days[var.day].weekday, tm.approach.get(var.manager, 0))
                cp.add(other.start + there <= tm.slots(by)).only_enforce_if([first, *both])
            else:
                cp.add(other.start >= var.end + there).only_enforce_if([first, *both])
            if lunch is None:
                continue
            assert isinstance(lunch.size, int)
            eating = lunch.present_literal(cp)
            after_var, before_other = cp.new_bool_var(f"lunch_after[{name}]"), cp.new_bool_var(f"lunch_before[{name}]")
            cp.add(lunch.start >= var.end).only_enforce_if([after_var, eating, present])
            cp.add(lunch.end <= var.start).only_enforce_if([~after_var, eating, present])
            cp.add(lunch.end <= other.start).only_enforce_if([before_other, eating, other.present_literal(cp)])
            cp.add(other.end <= lunch.start).only_enforce_if([~before_other, eating, other.present_literal(cp)])
            if other.kind != "visit":
                cp.add(other.start >= var.end + there + lunch.size).only_enforce_if(
                    [first, *both, eating, after_var, before_other])
            cp.add(var.start >= other.end + back + lunch.size).only_enforce_if(
                [~first, *both, eating, ~after_var, ~before_other])


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


def _days_touched_by_sickness(tm: TimetableModel, situation: Situation) -> set[tuple[str, int]]:
    """(manager, day index) of each day a sickness takes some or all of: the others of
    his group may hold their sessions without him that day (pairs.py)."""
    return {(manager, day.index) for manager, absence in situation.absences.items() for day in tm.frame.days
            if absence.date <= day.date <= absence.until}


def _promotions_without_store(situation: Situation) -> set[tuple[str, str]]:
    """(manager, kind) whose remaining promotion sessions have no store left at all (a
    store cancelled from a later day than a session to come at it is left until then)."""
    gone = situation.stores_given_up
    if not gone:
        return set()
    department = situation.department
    if any(r.promo_store and r.id not in gone for r in department.retailers):
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
    pair sessions, promotion sessions without any store left, pair sessions at a store
    closed that day. It keeps every rule of the re-plan, so it is the solver's start."""
    return [b for b in situation.timetable.blocks
            if situation.fixed(b) or not _taken_by_events(situation, groups, cancelled_kinds, b)]
