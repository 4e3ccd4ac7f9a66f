"""One manager's visit route on one day (SPEC §3): who is visited in which order,
at what times, and what could not fit and why.

The day as the timetable gives it (`FieldDay`):
- the route leaves at the start of the day's `visit` block, from the office, or
  from the fixed appointment (POS household, promotion store) that ends right
  before the block;
- the first retailer is reached by `route.first_stop_by`; on a weekday with a
  `route.first_stop_by_on` (Monday's meeting first), by the time the manager's ride
  from the office after the meeting needs, at most that one (engine/routing/approach.py);
- every stop gets at least its service minutes (never fewer than
  `route.min_service_min`) inside the retailer's opening hours;
- visiting is over by `route.visiting_ends_by` and by the visit block's end;
- after the last stop the manager rides to the next place the timetable fixes:
  the next appointment's retailer, or the office for the next office block, or
  the office for the daily report at the end of the day; the ride must arrive
  in time (a lunch block in between is taken on the way). A maintenance or site
  study block has no place in the timetable, so after one the ride is not
  constrained and from one the route is assumed to start at the office;
- with `lunch.during_visit` the lunch minutes are reserved inside the block,
  taken after some stop within the lunch window, or, where no stop leaves it room
  (a block a midday leave ends), after the ride back by the next place, still inside
  the block (`LUNCH_AT_NEXT_PLACE`).

The VRPTW (through `engine.routing.vrptw`, whichever backend) orders the stops;
`time_visit_route` then times the order exactly, lunch included, and a stop
that no longer fits is dropped with a reason from `UNVISITED_REASONS`.

Two modelling devices keep the day's rules inside a plain VRPTW (see
`day_problem`): the route's start is a depot of its own, so the ride out of it
is used only by the first stop and can be forbidden for retailers that cannot be
reached by `first_stop_by`; and its end is a depot whose riding times count
only the part of the ride that does not fit between the end of visiting and the
next commitment, so "visiting over by the block's end" and "at the next place
in time" are both the vehicle's shift end.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

import numpy as np

from engine.domain import Block, Leave, Retailer, Timetable
from engine.policy import WEEKDAYS, Policy, Weekday, format_clock
from engine.routing import vrptw
from engine.routing.approach import back_from_leave, first_stop_time
from engine.routing.matrix import TravelMatrix

UnvisitedReason = Literal["time_window", "opening_hours", "no_room_in_day", "too_far", "no_visit_days"]
UNVISITED_REASONS: tuple[str, ...] = ("time_window", "opening_hours", "no_room_in_day", "too_far",
                                      "no_visit_days")
"""Why a due retailer is not visited (closed vocabulary, as VROOM's `unassigned`):
`no_visit_days` the week has no working day (every day a holiday), so no visit block
(the month plan's word for a month without visit days);
`opening_hours` its hours and the week's visit windows do not meet long enough;
`too_far` the ride there and on to the next place does not fit any visit window;
`time_window` the route rules (first stop, end of visiting, the block) leave no
time for it even though it is open and near enough (or its visit is longer than
any visit window; one longer than its opening hours is `opening_hours`); `no_room_in_day` it would
fit on its own but the days it could go on are full."""

PlaceKind = Literal["office", "retailer", "elsewhere"]

# A riding time longer than any working day: an arc with it can never be used in time.
FORBIDDEN_MINUTES = 24 * 60
METRES_PER_KM = 1000


@dataclass(frozen=True)
class Place:
    """Where the manager is: the office, a retailer, or a field place the
    timetable does not name (maintenance, site study)."""

    kind: PlaceKind
    retailer: str | None = None

    @property
    def key(self) -> str | None:
        """The travel-matrix key: the retailer id, None for the office."""
        return self.retailer if self.kind == "retailer" else None


OFFICE = Place("office")
ELSEWHERE = Place("elsewhere")


@dataclass(frozen=True)
class Appointment:
    """A fixed field block at a retailer (POS household, promotion store)."""

    retailer: str
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class FieldDay:
    """One manager's day as far as the visit route is concerned (all times in
    minutes after midnight)."""

    manager: str
    date: dt.date
    block_start: int
    block_end: int
    visiting_ends: int
    first_stop_by: int
    start_place: Place
    end_place: Place
    end_deadline: int | None
    lunch_minutes: int
    lunch_earliest: int
    lunch_latest_end: int
    blocks: tuple[Block, ...] = ()
    visit_block: bool = True
    """False for a day the timetable gives no visit block but field blocks at retailers
    (`appointment_days`): its rides between them are routed, nothing is visited."""
    leave: tuple[tuple[int, int], ...] = ()
    """The manager's part-day leave that day, (start, end): he goes off from wherever he is
    and comes back by the office, as at the day's start (SPEC §3; the timetable leaves
    room for that ride), so no ride of the route falls in it."""

    @property
    def end_slack(self) -> int:
        """Minutes between the end of visiting and the next commitment that the
        ride to the next place may use for free."""
        if self.end_deadline is None:
            return FORBIDDEN_MINUTES
        return max(self.end_deadline - self.visiting_ends, 0)

    @property
    def visiting_minutes(self) -> int:
        """Minutes of the block available for riding and visiting (lunch taken off)."""
        return self.visiting_ends - self.block_start - self.lunch_minutes

    @property
    def appointments(self) -> tuple[Appointment, ...]:
        """The day's fixed appointments at retailers, in time order."""
        return tuple(
            Appointment(b.retailer, b.kind, b.start, b.end)
            for b in self.blocks
            if b.retailer is not None and b.kind != "visit"
        )


def place_of(block: Block, policy: Policy) -> Place | None:
    """Where a block is done; None for a lunch (taken wherever the manager is)."""
    if block.kind == "lunch":
        return None
    if block.retailer is not None and block.kind != "visit":
        return Place("retailer", block.retailer)
    rule = policy.kinds.get(block.kind)
    # The department's own kinds (the site study) set out from the office, where the
    # timetable held them (timetable/venues.py): their rides are timed and counted.
    if rule is not None and (rule.place == "office" or rule.group == "department"):
        return OFFICE
    return ELSEWHERE


def _blocks_by_date(timetable: Timetable, manager: str) -> dict[dt.date, list[Block]]:
    by_date: dict[dt.date, list[Block]] = {}
    for block in timetable.blocks:
        if block.manager == manager:
            by_date.setdefault(block.date, []).append(block)
    return by_date


def part_day_leave(leave: Iterable[Leave], manager: str) -> dict[dt.date, tuple[tuple[int, int], ...]]:
    """The manager's part-day leave per date, (start, end) in time order (`FieldDay.leave`)."""
    spans: dict[dt.date, list[tuple[int, int]]] = {}
    for entry in leave:
        if entry.manager == manager and entry.start is not None and entry.end is not None:
            spans.setdefault(entry.date, []).append((entry.start, entry.end))
    return {date: tuple(sorted(found)) for date, found in spans.items()}


def field_days(timetable: Timetable, policy: Policy, manager: str,
               rules_of: Mapping[dt.date, Weekday] | None = None, approach: int | None = None,
               leave: Mapping[dt.date, tuple[tuple[int, int], ...]] | None = None) -> list[FieldDay]:
    """The manager's days that have a visit block, read from the timetable. `rules_of`
    names the weekday whose rules a date follows (a make-up working day's, SPEC §5);
    a date it does not name follows its own weekday's. `approach` is the manager's ride
    from the office to his nearest retailer due that week (approach.manager_approach),
    which sets each day's first-stop time (approach.first_stop_time, SPEC §3); without
    it a day gets its weekday's latest first-stop time (`route.first_stop_on`). `leave`:
    his part-day leave per date (`part_day_leave`); one that took the start of his day
    moves its first stop on (approach.back_from_leave), with or without `approach`."""
    by_date = _blocks_by_date(timetable, manager)
    days = []
    for date in sorted(by_date):
        blocks = sorted(by_date[date], key=lambda b: (b.start, b.end))
        for visit in (b for b in blocks if b.kind == "visit"):
            weekday = (rules_of or {}).get(date) or cast(Weekday, WEEKDAYS[date.weekday()])
            spans = (leave or {}).get(date, ())
            ride = approach or 0
            first_stop_by = first_stop_time(policy, weekday, ride, back_from_leave(policy, weekday, ride, spans))
            if approach is None:
                first_stop_by = max(first_stop_by, policy.route.first_stop_on(weekday))
            days.append(_field_day(visit, blocks, policy, first_stop_by, spans))
    return days


def appointment_days(timetable: Timetable, policy: Policy, manager: str,
                     leave: Mapping[dt.date, tuple[tuple[int, int], ...]] | None = None) -> list[FieldDay]:
    """The manager's days with no visit block but a field block at a retailer (a POS
    household, a promotion store, a maintenance site; e.g. a day shortened by leave): the
    rides of such a day, office -> store -> ... -> office, are as real as a visit day's, so
    the day is routed around its fixed blocks (`build_itinerary`) with an empty visit window
    at the start of its first field block."""
    by_date = _blocks_by_date(timetable, manager)
    days = []
    for date in sorted(by_date):
        blocks = sorted(by_date[date], key=lambda b: (b.start, b.end))
        places = [(b, place_of(b, policy)) for b in blocks]
        if any(b.kind == "visit" for b in blocks) or not any(
                place is not None and place.kind == "retailer" for _, place in places):
            continue
        first = next(b for b, place in places if place is not None and place.kind != "office")
        lunch = policy.lunch
        days.append(FieldDay(
            manager=manager, date=date, block_start=first.start, block_end=first.start,
            visiting_ends=first.start, first_stop_by=first.start, start_place=OFFICE, end_place=OFFICE,
            end_deadline=policy.day.end, lunch_minutes=0, lunch_earliest=lunch.earliest,
            lunch_latest_end=lunch.latest_end, blocks=tuple(blocks), visit_block=False,
            leave=(leave or {}).get(date, ()),
        ))
    return days


def _field_day(visit: Block, blocks: list[Block], policy: Policy, first_stop_by: int,
               leave: tuple[tuple[int, int], ...] = ()) -> FieldDay:
    before = [b for b in blocks if b.end <= visit.start and b.kind != "lunch"]
    start_place = OFFICE
    if before and (place := place_of(before[-1], policy)) is not None and place.kind == "retailer" \
            and not any(before[-1].end <= s and e <= visit.start for s, e in leave):
        start_place = place  # unless a leave lies between: he comes back by the office
    after = [b for b in blocks if b.start >= visit.end and b is not visit]
    end_place: Place = OFFICE
    deadline: int | None = policy.day.end
    off_next = min((s for s, _ in leave if s >= visit.end), default=None)
    if off_next is not None and not any(b.start < off_next and place_of(b, policy) is not None for b in after):
        # He goes on leave from the office, as he comes back by it (SPEC §3): back there by
        # its start, less a lunch on the way.
        lunch_first = sum(b.end - b.start for b in after if b.start < off_next and place_of(b, policy) is None)
        end_place, deadline, after = OFFICE, off_next - lunch_first, []
    lunch_on_the_way = 0
    for block in after:
        place = place_of(block, policy)
        if place is None:
            lunch_on_the_way += block.end - block.start
            continue
        end_place = place
        deadline = None if place.kind == "elsewhere" else block.start - lunch_on_the_way
        break
    lunch = policy.lunch
    lunch_minutes = 0
    if lunch.during_visit:
        room = min(lunch.latest_end, visit.end) - max(lunch.earliest, visit.start)
        lunch_minutes = lunch.minutes if room >= lunch.minutes else 0
    return FieldDay(
        manager=visit.manager,
        date=visit.date,
        block_start=visit.start,
        block_end=visit.end,
        visiting_ends=min(visit.end, policy.route.visiting_ends_by),
        first_stop_by=first_stop_by,
        start_place=start_place,
        end_place=end_place,
        end_deadline=deadline,
        lunch_minutes=lunch_minutes,
        lunch_earliest=lunch.earliest,
        lunch_latest_end=lunch.latest_end,
        blocks=tuple(blocks),
        leave=leave,
    )


@dataclass(frozen=True)
class Territory:
    """Riding minutes and km between a manager's office (key None) and retailers."""

    keys: tuple[str | None, ...]
    matrix: TravelMatrix
    index: Mapping[str | None, int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {key: i for i, key in enumerate(self.keys)})

    def minutes(self, origin: str | None, target: str | None) -> int:
        """Whole riding minutes from one place to another."""
        return int(self.matrix.minutes[self.index[origin], self.index[target]])

    def km(self, origin: str | None, target: str | None) -> float:
        """Road km from one place to another."""
        return float(self.matrix.distance_km[self.index[origin], self.index[target]])


def service_minutes(retailer: Retailer, policy: Policy) -> int:
    """A stop's length: the retailer's own minutes, never below the policy's minimum."""
    return max(retailer.service_min, policy.route.min_service_min)


def latest_service_end(retailer: Retailer, policy: Policy) -> int:
    """Service must end by closing time and by the end of field visiting."""
    return min(retailer.closes, policy.route.visiting_ends_by)


# ---------------------------------------------------------------------------
# Timing an order exactly


@dataclass(frozen=True)
class TimedStop:
    """A visit with its clock times."""

    retailer: str
    arrive: int
    start: int
    end: int
    ride_minutes: int


@dataclass(frozen=True)
class TimedRoute:
    """An order of stops timed from the block's start; `lateness` sums every
    minute by which a rule is missed (0 = the route keeps every rule)."""

    stops: tuple[TimedStop, ...]
    lunch: tuple[int, int] | None
    leave_last: int
    arrive_next: int | None
    lateness: int
    lunch_wait: int = 0
    """Minutes the manager waits where he is for the lunch window to open (idle in the field)."""

    @property
    def feasible(self) -> bool:
        """True when the timed route keeps every rule of the day."""
        return self.lateness == 0


def time_visit_route(
    day: FieldDay,
    order: Sequence[str],
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
    *,
    first_stop_rule: bool = True,
) -> TimedRoute:
    """Time `order` from the block's start: each service starts on arrival or at
    opening time; the lunch (if reserved) goes after the stop that lets the route
    finish earliest while keeping the most rules. `first_stop_rule=False` skips
    the first-stop deadline (used to judge a retailer on its own)."""
    positions: list[int | None] = list(range(len(order) + 1)) if day.lunch_minutes else [None]
    if day.lunch_minutes and order and _ends_at_next(day):
        positions.append(LUNCH_AT_NEXT_PLACE)
    best: tuple[tuple[int, bool, int], TimedRoute] | None = None
    for lunch_after in positions:
        timed = _time_with_lunch(day, order, retailers, territory, policy, lunch_after, first_stop_rule)
        # The lunch on the road where it fits; by the next place only where no stop leaves it room.
        key = (timed.lateness, lunch_after == LUNCH_AT_NEXT_PLACE, timed.leave_last)
        if best is None or key < best[0]:
            best = (key, timed)
    assert best is not None
    return best[1]


LUNCH_AT_NEXT_PLACE = -1
"""`_time_with_lunch`'s place of the lunch after the ride from the last stop to the next
place (the office he goes on leave from, the next office block or appointment): on a block
a midday leave ends, a store out of town leaves no room for the lunch on the road and the
ride back both after 11:00, but he can ride back first and lunch by the office before the
leave starts (seed 003's block 08:30-12:00 before a leave at 12:00). Still inside the visit
block and the lunch window; tried only when no stop leaves the lunch room."""


def _ends_at_next(day: FieldDay) -> bool:
    """Whether the route ends with a ride to a place it must reach by a time."""
    return day.end_place.kind != "elsewhere" and day.end_deadline is not None


def _time_with_lunch(
    day: FieldDay,
    order: Sequence[str],
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
    lunch_after: int | None,
    first_stop_rule: bool,
) -> TimedRoute:
    clock, here, lateness = day.block_start, day.start_place.key, 0
    stops: list[TimedStop] = []
    lunch: tuple[int, int] | None = None
    lunch_wait = 0

    def take_lunch(now: int) -> int:
        nonlocal lunch, lateness, lunch_wait
        begin = max(now, day.lunch_earliest)
        lunch_wait = begin - now
        finish = begin + day.lunch_minutes
        lateness += max(finish - day.lunch_latest_end, 0) + max(finish - day.block_end, 0)
        lunch = (begin, finish)
        return finish

    if lunch_after == 0:
        clock = take_lunch(clock)
    for number, retailer_id in enumerate(order, start=1):
        retailer = retailers[retailer_id]
        ride = territory.minutes(here, retailer_id)
        arrive = clock + ride
        if number == 1 and first_stop_rule:
            lateness += max(arrive - day.first_stop_by, 0)
        start = max(arrive, retailer.opens)
        end = start + service_minutes(retailer, policy)
        lateness += max(end - min(latest_service_end(retailer, policy), day.visiting_ends), 0)
        stops.append(TimedStop(retailer_id, arrive, start, end, ride))
        clock, here = end, retailer_id
        if lunch_after == number:
            clock = take_lunch(clock)
    arrive_next = None
    if _ends_at_next(day) and day.end_deadline is not None:
        arrive_next = clock + territory.minutes(here, day.end_place.key)
        ready = arrive_next
        if lunch_after == LUNCH_AT_NEXT_PLACE:
            ready = take_lunch(arrive_next)
            lunch_wait = 0  # at the next place, not idle in the field
        lateness += max(ready - day.end_deadline, 0)
    return TimedRoute(tuple(stops), lunch, clock, arrive_next, lateness, lunch_wait)


def route_km(day: FieldDay, order: Sequence[str], territory: Territory) -> float:
    """Km ridden from the start place through `order` to the end place (the
    office when the next place is not known)."""
    return sum(territory.km(a, b) for a, b in itertools.pairwise(_route_places(day, order)))


def insertion_km(day: FieldDay, order: Sequence[str], retailer_id: str, territory: Territory) -> list[float]:
    """Per position of `order` (0 = before its first stop), the km `route_km` grows by
    when the retailer is put there."""
    places = _route_places(day, order)
    unknown = [key for key in (*places, retailer_id) if key not in territory.index]
    if unknown:
        # A caller's territory left out a stop of the route: say which, not a bare KeyError.
        raise ValueError(f"the territory has no place for {', '.join(map(str, unknown))} "
                         f"(route of {day.date}, inserting {retailer_id})")
    at = [territory.index[key] for key in places]
    here, km = territory.index[retailer_id], territory.matrix.distance_km
    return (km[at[:-1], here] + km[here, at[1:]] - km[at[:-1], at[1:]]).tolist()


def removal_km(day: FieldDay, order: Sequence[str], position: int, territory: Territory) -> float:
    """The km `route_km` falls by when the stop at `position` of `order` is taken out: the
    rides to and from it less the ride that then joins its neighbours."""
    places = _route_places(day, order)
    before, stop, after = (territory.index[key] for key in places[position:position + 3])
    km = territory.matrix.distance_km
    return float(km[before, stop] + km[stop, after] - km[before, after])


def cheapest_insertion_km(day: FieldDay, order: Sequence[str], retailer_ids: Sequence[str],
                          territory: Territory) -> list[float]:
    """Per retailer, the fewest km `route_km` grows by when it is put into `order` (the
    least of its `insertion_km`), all in one lookup."""
    at = [territory.index[key] for key in _route_places(day, order)]
    here = [territory.index[key] for key in retailer_ids]
    km = territory.matrix.distance_km
    grows = km[np.ix_(at[:-1], here)] + km[np.ix_(here, at[1:])].T - km[at[:-1], at[1:]][:, None]
    return grows.min(axis=0).tolist()


def cheapest_insertion_km_without(day: FieldDay, order: Sequence[str], retailer_id: str,
                                  territory: Territory) -> list[float]:
    """Per stop k of `order`, the fewest km `route_km` grows by when the retailer is put into
    `order` with stop k taken out: the least of its `insertion_km` into that route, found
    from its insertions into `order` itself (the two rides touching stop k give way to the
    ride joining its neighbours)."""
    extras = np.array(insertion_km(day, order, retailer_id, territory))
    if not order:
        return []
    at = [territory.index[key] for key in _route_places(day, order)]
    here, km = territory.index[retailer_id], territory.matrix.distance_km
    # Joining the neighbours of stop k: places k and k + 2.
    joined = km[at[:-2], here] + km[here, at[2:]] - km[at[:-2], at[2:]]
    endless = np.array([np.inf])
    least_before = np.concatenate([endless, np.minimum.accumulate(extras)])[:len(order)]
    least_after = np.concatenate([np.minimum.accumulate(extras[::-1])[::-1], endless, endless])[2:len(order) + 2]
    return np.minimum(np.minimum(least_before, least_after), joined).tolist()


def _route_places(day: FieldDay, order: Sequence[str]) -> list[str | None]:
    end = day.end_place.key if day.end_place.kind != "elsewhere" else None
    return [day.start_place.key, *order, end]


# ---------------------------------------------------------------------------
# Why a retailer cannot be visited


def fits_alone(
    day: FieldDay,
    retailer: Retailer,
    territory: Territory,
    policy: Policy,
    *,
    ignore_opening_hours: bool = False,
) -> bool:
    """Whether the retailer could be the day's only stop (the first-stop rule is
    left out: as a later stop it would not apply)."""
    if ignore_opening_hours:
        retailer = retailer.model_copy(update={"opens": 0, "closes": 24 * 60})
    timed = time_visit_route(
        day, [retailer.id], {retailer.id: retailer}, territory, policy, first_stop_rule=False
    )
    return timed.feasible


def classify_unvisited(
    retailer: Retailer, days: Sequence[FieldDay], territory: Territory, policy: Policy
) -> tuple[UnvisitedReason, str]:
    """The reason (from `UNVISITED_REASONS`) a retailer is not visited this week,
    and the same in words."""
    if not days:
        return "no_room_in_day", "the timetable has no visit block for this manager this week"
    if any(fits_alone(day, retailer, territory, policy) for day in days):
        return "no_room_in_day", "it fits on its own, but the days it could go on are full"
    service = service_minutes(retailer, policy)
    too_long = _service_too_long(retailer, days, service)
    if too_long is not None:
        return too_long
    windows = ", ".join(
        f"{day.date:%a} {format_clock(day.block_start)}–{format_clock(day.visiting_ends)}"
        for day in days
    )
    if any(fits_alone(day, retailer, territory, policy, ignore_opening_hours=True) for day in days):
        return "opening_hours", (
            f"open {format_clock(retailer.opens)}–{format_clock(retailer.closes)}; a {service}-min "
            f"visit does not fit the week's visit windows ({windows}) after the ride there"
        )
    ride_out = min(territory.minutes(day.start_place.key, retailer.id) for day in days)
    longest_window = max(day.visiting_minutes for day in days)
    if ride_out + service > longest_window or _ride_on_too_long(retailer, days, territory, service):
        return "too_far", (
            f"a {ride_out}-min ride from the start of the route; with {service} min of service "
            f"and the ride on, it does not fit a visit window of {longest_window} min"
        )
    return "time_window", (
        f"needs {service} min between the first-stop, end-of-visiting and block limits "
        f"({windows}); no day leaves that room"
    )


def _service_too_long(
    retailer: Retailer, days: Sequence[FieldDay], service: int
) -> tuple[UnvisitedReason, str] | None:
    """The reason when the visit alone is longer than the retailer is open or than
    every visit window (lunch taken off), whatever the ride: no route can hold it,
    so the ride is not what to blame."""
    open_minutes = retailer.closes - retailer.opens
    if service > open_minutes:
        return "opening_hours", (
            f"a {service}-min visit is longer than its opening hours "
            f"{format_clock(retailer.opens)}–{format_clock(retailer.closes)} ({open_minutes} min)"
        )
    longest_window = max(day.visiting_minutes for day in days)
    if service > longest_window:
        return "time_window", (
            f"a {service}-min visit is longer than any visit window of its manager's days "
            f"(the longest leaves {longest_window} min for riding and visiting)"
        )
    return None


def _ride_on_too_long(
    retailer: Retailer, days: Sequence[FieldDay], territory: Territory, service: int
) -> bool:
    for day in days:
        ride_out = territory.minutes(day.start_place.key, retailer.id)
        ride_on = 0
        if day.end_place.kind != "elsewhere":
            ride_on = max(territory.minutes(retailer.id, day.end_place.key) - day.end_slack, 0)
        if ride_out + service + ride_on <= day.visiting_minutes:
            return False
    return True


# ---------------------------------------------------------------------------
# The VRPTW of one day (also the building block of the week's visit-day plan)


def client_window(retailer: Retailer, policy: Policy) -> tuple[int, int]:
    """Window for the START of service: opening hours, ended early enough that
    service is over by closing time and by the end of field visiting."""
    service = service_minutes(retailer, policy)
    late = latest_service_end(retailer, policy) - service
    return retailer.opens, max(late, retailer.opens)


def prize_for(territory: Territory) -> int:
    """A prize larger than any detour a stop can cost, in metres: the solver
    serves as many retailers as fit before it shortens the routes."""
    longest = float(np.max(territory.matrix.distance_km)) if territory.matrix.size else 0.0
    return int(2 * longest * METRES_PER_KM) + METRES_PER_KM


@dataclass(frozen=True)
class DayProblem:
    """A VRPTW over several field days of one manager: vehicle type i is day i,
    with its own start depot 2i and end depot 2i+1; `clients[j]` is a retailer id
    (a retailer due twice a week appears twice)."""

    problem: vrptw.VrptwProblem
    days: tuple[FieldDay, ...]
    clients: tuple[str, ...]


def day_problem(
    days: Sequence[FieldDay],
    clients: Sequence[str],
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
    stops_per_day: Sequence[int] | None = None,
    values: Mapping[str, int] | None = None,
    required: Sequence[int] = (),
) -> DayProblem:
    """State the days and candidate retailers as a VRPTW (times in minutes,
    distances in metres). Every client is optional with a prize, so what cannot
    fit comes back unassigned instead of making the problem infeasible.
    `stops_per_day[i]`, when given, caps day i's stops (each client is a load of 1).
    `values` (retailer id -> a visit's value, SPEC §4; 1 when absent) multiply the
    prize, so a valuable visit is left out only after every cheaper one it competes with.
    `required` lists the client indices the solve must place."""
    prize = prize_for(territory)
    num_depots = 2 * len(days)
    size = num_depots + len(clients)
    keys: list[str | None] = []
    for day in days:
        end_key = day.end_place.key if day.end_place.kind != "elsewhere" else None
        keys += [day.start_place.key, end_key]
    keys += list(clients)
    rows = np.array([territory.index[key] for key in keys])
    minutes = territory.matrix.minutes[np.ix_(rows, rows)].astype(np.int64)
    metres = np.rint(territory.matrix.distance_km[np.ix_(rows, rows)] * METRES_PER_KM).astype(np.int64)
    client_rows = np.arange(num_depots, size)
    for number, day in enumerate(days):
        start, end = 2 * number, 2 * number + 1
        # The ride out of the start depot is only ever the ride to the first stop.
        too_late = day.block_start + minutes[start, client_rows] > day.first_stop_by
        minutes[start, client_rows[too_late]] = FORBIDDEN_MINUTES
        # Only the part of the ride on that the slack after visiting cannot hold
        # counts against the shift end (= end of visiting).
        if day.end_place.kind == "elsewhere":
            minutes[client_rows, end] = 0
        else:
            minutes[client_rows, end] = np.maximum(minutes[client_rows, end] - day.end_slack, 0)
        minutes[start, end] = 0
    vehicle_types = tuple(
        vrptw.VehicleType(
            count=1,
            capacity=len(clients) if stops_per_day is None else stops_per_day[number],
            tw_early=day.block_start,
            tw_late=max(day.visiting_ends - day.lunch_minutes, day.block_start),
            start_depot=2 * number,
            end_depot=2 * number + 1,
            name=f"{day.date:%a}",
        )
        for number, day in enumerate(days)
    )
    vrp_clients = []
    must = set(required)
    for index, retailer_id in enumerate(clients):
        retailer = retailers[retailer_id]
        early, late = client_window(retailer, policy)
        vrp_clients.append(
            vrptw.Client(
                tw_early=early,
                tw_late=late,
                service=service_minutes(retailer, policy),
                demand=1,
                required=index in must,
                prize=prize * (values or {}).get(retailer_id, 1),
                name=retailer_id,
            )
        )
    depots = tuple(
        vrptw.Depot(name=f"{day.date:%a} {role}") for day in days for role in ("start", "end")
    )
    problem = vrptw.VrptwProblem(
        depots=depots,
        clients=tuple(vrp_clients),
        vehicle_types=vehicle_types,
        distance=metres,
        duration=minutes,
        name=f"{days[0].manager} visit days" if days else "no days",
    )
    return DayProblem(problem, tuple(days), tuple(clients))


def solve_day_problem(
    stated: DayProblem,
    *,
    time_limit_s: float,
    seed: int = 0,
    backend: str = "pyvrp",
    initial: Mapping[int, Sequence[int]] | None = None,
) -> list[list[int]]:
    """Solve the VRPTW; returns, per day, the client indices in visiting order.
    `initial` maps a day index to client indices for a warm start."""
    solution = None
    if initial:
        solution = vrptw.evaluate_routes(
            stated.problem,
            [(day, list(clients)) for day, clients in initial.items() if clients],
            solver="warm start",
            runtime_s=0.0,
        )
    result = vrptw.solve(
        stated.problem, time_limit_s=time_limit_s, seed=seed, backend=backend, initial=solution
    )
    per_day: list[list[int]] = [[] for _ in stated.days]
    for route in result.routes:
        per_day[route.vehicle_type] = list(route.clients)
    return per_day


# ---------------------------------------------------------------------------
# The day's route


@dataclass(frozen=True)
class DayRoute:
    """A manager's timed visit route for one day, and the retailers dropped from it."""

    day: FieldDay
    timed: TimedRoute
    dropped: tuple[str, ...]


def appointment_route(day: FieldDay) -> DayRoute:
    """The route of a day without a visit block (`appointment_days`): no visit, so only
    the rides to and between its fixed blocks, which `build_itinerary` times."""
    return DayRoute(day, TimedRoute((), None, day.block_start, None, 0), ())


def drop_until_feasible(
    day: FieldDay,
    order: Sequence[str],
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
) -> tuple[TimedRoute, list[str], list[str]]:
    """Time `order`; while a rule is missed, drop the stop whose removal misses
    the fewest minutes (ties: the one saving the most km). Returns the timed
    route, the kept order and the dropped retailer ids."""
    kept = list(order)
    dropped: list[str] = []
    timed = time_visit_route(day, kept, retailers, territory, policy)
    while not timed.feasible and kept:
        best_key, best_index, best_timed = None, 0, timed
        for index in range(len(kept)):
            trial = kept[:index] + kept[index + 1 :]
            trial_timed = time_visit_route(day, trial, retailers, territory, policy)
            key = (trial_timed.lateness, route_km(day, trial, territory))
            if best_key is None or key < best_key:
                best_key, best_index, best_timed = key, index, trial_timed
        dropped.append(kept.pop(best_index))
        timed = best_timed
    return timed, kept, dropped


def day_area(stop_ids: Sequence[str], retailers: Mapping[str, Retailer],
             territory_ids: Sequence[str] = ()) -> Literal["town", "country"]:
    """A day counts as a countryside day when most of its stops are in the countryside. A
    day without stops is judged by the same rule on the manager's territory (`territory_ids`):
    an all-countryside manager's empty day is a countryside day, not town by default."""
    judged = [r for r in stop_ids if r in retailers] or [r for r in territory_ids if r in retailers]
    areas = Counter(retailers[r].area for r in judged)
    return "country" if areas["country"] > areas["town"] else "town"


def required_stops(stop_ids: Sequence[str], retailers: Mapping[str, Retailer], policy: Policy,
                   territory_ids: Sequence[str] = ()) -> int:
    """The stops the policy asks of a day (SPEC §3, `route.min_stops_town` /
    `min_stops_country` by the day's area, `day_area`; 0: no minimum)."""
    area = day_area(stop_ids, retailers, territory_ids)
    return policy.route.min_stops_country if area == "country" else policy.route.min_stops_town

def cheapest_feasible_insertion(
    day: FieldDay,
    order: Sequence[str],
    retailer_id: str,
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
    *,
    below: float | None = None,
) -> tuple[float, list[str]] | None:
    """The position where adding `retailer_id` keeps every rule and adds the
    fewest km: (extra km, new order), or None when it fits nowhere (or, with
    `below`, nowhere for fewer than `below` extra km). Positions are timed
    cheapest first, so the first that keeps every rule is the answer."""
    extras = insertion_km(day, order, retailer_id, territory)
    if below is not None and min(extras) >= below:
        # No position is cheap enough: nothing to time.
        return None
    # Without lunch inside the block the route is timed in one pass, so each position is
    # judged at once from the route's own times (`_InsertionWindows`); with lunch, whose
    # place in the route moves with every stop, each trial is judged in one pass with its
    # lunch after each stop in turn (`fits_with_lunch`), and only where the route without
    # lunch fits: lunch only makes every later time later, so a position that misses a rule
    # without it misses it with it. Timing each trial whole for each place of its lunch
    # (a full day of some 30 stops, a manager with 150 visits a week) made the repairs of
    # the week overrun the route time limit several times over.
    windows = _InsertionWindows(day, order, retailers, territory, policy)
    for index in sorted(range(len(extras)), key=lambda k: (extras[k], k)):
        if below is not None and extras[index] >= below:
            return None
        if not windows.fits(index, retailers[retailer_id]):
            continue
        trial = [*order[:index], retailer_id, *order[index:]]
        if not day.lunch_minutes or _InsertionWindows(day, trial, retailers, territory, policy).fits_with_lunch():
            return extras[index], trial
    return None


class _InsertionWindows:
    """A route of a block without lunch, timed once, for judging where one more stop may
    go: `fits(k, retailer)` is exactly whether `time_visit_route` would find the route
    with the retailer put at position k (0: first) feasible, in O(1) instead of timing
    it (in a block with lunch: whether it would without the lunch, which only a position
    that fits can keep; `fits_with_lunch` judges a route with it). Forward, each stop's
    end as the route is timed (`_time_with_lunch` without lunch) and whether every rule
    holds up to it; backward, the latest each stop may be arrived
    at for it and the stops after it to keep every rule (waiting for a shop to open
    absorbs an earlier arrival, so only the latest arrival matters)."""

    def __init__(self, day: FieldDay, order: Sequence[str], retailers: Mapping[str, Retailer],
                 territory: Territory, policy: Policy):
        self.day, self.order, self.territory, self.policy = day, list(order), territory, policy
        n = len(order)
        self.ends_at_next = day.end_place.kind != "elsewhere" and day.end_deadline is not None
        # The rides along the route in one lookup: rides[i] leads to stop i (from the start
        # place when i = 0), rides[n] from the last stop to the end place (0 when none counts).
        places = [day.start_place.key, *order] + ([day.end_place.key] if self.ends_at_next else [])
        at = [territory.index[key] for key in places]
        rides = territory.matrix.minutes[at[:-1], at[1:]].tolist() + ([] if self.ends_at_next else [0])
        self.rides = rides
        self.ends: list[int] = []
        self.prefix_ok: list[bool] = [True]
        clock, ok = day.block_start, True
        for number, retailer_id in enumerate(order, start=1):
            retailer = retailers[retailer_id]
            arrive = clock + rides[number - 1]
            if number == 1 and arrive > day.first_stop_by:
                ok = False
            end = max(arrive, retailer.opens) + service_minutes(retailer, policy)
            if end > min(latest_service_end(retailer, policy), day.visiting_ends):
                ok = False
            self.ends.append(end)
            self.prefix_ok.append(ok)
            clock = end
        # latest[i]: the latest arrival at stop i (i = n: the end place) keeping it and the rest.
        unbounded = 10 ** 9
        latest = [unbounded] * (n + 1)
        latest[n] = day.end_deadline if self.ends_at_next and day.end_deadline is not None else unbounded
        for i in range(n - 1, -1, -1):
            retailer = retailers[order[i]]
            latest_end = min(latest_service_end(retailer, policy), day.visiting_ends, latest[i + 1] - rides[i + 1])
            service = service_minutes(retailer, policy)
            latest[i] = latest_end - service if retailer.opens + service <= latest_end else -unbounded
        self.latest = latest

    def fits(self, index: int, retailer: Retailer) -> bool:
        day, territory = self.day, self.territory
        if not self.prefix_ok[index]:
            return False
        before = self.order[index - 1] if index else day.start_place.key
        clock = self.ends[index - 1] if index else day.block_start
        arrive = clock + territory.minutes(before, retailer.id)
        if index == 0 and arrive > day.first_stop_by:
            return False
        end = max(arrive, retailer.opens) + service_minutes(retailer, self.policy)
        if end > min(latest_service_end(retailer, self.policy), day.visiting_ends):
            return False
        if index < len(self.order):
            return end + territory.minutes(retailer.id, self.order[index]) <= self.latest[index]
        if not self.ends_at_next:
            return True
        return end + territory.minutes(retailer.id, day.end_place.key) <= self.latest[index]

    def fits_with_lunch(self) -> bool:
        """Whether the route itself keeps every rule with the day's lunch after one of its
        stops (0: before the first), exactly as `time_visit_route` judges it, in one pass
        instead of timing the route once per place of the lunch."""
        day, n = self.day, len(self.order)
        for after in range(n + 1):
            if not self.prefix_ok[after]:
                return False
            finish = max(self.ends[after - 1] if after else day.block_start, day.lunch_earliest) + day.lunch_minutes
            if finish > min(day.lunch_latest_end, day.block_end):
                continue
            arrive = finish + self.rides[after]
            if after == 0 and n and arrive > day.first_stop_by:
                continue
            if arrive <= self.latest[after]:
                return True
        if n and self.ends_at_next and self.prefix_ok[n]:
            # By the next place after the ride there (`LUNCH_AT_NEXT_PLACE`).
            finish = max(self.ends[n - 1] + self.rides[n], day.lunch_earliest) + day.lunch_minutes
            return finish <= min(day.lunch_latest_end, day.block_end, self.latest[n])
        return False


def cheapest_day(
    retailer_id: str,
    days: Sequence[FieldDay],
    orders: Sequence[Sequence[str]],
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
) -> tuple[int, list[str]] | None:
    """The day (its index, and its new order) where one more visit of the retailer costs
    least; None when no day that does not already have it can take it."""
    best: tuple[float, int, list[str]] | None = None
    for number, day in enumerate(days):
        if retailer_id in orders[number]:
            continue
        found = cheapest_feasible_insertion(day, orders[number], retailer_id, retailers, territory, policy)
        if found is not None and (best is None or found[0] < best[0]):
            best = (found[0], number, found[1])
    return None if best is None else (best[1], best[2])


def route_day(
    day: FieldDay,
    candidates: Sequence[str],
    retailers: Mapping[str, Retailer],
    territory: Territory,
    policy: Policy,
    *,
    time_limit_s: float = 0.0,
    seed: int = 0,
    backend: str = "pyvrp",
) -> DayRoute:
    """Route the day: with `time_limit_s > 0` the candidates (in the given order
    as a warm start) are re-ordered by the VRPTW solver; then the order is timed
    exactly (lunch included) and stops that break a rule are dropped."""
    order = list(candidates)
    if time_limit_s > 0 and order:
        stated = day_problem([day], order, retailers, territory, policy)
        warm = {0: list(range(len(order)))}
        solved = solve_day_problem(
            stated, time_limit_s=time_limit_s, seed=seed, backend=backend, initial=warm
        )[0]
        solved_order = [order[i] for i in solved]
        left_out = [r for r in order if r not in set(solved_order)]
        current = time_visit_route(day, order, retailers, territory, policy)
        proposal = time_visit_route(day, solved_order, retailers, territory, policy)
        # Keep the solver's order unless the given one already keeps every rule
        # with more stops or fewer km.
        keep_given = current.feasible and (
            len(order) > len(solved_order)
            or (
                len(order) == len(solved_order)
                and route_km(day, order, territory) <= route_km(day, solved_order, territory)
            )
        )
        if not keep_given and (proposal.feasible or not current.feasible):
            order = solved_order + left_out
    timed, _, dropped = drop_until_feasible(day, order, retailers, territory, policy)
    return DayRoute(day, timed, tuple(dropped))


# ---------------------------------------------------------------------------
# The day's itinerary: visits, fixed appointments and rides back to the office


@dataclass(frozen=True)
class ItineraryStop:
    """A stop of the day with the ride that led to it. `origin` is "office",
    the previous stop's retailer id, or "elsewhere" (a maintenance or site study
    block whose place the timetable does not name; that ride is not counted)."""

    retailer: str
    kind: str
    origin: str
    ride_minutes: int
    ride_km: float
    arrive: int
    start: int
    end: int
    lunch_in_wait: int = 0
    """Minutes between arrival and start that fall in a lunch block of his timetable: he
    is at lunch then, not waiting (SPEC §6), so `Itinerary.waiting_minutes` leaves them out."""


def lunch_minutes_between(arrive: int, start: int, lunches: Sequence[tuple[int, int]]) -> int:
    """Minutes of the lunch blocks that lie between an arrival and the start it waits for."""
    return sum(max(min(end, start) - max(begin, arrive), 0) for begin, end in lunches)


@dataclass(frozen=True)
class OfficeReturn:
    """A ride back to the office: for an office block, or at the end of the day.
    `arrive` is after any lunch block of the timetable the ride runs into (he stops
    for it and rides on after it); `due_by` is when the office block starts (the
    day's end for the ride home)."""

    origin: str
    leave: int
    arrive: int
    ride_minutes: int
    ride_km: float
    due_by: int | None = None


@dataclass(frozen=True)
class Itinerary:
    """The located part of a manager's field day, in time order."""

    stops: tuple[ItineraryStop, ...]
    office_returns: tuple[OfficeReturn, ...]
    depart: int
    lunch: tuple[int, int] | None
    lunch_wait: int = 0
    """Minutes spent waiting in the field for the lunch window (the visit block's lunch)."""

    @property
    def distance_km(self) -> float:
        """Every counted ride of the day, office returns included."""
        return sum(s.ride_km for s in self.stops) + sum(r.ride_km for r in self.office_returns)

    @property
    def travel_minutes(self) -> int:
        """Riding minutes of the day, office returns included."""
        return sum(s.ride_minutes for s in self.stops) + sum(
            r.ride_minutes for r in self.office_returns
        )

    @property
    def waiting_minutes(self) -> int:
        """Minutes the manager waits at his stops before they start: a visit reached
        before opening and a fixed appointment reached before its start time alike
        (a late arrival waits nothing); a lunch block of his timetable in between is
        lunch, not waiting."""
        return sum(max(s.start - s.arrive - s.lunch_in_wait, 0) for s in self.stops)

    @property
    def idle_minutes(self) -> int:
        """Minutes in the field spent neither riding, serving nor at lunch (SPEC §6): the
        waits at stops (`waiting_minutes`) and the wait on the road for the lunch window."""
        return self.waiting_minutes + self.lunch_wait

    @property
    def back_at_office(self) -> int | None:
        """When the manager is back at the office after the last stop (None when
        the day ends at a place the timetable does not name)."""
        if not self.office_returns or (
            self.stops and self.office_returns[-1].leave < self.stops[-1].end
        ):
            return None
        return self.office_returns[-1].arrive


def build_itinerary(route: DayRoute, territory: Territory, policy: Policy) -> Itinerary:
    """Walk the day's blocks in time order: the visit route where the visit block
    is, each fixed appointment at its time, and a ride back to the office before
    every office block and at the end of the day."""
    day, timed = route.day, route.timed
    here: Place = OFFICE
    free = day.block_start  # when the manager can leave `here`
    stops: list[ItineraryStop] = []
    returns: list[OfficeReturn] = []
    depart: int | None = None
    lunch_on_the_way: list[tuple[int, int]] = []  # lunch blocks since the last place

    def ride_to_office(due_by: int, lunches: Sequence[tuple[int, int]]) -> None:
        nonlocal here
        if here.kind == "retailer":
            assert here.retailer is not None
            ride = territory.minutes(here.retailer, None)
            km = territory.km(here.retailer, None)
            # He stops for a lunch block the ride runs into, as on a ride between stops.
            arrive = _arrival(free, ride, lunches)
            returns.append(OfficeReturn(here.retailer, free, arrive, ride, km, due_by))
        here = OFFICE

    done = policy.day.start  # when the last block with a place ended

    def off_between(until: int) -> tuple[int, int] | None:
        """The start of the first and the end of the last leave taken between the last
        place and `until`, if any."""
        spans = [(s, e) for s, e in day.leave if done <= s and e <= until]
        return (min(s for s, _ in spans), max(e for _, e in spans)) if spans else None

    for block in day.blocks:
        place = place_of(block, policy)
        if place is None:
            lunch_on_the_way.append((block.start, block.end))
            continue
        leave = off_between(block.start)
        if leave is not None:
            # Off from the office and back by it (SPEC §3): no ride in the leave.
            off, back = leave
            if here.kind == "retailer":
                ride_to_office(off, [(s, e) for s, e in lunch_on_the_way if s < off])
            here, free = OFFICE, back
            lunch_on_the_way = [(s, e) for s, e in lunch_on_the_way if s >= back]
        lunches, lunch_on_the_way = lunch_on_the_way, []
        done = max(done, block.end)
        if block.kind == "visit" and block.start == day.block_start:
            if not timed.stops:
                continue
            if day.start_place.kind == "office" and here.kind == "retailer":
                ride_to_office(block.start, lunches)
            previous = day.start_place.retailer or "office"
            for stop in timed.stops:
                origin_key = None if previous == "office" else previous
                stops.append(
                    ItineraryStop(
                        retailer=stop.retailer,
                        kind="visit",
                        origin=previous,
                        ride_minutes=stop.ride_minutes,
                        ride_km=territory.km(origin_key, stop.retailer),
                        arrive=stop.arrive,
                        start=stop.start,
                        end=stop.end,
                    )
                )
                previous = stop.retailer
            if depart is None:
                depart = day.block_start
            here, free = Place("retailer", previous), timed.leave_last
        elif place.kind == "retailer":
            assert place.retailer is not None
            if here.kind == "elsewhere":
                origin, ride, km, arrive = "elsewhere", 0, 0.0, block.start
            elif here.kind == "office":
                ride = territory.minutes(None, place.retailer)
                origin, km, arrive = "office", territory.km(None, place.retailer), block.start
                if depart is None:
                    depart = _departure(block.start, ride, lunches)
            else:
                assert here.retailer is not None
                ride = territory.minutes(here.retailer, place.retailer)
                origin, km = here.retailer, territory.km(here.retailer, place.retailer)
                arrive = _arrival(free, ride, lunches)
            stops.append(
                ItineraryStop(place.retailer, block.kind, origin, ride, km, arrive, block.start, block.end,
                              lunch_minutes_between(arrive, block.start, lunches))
            )
            here, free = place, block.end
        elif place.kind == "office":
            ride_to_office(block.start, lunches)
        else:
            here = ELSEWHERE
    leave = off_between(policy.day.end)
    # Back at the office by the day's end, or by a leave that ends the day.
    ride_to_office(policy.day.end if leave is None else leave[0],
                   [(s, e) for s, e in lunch_on_the_way if leave is None or s < leave[0]])
    return Itinerary(
        stops=tuple(stops),
        office_returns=tuple(returns),
        depart=day.block_start if depart is None else depart,
        lunch=timed.lunch if timed.lunch is not None else _timetable_lunch(day),
        lunch_wait=timed.lunch_wait if timed.stops else 0,
    )


def _departure(arrive_by: int, ride: int, lunches: Sequence[tuple[int, int]]) -> int:
    """When a ride of `ride` minutes must set off to arrive by `arrive_by`, not riding
    through a lunch block of the timetable on its way (`_arrival` read backwards): a ride
    to a 12:30 appointment after lunch to 12:30 sets off before the lunch, not in it."""
    clock, left = arrive_by, ride
    for begin, end in sorted(lunches, reverse=True):
        if left == 0 or clock - left >= end:
            break
        if begin >= clock:
            continue
        left -= max(clock - end, 0)
        clock = begin
    return clock - left


def _arrival(leave: int, ride: int, lunches: Sequence[tuple[int, int]]) -> int:
    """When a ride of `ride` minutes that sets off at `leave` arrives: the ride goes
    straight on unless it runs into one of the timetable's lunch blocks, which it
    stops for and then finishes (a lunch before or after the ride costs it nothing)."""
    clock, left = leave, ride
    for begin, end in sorted(lunches):
        if left == 0 or clock + left <= begin:
            break
        if end <= clock:
            continue
        left -= max(begin - clock, 0)
        clock = end
    return clock + left


def _timetable_lunch(day: FieldDay) -> tuple[int, int] | None:
    """The day's lunch block of the timetable, if it has one."""
    return next(((b.start, b.end) for b in day.blocks if b.kind == "lunch"), None)
