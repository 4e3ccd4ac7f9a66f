"""Who matters first when a week cannot hold every due visit (SPEC §4, seed 001's 20/80
rule: the few big customers deserve more visits; SPEC §3, the month's focus window).

A visit's value comes from the policy's `[visit_value]` table: its retailer's class,
plus a bonus per flag (volatile, enterprise) in a week that overlaps the month's focus
days (`[month] focus_days`). The route solver's prize for a visit is its value times a
unit larger than any detour (`daily.prize_for`), so leaving a visit out always costs
more than the riding it saves, and a valuable visit more than a cheap one.

The solver only leans that way; `make_way` turns it into a guarantee: a left-out visit
that fits some day on its own takes the place of the least valuable visits of that
day when that makes it fit, and what it displaced is put back elsewhere or left out
with the reason. Because the policy makes a key-class visit worth more than any other
visit with all its bonuses, no key-class visit stays out while a least-class visit of
the same manager-week is made, unless it could not be served on any day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.domain import Retailer
from engine.policy import WEEKDAYS, Policy, format_clock
from engine.routing.daily import (
    FieldDay,
    Territory,
    UnvisitedReason,
    cheapest_day,
    cheapest_feasible_insertion,
    fits_alone,
    service_minutes,
    time_visit_route,
)

WEEK_DAYS = 7

FITS_ALONE = "it fits on its own"
"""How the words of a visit that fits some day on its own begin (`daily.classify_unvisited`);
`_with_amounts` says after them which of those days stand empty and which are full."""

HELD = "held back for key customers still out"
"""How the words of a least-class visit kept out for key visits that could take its room begin
(visit_days): no minutes are added to them, the room is not what keeps it out."""


@dataclass(frozen=True)
class Unassigned:
    """A due visit that is in no day's route, with its reason and the words for it."""

    retailer: str
    reason: UnvisitedReason
    detail: str
    date: dt.date | None = None  # the day it was dropped from, when it was planned on one


def in_focus_week(monday: dt.date, policy: Policy) -> bool:
    """Whether a working day of the week starting `monday` falls in the month's focus days."""
    if policy.month is None:
        return False
    first, last = policy.month.focus_days
    working = {WEEKDAYS.index(d) for d in policy.working_days}
    days = (monday + dt.timedelta(days=n) for n in range(WEEK_DAYS))
    return any(first <= day.day <= last for day in days if day.weekday() in working)


def visit_value(retailer: Retailer, policy: Policy, monday: dt.date) -> int:
    """The value of one visit of `retailer` in the week starting `monday` (1 without a table)."""
    rules = policy.visit_value
    if rules is None:
        return 1
    flags: tuple[str, ...] = ()
    if in_focus_week(monday, policy):
        flags = tuple(flag for flag in rules.focus_bonus if getattr(retailer, flag))
    return rules.value(retailer.retailer_class, flags)


def visit_values(retailers: Mapping[str, Retailer], policy: Policy, monday: dt.date) -> dict[str, int]:
    """Every retailer's visit value for the week."""
    return {rid: visit_value(r, policy, monday) for rid, r in retailers.items()}


@dataclass(frozen=True)
class _Swap:
    """Taking a day's least valuable visits out so that a more valuable one fits."""

    day: int
    order: list[str]
    removed: list[str]
    cost: tuple[int, int, float]


def make_way(
    unassigned: Sequence[Unassigned],
    days: Sequence[FieldDay],
    orders: list[list[str]],
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
    values: Mapping[str, int],
    owners: Mapping[str, str] | None = None,
) -> list[Unassigned]:
    """Give each left-out visit, most valuable first, the place of less valuable visits
    where that makes it fit (see the module text); `orders` is changed in place. Returns
    the visits still left out, those with no room carrying the minutes they lack.
    `owners` names the absent manager of a visit handed over to this one (plan.py), so a
    visit that makes way for it says whose customer took its place."""
    queue = sorted(unassigned, key=lambda u: -values.get(u.retailer, 1))
    left: list[Unassigned] = []
    while queue:
        item = queue.pop(0)
        swap = None if item.reason != "no_room_in_day" else _best_swap(
            item.retailer, days, orders, retailers, territory, policy, values)
        if swap is None:
            left.append(item)
            continue
        orders[swap.day] = swap.order
        for removed in swap.removed:
            placed = cheapest_day(removed, days, orders, retailers, territory, policy)
            if placed is not None:
                orders[placed[0]] = placed[1]
                continue
            retailer = retailers[item.retailer]
            owner = (owners or {}).get(item.retailer)
            key = policy.visit_value is not None and retailer.retailer_class == policy.visit_value.key_class
            whose = "" if owner is None else f"{owner}'s {'key customer' if key else 'customer'} "
            queue.append(Unassigned(
                removed, "no_room_in_day",
                f"made way on {days[swap.day].date:%a} for {whose}{item.retailer} (class "
                f"{retailer.retailer_class}, a more valuable visit)", days[swap.day].date))
            queue.sort(key=lambda u: -values.get(u.retailer, 1))
    return measured(left, days, orders, retailers, territory, policy, values)


def measured(
    left: Sequence[Unassigned],
    days: Sequence[FieldDay],
    orders: Sequence[Sequence[str]],
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
    values: Mapping[str, int],
) -> list[Unassigned]:
    """The visits left out with the words of those out for want of room completed from
    `orders`: the hours other visits take (`_hours_taken`), else the minutes they lack
    (`_with_amounts`)."""
    return [_hours_taken(u, days, orders, retailers, territory, policy, values)
            or _with_amounts(u, days, orders, retailers, territory, policy) for u in left]


def _best_swap(
    retailer_id: str,
    days: Sequence[FieldDay],
    orders: Sequence[Sequence[str]],
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
    values: Mapping[str, int],
) -> _Swap | None:
    """The day where taking out the fewest, least valuable visits lets the retailer in."""
    best: _Swap | None = None
    for number, day in enumerate(days):
        order = list(orders[number])
        if retailer_id in order or not fits_alone(day, retailers[retailer_id], territory, policy):
            continue
        room = room_by_cheaper(day, order, retailer_id, values, retailers, territory, policy)
        if room is None:
            continue
        swap = _Swap(number, room[1], room[2], room[0])
        if best is None or swap.cost < best.cost:
            best = swap
    return best


def room_by_cheaper(
    day: FieldDay,
    order: Sequence[str],
    retailer_id: str,
    values: Mapping[str, int],
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
) -> tuple[tuple[int, int, float], list[str], list[str]] | None:
    """Room on the day for the retailer made by taking out the fewest, least valuable of
    its visits worth less than it: (cost = (value taken out, visits taken out, extra km),
    the new order, the visits taken out); None when no such set is enough. The week's
    routes and the month both make way by this one rule. The day's opener (`_opener`)
    goes only for a retailer that can open the day itself. When taking every other
    cheaper visit out still leaves no room, the day may lack a first stop reached in time
    (SPEC §3: the day's other visits lie too far out): then each of them that can open
    the day is tried as the one kept, and the opener as the one taken out."""
    worth = values.get(retailer_id, 1)
    opener = _opener(day, order, retailers, territory, policy)
    cheaper = sorted((r for r in order if values.get(r, 1) < worth and r != opener),
                     key=lambda r: (values.get(r, 1), -service_minutes(retailers[r], policy)))

    def made_way(candidates: list[str]) -> tuple[tuple[int, int, float], list[str], list[str]] | None:
        found = fewest_out(day, order, candidates, retailer_id, retailers, territory, policy)
        if found is None:
            return None
        count, new_order, extra_km = found
        removed = candidates[:count]
        return (sum(values.get(r, 1) for r in removed), count, extra_km), new_order, removed

    at_once = made_way(cheaper)
    if at_once is not None:
        return at_once
    trials = [[r for r in cheaper if r != kept] for kept in cheaper
              if _fits_as_first_stop(day, retailers[kept], territory, policy)]
    if (opener is not None and values.get(opener, 1) < worth
            and _fits_as_first_stop(day, retailers[retailer_id], territory, policy)):
        # The retailer can open the day itself: the opener, worth less, may make way for it
        # (the sample's m12 on 12-01: a C opened the day before an A too far to open it, and
        # the A left out, 20 min from the office, fitted only in the C's place).
        trials.append([opener, *cheaper])
    found = [way for way in map(made_way, trials) if way is not None]
    return min(found, key=lambda way: way[0]) if found else None


def _opener(day: FieldDay, order: Sequence[str], retailers: Mapping[str, Retailer], territory: Territory,
            policy: Policy) -> str | None:
    """The day's first stop when the day without it breaks a rule (the first-stop time, SPEC
    §3: only a few retailers near the office side may be reached by it): taking it out to
    make way would leave the rest of the day unreachable, so it does not make way."""
    if len(order) < 2 or time_visit_route(day, order[1:], retailers, territory, policy).feasible:
        return None
    return order[0]


def fewest_out(
    day: FieldDay,
    order: Sequence[str],
    cheaper: Sequence[str],
    retailer_id: str,
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
) -> tuple[int, list[str], float] | None:
    """How many of `cheaper` (taken out in that order) must go for the retailer to fit,
    with the new order and its extra km; a binary search, since a shorter route only
    leaves more room. None when even all of them are not enough."""

    def insert_without(count: int) -> tuple[float, list[str]] | None:
        kept = list(order)
        for gone in cheaper[:count]:
            kept.remove(gone)
        return cheapest_feasible_insertion(day, kept, retailer_id, retailers, territory, policy)

    if not cheaper or insert_without(len(cheaper)) is None:
        return None
    low, high = 1, len(cheaper)
    while low < high:
        middle = (low + high) // 2
        if insert_without(middle) is None:
            low = middle + 1
        else:
            high = middle
    found = insert_without(low)
    assert found is not None
    return low, found[1], found[0]


def _hours_taken(
    item: Unassigned,
    days: Sequence[FieldDay],
    orders: Sequence[Sequence[str]],
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
    values: Mapping[str, int],
) -> Unassigned | None:
    """A visit out for want of room whose opening hours are what keeps it out: on every day
    it fits on its own, its hours are taken by visits worth as much that cannot be made
    outside them (the same short hours: a department whose class-A shops all open
    09:00-09:15 holds one of them a day). No less valuable visit stands in its way, so
    the words say so instead of "the days are full" with minutes that are free. None when
    some day leaves it a long enough part of its hours."""
    if item.reason != "no_room_in_day":
        return None
    retailer = retailers[item.retailer]
    service = service_minutes(retailer, policy)
    worth = values.get(item.retailer, 1)
    alone = [n for n, day in enumerate(days) if item.retailer not in orders[n]
             and fits_alone(day, retailer, territory, policy)]
    if not alone:
        return None
    taken: list[str] = []
    for n in alone:
        timed = time_visit_route(days[n], orders[n], retailers, territory, policy)
        blocking = []
        for stop in timed.stops:
            other = retailers[stop.retailer]
            own = service_minutes(other, policy)
            # Worth as much, and its own hours leave it no visit before or after ours.
            if (values.get(stop.retailer, 1) >= worth and other.opens + own > retailer.opens
                    and other.closes - own < retailer.closes and stop.end > retailer.opens
                    and stop.start < retailer.closes):
                blocking.append(stop)
        free, clock = 0, retailer.opens
        for stop in sorted(blocking, key=lambda s: s.start):
            free = max(free, min(stop.start, retailer.closes) - clock)
            clock = max(clock, stop.end)
        free = max(free, retailer.closes - clock)
        if free >= service:
            return None
        taken += [f"{days[n].date:%a} {s.retailer} {format_clock(s.start)}–{format_clock(s.end)}" for s in blocking]
    detail = (f"open {format_clock(retailer.opens)}–{format_clock(retailer.closes)}: its {service}-min visit "
              f"clashes with the visits of the same hours that are worth as much ({', '.join(taken)}); "
              "the days have room at other hours, none in its own")
    return Unassigned(item.retailer, "opening_hours", detail, item.date)


def _with_amounts(
    item: Unassigned,
    days: Sequence[FieldDay],
    orders: Sequence[Sequence[str]],
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
) -> Unassigned:
    """A visit with no room, its words completed by the minutes: the ride and visit it needs
    after the last visit of the day it comes nearest to fitting, timed as the route is
    (`time_visit_route`, the ride on to the next place and a lunch on the way included), and
    the limit it then misses. A day it can go on is one where it fits as the first stop, or
    after the day's first stop (on an empty day the first-stop rule of SPEC §3 applies to
    it); when no day is left, the first-stop rule is what keeps it out, and the reason says
    so. When days are left but some it fits on stand empty for the first-stop rule, the
    words name those empty days, not "the days are full" (tester's d673b: a far manager's
    three empty days beside one full one), with the ride and the deadline. A visit that
    would fit after some day's last visit gets no minutes: they would not say why it is out."""
    if item.reason != "no_room_in_day" or "min" in item.detail or item.detail.startswith(HELD):
        return item
    retailer = retailers[item.retailer]
    alone = [n for n, day in enumerate(days) if item.retailer not in orders[n]
             and fits_alone(day, retailer, territory, policy)]
    fitting = [n for n in alone if orders[n] or _fits_as_first_stop(days[n], retailer, territory, policy)]
    if not alone:
        return item
    if not fitting:
        return _kept_out_by_first_stop(item, [days[n] for n in alone], retailer, territory)
    found = {n: _appended_miss(days[n], orders[n], retailer, retailers, territory, policy) for n in fitting}
    misses = {n: miss for n, miss in found.items() if miss is not None}
    if len(misses) < len(found):
        return item
    nearest = min(fitting, key=lambda n: misses[n][0])
    _, words = misses[nearest]
    amounts = (f"a {service_minutes(retailer, policy)}-min visit plus {words} on "
               f"{days[nearest].date:%a}, the nearest to fitting of the days it fits on "
               f"({', '.join(f'{days[n].date:%a}' for n in fitting)})")
    closed = [days[n] for n in alone if n not in fitting]
    if closed and item.detail.startswith(FITS_ALONE):
        # Days it would fit on stand empty: not full, it cannot open them in time. The first-stop
        # words follow the minutes, so that visit_days._AMOUNTS takes both off when days change.
        # (A visit that made way keeps its own words: the day it was on is what they name.)
        opened = [f"{days[n].date:%a}" for n in fitting]
        head = (f"{FITS_ALONE}, but {', '.join(f'{day.date:%a}' for day in closed)} "
                f"{'stands' if len(closed) == 1 else 'stand'} empty and {', '.join(opened)} "
                f"{'has' if len(opened) == 1 else 'have'} no room left")
        first_stop = _first_stop_words(closed, retailer, territory)
        return Unassigned(item.retailer, item.reason, f"{head}: {amounts}; it cannot open the empty days: "
                                                      f"{first_stop}", item.date)
    detail = f"{item.detail}: {amounts}"
    return Unassigned(item.retailer, item.reason, detail, item.date)


def _appended_miss(day: FieldDay, order: Sequence[str], retailer: Retailer, retailers: Mapping[str, Retailer],
                   territory: Territory, policy: Policy) -> tuple[int, str] | None:
    """(minutes late, words) of a visit of the retailer added after the day's last visit: the
    ride there, the ride on to the next place in place of the last visit's, and the limit it
    misses by most; None when it is late for none (it fits there)."""
    both = {**retailers, retailer.id: retailer}
    before = time_visit_route(day, order, both, territory, policy)
    after = time_visit_route(day, [*order, retailer.id], both, territory, policy)
    stop = after.stops[-1]
    last = order[-1] if order else None
    origin = last or (day.start_place.retailer or "the office")
    clock = format_clock(before.leave_last)
    late = [(stop.end - day.visiting_ends, f"would end at {format_clock(stop.end)}, after visiting ends "
                                           f"{format_clock(day.visiting_ends)}"),
            (stop.end - retailer.closes, f"would end at {format_clock(stop.end)}, after it closes at "
                                         f"{format_clock(retailer.closes)}")]
    words = f"a ride of {stop.ride_minutes} min there from {origin} (free from {clock})"
    if after.arrive_next is not None and day.end_deadline is not None:
        target = day.end_place.retailer or "the office"
        ride_on = territory.minutes(retailer.id, day.end_place.key)
        was = territory.minutes(last if last is not None else day.start_place.key, day.end_place.key)
        words += f" and {ride_on} min on to {target} (instead of {was})"
        late.append((after.arrive_next - day.end_deadline,
                     f"would be at {target} at {format_clock(after.arrive_next)}, after "
                     f"{format_clock(day.end_deadline)}" + (" (its lunch on the way taken off)"
                                                          if day.end_place.kind != "elsewhere"
                                                          and _lunch_on_the_way(day) else "")))
    if not order:
        late.append((stop.arrive - day.first_stop_by, f"would be reached at {format_clock(stop.arrive)}, after the "
                                                      f"first-stop time {format_clock(day.first_stop_by)}"))
    minutes, miss = max(late, key=lambda pair: pair[0])
    if minutes <= 0:
        return None
    return minutes, f"{words}: it {miss}, {minutes} min too late"


def _lunch_on_the_way(day: FieldDay) -> bool:
    """Whether a lunch block lies between the visit block and the next place (the deadline
    `FieldDay.end_deadline` is the next place's time less it)."""
    return any(b.kind == "lunch" and b.start >= day.block_end for b in day.blocks)


def _fits_as_first_stop(day: FieldDay, retailer: Retailer, territory: Territory, policy: Policy) -> bool:
    """Whether the retailer alone makes a route of the day, reached by the first-stop time."""
    return time_visit_route(day, [retailer.id], {retailer.id: retailer}, territory, policy).feasible


def _kept_out_by_first_stop(item: Unassigned, days: Sequence[FieldDay], retailer: Retailer,
                            territory: Territory) -> Unassigned:
    """The days it would fit on are empty, and it cannot open any of them: the ride from
    the start of the route does not reach it by the first-stop time (SPEC §3)."""
    return Unassigned(item.retailer, "time_window", _first_stop_words(days, retailer, territory), item.date)


def _first_stop_words(days: Sequence[FieldDay], retailer: Retailer, territory: Territory) -> str:
    """Why the retailer cannot open the empty days (`days`) it would fit on: the first-stop
    time of each, and the ride to it from the start of the route."""
    deadlines = {day.first_stop_by for day in days}
    by = format_clock(min(deadlines)) if len(deadlines) == 1 else "the day's first-stop time"
    rides = ", ".join(f"{day.date:%a} from {format_clock(day.block_start)}"
                      + (f" (by {format_clock(day.first_stop_by)})" if len(deadlines) > 1 else "")
                      + f": {territory.minutes(day.start_place.key, retailer.id)} min" for day in days)
    return (f"the first retailer must be reached by {by}; the days it would fit on have no other visit "
            f"and the ride to it from the start of the route is too long ({rides})")
