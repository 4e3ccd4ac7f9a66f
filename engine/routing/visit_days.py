"""The weekly visit plan of one manager: which day each due retailer is visited
(SPEC §1.2, §4).

Stated as one VRPTW (`daily.day_problem`): each vehicle is one day of the week,
a vehicle type per day whose shift is that day's `visit` block (start and end
depots of its own, see `engine.routing.daily`); the clients are the due
retailers, with their opening hours (ended early enough for the service to be
over by closing time and by `route.visiting_ends_by`) as time windows and
max(service_min, `route.min_service_min`) as service. Every client is optional
with a prize larger than any detour, so the solver first visits as many
retailers as fit and then minimises the km ridden; what cannot fit comes back
unassigned and gets a reason.

Compact days come from the distance objective: spreading neighbours over two
days costs two trips to that area, so each day gets a compact cluster. Balance
does not: when the week has room, the shortest total ride packs some days full
and leaves others empty (measured on the sample under seed-003: 24/23/0/27/0
stops). So each day's stops are capped at its share of the week's visits, in
proportion to its visiting minutes (`stops_per_day`); a visit the caps leave out
is inserted afterwards into any day where it still fits in time. Minimum stops
per day (SPEC §3) are reported, not enforced (`plan.RoutePlan.shortfalls`).

After the solve each day is timed exactly (lunch included, `daily.time_visit_route`),
a retailer due twice a week that landed twice on one day is moved to another
day, and anything dropped is put back wherever it still fits. Once each day is re-ordered
on its own (`daily.route_day`, in plan.py), the visits still out are placed again into
those routes as delivered and their words measured on them (`in_routes`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
import re
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from engine.domain import Retailer
from engine.policy import Policy, format_clock
from engine.routing.daily import (
    FieldDay,
    Territory,
    cheapest_day,
    cheapest_feasible_insertion,
    classify_unvisited,
    day_problem,
    drop_until_feasible,
    fits_alone,
    solve_day_problem,
    time_visit_route,
)
from engine.routing.due import DueRetailer
from engine.routing.visit_value import HELD as _HELD
from engine.routing.visit_value import Unassigned, make_way
from engine.routing.vrptw import stop_when_stalled

WEEK_STALL_ITERATIONS = 300
"""The week's VRPTW of visit days (one vehicle a day) ends once this many solver iterations
bring no better week, before its time limit (`vrptw.stop_when_stalled`). Measured on the
sample's week and two generated departments (benchmarks/RESULTS.md §11, ninth round): the
routes take 10.5–10.9 s instead of 15.9–16.5 s of a 30-s budget for 796 of 915 visits
instead of 798 and the same km (±0.2 %), and 2.6–2.8 s instead of 13.8–14.3 s with the
same visits and km on the generated 12 and 16."""

_NO_ROOM = "it fits on its own, but the days it could go on are full"

_AMOUNTS = re.compile(r": a \d+-min visit plus a ride of .*$", re.S)
"""The minutes `visit_value.make_way` adds to a no-room reason, taken off when the days change."""


@dataclass(frozen=True)
class VisitDayPlan:
    """Per field day, the retailer ids in visiting order; every order keeps
    every rule of its day when timed by `daily.time_visit_route`."""

    manager: str
    days: tuple[FieldDay, ...]
    orders: tuple[tuple[str, ...], ...]
    unassigned: tuple[Unassigned, ...]
    due_visits: int
    solve_seconds: float
    idle: Mapping[dt.date, str] = field(default_factory=dict)
    """Why a day's visit block stays empty while visits are due (`idle_day_words`)."""
    fixed_out: int = 0
    """How many of `unassigned`, the first ones, no day can take whatever its route
    (`_visits_to_place`); the others are out for want of room in `orders` (`in_routes`)."""
    copies: tuple[str, ...] = ()
    """One retailer id per visit the days were given to place."""


def plan_visit_days(
    manager: str,
    due: Sequence[DueRetailer],
    days: Sequence[FieldDay],
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
    *,
    time_limit_s: float,
    seed: int = 0,
    backend: str = "pyvrp",
    balance_slack: float = 0.0,
    previous: Mapping[int, Sequence[str]] | None = None,
    values: Mapping[str, int] | None = None,
    deadline: float | None = None,
) -> VisitDayPlan:
    """Decide the day of every due visit of one manager's week (see the module text).

    `balance_slack` is how far above its share of the week's visits (in
    proportion to its visiting minutes) a day may go in the solve; 0 keeps the
    days level (each share is rounded up, which leaves a little room).
    `previous` (weekday 0–6 -> retailer ids in visiting order, e.g. last week's
    routes) is the solver's starting point where those retailers are due again.
    `values` (retailer id -> a visit's value, `visit_value.visit_values`; 1 when absent)
    decide who is left out first when the days cannot hold every visit (SPEC §4).
    `deadline` (a `time.monotonic()` time, the end of the manager's share of the route
    limit) ends the searches for a better week once passed (`_WeekToPlace.in_time`): the
    orders then keep every rule as they stand, and only the rules' own repairs still run."""
    started = time.perf_counter()
    values = values or {}
    days = tuple(days)
    copies, unassigned = _visits_to_place(due, days, territory, policy)
    orders: list[list[str]] = [[] for _ in days]
    if days and copies:
        orders = _solve_day_orders(days, copies, retailers, territory, policy, time_limit_s=time_limit_s,
                                   seed=seed, backend=backend, balance_slack=balance_slack, previous=previous,
                                   values=values)
    week = _WeekToPlace(days, copies, retailers, territory, policy, values, deadline)
    orders, left = week.swapped(*week.opened(*week.repaired(orders)))
    if week.key_visits_behind(orders, left) and week.in_time():
        orders, left = week.key_visits_first(orders, left, time_limit_s=time_limit_s, seed=seed, backend=backend)
    if week.key_visits_behind(orders, left):
        orders, left = week.least_visits_after_key_visits(orders, left)
    orders, left = week.opened(orders, left)
    fixed_out = len(unassigned)
    unassigned += left
    return VisitDayPlan(
        manager=manager,
        days=days,
        orders=tuple(tuple(order) for order in orders),
        unassigned=tuple(unassigned),
        due_visits=sum(item.visits for item in due),
        solve_seconds=time.perf_counter() - started,
        idle=_idle(days, orders, copies, retailers, territory, policy),
        fixed_out=fixed_out,
        copies=tuple(copies),
    )


def _idle(days: Sequence[FieldDay], orders: Sequence[Sequence[str]], copies: Sequence[str],
          retailers: Mapping[str, Retailer], territory: Territory, policy: Policy) -> dict[dt.date, str]:
    return {day.date: words for number, day in enumerate(days) if not orders[number]
            and (words := idle_day_words(number, days, orders, copies, retailers, territory, policy))}


def in_routes(week: VisitDayPlan, orders: Sequence[Sequence[str]], also_out: Sequence[Unassigned],
              retailers: Mapping[str, Retailer], territory: Territory, policy: Policy,
              values: Mapping[str, int]) -> VisitDayPlan:
    """The week on the day routes as delivered: `orders` are the days' routes once each was
    re-ordered on its own (`daily.route_day`), which often leaves more room than the week's
    orders did. The visits out for want of room (and `also_out`, those a day's route dropped)
    are placed again into them, most valuable first, where they keep every rule of the day
    (cheapest day, then in the place of less valuable visits, `make_way`), and the words of
    those still out are measured on these routes, not on the week's. While a key-class visit
    stays out for want of room that the room of least-class visits could hold
    (`key_visits_holding`), no least-class visit is put back (SPEC §4, the 20/80 rule:
    `least_visits_after_key_visits` left them out for it)."""
    place = _WeekToPlace(week.days, week.copies, retailers, territory, policy, values)
    fixed = list(week.unassigned[:week.fixed_out])
    # An opening-hours reason of the week (`make_way`) was measured on the week's orders too;
    # a visit held back for key customers is judged again on these routes.
    left = [dataclasses.replace(u, reason="no_room_in_day", detail=_NO_ROOM)
            if u.reason == "opening_hours" or u.detail.startswith(_HELD) else u
            for u in (*week.unassigned[week.fixed_out:], *also_out)]
    placed = [list(order) for order in orders]
    still = place._placed_again(placed, left)
    holding = place.key_visits_holding(placed, still)
    if holding:
        held = [u for u in left if place._of_class(u.retailer, "least_class")]
        placed = [list(order) for order in orders]
        still = place._placed_again(placed, [u for u in left if u not in held])
        holding = place.key_visits_holding(placed, still)
        still += [dataclasses.replace(u, detail=_held_words(holding)) for u in held]
    return dataclasses.replace(
        week, orders=tuple(tuple(order) for order in placed), unassigned=(*fixed, *still),
        idle=_idle(week.days, placed, week.copies, retailers, territory, policy))


def idle_day_words(number: int, days: Sequence[FieldDay], orders: Sequence[Sequence[str]], copies: Sequence[str],
                   retailers: Mapping[str, Retailer], territory: Territory, policy: Policy) -> str | None:
    """Why day `number` has no visit although visits are due: the few due retailers reached
    by its first-stop time (SPEC §3) have their visits of the week on other days, each the
    opener of its day, and no retailer is visited more often than due (SPEC §4); or, when
    every due retailer could open it, the week's due visits are all made on other days.
    None when no due retailer reaches it in time (the route's own note says so) or the day
    has none."""
    day = days[number]
    openers = sorted((r for r in dict.fromkeys(copies)
                      if time_visit_route(day, [r], retailers, territory, policy).feasible),
                     key=lambda r: territory.minutes(day.start_place.key, r))
    if orders[number] or day.visiting_minutes <= 0 or not openers:
        return None
    origin = day.start_place.retailer or "the office"
    where = "; ".join(
        f"{r} ({territory.minutes(day.start_place.key, r)} min from {origin}) is due {copies.count(r)} "
        f"time{'s' if copies.count(r) > 1 else ''}, visited "
        + (", ".join(f"{days[m].date:%a}" for m, order in enumerate(orders) if r in order) or "on no day")
        for r in openers)
    empty = (f"the visit block {format_clock(day.block_start)}–{format_clock(day.visiting_ends)} stays empty "
             f"({day.visiting_minutes} min of visiting lost): ")
    if len(openers) == len(dict.fromkeys(copies)):
        # Every due retailer could open the day: the first-stop time is not what keeps it empty.
        made = sum(len(order) for order in orders)
        per_day = ", ".join(f"{days[m].date:%a} {len(order)}" for m, order in enumerate(orders) if order) or "none"
        share = (f"all {len(copies)} due visit{'s' if len(copies) > 1 else ''} of the week are made on other "
                 f"days ({per_day}), fewer than the week's visit blocks hold"
                 if made == len(copies) else
                 f"{made} of the week's {len(copies)} due visits are made on other days ({per_day})")
        return (empty + f"{share}; "
                f"each of the {len(openers)} due retailer{'s' if len(openers) > 1 else ''} could be its first "
                f"stop by {format_clock(day.first_stop_by)}, and no retailer is visited more often than due: "
                f"{where}")
    return (empty + f"the first retailer must be reached by "
            f"{format_clock(day.first_stop_by)}, which only {len(openers)} due retailer"
            f"{'s' if len(openers) > 1 else ''} can be, and no retailer is visited more often than due: {where}")


@dataclass(frozen=True)
class _WeekToPlace:
    """One manager's visits to place on the week's days, and how a solve's day orders are
    made to keep every rule of their days (SPEC §3-4)."""

    days: tuple[FieldDay, ...]
    copies: Sequence[str]
    retailers: Mapping[str, Retailer]
    territory: Territory
    policy: Policy
    values: Mapping[str, int]
    deadline: float | None = None
    """When the searches for a better week stop (`time.monotonic()`; None: never), see `in_time`."""

    def in_time(self) -> bool:
        """Whether a search for a better week (opening a day, trading two days, the key visits
        solved first) may still start: each of them times many trial routes (a manager with
        some 150 visits a week spent minutes of a few seconds' limit on them)."""
        return self.deadline is None or time.monotonic() < self.deadline

    def repaired(self, orders: list[list[str]]) -> tuple[list[list[str]], list[Unassigned]]:
        """The solve's orders timed exactly: one visit a retailer a day, what breaks a rule
        of its day dropped and put back where it fits, then the make-way repair
        (visit_value.make_way); returns the orders and the visits left out."""
        orders = [list(order) for order in orders]
        leftovers = _one_visit_a_day(orders, self.copies)
        dropped, dropped_from = _drop_until_days_feasible(self.days, orders, self.retailers, self.territory,
                                                          self.policy)
        again = sorted(leftovers + dropped, key=lambda r: -self.values.get(r, 1))
        left = _put_back(again, dropped_from, self.days, orders, self.retailers, self.territory, self.policy)
        return orders, make_way(left, self.days, orders, self.retailers, self.territory, self.policy, self.values)

    def opened(self, orders: list[list[str]], left: list[Unassigned]) -> tuple[list[list[str]], list[Unassigned]]:
        """Open each empty day whose first-stop time (SPEC §3) only a few retailers meet with
        one of them: a due visit left out, or one moved from a day that keeps every rule
        without it; the visits left out then go where they fit (cheapest day, then in the
        place of less valuable ones, `make_way`). A day is opened only when the week then
        makes more of its visits' value; with no due retailer to open it, it stays empty
        (at most the due visits are made, SPEC §4) and `plan` says so."""
        for number, day in enumerate(self.days):
            if orders[number] or day.visiting_minutes <= 0 or not self.in_time():
                continue
            openers = sorted((r for r in dict.fromkeys(self.copies)
                              if time_visit_route(day, [r], self.retailers, self.territory, self.policy).feasible),
                             key=lambda r: self.territory.minutes(day.start_place.key, r))
            for opener in openers:
                if not self.in_time():
                    break
                trial = self._opened_with(number, opener, orders, left)
                if trial is not None and self._made(trial[0]) > self._made(orders):
                    orders, left = trial
                    break
        return orders, left

    def _opened_with(self, number: int, opener: str, orders: list[list[str]], left: list[Unassigned],
                     ) -> tuple[list[list[str]], list[Unassigned]] | None:
        """The week with `opener` as the only first stop of empty day `number`, taken from the
        visits left out or from a day that keeps every rule without it, and the left-out
        visits placed again; None when no visit of the opener can move."""
        orders = [list(order) for order in orders]
        out = next((u for u in left if u.retailer == opener and u.reason == "no_room_in_day"), None)
        if out is not None:
            left = [u for u in left if u is not out]
        else:
            donors = [m for m, order in enumerate(orders) if opener in order and time_visit_route(
                self.days[m], [r for r in order if r != opener], self.retailers, self.territory, self.policy).feasible]
            if not donors:
                return None
            orders[donors[0]].remove(opener)
        orders[number] = [opener]
        return orders, self._placed_again(orders, left)

    def _placed_again(self, orders: list[list[str]], left: list[Unassigned]) -> list[Unassigned]:
        """The visits left out for want of room placed again into `orders` (changed in
        place), most valuable first: where they fit, else in the place of less valuable
        ones (`make_way`); returns what is still left out. Every one of `left` fits some day
        on its own (`_visits_to_place`), so one left out for the first-stop rule
        (`time_window`: the days it fits on had no visit to follow) is tried again too:
        the days may have visits now."""
        again = [dataclasses.replace(u, reason="no_room_in_day", detail=_NO_ROOM) if u.reason == "time_window"
                 else dataclasses.replace(u, detail=_AMOUNTS.sub("", u.detail)) for u in left
                 if u.reason in ("no_room_in_day", "time_window")]
        kept = [u for u in left if u.reason not in ("no_room_in_day", "time_window")]
        queue = []
        for item in sorted(again, key=lambda u: -self.values.get(u.retailer, 1)):
            if not self._placed(item.retailer, orders):
                queue.append(item)
        return kept + make_way(queue, self.days, orders, self.retailers, self.territory, self.policy, self.values)

    def swapped(self, orders: list[list[str]], left: list[Unassigned]) -> tuple[list[list[str]], list[Unassigned]]:
        """Two days' visits traded whole when the week then makes more of its visits' value,
        the visits left out placed again after the trade. A manager whose first stop only one
        retailer meets in time (a far territory) has one day of visits, and a search that put
        that day on a day a leave shortens cannot move it one visit at a time: each visit
        without the first one breaks the first-stop rule (tester's d8 under seed-003, 11 of 13
        visits left out beside four empty days)."""
        if not any(u.reason in ("no_room_in_day", "time_window") for u in left):
            return orders, left
        for a, b in itertools.permutations(range(len(self.days)), 2):
            if not orders[a] or len(orders[b]) >= len(orders[a]) or self.days[b].visiting_minutes <= 0:
                continue
            if not self.in_time():
                break
            trial = [list(order) for order in orders]
            trial[a], trial[b] = list(orders[b]), list(orders[a])
            if not all(time_visit_route(self.days[k], trial[k], self.retailers, self.territory, self.policy).feasible
                       for k in (a, b)):
                continue
            still = self._placed_again(trial, left)
            if self._made(trial) > self._made(orders):
                orders, left = trial, still
        return orders, left

    def _made(self, orders: Sequence[Sequence[str]]) -> int:
        """The value of the visits the orders make."""
        return sum(self.values.get(r, 1) for order in orders for r in order)

    def _of_class(self, retailer_id: str, which: str) -> bool:
        rules = self.policy.visit_value
        return rules is not None and self.retailers[retailer_id].retailer_class == getattr(rules, which)

    def key_visits_behind(self, orders: Sequence[Sequence[str]], left: Sequence[Unassigned]) -> int:
        """Key-class visits left out for want of room while a least-class visit is made
        (SPEC §4: the 20/80 rule says the opposite); 0 when there are none."""
        if not any(self._of_class(r, "least_class") for order in orders for r in order):
            return 0
        return sum(1 for u in left if u.reason == "no_room_in_day" and self._of_class(u.retailer, "key_class"))

    def key_visits_first(self, orders: list[list[str]], left: list[Unassigned], *, time_limit_s: float,
                         seed: int, backend: str) -> tuple[list[list[str]], list[Unassigned]]:
        """Solve the week again key visits first (SPEC §4): the key-class visits alone,
        where a day can be given over to a far cluster of them, then every visit with the
        key visits placed so far required and the others around them. The new week is
        kept when it leaves fewer key visits behind (ties: more visits made)."""
        key = [r for r in self.copies if self._of_class(r, "key_class")]
        if self.deadline is not None:
            # Its two solves share what the deadline leaves, at most the week's solve's own limit.
            time_limit_s = min(time_limit_s, max(self.deadline - time.monotonic(), 0.0))
        key_orders = self._solve(key, orders, (), time_limit_s / 2, seed, backend)
        key_orders, _ = _WeekToPlace(self.days, key, self.retailers, self.territory, self.policy,
                                     self.values).repaired(key_orders)
        free: dict[str, list[int]] = {}
        for index, retailer_id in enumerate(self.copies):
            free.setdefault(retailer_id, []).append(index)
        placed = [[free[r].pop(0) for r in order] for order in key_orders]
        required = [index for order in placed for index in order]
        solved = self._solve(self.copies, key_orders, required, time_limit_s / 2, seed, backend)
        new_orders, new_left = self.repaired(solved)
        old = (self.key_visits_behind(orders, left), -sum(map(len, orders)))
        new = (self.key_visits_behind(new_orders, new_left), -sum(map(len, new_orders)))
        return (new_orders, new_left) if new < old else (orders, left)

    def least_visits_after_key_visits(self, orders: list[list[str]], left: list[Unassigned],
                                      ) -> tuple[list[list[str]], list[Unassigned]]:
        """"No class-A visit is unvisited while a class-C visit of the same manager was
        made" (SPEC §4, the 20/80 rule): when key visits are still out for want of room,
        every least-class visit of the week leaves the days, the key visits get the room
        it frees (and that of other less valuable visits, `make_way`), and the least-class
        visits come back, cheapest day first, only once no key visit is left out for want
        of room that their room could hold (`_key_room`: it fits some day beside that day's
        key visits alone, as the judges read a key customer's room). A key visit that fits no
        day even so gains nothing from their absence: they come back beside it (tester's
        d630h, m08: four C visits given up for an A shop no day could hold). Those that stay
        out say which key customers took their room, or are held for. A least-class
        visit that opens its day stays: where the first-stop time (SPEC §3) is met only by a
        few retailers near the office side of the territory, the day without it keeps no
        visit at all, key visits included."""
        kept = [self._without_least(self.days[number], order) for number, order in enumerate(orders)]
        least = [r for order, new in zip(orders, kept, strict=True) for r in order
                 if self._of_class(r, "least_class") and r not in new]
        orders = kept
        key_out = [u for u in left if u.reason == "no_room_in_day" and self._of_class(u.retailer, "key_class")]
        rest = [u for u in left if u not in key_out]
        wanted = {u.retailer for u in key_out}
        key_out = make_way([u for u in key_out if not self._placed(u.retailer, orders)], self.days, orders,
                           self.retailers, self.territory, self.policy, self.values)
        still_out = sorted({u.retailer for u in key_out if u.reason == "no_room_in_day"
                            and self._of_class(u.retailer, "key_class")})
        holding = [r for r in still_out if self._key_room(r, orders)]
        # The least-class visits come back only once no key visit that their room could
        # hold is out for want of room: a key visit that fits no day beside the days' key
        # visits alone gains nothing from their absence.
        if holding:
            out = [Unassigned(r, "no_room_in_day", _held_words(holding)) for r in least]
            return orders, rest + key_out + out
        back = [r for r in least if not self._placed(r, orders)]
        placed = sorted(wanted - set(still_out))
        detail = f"its room went to key customers placed in its stead ({', '.join(placed)})" if placed else _NO_ROOM
        out = make_way([Unassigned(r, "no_room_in_day", detail) for r in back], self.days, orders,
                       self.retailers, self.territory, self.policy, self.values)
        return orders, rest + key_out + out

    def key_visits_holding(self, orders: Sequence[Sequence[str]], left: Sequence[Unassigned]) -> list[str]:
        """The key-class visits left out for want of room that the room of less valuable visits
        could hold (`_key_room`), in id order."""
        return sorted({u.retailer for u in left if u.reason == "no_room_in_day"
                       and self._of_class(u.retailer, "key_class") and self._key_room(u.retailer, orders)})

    def _key_room(self, retailer_id: str, orders: Sequence[Sequence[str]]) -> bool:
        """Whether a visit of the retailer fits some day that does not visit it yet beside that
        day's key-class visits alone (with the day's first stop or without it), the lunch left
        out, as the judges read a key customer's room (SPEC §4): only then do the day's less
        valuable visits take room it could use."""
        for number, day in enumerate(self.days):
            order = orders[number]
            if retailer_id in order:
                continue
            key = [r for r in order if self._of_class(r, "key_class")]
            trials = [key] + ([[order[0], *key]] if order and order[0] not in key else [])
            loose = dataclasses.replace(day, lunch_minutes=0)
            if any(cheapest_feasible_insertion(loose, trial, retailer_id, self.retailers, self.territory,
                                               self.policy) is not None for trial in trials):
                return True
        return False

    def _without_least(self, day: FieldDay, order: Sequence[str]) -> list[str]:
        """The day's order without its least-class visits, except its first stop when the
        rest of the day breaks a rule of the day without it (the first-stop time)."""
        rest = [r for r in order if not self._of_class(r, "least_class")]
        if not order or not rest or not self._of_class(order[0], "least_class"):
            return rest
        if time_visit_route(day, rest, self.retailers, self.territory, self.policy).feasible:
            return rest
        return [order[0], *rest]

    def _placed(self, retailer_id: str, orders: list[list[str]]) -> bool:
        """Put one visit of the retailer on the day where it costs least, if any has room."""
        placed = cheapest_day(retailer_id, self.days, orders, self.retailers, self.territory, self.policy)
        if placed is not None:
            orders[placed[0]] = placed[1]
        return placed is not None

    def _solve(self, clients: Sequence[str], start: Sequence[Sequence[str]], required: Sequence[int],
               time_limit_s: float, seed: int, backend: str) -> list[list[str]]:
        """The week's VRPTW over `clients` with no caps on the days, started from `start`."""
        stated = day_problem(self.days, clients, self.retailers, self.territory, self.policy,
                             values=self.values, required=required)
        free: dict[str, list[int]] = {}
        for index, retailer_id in enumerate(clients):
            free.setdefault(retailer_id, []).append(index)
        initial = {number: [free[r].pop(0) for r in order if free.get(r)] for number, order in enumerate(start)}
        with stop_when_stalled(WEEK_STALL_ITERATIONS):
            solved = solve_day_problem(stated, time_limit_s=time_limit_s, seed=seed, backend=backend,
                                       initial={n: o for n, o in initial.items() if o})
        return [[clients[client] for client in route] for route in solved]


def _held_words(holding: Sequence[str]) -> str:
    """Why a least-class visit stays out while key visits its room could hold are out (SPEC §4)."""
    return (f"{_HELD} ({', '.join(holding)}): each fits a day beside that day's key visits, and no "
            "least-class visit is made while a key visit that could take its room is left out")


def _visits_to_place(due: Sequence[DueRetailer], days: Sequence[FieldDay], territory: Territory,
                     policy: Policy) -> tuple[list[str], list[Unassigned]]:
    """One retailer id per visit the solve places, and the visits no day can take: a
    retailer that fits no day on its own, or is due more often than the days it fits
    (SPEC §4: at most one visit a day)."""
    copies: list[str] = []
    unassigned: list[Unassigned] = []
    for item in due:
        retailer = item.retailer
        can_go = [day for day in days if fits_alone(day, retailer, territory, policy)]
        if not can_go:
            reason, detail = classify_unvisited(retailer, days, territory, policy)
            unassigned += [Unassigned(retailer.id, reason, detail)] * item.visits
            continue
        copies += [retailer.id] * min(item.visits, len(can_go))
        for _ in range(item.visits - len(can_go)):
            unassigned.append(
                Unassigned(
                    retailer.id,
                    "no_room_in_day",
                    f"due {item.visits} times this week, but only {len(can_go)} "
                    f"visit {'day' if len(can_go) == 1 else 'days'} can hold it",
                )
            )
    return copies, unassigned


def _solve_day_orders(
    days: Sequence[FieldDay],
    copies: Sequence[str],
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
    *,
    time_limit_s: float,
    seed: int,
    backend: str,
    balance_slack: float,
    previous: Mapping[int, Sequence[str]] | None,
    values: Mapping[str, int],
) -> list[list[str]]:
    """The week's VRPTW, one vehicle a day, each day capped at its share of the visits."""
    caps = stops_per_day(days, len(copies), balance_slack)
    stated = day_problem(days, copies, retailers, territory, policy, caps, values)
    start = _start_from(previous, days, copies) if previous else None
    with stop_when_stalled(WEEK_STALL_ITERATIONS):
        solved = solve_day_problem(stated, time_limit_s=time_limit_s, seed=seed, backend=backend, initial=start)
    return [[copies[client] for client in route] for route in solved]


def _one_visit_a_day(orders: list[list[str]], copies: Sequence[str]) -> list[str]:
    """Keep one visit per retailer per day (a second copy on the same day moves
    elsewhere); returns the visits to place again, those the solve left out included."""
    leftovers: list[str] = []
    for number, order in enumerate(orders):
        seen: set[str] = set()
        kept: list[str] = []
        for retailer_id in order:
            (leftovers if retailer_id in seen else kept).append(retailer_id)
            seen.add(retailer_id)
        orders[number] = kept
    placed = Counter(r for order in orders for r in order)
    for retailer_id, count in Counter(copies).items():
        leftovers += [retailer_id] * (count - placed[retailer_id] - leftovers.count(retailer_id))
    return leftovers


def _drop_until_days_feasible(
    days: Sequence[FieldDay],
    orders: list[list[str]],
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
) -> tuple[list[str], dict[str, dt.date]]:
    """Time every day exactly and drop the visits that break one of its rules; returns
    them and the day each was dropped from."""
    dropped_all: list[str] = []
    dropped_from: dict[str, dt.date] = {}
    for number, day in enumerate(days):
        _, kept, dropped = drop_until_feasible(day, orders[number], retailers, territory, policy)
        orders[number] = kept
        for retailer_id in dropped:
            dropped_from[retailer_id] = day.date
        dropped_all += dropped
    return dropped_all, dropped_from


def _put_back(
    leftovers: Sequence[str],
    dropped_from: Mapping[str, dt.date],
    days: Sequence[FieldDay],
    orders: list[list[str]],
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
) -> list[Unassigned]:
    """Insert each left-over visit where it costs least on a day that does not visit the
    retailer yet; those that fit nowhere come back unassigned."""
    unassigned: list[Unassigned] = []
    for retailer_id in leftovers:
        best = cheapest_day(retailer_id, days, orders, retailers, territory, policy)
        if best is not None:
            orders[best[0]] = best[1]
        else:
            unassigned.append(
                Unassigned(
                    retailer_id,
                    "no_room_in_day",
                    _NO_ROOM,
                    dropped_from.get(retailer_id),
                )
            )
    return unassigned




def _start_from(previous: Mapping[int, Sequence[str]], days: Sequence[FieldDay],
                copies: Sequence[str]) -> dict[int, list[int]]:
    """Last week's day orders as client indices of this week's problem: each retailer
    goes on the same weekday as before, where it is due again."""
    free: dict[str, list[int]] = {}
    for index, retailer_id in enumerate(copies):
        free.setdefault(retailer_id, []).append(index)
    start: dict[int, list[int]] = {}
    for number, day in enumerate(days):
        order = [free[r].pop(0) for r in previous.get(day.date.weekday(), ()) if free.get(r)]
        if order:
            start[number] = order
    return start


def stops_per_day(days: Sequence[FieldDay], visits: int, balance_slack: float) -> list[int]:
    """Each day's cap on stops: its share of the week's visits in proportion to
    its visiting minutes, plus `balance_slack`, rounded up."""
    minutes = [max(day.visiting_minutes, 0) for day in days]
    total = sum(minutes)
    if total == 0:
        return [0 for _ in days]
    return [math.ceil(visits * m / total * (1 + balance_slack)) for m in minutes]
