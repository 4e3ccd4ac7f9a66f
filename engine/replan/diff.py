"""The diff of a re-plan, per manager: the blocks after `now` moved, cancelled, added or
changed (same time, other partner or place), the block under way when a manager fell
ill cut (it ends then) or cancelled (he had not worked a slot of it), each with the
event behind it in words, and the stops handed over or received (handover.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from engine.domain import Block
from engine.replan.pairs import Groups
from engine.replan.result import BlockChange, ManagerDiff, StopChange
from engine.replan.situation import Situation


def _block_key(b: Block) -> tuple:
    return (b.kind, b.date, b.start, b.end)


def block_diff(situation: Situation, groups: Groups, blocks: Sequence[Block],
          stop_changes: Sequence[StopChange]) -> tuple[ManagerDiff, ...]:
    """Per manager: blocks after `now` moved, cancelled, added or changed, blocks under way
    cut by a sickness, and stops."""
    old_by: dict[str, list[Block]] = defaultdict(list)
    new_by: dict[str, list[Block]] = defaultdict(list)
    # The plan given: a session an earlier re-plan split where a partner fell ill is read
    # whole, and started before `now`; its part from `now` on is the plan's block to compare.
    for b in (*situation.timetable.blocks, *situation.rejoined):
        if not situation.pinned(b.date, b.start):
            old_by[b.manager].append(b)
    for b in blocks:
        if not situation.pinned(b.date, b.start):
            new_by[b.manager].append(b)
    out = []
    for manager in (m.id for m in situation.department.managers):
        old = sorted(old_by[manager], key=_block_key)
        new = sorted(new_by[manager], key=_block_key)
        changes: list[BlockChange] = []
        remaining_new = list(new)
        split = _split_for_a_partner(situation, manager, blocks)
        remaining_new = [n for n in remaining_new if all(n != after for _, after, _ in split)]
        gone: list[Block] = []
        for b in old:
            twin = next((n for n in remaining_new if _block_key(n) == _block_key(b)), None)
            if twin is None:
                gone.append(b)
                continue
            remaining_new.remove(twin)
            rule = situation.policy.kinds.get(b.kind)
            # who else sits in a department meeting is no change to tell a manager about
            partners_changed = twin.with_ != b.with_ and not (rule is not None and rule.group == "department")
            if partners_changed or twin.retailer != b.retailer:
                changes.append(BlockChange(change="changed", kind=b.kind, before=b, after=twin,
                                           reason=_why(situation, groups, b, twin)))
        twins = _twins(situation, gone, remaining_new)
        for b in gone:
            twin = twins.get(id(b))
            if twin is None:
                changes.append(BlockChange(change="cancelled", kind=b.kind, before=b,
                                           reason=_why(situation, groups, b, None)))
            else:
                remaining_new.remove(twin)
                changes.append(BlockChange(change="moved", kind=b.kind, before=b, after=twin,
                                           reason=_why(situation, groups, b, twin)))
        for n in remaining_new:
            changes.append(BlockChange(change="added", kind=n.kind, after=n, reason=_why(situation, groups, None, n)))
        for b, piece in situation.cut:
            if b.manager != manager:
                continue
            if piece is None:
                changes.append(BlockChange(change="cancelled", kind=b.kind, before=b,
                                           reason=_why(situation, groups, b, None)))
            else:
                changes.append(BlockChange(change="cut", kind=b.kind, before=b, after=piece,
                                           reason=f"{_why(situation, groups, b, piece)}: the block ends then"))
        for whole, after, why in split:
            changes.append(BlockChange(change="changed", kind=whole.kind, before=whole, after=after, reason=why))
        stops = [c for c in stop_changes if (c.manager_after if c.change in ("added", "received")
                                             else c.manager_before) == manager]
        if changes or stops:
            out.append(ManagerDiff(manager=manager, blocks=tuple(changes), stops=tuple(stops)))
    return tuple(out)


def _twins(situation: Situation, gone: Sequence[Block], new: Sequence[Block]) -> dict[int, Block]:
    """Each block of the plan no longer where it was (by `id`) with the new block it moved
    to: of its kind on its own day first (the nearest in time), only then on another day
    (the nearest day, then time), and for a daily kind (lunch, a per-day block) never on
    another day: its day has its own, and one lost to a sickness is cancelled, not moved.
    Matching across days first made a lost Wednesday lunch "moved to Thursday", Thursday's
    "moved to Friday" and Friday's "cancelled" while Friday had one. Each round pairs the
    closest old and new block first, one with a partner of the old block before one without
    (the same session, moved), so partners of one session read the same pairs."""
    twins: dict[int, Block] = {}
    free = list(new)
    for same_day in (True, False):
        pairs = sorted(((abs((n.date - b.date).days), not set(n.with_) & set(b.with_), abs(n.start - b.start),
                         b.date, b.start, n.date, n.start, i, j)
                        for i, b in enumerate(gone) if id(b) not in twins
                        for j, n in enumerate(free) if n.kind == b.kind and (n.date == b.date) == same_day
                        and (same_day or not _daily(situation, b.kind))))
        taken: set[int] = set()
        for *_, i, j in pairs:
            if id(gone[i]) not in twins and j not in taken:
                twins[id(gone[i])] = free[j]
                taken.add(j)
        free = [n for j, n in enumerate(free) if j not in taken]
    return twins


def _daily(situation: Situation, kind: str) -> bool:
    """A kind each working day has its own block of: lunch, or one with minutes per day."""
    rule = situation.policy.kinds.get(kind)
    return kind == "lunch" or (rule is not None and rule.is_daily)


def _split_for_a_partner(situation: Situation, manager: str,
                         blocks: Sequence[Block]) -> list[tuple[Block, Block, str]]:
    """The manager's sessions a partner fell ill in (`Situation.cut`), each with the
    part after that, which no longer names him (situation.split_where_a_partner_fell_ill),
    and why."""
    found = []
    for old, piece in situation.cut:
        if piece is None or manager not in old.with_:
            continue
        whole = next((b for b in situation.timetable.blocks
                      if (b.manager, b.date, b.kind, b.start) == (manager, old.date, old.kind, old.start)), None)
        after = next((b for b in blocks if (b.manager, b.date, b.kind, b.start) == (manager, old.date, old.kind,
                                                                                      piece.end)), None)
        absence = situation.absences.get(old.manager)
        if whole is not None and after is not None and absence is not None and old.manager not in after.with_:
            found.append((whole, after, f"partner {old.manager} is off sick from {absence.since}: the session "
                                        "goes on without him from then"))
    return found


def _why(situation: Situation, groups: Groups, before: Block | None, after: Block | None) -> str:
    """The event behind a block change, in words: the manager's own sickness; else the
    events that touch the block itself, as many as apply: a partner off during it (any
    partner off this week, for a block added), and the store it was held at closed that
    day or cancelled (a trio's session moved off a cancelled store while its third member
    is ill names both; a partner off on another day moved none of it); else, for a paired
    session, a re-pairing; else a block added towards hours of its kind the plan declared
    short for him (what it is for: no event asked for it); else a manager whose partners are off for the
    rest of the week has his week planned again (a solo block is no re-pairing); else
    room made for the changes."""
    block = before or after
    assert block is not None
    absence = situation.absences.get(block.manager)
    if absence is not None and before is not None and absence.overlaps(before.date, before.end):
        return f"{block.manager} is off sick from {absence.since}"
    said: list[str] = []
    partners = set(before.with_ if before else ()) | set(after.with_ if after else ())
    rule = situation.policy.kinds.get(block.kind)
    for partner in sorted(partners) if rule is not None and rule.group == "pair" else ():
        other = situation.absences.get(partner)
        if other is not None and (before is None or other.overlaps(before.date, before.end)):
            said.append(f"partner {partner} is off sick from {other.since}")
            break
    store = _store_words(situation, before, after)
    if store is not None:
        said.append(store)
    if said:
        return "; ".join(said)
    paired = rule is not None and rule.group == "pair"
    if paired and block.manager in groups.orphans:
        return "re-paired: his partner is off for the rest of the week"
    joined = sorted(set(after.with_ if after else ()) & set(groups.orphans)) if paired else []
    if joined:
        return f"{', '.join(joined)} joins the group: their partner is off for the rest of the week"
    short = sum(s.minutes_short for s in situation.timetable.shortfalls
                if (s.manager, s.kind) == (block.manager, block.kind) and not s.not_owed)
    if before is None and short:
        return f"towards the {short} min of {block.kind} the plan declared short for {block.manager}"
    if block.manager in groups.orphans:
        off = _partners_off(situation, block.manager)
        return f"{off or 'his partners are off'} for the rest of the week: the rest of his week is planned again"
    return "to make room for the changes"


def _partners_off(situation: Situation, manager: str) -> str:
    """The manager's partners in the plan's paired sessions who are off sick, in words:
    "partner m04 is off sick from Thu 2026-12-03 13:00"."""
    paired = {k for k, r in situation.policy.kinds.items() if r.group == "pair"}
    partners = sorted({m for b in situation.timetable.blocks if b.manager == manager and b.kind in paired
                       for m in b.with_ if m in situation.absences})
    return "; ".join(f"partner {m} is off sick from {situation.absences[m].since}" for m in partners)


def _store_words(situation: Situation, before: Block | None, after: Block | None) -> str | None:
    """The closure that took the block's store on its day, in words, or None: a promotion
    store cancelled by then (from a later day too when the re-plan gave it up for the rest
    of the week: a group keeps one store), or a retailer closed that day."""
    place = before.retailer if before is not None else None
    if place is None or before is None:
        return None
    if situation.closures.cancelled(place, before.date):
        since = situation.cancelled_stores.get(place, before.date)
        moved_to = f", now at {after.retailer}" if after is not None and after.retailer not in (None, place) else ""
        kept = " (a group keeps one store for the rest of the week)" if since > before.date else ""
        return f"promotion store {place} is cancelled from {since:%a} {since.isoformat()}{kept}{moved_to}"
    if (place, before.date) in situation.closed:
        return f"{place} is closed on {before.date}"
    return None
