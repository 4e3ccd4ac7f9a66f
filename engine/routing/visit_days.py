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
day, and anything dropped is put back wherever it still fits.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.domain import Retailer
from engine.policy import Policy
from engine.routing.daily import (
    FieldDay,
    Territory,
    cheapest_day,
    classify_unvisited,
    day_problem,
    drop_until_feasible,
    fits_alone,
    solve_day_problem,
)
from engine.routing.due import DueRetailer
from engine.routing.visit_value import Unassigned, make_way


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
) -> VisitDayPlan:
    """Decide the day of every due visit of one manager's week (see the module text).

    `balance_slack` is how far above its share of the week's visits (in
    proportion to its visiting minutes) a day may go in the solve; 0 keeps the
    days level (each share is rounded up, which leaves a little room).
    `previous` (weekday 0–6 -> retailer ids in visiting order, e.g. last week's
    routes) is the solver's starting point where those retailers are due again.
    `values` (retailer id -> a visit's value, `visit_value.visit_values`; 1 when absent)
    decide who is left out first when the days cannot hold every visit (SPEC §4)."""
    started = time.perf_counter()
    values = values or {}
    days = tuple(days)
    copies, unassigned = _visits_to_place(due, days, territory, policy)
    orders: list[list[str]] = [[] for _ in days]
    if days and copies:
        orders = _solve_day_orders(days, copies, retailers, territory, policy, time_limit_s=time_limit_s,
                                   seed=seed, backend=backend, balance_slack=balance_slack, previous=previous,
                                   values=values)
    week = _WeekToPlace(days, copies, retailers, territory, policy, values)
    orders, left = week.repaired(orders)
    if week.key_visits_behind(orders, left):
        orders, left = week.key_visits_first(orders, left, time_limit_s=time_limit_s, seed=seed, backend=backend)
    if week.key_visits_behind(orders, left):
        orders, left = week.least_visits_after_key_visits(orders, left)
    unassigned += left
    return VisitDayPlan(
        manager=manager,
        days=days,
        orders=tuple(tuple(order) for order in orders),
        unassigned=tuple(unassigned),
        due_visits=sum(item.visits for item in due),
        solve_seconds=time.perf_counter() - started,
    )


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
        of room. Those that stay out say which key customers took their room."""
        least = [r for order in orders for r in order if self._of_class(r, "least_class")]
        orders = [[r for r in order if not self._of_class(r, "least_class")] for order in orders]
        key_out = [u for u in left if u.reason == "no_room_in_day" and self._of_class(u.retailer, "key_class")]
        rest = [u for u in left if u not in key_out]
        wanted = {u.retailer for u in key_out}
        key_out = make_way([u for u in key_out if not self._placed(u.retailer, orders)], self.days, orders,
                           self.retailers, self.territory, self.policy, self.values)
        still_out = sorted({u.retailer for u in key_out if u.reason == "no_room_in_day"
                            and self._of_class(u.retailer, "key_class")})
        # The least-class visits come back only once no key visit is out for want of room.
        back = least if still_out else [r for r in least if not self._placed(r, orders)]
        detail = (f"its room went to key customers the week still cannot hold ({', '.join(still_out)})"
                  if still_out else f"its room went to key customers placed in its stead ({', '.join(sorted(wanted))})")
        out = make_way([Unassigned(r, "no_room_in_day", detail) for r in back], self.days, orders,
                       self.retailers, self.territory, self.policy, self.values)
        return orders, rest + key_out + out

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
        solved = solve_day_problem(stated, time_limit_s=time_limit_s, seed=seed, backend=backend,
                                   initial={n: o for n, o in initial.items() if o})
        return [[clients[client] for client in route] for route in solved]


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
                    f"due {item.visits} times this week, but only {len(can_go)} visit days can hold it",
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
                    "it fits on its own, but the days it could go on are full",
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
