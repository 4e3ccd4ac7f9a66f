"""Re-pairing — SPEC §2 "pairs: 2 managers, same time, same place", for the rest of a
week that has already started: a group of the old plan does its remaining sessions
together; a manager whose every partner is off for the rest of the week (or present too
little of it to be paired) joins one other pair (a trio) or another such manager, or his
remaining pair sessions are dropped at the cost of the hours missed. The weekly model's pair choice is not used: the week's groups
are already chosen."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

from ortools.sat.python import cp_model

from engine.domain import Timetable
from engine.policy import Policy
from engine.replan.situation import Situation
from engine.timetable.model import BlockVar, TimetableModel
from engine.timetable.places import DraftBlock

FreeSessions = Mapping[tuple[str, str], Mapping[tuple[int, int], BlockVar]]
"""(manager, paired kind) -> (day, occurrence) -> a session he may still do."""


@dataclasses.dataclass
class Groups:
    """Who works together for the rest of the week."""

    members: dict[str, frozenset[str]]
    """Each paired manager's group of the old plan, without managers off for the rest."""
    orphans: list[str]
    """Managers whose every partner is off for the rest of the week."""
    links: dict[tuple[str, str], cp_model.IntVar] = dataclasses.field(default_factory=dict)
    """(orphan, host) -> the orphan works with the host's group for the rest of the week."""


def old_groups(timetable: Timetable, policy: Policy) -> dict[str, frozenset[str]]:
    """Each paired manager's group in the plan (partners of partners included)."""
    partners: dict[str, set[str]] = defaultdict(set)
    for b in timetable.blocks:
        rule = policy.kinds.get(b.kind)
        if rule is not None and rule.group == "pair":
            partners[b.manager].update(b.with_)
    groups: dict[str, frozenset[str]] = {}
    for manager in partners:
        group, todo = {manager}, [manager]
        while todo:
            for other in partners.get(todo.pop(), ()):
                if other not in group:
                    group.add(other)
                    todo.append(other)
        groups[manager] = frozenset(group)
    return groups


def remaining_groups(situation: Situation, unpairable: Collection[str] = ()) -> Groups:
    """The old plan's groups without the managers off for the rest of the week, nor
    those the absences leave `unpairable`: present below the policy's share to be
    paired (SPEC §2), they do no paired session this week, so their partners are left
    alone just as by a sickness to the end of the week, and are re-paired the same way."""
    away = {m for m in situation.absences if situation.off_for_the_rest(m)} | set(unpairable)
    old = old_groups(situation.timetable, situation.policy)
    members = {m: frozenset(g - away) for m, g in old.items() if m not in away}
    orphans = sorted(m for m, g in members.items() if len(g) == 1 and len(old[m]) > 1)
    return Groups(members, orphans)


def add_pairs(tm: TimetableModel, groups: Groups, free: FreeSessions,
              away: Collection[tuple[str, int]] = ()) -> None:
    """Tie each remaining group's free sessions together and offer each orphan a group
    to join (see the module text). `away`: (manager, day) a sickness touches; see
    `_group_sessions`."""
    paired_kinds = [k for k, r in tm.policy.kinds.items() if r.group == "pair"]
    done: set[frozenset[str]] = set()
    for group in groups.members.values():
        if len(group) < 2 or group in done:
            continue
        done.add(group)
        for kind in paired_kinds:
            _group_sessions(tm, {m: free.get((m, kind), {}) for m in sorted(group)}, away)
    _offer_groups_to_orphans(tm, groups, free, paired_kinds)


def _group_sessions(tm: TimetableModel, sessions: Mapping[str, Mapping[tuple[int, int], BlockVar]],
                    away: Collection[tuple[str, int]]) -> None:
    """"Pairs share time and place" — SPEC §2, for one group and kind: whoever of the
    group holds a session holds it with at least one other member, all of them at the
    same start and length; two members neither of whom a sickness touches that day hold
    it both or neither, as the plan had them. So a member off for part of the week
    leaves the others of a group of three their sessions together (for a pair it is the
    same rule as before: the one left has no one to hold it with)."""
    cp = tm.cp
    for key in sorted(set().union(*(s.keys() for s in sessions.values()))):
        day = key[0]
        held = {m: s[key] for m, s in sessions.items() if key in s}
        for manager, var in held.items():
            others = [o.present_literal(cp) for m, o in held.items() if m != manager]
            cp.add_bool_or([*others, ~var.present_literal(cp)])
        for a, b in itertools.combinations(sorted(sessions), 2):
            if (a, day) in away or (b, day) in away:
                if a in held and b in held:
                    _same_session(tm, held[a], held[b], [held[b].present_literal(tm.cp)])
            elif a in held or b in held:
                for mine, theirs in ((a, b), (b, a)):
                    if mine in held:
                        _same_session(tm, held[mine], held.get(theirs), [])


def _same_session(tm: TimetableModel, mine: BlockVar, theirs: BlockVar | None,
                  literals: Sequence[cp_model.IntVar]) -> None:
    """When `literals` hold, `mine` is present only together with `theirs`: same start,
    same length."""
    cp = tm.cp
    present = mine.present_literal(cp)
    if theirs is None:
        cp.add_bool_or([~lit for lit in literals] + [~present])
        return
    cp.add(theirs.present_literal(cp) == 1).only_enforce_if([*literals, present])
    cp.add(mine.start == theirs.start).only_enforce_if([*literals, present])
    if not (isinstance(mine.size, int) and isinstance(theirs.size, int)):
        cp.add(mine.size == theirs.size).only_enforce_if([*literals, present])


def _pair_hosts(groups: Groups) -> list[str]:
    """One member per remaining pair: joining either member joins the same trio."""
    return sorted({min(g) for m, g in groups.members.items() if m not in groups.orphans and len(g) == 2})


def offer_links(tm: TimetableModel, groups: Groups) -> None:
    """The literals of each orphan joining a host (a pair, or another orphan), in
    `groups.links`; and in `tm.joinable` the group each literal puts him in, so the
    rules that read a paired session's store (the rides) know it before the solve. A
    pair keeps its store when an orphan joins it (venues.py `joined`)."""
    for orphan in groups.orphans:
        for host in _pair_hosts(groups) + [o for o in groups.orphans if o > orphan]:
            link = tm.cp.new_bool_var(f"join[{orphan},{host}]")
            groups.links[(orphan, host)] = link
            if host in groups.orphans:
                tm.joinable.setdefault(orphan, []).append((frozenset((orphan, host)), link))
                tm.joinable.setdefault(host, []).append((frozenset((orphan, host)), link))
            else:
                tm.joinable.setdefault(orphan, []).append((groups.members[host], link))


def joiners(groups: Groups, solver: cp_model.CpSolver) -> frozenset[str]:
    """The orphans the solution puts in a remaining pair (not those paired together)."""
    return frozenset(orphan for (orphan, host), link in groups.links.items()
                     if host not in groups.orphans and solver.boolean_value(link))


def _offer_groups_to_orphans(tm: TimetableModel, groups: Groups, free: FreeSessions,
                             paired_kinds: Sequence[str]) -> None:
    """An orphan joins at most one host (a pair, making it a trio, or another orphan;
    the literals of `offer_links`); a pair takes at most one orphan; an orphan's
    session needs someone to work with."""
    cp = tm.cp
    hosts = _pair_hosts(groups)
    for (orphan, host), link in groups.links.items():
        for kind in paired_kinds:
            mine, theirs = free.get((orphan, kind), {}), free.get((host, kind), {})
            for key, x in mine.items():
                _same_session(tm, x, theirs.get(key), [link])
            if host in groups.orphans:
                for key, y in theirs.items():
                    _same_session(tm, y, mine.get(key), [link])
    for orphan in groups.orphans:
        joins = [lit for (a, b), lit in groups.links.items() if orphan in (a, b)]
        if joins:
            cp.add_at_most_one(joins)
        for kind in paired_kinds:
            for x in free.get((orphan, kind), {}).values():
                cp.add_bool_or([*joins, ~x.present_literal(cp)])
    for host in hosts:
        joined = [lit for (a, b), lit in groups.links.items() if b in groups.members[host]]
        if len(joined) > 1:
            cp.add_at_most_one(joined)


def relinked(groups: Groups, solver: cp_model.CpSolver) -> frozenset[str]:
    """The orphans the solution puts in any new group: a remaining pair they join, or
    another orphan (both of them)."""
    return frozenset(member for pair, link in groups.links.items() if solver.boolean_value(link)
                     for member in pair if member in groups.orphans)


def choose_partners(drafts: Iterable[DraftBlock], policy: Policy, groups: Groups,
                    solver: cp_model.CpSolver) -> None:
    """A new pair session's partners: the managers of its group (or the group an orphan
    joined) who do the same kind at the same time."""
    allowed: dict[str, set[str]] = {m: set(g) for m, g in groups.members.items()}
    for (orphan, host), link in groups.links.items():
        if not solver.boolean_value(link):
            continue
        allowed.setdefault(orphan, {orphan}).update(groups.members.get(host, {host}))
        for member in groups.members.get(host, {host}):
            allowed.setdefault(member, {member}).add(orphan)
    paired = [d for d in drafts if not d.fixed and (rule := policy.kinds.get(d.kind)) is not None
              and rule.group == "pair"]
    sessions: dict[tuple[str, dt.date, int, int], list[str]] = defaultdict(list)
    for d in paired:
        sessions[(d.kind, d.date, d.start, d.end)].append(d.manager)
    for d in paired:
        together = sessions[(d.kind, d.date, d.start, d.end)]
        d.with_ = tuple(sorted(m for m in together if m != d.manager and m in allowed.get(d.manager, ())))
