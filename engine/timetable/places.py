"""Where sessions are held — SPEC §2: "POS project 3 x 1 h at 3 different target
households per week" and "in-store promotion in pairs at a promotion store".

The solvers place blocks in time; this module then gives each POS-project session a
household and each group's promotion sessions a store. The weekly solve and the
re-plan use the same matching; a re-plan adds what it knows about the week as it
happens (`Closures`: retailers closed on a day, promotion stores cancelled) and the
place each session had before, which it keeps when it still can."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx

from engine.domain import Block, Conflict, Department, Retailer
from engine.policy import Policy
from engine.rules import KIND_RULE
from engine.timetable.venues import Venues, week_venues


@dataclass
class DraftBlock:
    """A block placed in time whose partners and place may still be chosen (minutes)."""

    manager: str
    date: dt.date
    kind: str
    start: int
    end: int
    with_: tuple[str, ...] = ()
    retailer: str | None = None
    fixed: bool = False
    """Its place is settled (a re-plan's block under way): it keeps it, and a household
    it uses counts as used."""
    previous: str | None = None
    """The place it had before (a re-plan): kept while it is still usable."""

    def block(self) -> Block:
        return Block.model_validate({"manager": self.manager, "date": self.date, "kind": self.kind,
                                     "start": self.start, "end": self.end, "with": self.with_,
                                     "retailer": self.retailer})


@dataclass(frozen=True)
class Closures:
    """Retailers that cannot be used though their hours are open (a re-plan's events)."""

    closed: frozenset[tuple[str, dt.date]] = frozenset()
    """(retailer, date): closed all day."""
    stores_cancelled: Mapping[str, dt.date] = field(default_factory=dict)
    """Promotion store -> the first date it can no longer be used."""

    def cancelled(self, retailer: str, date: dt.date) -> bool:
        since = self.stores_cancelled.get(retailer)
        return since is not None and date >= since

    def usable(self, retailer: Retailer, session: DraftBlock) -> bool:
        """Open through the session, not closed that day, not a store cancelled by then."""
        return (retailer.opens <= session.start and session.end <= retailer.closes
                and (retailer.id, session.date) not in self.closed
                and not self.cancelled(retailer.id, session.date))


NO_CLOSURES = Closures()


def assign_places(department: Department, policy: Policy, drafts: Sequence[DraftBlock],
                  closures: Closures = NO_CLOSURES, joined: frozenset[str] = frozenset(),
                  venues: Venues | None = None) -> list[Conflict]:
    """Set the retailer of every draft of a kind held at a place; the notes say what
    could not be placed as the rules ask. `joined`: managers who joined another group
    (a re-plan), whose group keeps its store (venues.py). `venues`: the places the
    timetable's rides assumed, when its model had its own (a re-plan's); else the week's."""
    at = {kind: rule.at for kind, rule in policy.kinds.items()}
    paired = {kind for kind, rule in policy.kinds.items() if rule.group == "pair"}
    pos = [d for d in drafts if at.get(d.kind) == "pos_target"]
    promotion = [d for d in drafts if at.get(d.kind) == "promo_store" or d.kind in paired]
    if not drafts:
        return []
    if venues is None:
        first = min(d.date for d in drafts)
        venues = week_venues(department, policy, first - dt.timedelta(days=first.weekday()))
    venues.joined = joined
    return (assign_pos_households(department, pos, closures, venues)
            + assign_promotion_stores(department, promotion, closures, venues))


def assign_pos_households(department: Department, sessions: Sequence[DraftBlock],
                          closures: Closures = NO_CLOSURES, venues: Venues | None = None) -> list[Conflict]:
    """"3 different target households per week" — SPEC §2: match each POS session of a
    manager to a different POS-target household of his territory that is open at that
    time (a maximum matching; among those, one that keeps the most previous places).
    With `venues`, the households the timetable's rides assumed come first: the
    matching uses only them when it can."""
    notes = []
    for manager in dict.fromkeys(s.manager for s in sessions):
        mine = [s for s in sessions if s.manager == manager]
        used = {s.retailer for s in mine if s.fixed and s.retailer}
        todo = [s for s in mine if not s.fixed]
        if not todo:
            continue
        targets = [r for r in department.territory(manager) if r.pos_target and r.id not in used]
        matched: dict[int, str] = {}
        if venues is not None:
            assumed = set(venues.of(todo[0].kind, manager).points)
            matched = _household_matching(todo, [r for r in targets if r.id in assumed], closures)
        if len(matched) < len(todo):
            matched = _household_matching(todo, targets, closures)
        taken = set(matched.values())
        fallback = iter(r.id for r in targets if r.id not in taken)
        for index, session in enumerate(todo):
            session.retailer = matched.get(index) or next(fallback, None)
        if len(matched) < len(todo):
            kind = todo[0].kind
            notes.append(Conflict(rules=(KIND_RULE.get(kind, kind),),
                                  message=f"{manager}: not every POS session has a target household "
                                          f"open at that time; check their opening hours"))
    return notes


def _household_matching(sessions: Sequence[DraftBlock], targets: Sequence[Retailer],
                        closures: Closures) -> dict[int, str]:
    """Session index -> household: as many sessions as can be matched; when sessions had
    places before, as many of those kept as a maximum matching allows."""
    graph = nx.Graph()
    left = [f"s{i}" for i in range(len(sessions))]
    graph.add_nodes_from(left)
    graph.add_nodes_from(r.id for r in targets)
    for node, session in zip(left, sessions, strict=True):
        for r in targets:
            if closures.usable(r, session):
                graph.add_edge(node, r.id, weight=2 if r.id == session.previous else 1)
    if any(s.previous for s in sessions):
        pairs = nx.max_weight_matching(graph, maxcardinality=True)
        matching = {a: b for pair in pairs for a, b in (pair, pair[::-1])}
    else:
        matching = nx.bipartite.hopcroft_karp_matching(graph, top_nodes=left)
    return {i: matching[node] for i, node in enumerate(left) if node in matching}


def assign_promotion_stores(department: Department, sessions: Sequence[DraftBlock],
                            closures: Closures = NO_CLOSURES, venues: Venues | None = None) -> list[Conflict]:
    """"At a promotion store" — SPEC §2: each group (a session's manager and partners)
    holds its paired sessions at one store of its members' territories, usable through
    all its sessions: its previous store first, then the store the timetable's rides
    assumed (`venues`), then the nearest to the group's territories; when no store fits
    every session, each session takes the first store that fits it."""
    notes = []
    centres = department.territory_centres()
    groups: dict[frozenset[str], list[DraftBlock]] = {}
    for session in sessions:
        if not session.fixed:
            groups.setdefault(frozenset((session.manager, *session.with_)), []).append(session)
    for group, mine in groups.items():
        assumed = venues.group_store(group) if venues is not None else None
        ranked = _ranked_stores(department, group, mine, centres, closures, assumed)
        whole = next((r for r in ranked if all(closures.usable(r, s) for s in mine)), None)
        unfit = False
        for session in mine:
            fits = whole or next((r for r in ranked if closures.usable(r, session)), None)
            unfit = unfit or fits is None
            choice = fits or (ranked[0] if ranked else None)
            session.retailer = choice.id if choice is not None else None
        if unfit:
            notes.append(Conflict(rules=(KIND_RULE.get(mine[0].kind, mine[0].kind),),
                                  message=f"no promotion store of {', '.join(sorted(group))} is open "
                                          f"through all their promotion sessions"))
    return notes


def _ranked_stores(department: Department, group: frozenset[str], sessions: Sequence[DraftBlock],
                   centres: Mapping[str, tuple[float, float]], closures: Closures,
                   assumed: str | None = None) -> list[Retailer]:
    """The group's promotion stores still in use for some of its sessions (any store of
    the department when its members have none), previous stores first, then nearest to
    the mean of the members' territory centres."""
    def left(r: Retailer) -> bool:
        return r.promo_store and not all(closures.cancelled(r.id, s.date) for s in sessions)

    stores = [r for r in department.retailers if left(r) and (r.manager in group or r.id == assumed)]
    if not stores:
        stores = [r for r in department.retailers if left(r)]
    lat = sum(centres[m][0] for m in group) / len(group)
    lon = sum(centres[m][1] for m in group) / len(group)
    previous = list(dict.fromkeys(s.previous for s in sessions if s.previous))
    return sorted(stores, key=lambda r: (r.id not in previous, previous.index(r.id) if r.id in previous else 0,
                                         r.id != assumed, (r.lat - lat) ** 2 + (r.lon - lon) ** 2, r.id))
