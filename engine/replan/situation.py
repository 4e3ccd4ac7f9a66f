"""The situation at `now`: the plan, the moment and the events resolved against the
department — who is off from when, which retailers are closed, which promotion stores
are cancelled, which visits are urgent — and the week frame the re-plan solves in."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from engine.domain import Block, Department, Leave, Timetable
from engine.errors import InputError, Problem
from engine.policy import WEEKDAYS, Policy, ReplanRules, format_clock, parse_clock
from engine.replan.events import (
    Event,
    ManagerSick,
    PromotionStoreCancelled,
    RetailerClosed,
    UrgentVisit,
    read_events,
)
from engine.timetable.places import Closures
from engine.timetable.week import WeekFrame, build_week
from engine.work_calendar import WorkCalendar


def replan_rules(policy: Policy) -> ReplanRules:
    """The policy's `[replan]` table; an error naming the missing keys when it has none."""
    if policy.replan is None:
        raise InputError([Problem(
            f"policy '{policy.name}' has no [replan] table: add moved_block, missing_per_10min, "
            "handover and neighbour_max_km (see data/policies/15-13-7.toml)", file=policy.name,
            column="replan")])
    return policy.replan


@dataclasses.dataclass(frozen=True)
class Absence:
    """A manager's absence as the re-plan uses it: from (date, minute) to the end of `until`.
    `fell_ill` is the minute he fell ill on `date` before it is put on the grid (the grid
    slot's start when not given): a lunch begun before then was his (`kept_lunch`)."""

    manager: str
    date: dt.date
    minute: int
    until: dt.date
    fell_ill: int | None = None

    def began_before(self, date: dt.date, minute: int) -> bool:
        """True when something starting at this moment started before he fell ill."""
        return (date, minute) < (self.date, self.minute if self.fell_ill is None else self.fell_ill)

    def covers(self, date: dt.date, minute: int) -> bool:
        """True when the manager is off at this moment."""
        return (date, minute) >= (self.date, self.minute) and date <= self.until

    def overlaps(self, date: dt.date, end: int) -> bool:
        """True when a block of his that day ending at `end` runs into the absence."""
        return self.date <= date <= self.until and (date > self.date or end > self.minute)

    @property
    def since(self) -> str:
        """When he is off, in the words every text of the re-plan uses: "Wed 2026-11-25 13:00"."""
        return f"{self.date:%a} {self.date.isoformat()} {format_clock(self.minute)}"


@dataclasses.dataclass
class Situation:
    """The week, `now` and the events, resolved against the plan."""

    department: Department
    policy: Policy
    timetable: Timetable
    now: dt.datetime
    dates: list[dt.date]
    absences: dict[str, Absence]
    closed: set[tuple[str, dt.date]]
    cancelled_stores: dict[str, dt.date]
    urgent: list[UrgentVisit]
    cut: list[tuple[Block, Block | None]] = dataclasses.field(default_factory=list)
    """Blocks of the plan started before `now` that run into their manager's absence
    (he may have fallen ill before `now`: what was planned inside his sickness was not
    done), each with what is left of it: the part he worked, from its start to the
    start of his absence (on the grid), or None when nothing was (he fell ill in the
    grid slot it started in, or before it). `timetable` is the plan with the parts
    in place of the blocks. A lunch is no block of work: one under way when he falls ill
    stays as it was (`kept_lunch`)."""
    rejoined: list[Block] = dataclasses.field(default_factory=list)
    """The later parts of partners' sessions an earlier re-plan split where a partner fell
    ill, as the plan given has them (`timetable` reads each session whole again,
    `_partners_blocks_whole_again`): the diff compares the part from `now` on with them,
    not with the session before the split."""

    @property
    def today(self) -> dt.date:
        return self.now.date()

    @property
    def now_minute(self) -> int:
        return self.now.hour * 60 + self.now.minute

    @property
    def closed_for_the_week(self) -> frozenset[str]:
        """Retailers closed on every working day left of the week (today included)."""
        left = [d for d in self.dates if d >= self.today]
        return frozenset(r for r, _ in self.closed if left and all((r, d) in self.closed for d in left))

    @property
    def stores_given_up(self) -> frozenset[str]:
        """Promotion stores cancelled from a working day of this week that no session of
        the plan still to come is held at before that day, or closed on every day left of
        it: the re-plan holds no session after `now` at them, so a group keeps one store
        for the rest of the week and the rides the model holds are those of that store
        (model.py). A store closed on some days only, or cancelled from a later day than
        a session to come at it, is kept for the days it is usable: it is read as closed
        from its cancellation on (`store_out`, model._no_session_where_the_store_is_closed)."""
        return frozenset(store for store, date in self.cancelled_stores.items()
                         if date <= self.dates[-1] and not self._held_before(store, date)) | self.closed_for_the_week

    def _held_before(self, store: str, date: dt.date) -> bool:
        """Whether a promotion-store session of the plan still to come is held at `store`
        before `date`."""
        at_a_store = {k for k, rule in self.policy.kinds.items() if rule.at == "promo_store"}
        return any(b.retailer == store and b.kind in at_a_store and b.date < date
                   and not self.pinned(b.date, b.start) for b in self.timetable.blocks)

    def store_out(self, store: str | None, date: dt.date) -> bool:
        """`store` cannot be used on `date`: closed that day, or a promotion store
        cancelled from that day or earlier (a store is usable before its cancellation)."""
        since = self.cancelled_stores.get(store) if store is not None else None
        return (store, date) in self.closed or (since is not None and date >= since)

    @property
    def closures(self) -> Closures:
        """The places the events take out of use, as the place assignment reads them: a
        store given up (`stores_given_up`) from today on."""
        given_up = self.stores_given_up
        cancelled = {store: min(date, self.today) if store in given_up else date
                     for store, date in self.cancelled_stores.items()}
        return Closures(frozenset(self.closed), dict.fromkeys(self.closed_for_the_week, self.today) | cancelled)

    def pinned(self, date: dt.date, start: int) -> bool:
        """Started before `now`: the block or stop stays exactly as planned."""
        return (date, start) < (self.today, self.now_minute)

    def kept_lunch(self, block: Block) -> bool:
        """A lunch of a sick manager on the day he falls ill that starts before he does:
        over or under way when he falls ill, it stays as it was. A lunch is no work to
        stop; one he has taken or is taking is a fact of his day, and a re-plan never
        takes a lunch away to make room. One planned after he fell ill he never took."""
        absence = self.absences.get(block.manager)
        return (block.kind == "lunch" and absence is not None and block.date == absence.date
                and absence.began_before(block.date, block.start))

    def fixed(self, block: Block) -> bool:
        """The block stays exactly as it is in `timetable`: it started before `now`, or
        it is a lunch kept as it was (`kept_lunch`)."""
        return self.pinned(block.date, block.start) or self.kept_lunch(block)

    def piece_of(self, block: Block) -> Block | None:
        """The block of the plan a sickness cut `block` from (None: not a cut piece)."""
        return next((old for old, piece in self.cut if piece == block), None)

    @property
    def week_over(self) -> str | None:
        """When no working time is left after `now` (it is past the end of the week's last
        working day): that end, in words ("Fri 2026-11-27 17:30"); else None. Nothing
        lost then can go anywhere, whatever room the week had."""
        last, end = self.dates[-1], self.policy.day.end
        if (self.today, self.now_minute) < (last, end):
            return None
        return f"{last:%a} {last.isoformat()} {format_clock(end)}"

    @property
    def everyone_off(self) -> Absence | None:
        """When every manager is off sick to the end of the week: the absence that starts
        last (from then on nobody works); None while someone is still in."""
        if len(self.absences) < len(self.department.managers) \
                or any(a.until < self.dates[-1] for a in self.absences.values()):
            return None
        return max(self.absences.values(), key=lambda a: (a.date, a.minute))

    def off_for_the_rest(self, manager: str) -> bool:
        """True when the manager is off until the end of the week and has no pair session
        left to do before he falls ill: his partners need someone else."""
        absence = self.absences.get(manager)
        if absence is None or absence.until < self.dates[-1]:
            return False
        for b in self.timetable.blocks:
            rule = self.policy.kinds.get(b.kind)
            if b.manager == manager and rule is not None and rule.group == "pair" \
                    and not self.pinned(b.date, b.start) and not absence.covers(b.date, b.start):
                return False
        return True


def situation_at(department: Department, policy: Policy, timetable: Timetable, now: dt.datetime,
                 events: Sequence[Event]) -> Situation:
    """Resolve the events at `now`; `now` far from the week (`NOW_MARGIN`) is refused
    first (column "now"). An event naming a manager or retailer the department
    does not have, a day outside the week where the event must fall in it, an urgent
    visit due before now or a cancelled store that is no promotion store is reported
    with its row and field, all at once."""
    _check_now(now, timetable.week_start)
    dates = working_dates(policy, timetable.week_start, department)
    now = now.replace(tzinfo=None)
    situation = Situation(department, policy, timetable, now, dates, {}, set(), {}, [])
    managers = {m.id for m in department.managers}
    retailers = {r.id: r for r in department.retailers}
    week = (timetable.week_start, timetable.week_start + dt.timedelta(days=6))
    problems: list[Problem] = []
    episodes: dict[str, list[tuple[int, Absence]]] = {}
    for number, event in enumerate(events, 1):  # 1-based, as CSV rows are
        def bad(column: str, message: str, _n: int = number) -> None:
            problems.append(Problem(message, file="events", row=_n, column=column))

        if isinstance(event, ManagerSick):
            if event.manager not in managers:
                bad("manager", f"no manager '{event.manager}' in the department")
                continue
            absence = _absence(situation, event)
            if event.until is not None and event.until < absence.date:
                bad("until", f"until ({absence.until}) is before the sickness starts ({absence.date})")
            elif absence.date > dates[-1]:
                bad("from", f"the sickness starts ({absence.date}) after the week's last working day "
                            f"({dates[-1]}): it takes nothing from this week")
            elif absence.until < dates[0]:
                bad("until", f"the sickness ends ({absence.until}) before the week's first working day "
                             f"({dates[0]}): it takes nothing from this week")
            else:
                episodes.setdefault(event.manager, []).append((number, absence))
        elif event.retailer not in retailers:
            bad("retailer", f"no retailer '{event.retailer}' in the department")
        elif isinstance(event, RetailerClosed):
            date = event.date or situation.today
            if not week[0] <= date <= week[-1]:
                given = f"date ({date})" if event.date is not None else f"date (not given: the day of now, {date})"
                bad("date", f"{given} is not in the week ({week[0]} to {week[-1]})")
                continue
            situation.closed.add((event.retailer, date))
        elif isinstance(event, UrgentVisit):
            if event.manager is not None and event.manager not in managers:
                bad("manager", f"no manager '{event.manager}' in the department")
            elif event.by is not None and event.by < situation.today:
                bad("by", f"by ({event.by}) is before now ({situation.today}): the visit is overdue; "
                          "give the day it is now due by")
            else:
                _add_urgent(situation, event)
        elif isinstance(event, PromotionStoreCancelled):
            if not retailers[event.retailer].promo_store:
                bad("retailer", f"{event.retailer} is not a promotion store")
                continue
            situation.cancelled_stores[event.retailer] = event.date or situation.today
    for manager, sick in episodes.items():
        situation.absences[manager] = _one_absence(sick, problems)
    if problems:
        raise InputError(problems)
    _partners_blocks_whole_again(situation)
    _cut_what_the_sick_cannot_finish(situation)
    _drop_the_sick_from_partners(situation)
    return situation


def _paired(situation: Situation, block: Block) -> bool:
    rule = situation.policy.kinds.get(block.kind)
    return rule is not None and rule.group == "pair"


def split_where_a_partner_fell_ill(situation: Situation, blocks: Sequence[Block]) -> list[Block]:
    """The re-planned week's blocks with each partner's session a sickness cut split where
    it did: the partner's block stays in the week whole (he went on alone), but names the
    sick one only for the part they shared, up to the end of the sick one's piece (the
    part he worked, `Situation.cut`, or an earlier re-plan's cut), and not after it. Only where he fell ill by `now`
    (at it too: a re-plan asked the moment he falls ill, the usual case, splits; the part alone then starts at
    `now`): both parts are facts then, kept as they were by a re-plan of this week. One who falls ill after
    `now` may yet come in: the block stays whole. The model reads the block whole; a re-plan of this week
    reads it whole again (`_partners_blocks_whole_again`), and so does the re-plan
    checker for every rule but the past's."""
    ends: dict[tuple[str, dt.date, str, int], int] = {
        (b.manager, b.date, b.kind, b.start): b.end for b in situation.timetable.blocks
        if _paired(situation, b) and (a := situation.absences.get(b.manager)) is not None
        and (a.date, a.minute) == (b.date, b.end)}
    if not ends:
        return list(blocks)
    out: list[Block] = []
    for b in blocks:
        cuts: dict[int, set[str]] = {}
        for m in b.with_:
            end = ends.get((m, b.date, b.kind, b.start))
            if end is not None and b.start < end < b.end and (b.date, end) <= (situation.today, situation.now_minute):
                cuts.setdefault(end, set()).add(m)
        start, with_ = b.start, b.with_
        for end in sorted(cuts):
            out.append(b.model_copy(update={"start": start, "end": end, "with_": with_}))
            start, with_ = end, tuple(m for m in with_ if m not in cuts[end])
        out.append(b if start == b.start else b.model_copy(update={"start": start, "with_": with_}))
    return out


def _partners_blocks_whole_again(situation: Situation) -> None:
    """A week an earlier re-plan wrote holds a partner's session split where a partner
    fell ill (`split_where_a_partner_fell_ill`): read as the one block it is, naming the
    partners it began with, as the model and the cuts read the plan."""
    blocks = list(situation.timetable.blocks)
    at = {(b.manager, b.date, b.kind, b.retailer, b.start): i for i, b in enumerate(blocks)}
    gone: set[int] = set()
    for i, b in sorted(enumerate(blocks), key=lambda ib: (ib[1].manager, ib[1].date, -ib[1].start)):
        first = at.get((b.manager, b.date, b.kind, b.retailer, b.end))
        if first is None or first in gone or not _paired(situation, b):
            continue
        rest = blocks[first]
        if set(rest.with_) < set(b.with_) and all(
                (a := situation.absences.get(m)) is not None and (a.date, a.minute) == (b.date, b.end)
                for m in set(b.with_) - set(rest.with_)):
            blocks[i] = b.model_copy(update={"end": rest.end})
            gone.add(first)
            situation.rejoined.append(rest)
    if gone:
        situation.timetable = situation.timetable.model_copy(
            update={"blocks": tuple(b for i, b in enumerate(blocks) if i not in gone)})


@dataclasses.dataclass(frozen=True)
class EarlierReplan:
    """The re-plan a re-planned week came from: its `now`, its events (the facts of the
    week it answered) and its re-planned routes (JSON, as `fieldweek replan --json`
    writes them), which a re-plan of that week carries (`with_earlier_events`)."""

    now: dt.datetime
    events: tuple[Event, ...]
    routes: tuple[Mapping[str, Any], ...] = ()


def earlier_replan(document: Mapping[str, Any], where: str = "plan") -> EarlierReplan | None:
    """The earlier re-plan of a plan document when it is a re-plan's result (it has
    `now` and `events`, as `fieldweek replan --json` and a re-plan job's result have);
    None for a timetable or a route plan. A bad `now` or event is an InputError naming
    `where`."""
    if "now" not in document or "events" not in document:
        return None
    try:
        now = dt.datetime.fromisoformat(str(document["now"])).replace(tzinfo=None)
    except ValueError:
        raise InputError([Problem(f"now ({document['now']!r}) of the re-plan is not a date and time",
                                  file=where, column="now")]) from None
    routes = document.get("routes")
    return EarlierReplan(now, read_events(document["events"], where=where),
                         tuple(r for r in routes if isinstance(r, Mapping)) if isinstance(routes, list) else ())


def with_earlier_events(earlier: EarlierReplan | None, now: dt.datetime,
                        events: Sequence[Event]) -> tuple[Event, ...]:
    """The events a re-plan of a re-planned week answers: the earlier re-plan's, carried
    before the new ones. `now` before the earlier re-plan's `now` is an InputError
    (column "now").

    Why the re-planned week is re-planned, not the week's own plan with every event:
    what the earlier re-plan changed between its `now` and this one (blocks moved,
    partners re-paired, visits handed over, the urgent visit made) has happened as it
    changed it. Re-planning the original week at the new `now` would pin the original
    blocks of that stretch, work nobody did, and forget the work done; it is right only
    when nothing lies between the two moments. So the earlier events are re-applied to
    the re-planned week, where they are facts that change nothing already done: a
    sickness cuts nothing more (the pieces it cut end where his absence begins, he has
    no block after it) but keeps him off (his hours prorated, his pieces read as cut,
    his visits handed on) instead of counting him in again; a closure keeps the shop
    closed. Each is read as the earlier re-plan read it: a closure, a cancelled store or
    an urgent visit without a day takes the day of the earlier `now`, not of this one.
    An urgent visit made between the two moments (a stop of its retailer started from
    the earlier `now` and before this one) is met and not carried, or it would be made
    twice; one still to come is carried (its stop is the visit made urgent again, not a
    second one); one overdue and not met is due as soon as it can be, today. A new
    event that repeats one of the earlier re-plan's (the same once each is read on its
    own day: a user giving the earlier events again) is that event, not a second one:
    repeated, an urgent visit already made would be made again. A `now` before the
    earlier one would re-plan what that re-plan took as done."""
    return tuple(event for event, _row in _merged_events(earlier, now, events))


def _merged_events(earlier: EarlierReplan | None, now: dt.datetime,
                   events: Sequence[Event]) -> list[tuple[Event, tuple[str, int]]]:
    """`with_earlier_events`, each event with where it was given: ("events", its row among
    `events`) or ("plan", its row among the earlier re-plan's), rows from 1."""
    if earlier is None:
        return [(event, ("events", row)) for row, event in enumerate(events, 1)]
    if now < earlier.now:
        raise InputError([Problem(
            f"now ({now:%Y-%m-%d %H:%M}) is before the now of the re-plan it re-plans "
            f"({earlier.now:%Y-%m-%d %H:%M}): the re-planned week took what came before as done; "
            "give a moment from then on", column="now")])
    carried = [_as_read_then(event, earlier.now.date()) for event in earlier.events]
    kept: list[tuple[Event, tuple[str, int]]] = [
        (_due_by_today(e, now.date()), ("plan", row)) for row, e in enumerate(carried, 1)
        if not (isinstance(e, UrgentVisit) and _visited_between(e.retailer, earlier, now))]
    return kept + [(event, ("events", row)) for row, event in enumerate(events, 1)
                   if _as_read_then(event, now.date()) not in carried]


def _as_read_then(event: Event, day: dt.date) -> Event:
    """An event with the day the earlier re-plan gave it when it named none (that of its `now`)."""
    if isinstance(event, RetailerClosed | PromotionStoreCancelled) and event.date is None:
        return event.model_copy(update={"date": day})
    if isinstance(event, UrgentVisit) and event.by is None:
        return event.model_copy(update={"by": day})
    return event


def _due_by_today(event: Event, today: dt.date) -> Event:
    """A carried urgent visit past its day and not made is due today: it is overdue."""
    if isinstance(event, UrgentVisit) and event.by is not None and event.by < today:
        return event.model_copy(update={"by": today})
    return event


def _visited_between(retailer: str, earlier: EarlierReplan, now: dt.datetime) -> bool:
    """True when the earlier re-plan's routes hold a stop of `retailer` started from its
    `now` and before `now`: the visit made since it was asked."""
    for route in earlier.routes:
        date = _date_or_none(route.get("date"))
        for stop in route.get("stops") or ():
            if date is None or not isinstance(stop, Mapping) or stop.get("retailer") != retailer:
                continue
            try:
                start = parse_clock(stop.get("start"))
            except ValueError:
                continue  # no time to read: the route plan's own check names it
            if earlier.now <= dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=start) < now:
                return True
    return False


NOW_MARGIN = dt.timedelta(weeks=1)
"""How far before the timetable's week, or after its end, `now` may lie: a re-plan is
asked just before or during the week (after it, everything is pinned); a year away is a
mistake. A bound on what input means, no business rule: one rule for the CLI, the HTTP
API and the engine (the CLI used to take any `now`, the API this one)."""


def _check_now(now: dt.datetime, week_start: dt.date) -> None:
    earliest = dt.datetime.combine(week_start - NOW_MARGIN, dt.time())
    latest = dt.datetime.combine(week_start + dt.timedelta(days=7) + NOW_MARGIN, dt.time())
    if not earliest <= now.replace(tzinfo=None) < latest:
        raise InputError([Problem(
            f"now ({now:%Y-%m-%d %H:%M}) is not near the timetable's week of {week_start}: it must lie "
            f"from {earliest:%Y-%m-%d} to before {latest:%Y-%m-%d} (at most {NOW_MARGIN.days} days before "
            "or after the week)", column="now")])


def replan_input_problems(department: Department, policy: Policy, timetable: Timetable, now: dt.datetime,
                          events: Sequence[Event], routes: Mapping[str, Any] | None, *,
                          routes_to_come: bool = False, earlier: EarlierReplan | None = None) -> list[Problem]:
    """Everything a re-plan would refuse, found before it solves, so the CLI and the HTTP
    API refuse the same input the same way: a policy without [replan], `now` far from
    the week or before the `now` of the `earlier` re-plan whose week `timetable` is,
    events the week cannot act on (`situation_at`, with the earlier re-plan's events
    carried: `with_earlier_events`), a route plan of another week
    (`routes_week_problems`), and an urgent visit with no routes to place it in.
    `routes_to_come`: the caller routes the week itself before re-planning (the CLI).
    An event's row is its row among `events`; a carried event's fault names the plan."""
    problems: list[Problem] = []
    rows: list[tuple[str, int]] = []
    try:
        replan_rules(policy)
        merged = _merged_events(earlier, now, events)
        rows = [row for _event, row in merged]
        situation_at(department, policy, timetable, now, [event for event, _row in merged])
    except InputError as error:
        problems += _rows_of_the_new_events(error.problems, rows)
    if routes is not None:
        problems += routes_week_problems(routes, timetable.week_start)
    elif not routes_to_come:
        named = {p.row for p in problems if p.file == "events"}  # one fault of an event at a time
        problems += [
            Problem(f"event {number} (urgent_visit): an urgent visit is placed in the week's routes, and "
                    "none were given: send the week's routes (the result of a routes job) with the re-plan",
                    file="events", row=number, column="type")
            for number, event in enumerate(events, 1) if isinstance(event, UrgentVisit) and number not in named]
    return problems


def _rows_of_the_new_events(problems: Sequence[Problem], rows: Sequence[tuple[str, int]]) -> list[Problem]:
    """Problems of the merged events (`_merged_events`, numbered from 1 in `rows`' order)
    as the caller numbers them: a new event by its row among the new events; an event
    carried from the earlier re-plan named as the plan's."""
    out: list[Problem] = []
    for p in problems:
        if p.file != "events" or p.row is None or p.row > len(rows):
            out.append(p)
        elif (given := rows[p.row - 1])[0] == "events":
            out.append(dataclasses.replace(p, row=given[1]))
        else:
            out.append(dataclasses.replace(p, file="plan", row=given[1], message=f"event {given[1]} of the re-plan, "
                                                                                 f"carried into this one: {p.message}"))
    return out


def routes_week_problems(routes: Mapping[str, Any], week_start: dt.date, file: str = "routes") -> list[Problem]:
    """A route plan of another week than the timetable's: its `week_start`, or a route's
    or an unplaced visit's date outside the week (the re-plan took such a plan and
    carried its visits as unplaced on days of another week). Each problem's column is
    the path inside the plan (`routes.3.date`); a value that is no date is left to the
    route plan's own check."""
    last = week_start + dt.timedelta(days=6)
    problems: list[Problem] = []
    given = _date_or_none(routes.get("week_start"))
    if given is not None and given != week_start:
        problems.append(Problem(f"routes.week_start ({given}) is not the timetable's week ({week_start}): "
                                "give the routes of this week", file=file, column="week_start"))
    for key in ("routes", "unvisited"):
        items = routes.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            date = _date_or_none(item.get("date")) if isinstance(item, Mapping) else None
            if date is not None and not week_start <= date <= last:
                problems.append(Problem(f"{key}.{index}.date ({date}) is not in the timetable's week "
                                        f"({week_start} to {last})", file=file, column=f"{key}.{index}.date"))
    return problems


def _date_or_none(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _add_urgent(situation: Situation, event: UrgentVisit) -> None:
    """One urgent visit per retailer: the same visit asked again (a re-plan's urgent
    visit carried and given anew with the new events) is one visit, due by the earlier
    of the days, by the manager named first; two would place it twice."""
    by = event.by or situation.today
    for index, urgent in enumerate(situation.urgent):
        if urgent.retailer == event.retailer:
            situation.urgent[index] = urgent.model_copy(update={
                "by": min(urgent.by or situation.today, by), "manager": urgent.manager or event.manager})
            return
    situation.urgent.append(event)


def _cut_what_the_sick_cannot_finish(situation: Situation) -> None:
    """A block started before `now` that runs into its manager's absence ends when he
    falls ill, at the start of that grid slot (`Absence.minute`): the part he worked
    stays in the week, the rest is gone, and his partner, whose block stays whole, goes
    on alone (written split there, `split_where_a_partner_fell_ill`). A block he had not
    worked a slot of is gone; a lunch stays as it was."""
    blocks: list[Block] = []
    for b in situation.timetable.blocks:
        absence = situation.absences.get(b.manager)
        if absence is None or not situation.pinned(b.date, b.start) or not absence.overlaps(b.date, b.end) \
                or situation.kept_lunch(b):
            blocks.append(b)
            continue
        worked = b.date == absence.date and absence.minute > b.start
        piece = b.model_copy(update={"end": absence.minute}) if worked else None
        situation.cut.append((b, piece))
        if piece is not None:
            blocks.append(piece)
    if situation.cut:
        situation.timetable = situation.timetable.model_copy(update={"blocks": tuple(blocks)})


def _one_absence(episodes: Sequence[tuple[int, Absence]], problems: list[Problem]) -> Absence:
    """A manager's sicknesses (event row, absence) as the one absence the re-plan holds
    per manager: sicknesses that overlap, or where one starts on the last day of the
    other, are one from the first start to the last `until`. A second sickness after he
    was back is reported with its row: the re-plan would otherwise drop it silently."""
    ordered = sorted(episodes, key=lambda e: (e[1].date, e[1].minute))
    row, merged = ordered[0]
    for number, absence in ordered[1:]:
        if absence.date > merged.until:
            problems.append(Problem(
                f"{absence.manager} is off sick again from {absence.since} after being back from the "
                f"sickness of event {row} (from {merged.since} until {merged.until}); the re-plan holds one "
                "sickness per manager (overlapping ones as one) and cannot take a second one after he "
                "was back yet",
                file="events", row=number, column="from"))
            continue
        merged = dataclasses.replace(merged, until=max(merged.until, absence.until))
    return merged


def _drop_the_sick_from_partners(situation: Situation) -> None:
    """A block started before `now` names as partner or attendee no sick manager who
    has no block of its kind at its time: he fell ill before it began (his block is
    gone, `_cut_what_the_sick_cannot_finish`), so the others' session was theirs alone,
    as a sickness under way leaves the partner's session; its hours are theirs as the
    block's length says. One he worked a part of (a cut piece) keeps naming him."""
    held = {(b.manager, b.date, b.kind, b.start) for b in situation.timetable.blocks}
    blocks: list[Block] = []
    changed = False
    for b in situation.timetable.blocks:
        gone = {m for m in b.with_ if situation.pinned(b.date, b.start) and m in situation.absences
                and situation.absences[m].overlaps(b.date, b.end) and (m, b.date, b.kind, b.start) not in held}
        if gone:
            b = b.model_copy(update={"with_": tuple(m for m in b.with_ if m not in gone)})
            changed = True
        blocks.append(b)
    if changed:
        situation.timetable = situation.timetable.model_copy(update={"blocks": tuple(blocks)})


def _absence(situation: Situation, event: ManagerSick) -> Absence:
    """When a sick manager is off: from when he fell ill, before `now` too (work planned
    inside his sickness was not done, even where it lies in the past), from the start of
    the grid slot that moment is in; he does nothing after it, and a block he was in
    then ends there, one planned after it is gone (`Situation.cut`)."""
    grid = situation.policy.grid_minutes
    start = event.from_.replace(tzinfo=None)
    fell_ill = start.hour * 60 + start.minute
    return Absence(event.manager, start.date(), fell_ill // grid * grid, event.until or situation.dates[-1],
                   fell_ill)


def working_dates(policy: Policy, week_start: dt.date, department: Department | None = None) -> list[dt.date]:
    """The week's working days, in order: by the department's calendar when given
    (holidays out, make-up working days in), else the policy's working weekdays."""
    if department is not None:
        return [date for date, _ in WorkCalendar(department, policy).working_days(week_start)]
    return sorted(week_start + dt.timedelta(days=WEEKDAYS.index(d)) for d in policy.working_days)


def _absences_as_leave(situation: Situation) -> tuple[Leave, ...]:
    """Each absence as leave on the grid: from its first grid minute on the day it
    starts, whole days after."""
    policy = situation.policy
    leave: list[Leave] = []
    for absence in situation.absences.values():
        for date in situation.dates:
            if not absence.date <= date <= absence.until:
                continue
            if date == absence.date and absence.minute > policy.day.start:
                start = -(-absence.minute // policy.grid_minutes) * policy.grid_minutes
                if start < policy.day.end:
                    leave.append(Leave(manager=absence.manager, date=date, start=start, end=policy.day.end))
            else:
                leave.append(Leave(manager=absence.manager, date=date))
    return tuple(leave)


def department_with_absences(situation: Situation) -> Department:
    """The department with every absence added as leave: the week the re-plan plans,
    and the one an independent check of its result reads."""
    department = situation.department
    return department.model_copy(update={"leave": department.leave + _absences_as_leave(situation)})


def replan_frame(situation: Situation) -> WeekFrame:
    """The week with the absences as leave — SPEC §2: a manager on leave gets his hours
    prorated, and a sickness is leave. A re-plan may fall short of those hours, at a
    cost; it never owes more."""
    return build_week(department_with_absences(situation), situation.policy, situation.timetable.week_start)
